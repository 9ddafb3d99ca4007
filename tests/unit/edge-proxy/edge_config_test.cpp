#include "edge-proxy/edge_config.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

std::string write_temp(const std::string& text) {
  char name[] = "/tmp/xmppfed-edge-config-XXXXXX";
  int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  std::ofstream(name) << text;
  close(fd);
  return name;
}

constexpr const char* kMinimal = R"({
  "hosted_domains": [ { "domain": "Sip.Example", "certificate": "c", "private_key": "k" } ],
  "s2s": { "dialback_secret": "0123456789abcdef0123" },
  "relay": { "certificate": "c", "private_key": "k", "ca_file": "ca",
             "allowed_peers": ["gateway.internal"] }
})";

}  // namespace

TEST_CASE("edge config: the example in deploy/ is valid", "[unit][edge]") {
  auto cfg = xf::edge::load_edge_config(XMPPFED_SOURCE_DIR "/deploy/edge.example.json");
  REQUIRE(cfg.ok());
  CHECK(cfg->hosted_domains.size() == 1);
  CHECK(cfg->relay.listen.port == 23456);
}

TEST_CASE("edge config: defaults fill what a minimal file leaves out", "[unit][edge]") {
  std::string path = write_temp(kMinimal);
  auto cfg = xf::edge::load_edge_config(path);
  std::remove(path.c_str());
  REQUIRE(cfg.ok());
  CHECK(cfg->hosted_domains[0].domain == "sip.example");
  CHECK(cfg->is_hosted("sip.example"));
  REQUIRE(cfg->s2s.listen.size() == 1);
  CHECK(cfg->s2s.listen[0].port == 5269);
  // Direct TLS only where configured (it needs the operator's _xmpps-server record anyway).
  CHECK(cfg->s2s.direct_tls_listen.empty());
  CHECK(cfg->s2s.max_stanza_bytes == 65536);
  CHECK(cfg->s2s.stream_establishment_timeout_s == 60);
  CHECK(cfg->relay.listen.port == 23456);
  CHECK(cfg->relay.heartbeat_interval_s == 10);
}

TEST_CASE("edge config: errors name the JSON pointer of every problem", "[unit][edge]") {
  std::string text = kMinimal;
  text.replace(text.find("\"s2s\": {"), 8,
               "\"s2s\": { \"max_stanza_bytes\": 5000, \"colour\": \"blue\",");
  text.replace(text.find("\"domain\": \"Sip.Example\""), 23, "\"domain\": \"a@b\"");
  std::string path = write_temp(text);
  auto cfg = xf::edge::load_edge_config(path);
  std::remove(path.c_str());
  REQUIRE_FALSE(cfg.ok());
  const std::string& detail = cfg.error().detail;
  CHECK(detail.find("/s2s/max_stanza_bytes: must be an integer in 10000..16777216") !=
        std::string::npos);
  CHECK(detail.find("/s2s/colour: unknown key") != std::string::npos);
  CHECK(detail.find("/hosted_domains/0/domain: must be a domain name") != std::string::npos);
}

TEST_CASE("edge config: a short or empty dialback secret is refused", "[unit][edge]") {
  // Empty was once accepted: keys anyone could compute (XEP-0185 section 4).
  const std::string secret = GENERATE(as<std::string>{}, "short", "");
  std::string text = kMinimal;
  text.replace(text.find("0123456789abcdef0123"), 20, secret);
  std::string path = write_temp(text);
  auto cfg = xf::edge::load_edge_config(path);
  std::remove(path.c_str());
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.error().detail.find("/s2s/dialback_secret: must be at least 16 characters") !=
        std::string::npos);
}

TEST_CASE("edge config: discovery defaults are DNS from resolv.conf with a cache", "[unit][edge]") {
  std::string path = write_temp(kMinimal);
  auto cfg = xf::edge::load_edge_config(path);
  std::remove(path.c_str());
  REQUIRE(cfg.ok());
  CHECK(cfg->s2s.routes.empty());
  CHECK(cfg->s2s.dns_servers.empty());
  CHECK(cfg->s2s.dns_cache_entries == 1000);
}

TEST_CASE("edge config: routes, dns_servers and dns_cache_entries are read", "[unit][edge]") {
  std::string text = kMinimal;
  text.replace(text.find("\"s2s\": {"), 8, R"("s2s": {
    "default_port": 5300,
    "routes": { "Partner.Example": "prosody-s2s.example:5299", "other.example": "192.0.2.7",
                "v6.example": "[2001:db8::7]:5269", "tls.example": "xmpps://tls-host.example",
                "tls2.example": "xmpps://192.0.2.8:5999" },
    "direct_tls_listen": [ { "address": "127.0.0.4" }, { "address": "::1", "port": 5271 } ],
    "dns_servers": ["127.0.0.53", "[::1]:5353"],
    "dns_cache_entries": 0,)");
  std::string path = write_temp(text);
  auto cfg = xf::edge::load_edge_config(path);
  std::remove(path.c_str());
  REQUIRE(cfg.ok());
  const auto& routes = cfg->s2s.routes;
  REQUIRE(routes.size() == 5);
  // "xmpps://": direct TLS, 5270 unless given.
  CHECK(routes.at("tls.example") == xf::dns::HostPort{"tls-host.example", 5270, false});
  CHECK(routes.at("tls.example").direct_tls);
  CHECK(routes.at("tls2.example") == xf::dns::HostPort{"192.0.2.8", 5999, true});
  CHECK(routes.at("tls2.example").direct_tls);
  CHECK_FALSE(routes.at("partner.example").direct_tls);
  REQUIRE(cfg->s2s.direct_tls_listen.size() == 2);
  CHECK(cfg->s2s.direct_tls_listen[0].address == "127.0.0.4");
  CHECK(cfg->s2s.direct_tls_listen[0].port == 5270);
  CHECK(cfg->s2s.direct_tls_listen[1].port == 5271);
  CHECK(routes.at("partner.example") == xf::dns::HostPort{"prosody-s2s.example", 5299, false});
  // A route without a port uses default_port.
  CHECK(routes.at("other.example") == xf::dns::HostPort{"192.0.2.7", 5300, true});
  CHECK(routes.at("v6.example") == xf::dns::HostPort{"2001:db8::7", 5269, true});
  REQUIRE(cfg->s2s.dns_servers.size() == 2);
  CHECK(cfg->s2s.dns_servers[0].to_string() == "127.0.0.53:53");
  CHECK(cfg->s2s.dns_servers[1].to_string() == "[::1]:5353");
  CHECK(cfg->s2s.dns_cache_entries == 0);
}

TEST_CASE("edge config: bad routes and DNS servers are refused naming each one", "[unit][edge]") {
  std::string text = kMinimal;
  text.replace(text.find("\"s2s\": {"), 8, R"("s2s": {
    "routes": { "user@partner.example": "a.example", "sip.example": "a.example",
                "bad-port.example": "a.example:99999", "number.example": 5269,
                "name.example": "no_underscores.example", "tls.example": "xmpps://",
                "tls2.example": "xmpps://a.example:0" },
    "listen": [ { "address": "127.0.0.4", "port": 5270 } ],
    "direct_tls_listen": [ { "address": "127.0.0.4" }, { "port": 70000 } ],
    "dns_servers": ["ns.example", "127.0.0.53:0", 53],
    "dns_cache_entries": -1,)");
  std::string path = write_temp(text);
  auto cfg = xf::edge::load_edge_config(path);
  std::remove(path.c_str());
  REQUIRE_FALSE(cfg.ok());
  const std::string& d = cfg.error().detail;
  INFO(d);
  CHECK(d.find("/s2s/routes/user@partner.example: the key must be a partner domain") !=
        std::string::npos);
  CHECK(d.find("/s2s/routes/sip.example: is a hosted domain, not a partner") != std::string::npos);
  CHECK(d.find("/s2s/routes/bad-port.example: \"a.example:99999\" has a port outside 1..65535") !=
        std::string::npos);
  CHECK(d.find("/s2s/routes/number.example: must be a string") != std::string::npos);
  CHECK(d.find("/s2s/routes/name.example: \"no_underscores.example\" is neither a host name nor "
               "an IP address") != std::string::npos);
  CHECK(d.find("/s2s/routes/tls.example: \"xmpps://\" ") != std::string::npos);
  CHECK(d.find("/s2s/routes/tls2.example: \"xmpps://a.example:0\" has a port outside 1..65535") !=
        std::string::npos);
  CHECK(d.find("/s2s/direct_tls_listen/0: is also a STARTTLS listen address") != std::string::npos);
  CHECK(d.find("/s2s/direct_tls_listen/1/port: must be an integer in 1..65535") !=
        std::string::npos);
  CHECK(d.find("/s2s/dns_servers/0: must be an IP address, not a host name") != std::string::npos);
  CHECK(d.find("/s2s/dns_servers/1: \"127.0.0.53:0\" has a port outside 1..65535") !=
        std::string::npos);
  CHECK(d.find("/s2s/dns_servers/2: must be a string") != std::string::npos);
  CHECK(d.find("/s2s/dns_cache_entries: must be an integer in 0..1000000") != std::string::npos);
}

TEST_CASE("edge config: backpressure marks have defaults and stay below the hard bound",
          "[unit][edge]") {
  std::string path = write_temp(kMinimal);
  auto cfg = xf::edge::load_edge_config(path);
  std::remove(path.c_str());
  REQUIRE(cfg.ok());
  CHECK(cfg->relay.high_water_bytes == 1024 * 1024);
  CHECK(cfg->relay.max_queue_bytes == 8 * 1024 * 1024);
  CHECK(cfg->s2s.high_water_bytes == 1024 * 1024);

  std::string text = kMinimal;
  text.replace(text.find("\"allowed_peers\""), 15,
               "\"high_water_bytes\": 2000000, \"max_queue_bytes\": 1000000, \"allowed_peers\"");
  path = write_temp(text);
  cfg = xf::edge::load_edge_config(path);
  std::remove(path.c_str());
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.error().detail.find("/relay/high_water_bytes: must be below max_queue_bytes") !=
        std::string::npos);
}
