// Session-mode IM (Lync / Skype for Business INVITE sessions) through the gateway core, with
// fake ports and a fake clock.
#include <catch2/catch.hpp>
#include <string>

#include "im_test_harness.h"

using namespace im_test;

namespace {

Req lync_invite() {
  Req r;
  r.method = "INVITE";
  r.content_type = "application/sdp";
  r.body = kLyncOffer;
  r.record_route = true;
  r.branch = "z9hG4bKinvite1";
  return r;
}

// An in-dialog request of bob's UA in the session the first INVITE created.
Req in_dialog(const Harness& h, const std::string& method, unsigned cseq,
              const std::string& branch) {
  Req r;
  r.method = method;
  r.request_uri = "sip:127.0.0.11:5060;transport=tcp";
  r.to_tag = h.sip.responses.empty() ? "" : parse(h.sip.responses[0].second).to().tag;
  r.cseq = cseq;
  r.branch = branch;
  r.extra = {"Route: <sip:127.0.0.4;transport=tcp;lr>"};
  return r;
}

Req in_dialog_message(const Harness& h, unsigned cseq, const std::string& body) {
  Req r = in_dialog(h, "MESSAGE", cseq, "z9hG4bKm" + std::to_string(cseq));
  r.content_type = "text/plain;charset=UTF-8";
  r.body = body;
  return r;
}

// INVITE, 200, ACK: a confirmed session.
void start_session(Harness& h) {
  h.from_sip(lync_invite());
  REQUIRE(h.sip.responses.size() == 1);
  REQUIRE(h.response(0).status_code() == 200);
  Req ack = in_dialog(h, "ACK", 1, "z9hG4bKack1");
  h.from_sip(ack);
  REQUIRE(h.sip.responses.size() == 1);  // An ACK is never answered.
}

const std::string kAliceChat =
    "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
    "type='chat' id='a1'><body>hi bob</body></message>";

}  // namespace

TEST_CASE("im session: a Lync INVITE is answered 200 with the SDP answer and dialog headers",
          "[unit][gateway][im]") {
  Harness h;
  h.from_sip(lync_invite());
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.sip.responses[0].first == 7);
  SipMessage ok = h.response(0);
  CHECK(ok.status_code() == 200);
  CHECK(ok.cseq_method() == "INVITE");
  CHECK(ok.call_id() == "lync-call-1");
  CHECK(ok.from().tag == "bobtag");
  CHECK_FALSE(ok.to().tag.empty());
  CHECK(ok.contact_uri() == "sip:127.0.0.11:5060;transport=tcp");
  CHECK(ok.record_routes() == std::vector<std::string>{"<sip:127.0.0.4;transport=tcp;lr>"});
  CHECK(ok.content_type() == "application/sdp");
  CHECK(ok.body() ==
        "v=0\r\n"
        "o=- 1000 1000 IN IP4 127.0.0.11\r\n"
        "s=session\r\n"
        "c=IN IP4 127.0.0.11\r\n"
        "t=0 0\r\n"
        "m=message 5060 sip null\r\n"
        "a=accept-types:text/plain\r\n");
  CHECK(h.gateway.im().sessions().size() == 1);
  CHECK_FALSE(h.gateway.im().sessions().thread_of_call("lync-call-1").empty());
  // The session waits for its ACK at most 64*T1.
  CHECK(h.clock.wake <= 1000 + 64 * 500);
}

TEST_CASE("im session: an offer without an IM stream is refused 488", "[unit][gateway][im]") {
  Harness h;
  Req invite = lync_invite();
  invite.body = kAudioOffer;
  h.from_sip(invite);
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 488);
  CHECK(h.gateway.im().sessions().size() == 0);

  Req no_sdp = lync_invite();
  no_sdp.branch = "z9hG4bKinvite2";
  no_sdp.call_id = "lync-call-2";
  no_sdp.content_type.clear();
  no_sdp.body.clear();
  h.from_sip(no_sdp);
  REQUIRE(h.sip.responses.size() == 2);
  CHECK(h.response(1).status_code() == 488);
  CHECK(h.response(1).header("Accept") == "application/sdp");
  CHECK(h.gateway.im().sessions().size() == 0);
}

TEST_CASE("im session: policy and relay state apply as for page mode", "[unit][gateway][im]") {
  Harness h;
  Req stranger = lync_invite();
  stranger.to = stranger.request_uri = "sip:eve@stranger.example";
  h.from_sip(stranger);
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 403);

  h.relay.up = false;
  Req invite = lync_invite();
  invite.branch = "z9hG4bKinvite2";
  invite.call_id = "lync-call-2";
  h.from_sip(invite);
  REQUIRE(h.sip.responses.size() == 2);
  CHECK(h.response(1).status_code() == 503);
  CHECK(h.gateway.im().sessions().size() == 0);
}

TEST_CASE("im session: MESSAGEs in the dialog become chat messages with one stable thread",
          "[unit][gateway][im]") {
  Harness h;
  start_session(h);
  const std::string thread = h.gateway.im().sessions().thread_of_call("lync-call-1");
  REQUIRE_FALSE(thread.empty());
  for (unsigned i = 0; i < 3; ++i) {
    h.from_sip(in_dialog_message(h, 2 + i, "in session " + std::to_string(i + 1)));
    REQUIRE(h.relay.sent.size() == i + 1);
    xf::xml::Element m = h.relayed(i);
    CHECK(m.attr("from") == "bob@sip.example");
    CHECK(m.attr("to") == "alice@xmpp.example");
    CHECK(m.attr("type") == "chat");
    CHECK(m.child_text("body", "jabber:server") == "in session " + std::to_string(i + 1));
    CHECK(m.child_text("thread", "jabber:server") == thread);
    CHECK(m.child("active", "http://jabber.org/protocol/chatstates") != nullptr);
    // Answered once the edge says the stanza is on the partner's stream and the delivery
    // grace window brought no error.
    CHECK(h.sip.responses.size() == 1 + i);
    h.gateway.on_relay_event(0, delivered(h.relay.next_seq));
    CHECK(h.sip.responses.size() == 1 + i);
    h.end_grace();
    REQUIRE(h.sip.responses.size() == 2 + i);
    SipMessage answer = h.response(1 + i);
    CHECK(answer.status_code() == 202);
    CHECK(answer.cseq_number() == 2 + i);
  }
}

TEST_CASE("im session: an error stanza inside the grace window answers the in-dialog MESSAGE",
          "[unit][gateway][im]") {
  Harness h;
  start_session(h);
  h.from_sip(in_dialog_message(h, 2, "anyone there?"));
  REQUIRE(h.relay.sent.size() == 1);
  xf::xml::Element m = h.relayed(0);
  const std::string id(m.attr("id"));
  h.gateway.on_relay_event(0, delivered(h.relay.next_seq));
  CHECK(h.sip.responses.size() == 1);
  h.clock.time += 10;
  h.from_partner(
      "<message xmlns='jabber:server' from='alice@xmpp.example' to='bob@sip.example' "
      "type='error' id='" +
      id +
      "'><error type='wait'><recipient-unavailable "
      "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
  REQUIRE(h.sip.responses.size() == 2);
  SipMessage answer = h.response(1);
  CHECK(answer.status_code() == 480);
  CHECK(answer.cseq_number() == 2);
  CHECK(answer.call_id() == "lync-call-1");
  // Nothing went into the dialog towards bob.
  CHECK(h.sip.requests.empty());
  h.end_grace();
  CHECK(h.sip.responses.size() == 2);
}

TEST_CASE("im session: an in-dialog MESSAGE for no session gets 481, out of order 500",
          "[unit][gateway][im]") {
  Harness h;
  start_session(h);
  Req stray = in_dialog_message(h, 2, "lost");
  stray.call_id = "no-such-call";
  h.from_sip(stray);
  REQUIRE(h.sip.responses.size() == 2);
  CHECK(h.response(1).status_code() == 481);
  CHECK(h.relay.sent.empty());

  h.from_sip(in_dialog_message(h, 5, "five"));
  h.from_sip(in_dialog_message(h, 4, "four"));
  REQUIRE(h.sip.responses.size() == 3);
  CHECK(h.response(2).status_code() == 500);
  CHECK(h.relay.sent.size() == 1);
}

TEST_CASE("im session: a partner's message goes inside the dialog through the route set",
          "[unit][gateway][im]") {
  Harness h;
  start_session(h);
  const std::string our_tag = h.response(0).to().tag;
  h.from_partner(kAliceChat);
  REQUIRE(h.sip.requests.size() == 1);
  SipMessage m = h.request(0);
  CHECK(m.method() == "MESSAGE");
  CHECK(m.request_uri() == "sip:bob@127.0.0.7:5090;transport=tcp");
  CHECK(m.routes() == std::vector<std::string>{"<sip:127.0.0.4;transport=tcp;lr>"});
  CHECK(m.call_id() == "lync-call-1");
  CHECK(m.from().uri == "sip:alice@xmpp.example");
  CHECK(m.from().tag == our_tag);
  CHECK(m.to().uri == "sip:bob@sip.example");
  CHECK(m.to().tag == "bobtag");
  CHECK(m.cseq_number() == 1);
  CHECK(m.cseq_method() == "MESSAGE");
  CHECK(m.top_via_sent_by() == "127.0.0.11:40000");
  CHECK(m.content_type() == "text/plain");
  CHECK(m.body() == "hi bob");

  h.gateway.on_sip_message(0, response_to(h.sip.requests[0], 200));
  h.from_partner(kAliceChat);
  REQUIRE(h.sip.requests.size() == 2);
  CHECK(h.request(1).cseq_number() == 2);
  CHECK(h.request(1).call_id() == "lync-call-1");
  // A SIP error inside the dialog still comes back to the XMPP sender.
  h.gateway.on_sip_message(0, response_to(h.sip.requests[1], 480));
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.relayed(0).attr("type") == "error");
}

TEST_CASE("im session: before the ACK and after the BYE messages go page mode",
          "[unit][gateway][im]") {
  Harness h;
  h.from_sip(lync_invite());
  h.from_partner(kAliceChat);
  REQUIRE(h.sip.requests.size() == 1);
  CHECK(h.request(0).request_uri() == "sip:bob@sip.example");
  CHECK(h.request(0).routes().empty());
  CHECK(h.request(0).to().tag.empty());

  h.from_sip(in_dialog(h, "ACK", 1, "z9hG4bKack1"));
  h.from_sip(in_dialog(h, "BYE", 2, "z9hG4bKbye1"));
  REQUIRE(h.sip.responses.size() == 2);
  CHECK(h.response(1).status_code() == 200);
  CHECK(h.response(1).cseq_method() == "BYE");
  CHECK(h.gateway.im().sessions().size() == 0);

  h.from_partner(kAliceChat);
  REQUIRE(h.sip.requests.size() == 2);
  CHECK(h.request(1).request_uri() == "sip:bob@sip.example");
  CHECK(h.request(1).call_id() != "lync-call-1");

  // A second BYE finds no dialog.
  h.from_sip(in_dialog(h, "BYE", 3, "z9hG4bKbye2"));
  REQUIRE(h.sip.responses.size() == 3);
  CHECK(h.response(2).status_code() == 481);
}

TEST_CASE("im session: CANCEL of an answered INVITE gets 200, of none 481", "[unit][gateway][im]") {
  Harness h;
  h.from_sip(lync_invite());
  Req cancel = lync_invite();
  cancel.method = "CANCEL";
  cancel.content_type.clear();
  cancel.body.clear();
  cancel.record_route = false;
  h.from_sip(cancel);
  REQUIRE(h.sip.responses.size() == 2);
  CHECK(h.response(1).status_code() == 200);
  CHECK(h.response(1).cseq_method() == "CANCEL");
  // RFC 3261 §9.2: the INVITE was answered, so the session stands.
  CHECK(h.gateway.im().sessions().size() == 1);

  Req orphan = cancel;
  orphan.branch = "z9hG4bKnothing";
  h.from_sip(orphan);
  REQUIRE(h.sip.responses.size() == 3);
  CHECK(h.response(2).status_code() == 481);
}

TEST_CASE("im session: a retransmitted INVITE gets the same 200 and no second session",
          "[unit][gateway][im]") {
  Harness h;
  h.from_sip(lync_invite());
  h.from_sip(lync_invite());
  CHECK(h.gateway.im().sessions().size() == 1);
  // The transaction layer absorbs it silently after a 2xx (RFC 6026).
  CHECK(h.sip.responses.size() == 1);
}

TEST_CASE("im session: no ACK within 64*T1 ends the session with a BYE via the route set",
          "[unit][gateway][im]") {
  Harness h;
  h.from_sip(lync_invite());
  REQUIRE(h.gateway.im().sessions().size() == 1);
  h.clock.time = 1000 + 64 * 500;
  h.gateway.on_timer();
  CHECK(h.gateway.im().sessions().size() == 0);
  REQUIRE(h.sip.requests.size() == 1);
  SipMessage bye = h.request(0);
  CHECK(bye.method() == "BYE");
  CHECK(bye.request_uri() == "sip:bob@127.0.0.7:5090;transport=tcp");
  CHECK(bye.routes() == std::vector<std::string>{"<sip:127.0.0.4;transport=tcp;lr>"});
  CHECK(bye.call_id() == "lync-call-1");
  CHECK(bye.to().tag == "bobtag");
}

TEST_CASE("im session: an idle confirmed session ends after the idle timeout",
          "[unit][gateway][im]") {
  Harness h;
  start_session(h);
  h.clock.time = 1000 + xf::gw::ImSessions::kIdleTimeout - 1;
  h.gateway.on_timer();
  CHECK(h.gateway.im().sessions().size() == 1);
  h.clock.time = 1000 + xf::gw::ImSessions::kIdleTimeout;
  h.gateway.on_timer();
  CHECK(h.gateway.im().sessions().size() == 0);
  REQUIRE(h.sip.requests.size() == 1);
  CHECK(h.request(0).method() == "BYE");
}

TEST_CASE("im session: a re-INVITE is answered in the same dialog", "[unit][gateway][im]") {
  Harness h;
  start_session(h);
  Req reinvite = in_dialog(h, "INVITE", 2, "z9hG4bKreinvite");
  reinvite.content_type = "application/sdp";
  reinvite.body = kLyncOffer;
  h.from_sip(reinvite);
  REQUIRE(h.sip.responses.size() == 2);
  CHECK(h.response(1).status_code() == 200);
  CHECK(h.response(1).to().tag == h.response(0).to().tag);
  CHECK(h.gateway.im().sessions().size() == 1);

  Req unknown = reinvite;
  unknown.call_id = "other";
  unknown.branch = "z9hG4bKreinvite2";
  h.from_sip(unknown);
  REQUIRE(h.sip.responses.size() == 3);
  CHECK(h.response(2).status_code() == 481);
}

TEST_CASE("im session: the BYE of an idle session waits for the next-hop connection",
          "[unit][gateway][im]") {
  Harness h;
  start_session(h);
  h.sip.sent_by.reset();
  h.clock.time = 1000 + xf::gw::ImSessions::kIdleTimeout;
  h.gateway.on_timer();
  CHECK(h.gateway.im().sessions().size() == 0);
  CHECK(h.sip.requests.empty());
  CHECK(h.sip.connects_asked == 1);
  CHECK(h.gateway.sip_client().waiting() == 1);
  h.sip.sent_by = "127.0.0.11:40001";
  h.gateway.on_next_hop_up();
  REQUIRE(h.sip.requests.size() == 1);
  CHECK(h.request(0).method() == "BYE");
  CHECK(h.request(0).top_via_sent_by() == "127.0.0.11:40001");
  // Its answer is only logged: nothing goes to the partner.
  h.gateway.on_sip_message(0, response_to(h.sip.requests[0], 200));
  CHECK(h.relay.sent.empty());
  CHECK(h.gateway.sip_client().in_flight() == 0);
}
