// ImService on its own: the gateway's shared parts (transaction layer, SIP client, responder,
// relay sender) over the fake ports, without the Gateway's dispatcher. What the gateway tests
// cover through the dispatcher is not repeated here.
#include "frontend-gateway/im/im_service.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "common/xmpp/stanza_error_reply.h"
#include "im_test_harness.h"

namespace {

using namespace im_test;
using xf::gw::GatewayParts;
using xf::gw::ImService;

const std::string kAliceChat =
    "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
    "type='chat' id='a1'><body>hi bob</body></message>";

// bob's page-mode MESSAGE to alice.
Req text_message() {
  Req r;
  r.content_type = "text/plain;charset=UTF-8";
  r.body = "hi alice";
  return r;
}

struct Fixture : CorePorts {
  explicit Fixture(GatewayConfig c = test_config()) : config(std::move(c)) {}

  GatewayConfig config;
  xf::TokenSource tokens{7};
  xf::gw::PartnerPolicy policy{config};
  xf::sip::TransactionLayer txn{{{config.sip.t1_ms}}, tokens};
  xf::gw::SipResponder responder{txn, sip, clock};
  xf::gw::SipClient client{config.sip, 1, sip, txn, clock};  // One request may wait.
  xf::gw::RelaySender relay_sender{relay, 100};
  ImService im{GatewayParts{config, clock, tokens, policy, txn, client, responder, relay_sender}};

  void from_partner(const std::string& xml) {
    auto stanza = reader.read(xml);
    REQUIRE(stanza.ok());
    (void)im.on_partner_message(std::move(stanza.value()),
                                {"sip.example", "xmpp.example", relay::Direction::inbound,
                                 relay::PartnerAuth::dialback, "stream-1"},
                                xf::gw::InboundRef{});
  }
  void from_sip(const Req& r, std::uint64_t connection = 7) {
    SipMessage request = r.message();
    auto match = txn.on_request(request, clock.time);
    REQUIRE(match.kind == xf::sip::ServerMatch::Kind::new_request);
    im.on_message(connection, std::move(request), tokens.hex());
  }
  // What the Gateway's on_timer does for these parts.
  void timers() {
    im.on_timer(clock.time);
    for (auto& event : txn.on_timer(clock.time)) client.on_client_event(std::move(event));
    client.on_timer();
  }
  std::string condition(std::size_t i) { return xf::xmpp::error_condition(relayed(i)); }
};

}  // namespace

TEST_CASE("im service: a MESSAGE the next hop cannot take is refused at once, not at Timer F",
          "[unit][gateway][im]") {
  Fixture f;
  f.sip.writable = false;
  f.from_partner(kAliceChat);
  CHECK(f.relay.sent.empty());  // Never from inside the send.
  CHECK(f.client.next_deadline() == f.clock.time);
  f.timers();
  REQUIRE(f.relay.sent.size() == 1);
  CHECK(f.relayed(0).attr("id") == "a1");
  CHECK(f.relayed(0).attr("to") == "alice@xmpp.example/pc");
  CHECK(f.condition(0) == "remote-server-not-found");
  f.clock.time += 64 * 500;
  f.timers();
  CHECK(f.relay.sent.size() == 1);
}

TEST_CASE("im service: messages beyond the next-hop queue get resource-constraint",
          "[unit][gateway][im]") {
  Fixture f;  // One request may wait for the next hop.
  f.sip.sent_by.reset();
  f.from_partner(kAliceChat);
  CHECK(f.relay.sent.empty());
  f.from_partner(
      "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
      "type='chat' id='a2'><body>still there?</body></message>");
  REQUIRE(f.relay.sent.size() == 1);
  CHECK(f.relayed(0).attr("id") == "a2");
  CHECK(f.condition(0) == "resource-constraint");
  // The one that waited goes once the connection opens, and its 2xx answers nothing back.
  f.sip.sent_by = "127.0.0.11:40001";
  f.client.on_next_hop_up();
  REQUIRE(f.sip.requests.size() == 1);
  CHECK(f.request(0).body() == "hi bob");
  if (auto event = f.txn.on_response(response_to(f.sip.requests[0], 200), f.clock.time)) {
    f.client.on_client_event(std::move(*event));
  }
  CHECK(f.relay.sent.size() == 1);
}

TEST_CASE("im service: shutdown answers SIP and leaves partner messages unacknowledged",
          "[unit][gateway][im]") {
  Fixture f;
  f.sip.sent_by.reset();
  f.from_partner(kAliceChat);     // Waits for the next hop.
  f.from_sip(text_message(), 7);  // Waits for the edge's verdict.
  REQUIRE(f.relay.sent.size() == 1);
  CHECK(f.im.pending_count() == 1);
  f.im.shutdown();
  REQUIRE(f.sip.responses.size() == 1);
  CHECK(f.sip.responses[0].first == 7);
  CHECK(f.response(0).status_code() == 503);
  CHECK(f.relay.sent.size() == 1);
  CHECK(f.relay.completed.empty());
  CHECK(f.im.pending_count() == 0);
}

TEST_CASE("im service: the edge's verdict reaches IM through the relay sender's tag",
          "[unit][gateway][im]") {
  Fixture f;
  f.from_sip(text_message(), 7);
  REQUIRE(f.relay.sent.size() == 1);
  CHECK(f.relay_sender.tagged() == 1);
  f.relay_sender.on_bounce({0, 1}, xf::xmpp::StanzaError::item_not_found);
  REQUIRE(f.sip.responses.size() == 1);
  CHECK(f.response(0).status_code() == 404);
  CHECK(f.relay_sender.tagged() == 0);
  // The stanza's error reply to the partner is IM's own and waits for no verdict.
  f.from_partner(
      "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
      "type='groupchat' id='g1'><body>room?</body></message>");
  REQUIRE(f.relay.sent.size() == 2);
  CHECK(f.relay_sender.tagged() == 0);
}
