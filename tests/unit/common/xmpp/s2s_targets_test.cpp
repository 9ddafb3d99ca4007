#include "common/xmpp/s2s_targets.h"

#include <catch2/catch.hpp>
#include <vector>

using xf::dns::SrvAnswer;
using xf::dns::SrvStatus;
using xf::xmpp::s2s_targets;
using xf::xmpp::S2sTarget;

namespace {

constexpr std::uint16_t kDefaultPort = 5269;

const SrvAnswer kNone{SrvStatus::no_records, {}};
const SrvAnswer kFailed{SrvStatus::failed, {}};
const SrvAnswer kDot{SrvStatus::found, {{0, 0, 0, ""}}};

// Always the lowest draw: within a priority, zero weights first, then the answer's order.
std::uint32_t lowest(std::uint32_t) { return 0; }

}  // namespace

TEST_CASE("s2s targets: SRV owner names of both services", "[unit][xmpp]") {
  CHECK(xf::xmpp::xmpp_server_srv_name("XMPP.example.") == "_xmpp-server._tcp.xmpp.example");
  CHECK(xf::xmpp::xmpps_server_srv_name("xmpp.example") == "_xmpps-server._tcp.xmpp.example");
}

TEST_CASE("s2s targets: no SRV records fall back to the domain on the default port",
          "[unit][xmpp]") {
  for (const SrvAnswer* xmpps : {&kNone, &kFailed}) {
    for (const SrvAnswer* xmpp : {&kNone, &kFailed}) {
      auto t = s2s_targets("Partner.Example", *xmpps, *xmpp, kDefaultPort, lowest);
      CHECK_FALSE(t.from_srv);
      CHECK_FALSE(t.unavailable);
      CHECK(t.targets == std::vector<S2sTarget>{{"partner.example", kDefaultPort, false}});
    }
  }
  auto t = s2s_targets("partner.example", kNone, kNone, 5999, lowest);
  CHECK(t.targets == std::vector<S2sTarget>{{"partner.example", 5999, false}});
}

TEST_CASE("s2s targets: xmpp-server records give STARTTLS targets on their ports", "[unit][xmpp]") {
  SrvAnswer xmpp{SrvStatus::found,
                 {{10, 0, 5270, "backup.example"}, {0, 0, 5299, "prosody-s2s.example"}}};
  auto t = s2s_targets("xmpp.example", kNone, xmpp, kDefaultPort, lowest);
  CHECK(t.from_srv);
  CHECK(t.targets == std::vector<S2sTarget>{{"prosody-s2s.example", 5299, false},
                                            {"backup.example", 5270, false}});
}

TEST_CASE("s2s targets: both services merge by priority with direct TLS flagged", "[unit][xmpp]") {
  SrvAnswer xmpps{SrvStatus::found, {{5, 0, 5223, "tls.example"}, {20, 0, 443, "last.example"}}};
  SrvAnswer xmpp{SrvStatus::found, {{10, 0, 5269, "starttls.example"}}};
  auto t = s2s_targets("xmpp.example", xmpps, xmpp, kDefaultPort, lowest);
  CHECK(t.targets == std::vector<S2sTarget>{{"tls.example", 5223, true},
                                            {"starttls.example", 5269, false},
                                            {"last.example", 443, true}});
}

TEST_CASE("s2s targets: at equal priority the weights choose between the two services",
          "[unit][xmpp]") {
  // XEP-0368 §3: one record set, no preference of our own. Weights 1 (direct TLS) and 9
  // (STARTTLS): draws 0..1 choose direct TLS first, 2..10 STARTTLS.
  SrvAnswer xmpps{SrvStatus::found, {{0, 1, 5270, "tls.example"}}};
  SrvAnswer xmpp{SrvStatus::found, {{0, 9, 5269, "starttls.example"}}};
  auto draw = [](std::uint32_t value) {
    return [value](std::uint32_t bound) { return value <= bound ? value : bound; };
  };
  auto low = s2s_targets("xmpp.example", xmpps, xmpp, kDefaultPort, draw(1));
  CHECK(low.targets.front() == S2sTarget{"tls.example", 5270, true});
  auto high = s2s_targets("xmpp.example", xmpps, xmpp, kDefaultPort, draw(2));
  CHECK(high.targets.front() == S2sTarget{"starttls.example", 5269, false});
  CHECK(high.targets.size() == 2);
}

TEST_CASE("s2s targets: a dot for xmpp-server means no service and no fallback", "[unit][xmpp]") {
  for (const SrvAnswer* xmpps : {&kNone, &kFailed, &kDot}) {
    auto t = s2s_targets("xmpp.example", *xmpps, kDot, kDefaultPort, lowest);
    CHECK(t.unavailable);
    CHECK_FALSE(t.from_srv);
    CHECK(t.targets.empty());
  }
}

TEST_CASE("s2s targets: a dot for xmpps-server leaves the STARTTLS records", "[unit][xmpp]") {
  SrvAnswer xmpp{SrvStatus::found, {{0, 0, 5269, "xmpp.example"}}};
  auto t = s2s_targets("xmpp.example", kDot, xmpp, kDefaultPort, lowest);
  CHECK(t.targets == std::vector<S2sTarget>{{"xmpp.example", 5269, false}});
  // XEP-0368 §5: with only the dot there is no A/AAAA fallback either.
  auto none = s2s_targets("xmpp.example", kDot, kNone, kDefaultPort, lowest);
  CHECK(none.unavailable);
  CHECK(none.targets.empty());
}

TEST_CASE("s2s targets: a direct TLS service alone gives only direct TLS targets", "[unit][xmpp]") {
  SrvAnswer xmpps{SrvStatus::found, {{0, 0, 5270, "xmpp.example"}}};
  auto t = s2s_targets("xmpp.example", xmpps, kNone, kDefaultPort, lowest);
  CHECK(t.from_srv);
  CHECK(t.targets == std::vector<S2sTarget>{{"xmpp.example", 5270, true}});
}

TEST_CASE("s2s targets: records with a dot or port 0 among others are skipped", "[unit][xmpp]") {
  SrvAnswer xmpp{SrvStatus::found,
                 {{0, 0, 0, ""}, {1, 0, 0, "zero-port.example"}, {2, 0, 5269, "ok.example"}}};
  auto t = s2s_targets("xmpp.example", kNone, xmpp, kDefaultPort, lowest);
  CHECK(t.targets == std::vector<S2sTarget>{{"ok.example", 5269, false}});
}
