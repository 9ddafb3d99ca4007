// The SIP transaction caps and the backpressure marks of gateway.json: defaults sized for
// 50,000 messages/s, and marks that leave room below the caps.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "frontend-gateway/config/gateway_config.h"

namespace {

// A minimal valid gateway.json with `sip` added to the sip section's members.
xf::Result<xf::gw::GatewayConfig> load(const std::string& sip) {
  const std::string path = std::string(XMPPFED_BINARY_DIR) + "/flow_keys_test.json";
  {
    std::ofstream out(path);
    out << R"({"local_domains": ["sip.example"],
      "relay": {"edges": [{"host": "127.0.0.10", "name": "edge"}], "certificate": "c",
                "private_key": "k", "ca_file": "ca"},
      "sip": {"next_hop": {"host": "127.0.0.4"})"
        << (sip.empty() ? "" : ", " + sip) << "}}";
  }
  auto config = xf::gw::load_gateway_config(path);
  std::remove(path.c_str());
  return config;
}

}  // namespace

TEST_CASE("config: SIP caps and backpressure marks default to 50,000 messages/s sizes",
          "[unit][gateway]") {
  auto config = load("");
  REQUIRE(config.ok());
  CHECK(config->sip.max_transactions == 32768);
  CHECK(config->sip.max_pending_requests == 32768);
  CHECK(config->sip.high_water_transactions == 16384);
  CHECK(config->sip.high_water_bytes == 1024 * 1024);
  CHECK(config->relay.high_water_bytes == 1024 * 1024);
  // 50,000/s for the ~0.25 s a SIP -> XMPP transaction lives (edge round trip plus the
  // delivery grace window) stays below the high water mark.
  CHECK(50000 * (config->sip.delivery_grace_ms + 50) / 1000 < config->sip.high_water_transactions);
}

TEST_CASE("config: a high water mark above half a cap is refused, naming the key",
          "[unit][gateway]") {
  auto config = load(R"("max_transactions": 1000, "high_water_transactions": 600)");
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().detail.find(
            "/sip/high_water_transactions: must be at most half of max_transactions") !=
        std::string::npos);
  config = load(R"("max_pending_requests": 100, "high_water_transactions": 60,
                   "max_transactions": 1000)");
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().detail.find(
            "/sip/high_water_transactions: must be at most half of max_pending_requests") !=
        std::string::npos);
  config = load(R"("max_transactions": 1000, "high_water_transactions": 500,
                   "max_pending_requests": 1000, "high_water_bytes": 131072)");
  REQUIRE(config.ok());
  CHECK(config->sip.high_water_transactions == 500);
  CHECK(config->sip.high_water_bytes == 131072);
}

TEST_CASE("config: left out, the high water mark follows a lowered cap", "[unit][gateway]") {
  auto config = load(R"("max_pending_requests": 1000)");
  REQUIRE(config.ok());
  CHECK(config->sip.high_water_transactions == 500);
}
