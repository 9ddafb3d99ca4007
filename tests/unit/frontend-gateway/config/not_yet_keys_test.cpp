// Partner policy and edge stream settings in gateway.json that the edges do not receive yet: a
// value other than what the edges do today is refused with a clear error instead of being
// accepted and ignored.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "frontend-gateway/config/gateway_config.h"

namespace {

// A minimal valid gateway.json with `partner` inside the one partner's object and `gateway` as
// the gateway section's members.
xf::Result<xf::gw::GatewayConfig> load(const std::string& partner, const std::string& gateway) {
  // One file per process: CTest runs each test case as its own process, in parallel with -j.
  const std::string path =
      std::string(XMPPFED_BINARY_DIR) + "/not_yet_keys_test." + std::to_string(getpid()) + ".json";
  {
    std::ofstream out(path);
    out << R"({"local_domains": ["sip.example"],
      "relay": {"edges": [{"host": "127.0.0.10", "name": "edge"}], "certificate": "c",
                "private_key": "k", "ca_file": "ca"},
      "sip": {"next_hop": {"host": "127.0.0.4"}},
      "gateway": {)"
        << gateway << R"(},
      "partners": [{"domain": "xmpp.example")"
        << (partner.empty() ? "" : ", " + partner) << "}]}";
  }
  auto config = xf::gw::load_gateway_config(path);
  std::remove(path.c_str());
  return config;
}

std::string refusal(const std::string& partner, const std::string& gateway = "") {
  auto config = load(partner, gateway);
  REQUIRE_FALSE(config.ok());
  return config.error().detail;
}

bool mentions(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("config: partner policy values the edges do today are accepted",
          "[unit][gateway][config]") {
  REQUIRE(load("", "").ok());
  REQUIRE(load(R"("tls": "required", "sasl": "optional", "dialback": true, "keepalive": true,
               "connection_limit": 20, "proxy_fqdn": "")",
               "")
              .ok());
  REQUIRE(load(R"("sasl": "not_supported")", "").ok());
  REQUIRE(load("", R"("connection_limit": 1000, "keepalive_interval_s": 300)").ok());
}

TEST_CASE("config: partner policy the edges cannot apply yet is refused, naming the key",
          "[unit][gateway][config]") {
  CHECK(mentions(refusal(R"("tls": "optional")"), "/partners/0/tls: not implemented yet"));
  CHECK(mentions(refusal(R"("tls": "not_supported")"), "/partners/0/tls: not implemented yet"));
  CHECK(mentions(refusal(R"("sasl": "required")"), "/partners/0/sasl: not implemented yet"));
  CHECK(mentions(refusal(R"("dialback": false)"), "/partners/0/dialback: not implemented yet"));
  CHECK(mentions(refusal(R"("keepalive": false)"), "/partners/0/keepalive: not implemented yet"));
  CHECK(mentions(refusal(R"("connection_limit": 5)"),
                 "/partners/0/connection_limit: not implemented yet"));
  CHECK(mentions(refusal(R"("proxy_fqdn": "xmpp.partner.example")"),
                 "/partners/0/proxy_fqdn: not implemented yet"));
}

TEST_CASE("config: edge stream settings in gateway.json other than the defaults are refused",
          "[unit][gateway][config]") {
  for (const char* setting :
       {R"("connection_limit": 5)", R"("partner_connection_limit": 5)",
        R"("keepalive_interval_s": 60)", R"("stream_establishment_timeout_s": 30)",
        R"("stream_inactivity_timeout_s": 60)"}) {
    INFO(setting);
    const std::string error = refusal("", setting);
    CHECK(mentions(error, "/gateway/"));
    CHECK(mentions(error, "not implemented yet: the edge takes this from its own edge.json"));
  }
}
