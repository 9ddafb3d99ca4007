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

TEST_CASE("edge config: a short dialback secret is refused", "[unit][edge]") {
  std::string text = kMinimal;
  text.replace(text.find("0123456789abcdef0123"), 20, "short");
  std::string path = write_temp(text);
  auto cfg = xf::edge::load_edge_config(path);
  std::remove(path.c_str());
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.error().detail.find("/s2s/dialback_secret: must be at least 16 characters") !=
        std::string::npos);
}
