// The delivery grace window (sip.delivery_grace_ms): a MESSAGE the edge delivered stays open so
// that an immediate error stanza from the partner's server becomes its SIP response (RFC 7247
// §8); without one it gets 202 when the window ends. Fake ports and clock (im_test_harness.h).
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "frontend-gateway/config/gateway_config.h"
#include "tests/unit/frontend-gateway/im/im_test_harness.h"

namespace {

using namespace im_test;

constexpr Millis kStart = 1000;  // FakeClock's first time.
constexpr Millis kGrace = 200;   // The default window.

// bob@sip.example writes to alice@xmpp.example; returns the id of the stanza it became.
std::string message_to_alice(Harness& h, const std::string& branch = "z9hG4bKg1",
                             const std::string& to = "sip:alice@xmpp.example") {
  Req r;
  r.branch = branch;
  r.call_id = "page-" + branch;
  r.request_uri = to;
  r.to = to;
  r.content_type = "text/plain;charset=UTF-8";
  r.body = "hello";
  const std::size_t before = h.relay.sent.size();
  h.from_sip(r);
  REQUIRE(h.relay.sent.size() == before + 1);
  std::string id(h.relayed(before).attr("id"));
  REQUIRE(id.rfind("sip-", 0) == 0);
  return id;
}

// The error a partner's server sends back for the stanza `id`.
std::string error_stanza(const std::string& id, const std::string& condition,
                         const std::string& from = "alice@xmpp.example",
                         const std::string& to = "bob@sip.example") {
  return "<message xmlns='jabber:server' from='" + from + "' to='" + to + "' type='error' id='" +
         id + "'><body>hello</body><error type='cancel'><" + condition +
         " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>";
}

GatewayConfig with_grace(Millis grace) {
  GatewayConfig c = test_config();
  c.sip.delivery_grace_ms = grace;
  return c;
}

}  // namespace

TEST_CASE("grace: an error inside the window answers the MESSAGE with the mapped status",
          "[unit][gateway][im]") {
  struct Row {
    const char* condition;
    int status;
  };
  const Row rows[] = {{"service-unavailable", 503},
                      {"item-not-found", 404},
                      {"recipient-unavailable", 480},
                      {"forbidden", 403}};
  for (const Row& row : rows) {
    SECTION(row.condition) {
      Harness h;
      REQUIRE(h.config.sip.delivery_grace_ms == kGrace);
      const std::string id = message_to_alice(h);
      h.gateway.on_relay_event(0, delivered(1));
      CHECK(h.sip.responses.empty());
      CHECK(h.gateway.im().pending_count() == 1);
      CHECK(h.clock.wake == kStart + kGrace);

      h.clock.time += kGrace - 1;
      h.from_partner(error_stanza(id, row.condition));
      REQUIRE(h.sip.responses.size() == 1);
      SipMessage answer = h.response(0);
      CHECK(answer.status_code() == row.status);
      CHECK(answer.top_via_branch() == "z9hG4bKg1");
      CHECK(answer.call_id() == "page-z9hG4bKg1");
      CHECK_FALSE(answer.to().tag.empty());
      CHECK(h.gateway.im().pending_count() == 0);
      // Not a message for bob: no SIP MESSAGE, no error answered to the error.
      CHECK(h.sip.requests.empty());
      CHECK(h.relay.sent.size() == 1);

      // The window's end finds nothing left to answer.
      h.end_grace();
      CHECK(h.sip.responses.size() == 1);
    }
  }
}

TEST_CASE("grace: addresses are compared bare, an unknown condition maps to 400",
          "[unit][gateway][im]") {
  Harness h;
  const std::string id = message_to_alice(h);
  h.gateway.on_relay_event(0, delivered(1));
  h.from_partner(
      "<message xmlns='jabber:server' from='alice@xmpp.example/res' to='bob@sip.example/x' "
      "type='error' id='" +
      id +
      "'><error type='cancel'><no-such-condition "
      "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 400);  // undefined-condition (RFC 7247 §8).
  CHECK(h.sip.requests.empty());
}

TEST_CASE("grace: the window ends with 202 at exactly delivered + delivery_grace_ms",
          "[unit][gateway][im]") {
  Harness h;
  message_to_alice(h);
  h.clock.time = kStart + 40;  // The edge's verdict takes a while.
  h.gateway.on_relay_event(0, delivered(1));
  CHECK(h.clock.wake == kStart + 40 + kGrace);
  h.clock.time = kStart + 40 + kGrace - 1;
  h.gateway.on_timer();
  CHECK(h.sip.responses.empty());
  h.clock.time = kStart + 40 + kGrace;
  h.gateway.on_timer();
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 202);
  CHECK(h.gateway.im().pending_count() == 0);
  // Only the server transaction's own timer is left (no window, no 408).
  CHECK(h.clock.wake > kStart + 40 + kGrace);
}

TEST_CASE("grace: an error after the window changes no response and is not forwarded",
          "[unit][gateway][im]") {
  Harness h;
  const std::string id = message_to_alice(h);
  h.gateway.on_relay_event(0, delivered(1));
  h.end_grace();
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 202);
  h.clock.time += 1;
  h.from_partner(error_stanza(id, "service-unavailable"));
  CHECK(h.sip.responses.size() == 1);
  CHECK(h.sip.requests.empty());
  CHECK(h.relay.sent.size() == 1);
}

TEST_CASE("grace: 0 answers 202 on Delivered and only logs a later error", "[unit][gateway][im]") {
  Harness h(with_grace(0));
  const std::string id = message_to_alice(h);
  h.gateway.on_relay_event(0, delivered(1));
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 202);
  CHECK(h.gateway.im().pending_count() == 0);
  h.from_partner(error_stanza(id, "service-unavailable"));
  CHECK(h.sip.responses.size() == 1);
  CHECK(h.sip.requests.empty());
  CHECK(h.relay.sent.size() == 1);
}

TEST_CASE("grace: an error for another stanza or other addresses answers nothing",
          "[unit][gateway][im]") {
  Harness h;
  const std::string id = message_to_alice(h);
  h.gateway.on_relay_event(0, delivered(1));
  h.from_partner(error_stanza("sip-0000000000000000", "service-unavailable"));
  h.from_partner(error_stanza(id, "service-unavailable", "carol@xmpp.example"));
  h.from_partner(error_stanza(id, "service-unavailable", "alice@xmpp.example", "dave@sip.example"));
  CHECK(h.sip.responses.empty());
  CHECK(h.sip.requests.empty());
  h.end_grace();
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 202);
}

TEST_CASE("grace: each MESSAGE has its own window and its own error", "[unit][gateway][im]") {
  Harness h;
  const std::string to_alice = message_to_alice(h, "z9hG4bKa");
  const std::string to_nobody = message_to_alice(h, "z9hG4bKb", "sip:nobody@xmpp.example");
  h.gateway.on_relay_event(0, delivered(1));
  h.clock.time += 100;
  h.gateway.on_relay_event(0, delivered(2));
  h.from_partner(error_stanza(to_nobody, "service-unavailable", "nobody@xmpp.example"));
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 503);
  CHECK(h.response(0).top_via_branch() == "z9hG4bKb");
  h.clock.time = kStart + kGrace;
  h.gateway.on_timer();
  REQUIRE(h.sip.responses.size() == 2);
  CHECK(h.response(1).status_code() == 202);
  CHECK(h.response(1).top_via_branch() == "z9hG4bKa");
  (void)to_alice;
}

TEST_CASE("grace: an error before the edge's verdict answers too", "[unit][gateway][im]") {
  Harness h;
  const std::string id = message_to_alice(h);
  h.from_partner(error_stanza(id, "item-not-found"));
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 404);
  // The Delivered that follows finds nothing waiting.
  h.gateway.on_relay_event(0, delivered(1));
  h.end_grace();
  CHECK(h.sip.responses.size() == 1);
}

TEST_CASE("grace: a bounce, a lost link, 64*T1 and shutdown keep their answers",
          "[unit][gateway][im]") {
  SECTION("bounce") {
    Harness h;
    message_to_alice(h);
    h.gateway.on_relay_event(
        0, relay::BounceReceived{
               2, relay::BounceMsg{1, xf::xmpp::StanzaError::remote_server_not_found, {}, ""}});
    REQUIRE(h.sip.responses.size() == 1);
    CHECK(h.response(0).status_code() == 404);
  }
  SECTION("a lost link answers nothing: its frames go again and their verdicts still come") {
    Harness h;
    message_to_alice(h, "z9hG4bKa");
    message_to_alice(h, "z9hG4bKb");
    h.gateway.on_relay_event(0, delivered(1));
    h.gateway.on_relay_link_down(0);
    CHECK(h.sip.responses.empty());
    h.gateway.on_relay_event(0, delivered(2));
    h.end_grace();
    REQUIRE(h.sip.responses.size() == 2);
    CHECK(h.response(0).status_code() == 202);
    CHECK(h.response(1).status_code() == 202);
  }
  SECTION("no verdict within 64*T1: 408") {
    Harness h;
    message_to_alice(h);
    CHECK(h.clock.wake == kStart + 64 * 500);
    h.clock.time = h.clock.wake;
    h.gateway.on_timer();
    REQUIRE(h.sip.responses.size() == 1);
    CHECK(h.response(0).status_code() == 408);
  }
  SECTION("shutdown: 503 when waiting, 202 when delivered") {
    Harness h;
    message_to_alice(h, "z9hG4bKa");
    message_to_alice(h, "z9hG4bKb");
    h.gateway.on_relay_event(0, delivered(2));
    h.gateway.shutdown();
    // In deadline order: the window ends before 64*T1.
    REQUIRE(h.sip.responses.size() == 2);
    CHECK(h.response(0).status_code() == 202);
    CHECK(h.response(0).top_via_branch() == "z9hG4bKb");
    CHECK(h.response(1).status_code() == 503);
    CHECK(h.response(1).top_via_branch() == "z9hG4bKa");
  }
}

TEST_CASE("grace: delivered requests count against max_pending_requests", "[unit][gateway][im]") {
  GatewayConfig c = test_config();
  c.sip.max_pending_requests = 1;
  Harness h(std::move(c));
  message_to_alice(h, "z9hG4bKa");
  h.gateway.on_relay_event(0, delivered(1));
  Req r;
  r.branch = "z9hG4bKb";
  r.content_type = "text/plain";
  r.body = "x";
  h.from_sip(r);
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 503);
  h.end_grace();
  REQUIRE(h.sip.responses.size() == 2);
  CHECK(h.response(1).status_code() == 202);
}

TEST_CASE("grace: sip.delivery_grace_ms is read, bounded and below 64*T1",
          "[unit][gateway][config]") {
  auto load = [](const std::string& sip_extra) {
    const std::string path = std::string(XMPPFED_BINARY_DIR) + "/delivery_grace_test.json";
    {
      std::ofstream out(path);
      out << R"({"local_domains": ["sip.example"],
        "relay": {"edges": [{"host": "127.0.0.10", "name": "edge"}], "certificate": "c",
                  "private_key": "k", "ca_file": "ca"},
        "sip": {"next_hop": {"host": "127.0.0.4"})"
          << sip_extra << "}}";
    }
    auto config = xf::gw::load_gateway_config(path);
    std::remove(path.c_str());
    return config;
  };
  auto defaults = load("");
  REQUIRE(defaults.ok());
  CHECK(defaults->sip.delivery_grace_ms == 200);
  auto off = load(R"(, "delivery_grace_ms": 0)");
  REQUIRE(off.ok());
  CHECK(off->sip.delivery_grace_ms == 0);
  auto most = load(R"(, "delivery_grace_ms": 10000, "t1_ms": 500)");
  REQUIRE(most.ok());
  CHECK(most->sip.delivery_grace_ms == 10000);
  auto over = load(R"(, "delivery_grace_ms": 10001)");
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().detail.find("/sip/delivery_grace_ms") != std::string::npos);
  auto negative = load(R"(, "delivery_grace_ms": -1)");
  REQUIRE_FALSE(negative.ok());
  auto past_timer_f = load(R"(, "delivery_grace_ms": 3200, "t1_ms": 50)");
  REQUIRE_FALSE(past_timer_f.ok());
  CHECK(past_timer_f.error().detail.find("64*t1_ms") != std::string::npos);
}
