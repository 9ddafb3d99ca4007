// The gateway core with fake ports: no sockets, a fake clock in milliseconds.
#include "frontend-gateway/core/gateway.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/xmpp/stanza_error_reply.h"
#include "tests/unit/frontend-gateway/core/core_fakes.h"

namespace {

using namespace core_fakes;

GatewayConfig test_config() {
  GatewayConfig c = base_config();
  c.sip.t1_ms = 500;
  c.sip.max_pending_requests = 3;
  return c;
}

// A request as the SIP proxy would send it, passed through the wire format.
SipMessage sip_request(const std::string& method, const std::string& from, const std::string& to,
                       const std::string& body, const std::string& branch = "z9hG4bKproxy1") {
  auto req = SipMessage::make_request(method, to);
  REQUIRE(req.ok());
  REQUIRE(req->set_from({"", from, "ftag"}).ok());
  REQUIRE(req->set_to({"", to, ""}).ok());
  REQUIRE(req->set_call_id("call-" + branch).ok());
  REQUIRE(req->set_cseq(1, method).ok());
  REQUIRE(req->push_via("TCP", "127.0.0.4:5060", branch).ok());
  REQUIRE(req->set_max_forwards(69).ok());
  if (!body.empty()) REQUIRE(req->set_body("text/plain;charset=UTF-8", body).ok());
  return wire(*req);
}

const std::string kChat =
    "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
    "type='chat' id='m1'><body>hello bob</body></message>";

struct Harness : CorePorts {
  GatewayConfig config = test_config();
  Gateway gateway{config, relay, sip, clock, *store, 1234};

  std::string error_condition(std::size_t i) {
    xml::Element e = relayed(i);
    REQUIRE(e.attr("type") == "error");
    return xf::xmpp::error_condition(e);
  }
  int response_status(std::size_t i) { return response(i).status_code(); }
};

}  // namespace

TEST_CASE("gateway maps a partner message to a SIP MESSAGE via the next hop", "[unit][gateway]") {
  Harness h;
  h.gateway.on_relay_event(0, partner_stanza(kChat));
  REQUIRE(h.sip.requests.size() == 1);
  SipMessage req = parse(h.sip.requests[0]);
  CHECK(req.method() == "MESSAGE");
  CHECK(req.request_uri() == "sip:bob@sip.example");
  CHECK(req.from().uri == "sip:alice@xmpp.example");
  CHECK_FALSE(req.from().tag.empty());
  CHECK(req.to().uri == "sip:bob@sip.example");
  CHECK(req.top_via_sent_by() == "127.0.0.11:40000");
  CHECK(req.top_via_transport() == "TCP");
  CHECK(req.top_via_branch().rfind("z9hG4bK", 0) == 0);
  CHECK(req.max_forwards() == 70);
  CHECK(req.cseq_number() == 1);
  CHECK(req.cseq_method() == "MESSAGE");
  CHECK_FALSE(req.call_id().empty());
  CHECK(req.body() == "hello bob");
  CHECK(h.gateway.sip_client().in_flight() == 1);
  CHECK(h.clock.wake == 1000 + 64 * 500);

  h.gateway.on_sip_message(0, response_to(h.sip.requests[0], 100));
  CHECK(h.gateway.sip_client().in_flight() == 1);
  h.gateway.on_sip_message(0, response_to(h.sip.requests[0], 200));
  CHECK(h.gateway.sip_client().in_flight() == 0);
  CHECK(h.relay.sent.empty());
  CHECK(h.clock.wake == xf::kNoDeadline);
}

TEST_CASE("gateway completes a partner message only once its SIP transaction ended",
          "[unit][gateway]") {
  Harness h;
  h.gateway.on_relay_event(0, partner_stanza(kChat));
  REQUIRE(h.sip.requests.size() == 1);
  CHECK(h.relay.completed.empty());
  h.gateway.on_sip_message(0, response_to(h.sip.requests[0], 100));
  CHECK(h.relay.completed.empty());
  h.gateway.on_sip_message(0, response_to(h.sip.requests[0], 200));
  REQUIRE(h.relay.completed.size() == 1);
  CHECK(h.relay.completed[0].receipt.seq == 1);

  // A stanza answered at once (an iq get) is completed at once.
  h.gateway.on_relay_event(
      0, partner_stanza("<iq xmlns='jabber:server' type='get' id='v1' from='alice@xmpp.example/pc' "
                        "to='bob@sip.example'><query xmlns='jabber:iq:version'/></iq>"));
  CHECK(h.relay.completed.size() == 2);
}

TEST_CASE("gateway maps a SIP error response back to an XMPP error", "[unit][gateway]") {
  Harness h;
  h.gateway.on_relay_event(0, partner_stanza(kChat));
  REQUIRE(h.sip.requests.size() == 1);
  h.gateway.on_sip_message(0, response_to(h.sip.requests[0], 404));
  REQUIRE(h.relay.sent.size() == 1);
  const relay::RoutingFacts& facts = h.relay.sent[0].first;
  CHECK(facts.local_domain == "sip.example");
  CHECK(facts.remote_domain == "xmpp.example");
  CHECK(facts.direction == relay::Direction::outbound);
  xml::Element reply = h.relayed(0);
  CHECK(reply.name() == "message");
  CHECK(reply.attr("from") == "bob@sip.example");
  CHECK(reply.attr("to") == "alice@xmpp.example/pc");
  CHECK(reply.attr("id") == "m1");
  CHECK(h.error_condition(0) == "item-not-found");
  // A late duplicate response changes nothing.
  h.gateway.on_sip_message(0, response_to(h.sip.requests[0], 404));
  CHECK(h.relay.sent.size() == 1);
}

TEST_CASE("gateway answers remote-server-timeout when SIP never answers", "[unit][gateway]") {
  Harness h;
  h.gateway.on_relay_event(0, partner_stanza(kChat));
  h.clock.time += 64 * 500 - 1;
  h.gateway.on_timer();
  CHECK(h.relay.sent.empty());
  h.clock.time += 1;
  h.gateway.on_timer();
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.error_condition(0) == "remote-server-timeout");
  CHECK(h.gateway.sip_client().in_flight() == 0);
}

TEST_CASE("gateway holds partner messages until the next hop connects", "[unit][gateway]") {
  Harness h;
  h.sip.sent_by.reset();
  h.gateway.on_relay_event(0, partner_stanza(kChat));
  CHECK(h.sip.connects_asked == 1);
  CHECK(h.gateway.sip_client().waiting() == 1);
  CHECK(h.sip.requests.empty());
  h.sip.sent_by = "127.0.0.11:40001";
  h.gateway.on_next_hop_up();
  REQUIRE(h.sip.requests.size() == 1);
  CHECK(parse(h.sip.requests[0]).top_via_sent_by() == "127.0.0.11:40001");
  CHECK(h.gateway.sip_client().waiting() == 0);
}

TEST_CASE("gateway bounces partner messages when the next hop is unreachable", "[unit][gateway]") {
  Harness h;
  h.sip.sent_by.reset();
  h.gateway.on_relay_event(0, partner_stanza(kChat));
  xf::Error refused = xf::make_error(xf::Errc::io_error, "connection refused");
  h.gateway.on_next_hop_down(&refused);
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.error_condition(0) == "remote-server-not-found");

  // A message already sent when the connection drops fails too (RFC 3261 §8.1.3.1: 503).
  h.sip.sent_by = "127.0.0.11:40002";
  h.gateway.on_relay_event(0, partner_stanza(kChat));
  REQUIRE(h.gateway.sip_client().in_flight() == 1);
  h.gateway.on_next_hop_down(nullptr);
  REQUIRE(h.relay.sent.size() == 2);
  CHECK(h.error_condition(1) == "service-unavailable");
  // Its Timer F later finds nothing to answer.
  h.clock.time += 64 * 500;
  h.gateway.on_timer();
  CHECK(h.relay.sent.size() == 2);
}

TEST_CASE("gateway refuses partner stanzas its policy does not allow", "[unit][gateway]") {
  Harness h;
  const std::string stranger =
      "<message xmlns='jabber:server' from='eve@stranger.example' to='bob@sip.example' "
      "id='s1'><body>hi</body></message>";
  h.gateway.on_relay_event(0, partner_stanza(stranger, "stranger.example"));
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.error_condition(0) == "policy-violation");
  CHECK(h.relay.sent[0].first.remote_domain == "stranger.example");

  // The relay facts name a domain that is not ours.
  const std::string other =
      "<message xmlns='jabber:server' from='alice@xmpp.example' to='bob@other.example' "
      "id='s2'><body>hi</body></message>";
  h.gateway.on_relay_event(0, partner_stanza(other, "xmpp.example", "other.example"));
  REQUIRE(h.relay.sent.size() == 2);
  CHECK(h.error_condition(1) == "policy-violation");

  // A sender that is not the authenticated domain is dropped without an answer.
  const std::string spoofed =
      "<message xmlns='jabber:server' from='eve@elsewhere.example' to='bob@sip.example' "
      "id='s3'><body>hi</body></message>";
  h.gateway.on_relay_event(0, partner_stanza(spoofed));
  CHECK(h.relay.sent.size() == 2);
  CHECK(h.sip.requests.empty());
}

TEST_CASE("gateway answers iq get/set, ignores presence and never answers errors",
          "[unit][gateway]") {
  Harness h;
  h.gateway.on_relay_event(
      0,
      partner_stanza(
          "<iq xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' type='get' "
          "id='q1'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>"));
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.relayed(0).name() == "iq");
  CHECK(h.error_condition(0) == "service-unavailable");
  h.gateway.on_relay_event(
      0,
      partner_stanza("<iq xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
                     "type='result' id='q2'/>"));
  h.gateway.on_relay_event(
      0,
      partner_stanza(
          "<presence xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example'/>"));
  h.gateway.on_relay_event(
      0, partner_stanza(
             "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
             "type='error' id='e1'><error type='cancel'><item-not-found "
             "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"));
  CHECK(h.relay.sent.size() == 1);
  CHECK(h.sip.requests.empty());
}

TEST_CASE("gateway refuses partner messages the mapper cannot carry", "[unit][gateway]") {
  Harness h;
  h.gateway.on_relay_event(
      0, partner_stanza(
             "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='room@sip.example' "
             "type='groupchat' id='g1'><body>hi</body></message>"));
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.error_condition(0) == "service-unavailable");
  CHECK(h.sip.requests.empty());
}

TEST_CASE("gateway relays a SIP MESSAGE and answers 202 once the edge delivered it",
          "[unit][gateway]") {
  Harness h;
  h.gateway.on_sip_message(
      5, sip_request("MESSAGE", "sip:bob@sip.example", "sip:alice@xmpp.example", "hi alice"));
  REQUIRE(h.relay.sent.size() == 1);
  const relay::RoutingFacts& facts = h.relay.sent[0].first;
  CHECK(facts.local_domain == "sip.example");
  CHECK(facts.remote_domain == "xmpp.example");
  CHECK(facts.direction == relay::Direction::outbound);
  xml::Element stanza = h.relayed(0);
  CHECK(stanza.attr("from") == "bob@sip.example");
  CHECK(stanza.attr("to") == "alice@xmpp.example");
  CHECK(stanza.attr("type") == "chat");
  CHECK(stanza.child_text("body") == "hi alice");
  CHECK(h.sip.responses.empty());
  CHECK(h.gateway.im().pending_count() == 1);

  // A Delivered for another link or frame does not answer it.
  h.gateway.on_relay_event(1, relay::DeliveredReceived{9, relay::DeliveredMsg{1}});
  h.gateway.on_relay_event(0, relay::DeliveredReceived{9, relay::DeliveredMsg{2}});
  CHECK(h.sip.responses.empty());
  h.gateway.on_relay_event(0, relay::DeliveredReceived{10, relay::DeliveredMsg{1}});
  // The delivery grace window (sip.delivery_grace_ms, 200 by default) passes without an error.
  CHECK(h.sip.responses.empty());
  CHECK(h.clock.wake == 1000 + 200);
  h.clock.time = h.clock.wake;
  h.gateway.on_timer();
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.sip.responses[0].first == 5);
  SipMessage resp = parse(h.sip.responses[0].second);
  CHECK(resp.status_code() == 202);
  CHECK_FALSE(resp.to().tag.empty());
  CHECK(resp.top_via_branch() == "z9hG4bKproxy1");
  CHECK(h.gateway.im().pending_count() == 0);

  // Over TCP the final response ends the server transaction (Timer J is zero, RFC 3261
  // §17.2.2): nothing lingers, and no timer is left for it.
  CHECK(h.gateway.transactions().server_count() == 0);
  CHECK(h.gateway.transactions().next_deadline() == xf::kNoDeadline);
}

TEST_CASE("gateway maps an edge bounce to a SIP error", "[unit][gateway]") {
  Harness h;
  h.gateway.on_sip_message(
      5, sip_request("MESSAGE", "sip:bob@sip.example", "sip:alice@xmpp.example", "x", "z9hG4bKa"));
  h.gateway.on_sip_message(
      5, sip_request("MESSAGE", "sip:bob@sip.example", "sip:carol@xmpp.example", "x", "z9hG4bKb"));
  relay::BounceMsg bounce{1, xf::xmpp::StanzaError::remote_server_not_found, {}, ""};
  h.gateway.on_relay_event(0, relay::BounceReceived{3, bounce});
  bounce.ref_seq = 2;
  bounce.condition = xf::xmpp::StanzaError::remote_server_timeout;
  h.gateway.on_relay_event(0, relay::BounceReceived{4, bounce});
  REQUIRE(h.sip.responses.size() == 2);
  CHECK(h.response_status(0) == 404);
  CHECK(h.response_status(1) == 408);
}

TEST_CASE("gateway keeps waiting through a lost link and answers 503 when it cannot relay",
          "[unit][gateway]") {
  Harness h;
  h.gateway.on_sip_message(
      5, sip_request("MESSAGE", "sip:bob@sip.example", "sip:alice@xmpp.example", "x", "z9hG4bKa"));
  CHECK(h.gateway.im().pending_count() == 1);
  // The frame is kept and sent again on the next link: the request still waits.
  h.gateway.on_relay_link_down(0);
  CHECK(h.sip.responses.empty());
  CHECK(h.gateway.im().pending_count() == 1);

  // No link and none expected back within the hold time.
  h.relay.up = false;
  h.gateway.on_sip_message(
      6, sip_request("MESSAGE", "sip:bob@sip.example", "sip:alice@xmpp.example", "x", "z9hG4bKb"));
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.sip.responses[0].first == 6);
  CHECK(h.response_status(0) == 503);
}

TEST_CASE("gateway answers 408 when the edge gives no verdict within 64*T1", "[unit][gateway]") {
  Harness h;
  h.gateway.on_sip_message(
      5, sip_request("MESSAGE", "sip:bob@sip.example", "sip:alice@xmpp.example", "x"));
  CHECK(h.clock.wake == 1000 + 64 * 500);
  h.clock.time = h.clock.wake;
  h.gateway.on_timer();
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response_status(0) == 408);
  // A verdict arriving after that finds nothing waiting.
  h.gateway.on_relay_event(0, relay::DeliveredReceived{2, relay::DeliveredMsg{1}});
  h.clock.time += 500;
  h.gateway.on_timer();
  CHECK(h.sip.responses.size() == 1);
}

TEST_CASE("gateway bounds the SIP requests waiting for the edge", "[unit][gateway]") {
  Harness h;  // max_pending_requests = 3
  for (int i = 0; i < 4; ++i) {
    h.gateway.on_sip_message(
        5, sip_request("MESSAGE", "sip:bob@sip.example", "sip:alice@xmpp.example", "x",
                       "z9hG4bKn" + std::to_string(i)));
  }
  CHECK(h.gateway.im().pending_count() == 3);
  CHECK(h.relay.sent.size() == 3);
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response_status(0) == 503);
}

TEST_CASE("gateway refuses SIP messages outside its policy with 403", "[unit][gateway]") {
  Harness h;
  h.gateway.on_sip_message(5, sip_request("MESSAGE", "sip:bob@sip.example",
                                          "sip:eve@stranger.example", "x", "z9hG4bKa"));
  h.gateway.on_sip_message(5, sip_request("MESSAGE", "sip:mallory@other.example",
                                          "sip:alice@xmpp.example", "x", "z9hG4bKb"));
  REQUIRE(h.sip.responses.size() == 2);
  CHECK(h.response_status(0) == 403);
  CHECK(h.response_status(1) == 403);
  CHECK(h.relay.sent.empty());
}

TEST_CASE("gateway answers OPTIONS and refuses other methods with 405", "[unit][gateway]") {
  Harness h;
  h.gateway.on_sip_message(
      5, sip_request("OPTIONS", "sip:bob@sip.example", "sip:alice@xmpp.example", "", "z9hG4bKo"));
  h.gateway.on_sip_message(
      5, sip_request("PUBLISH", "sip:bob@sip.example", "sip:alice@xmpp.example", "", "z9hG4bKs"));
  REQUIRE(h.sip.responses.size() == 2);
  SipMessage ok = parse(h.sip.responses[0].second);
  CHECK(ok.status_code() == 200);
  // libosip2 splits Allow into a list when parsing; the wire form is what the proxy sees.
  CHECK(h.sip.responses[0].second.find("MESSAGE, OPTIONS") != std::string::npos);
  SipMessage refused = parse(h.sip.responses[1].second);
  CHECK(refused.status_code() == 405);
  CHECK(h.sip.responses[1].second.find("MESSAGE, OPTIONS") != std::string::npos);
}

TEST_CASE("gateway answers a MESSAGE the mapper refuses with its status", "[unit][gateway]") {
  Harness h;
  auto req = SipMessage::make_request("MESSAGE", "sip:alice@xmpp.example");
  REQUIRE(req.ok());
  REQUIRE(req->set_from({"", "sip:bob@sip.example", "f"}).ok());
  REQUIRE(req->set_to({"", "sip:alice@xmpp.example", ""}).ok());
  REQUIRE(req->set_call_id("c1").ok());
  REQUIRE(req->set_cseq(1, "MESSAGE").ok());
  REQUIRE(req->push_via("TCP", "127.0.0.4:5060", "z9hG4bKhtml").ok());
  REQUIRE(req->set_body("text/html", "<b>x</b>").ok());
  auto text = req->to_string();
  REQUIRE(text.ok());
  h.gateway.on_sip_message(5, parse(*text));
  REQUIRE(h.sip.responses.size() == 1);
  SipMessage resp = parse(h.sip.responses[0].second);
  CHECK(resp.status_code() == 415);
  CHECK(resp.header("Accept") == std::optional<std::string>("text/plain"));
}

TEST_CASE("gateway shutdown answers SIP and leaves partner messages to the edge",
          "[unit][gateway]") {
  Harness h;
  h.gateway.on_sip_message(
      5, sip_request("MESSAGE", "sip:bob@sip.example", "sip:alice@xmpp.example", "x"));
  h.gateway.on_relay_event(0, partner_stanza(kChat));
  CHECK(h.relay.completed.empty());  // Its SIP MESSAGE is still open.
  h.gateway.shutdown();
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response_status(0) == 503);
  // No error reply and no completion: the edge sends it again to the next gateway.
  CHECK(h.relay.sent.size() == 1);
  CHECK(h.relay.completed.empty());
  CHECK(h.clock.wake == xf::kNoDeadline);
}

namespace {

// High water of 4 transactions per direction (low water 2), 202 at once on Delivered.
struct FlowHarness : CorePorts {
  GatewayConfig config = [] {
    GatewayConfig c = base_config();
    c.sip.max_pending_requests = 100;
    c.sip.max_transactions = 100;
    c.sip.high_water_transactions = 4;
    c.sip.delivery_grace_ms = 0;
    return c;
  }();
  Gateway gateway{config, relay, sip, clock, *store, 99};

  void partner_message(int i) {
    gateway.on_relay_event(
        0, partner_stanza("<message xmlns='jabber:server' from='alice@xmpp.example/pc' "
                          "to='bob@sip.example' type='chat' id='m" +
                          std::to_string(i) + "'><body>hi</body></message>"));
  }
  void sip_message(int i) {
    gateway.on_sip_message(
        5, sip_request("MESSAGE", "sip:bob@sip.example", "sip:alice@xmpp.example", "hi",
                       "z9hG4bKflow" + std::to_string(i)));
  }
};

}  // namespace

TEST_CASE("gateway stops reading the relay links while XMPP->SIP transactions are at high water",
          "[unit][gateway]") {
  FlowHarness h;
  for (int i = 0; i < 3; ++i) h.partner_message(i);
  CHECK(h.relay.reading);
  h.partner_message(3);
  CHECK_FALSE(h.relay.reading);
  CHECK(h.gateway.relay_paused());
  // What was read already still goes out (the cap is far away): nothing is bounced.
  h.partner_message(4);
  CHECK(h.sip.requests.size() == 5);
  CHECK(h.relay.sent.empty());
  // Answers end client transactions (Timer K is zero over TCP); at the low mark (2) the
  // links are read again, not before.
  h.gateway.on_sip_message(0, response_to(h.sip.requests[0], 200));
  h.gateway.on_sip_message(0, response_to(h.sip.requests[1], 200));
  CHECK_FALSE(h.relay.reading);
  h.gateway.on_sip_message(0, response_to(h.sip.requests[2], 200));
  CHECK(h.gateway.transactions().client_count() == 2);
  CHECK(h.relay.reading);
  CHECK(h.gateway.flow().relay_pauses == 1);
  CHECK(h.gateway.flow().sip_pauses == 0);
  CHECK(h.sip.inbound_reading);
}

TEST_CASE("gateway stops reading the relay links while the SIP next hop is backlogged",
          "[unit][gateway]") {
  FlowHarness h;
  h.partner_message(0);
  h.sip.backlog = true;
  h.gateway.on_sip_backlog();
  CHECK_FALSE(h.relay.reading);
  h.sip.backlog = false;
  h.gateway.on_sip_backlog();
  CHECK(h.relay.reading);
}

TEST_CASE("gateway stops reading SIP connections while SIP->XMPP requests are at high water",
          "[unit][gateway]") {
  FlowHarness h;
  for (int i = 0; i < 4; ++i) h.sip_message(i);
  CHECK_FALSE(h.sip.inbound_reading);
  CHECK(h.gateway.sip_paused());
  CHECK(h.relay.reading);  // The relay links carry the verdicts that free them.
  h.sip_message(4);        // Read before reading stopped: relayed, not refused.
  CHECK(h.relay.sent.size() == 5);
  CHECK(h.sip.responses.empty());
  // The edge's verdicts answer 202 and end the server transactions.
  for (std::uint64_t seq = 1; seq <= 2; ++seq) {
    h.gateway.on_relay_event(0, relay::DeliveredReceived{seq, relay::DeliveredMsg{seq}});
  }
  CHECK_FALSE(h.sip.inbound_reading);
  h.gateway.on_relay_event(0, relay::DeliveredReceived{3, relay::DeliveredMsg{3}});
  CHECK(h.sip.inbound_reading);
  CHECK(h.sip.responses.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(h.response(i).status_code() == 202);

  // A backlogged relay stops the SIP side too, until it drained.
  h.relay.backlog = true;
  h.gateway.on_relay_backlog();
  CHECK_FALSE(h.sip.inbound_reading);
  h.relay.backlog = false;
  h.gateway.on_relay_backlog();
  CHECK(h.sip.inbound_reading);
  CHECK(h.gateway.flow().sip_pauses == 2);
  CHECK(h.gateway.im().counters().to_xmpp == 5);
  CHECK(h.gateway.im().counters().to_xmpp_accepted == 3);
}
