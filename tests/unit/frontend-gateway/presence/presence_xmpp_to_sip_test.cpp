// XMPP -> SIP presence through the gateway core: a partner user watches an internal user and
// the gateway is the SIP subscriber (RFC 8048 §4, RFC 6665).
#include <catch2/catch.hpp>

#include "tests/unit/frontend-gateway/presence/presence_fixture.h"

using namespace presence_test;

namespace {

// alice@xmpp.example subscribes to bob@sip.example and bob's notifier accepts with 202.
std::string established(Harness& h, const std::string& granted = "600") {
  h.partner(presence("subscribe"));
  REQUIRE(h.sip.requests.size() == 1);
  std::string sub = h.sip.requests[0];
  h.from_sip(answer(sub, 202, {{"Expires", granted}}));
  return sub;
}

}  // namespace

TEST_CASE("x2s: subscribe becomes a SUBSCRIBE", "[unit][gateway][presence]") {
  Harness h;
  h.partner(presence("subscribe", "alice@xmpp.example/phone"));
  REQUIRE(h.sip.requests.size() == 1);
  SipMessage sub = h.request(0);
  CHECK(sub.method() == "SUBSCRIBE");
  CHECK(sub.request_uri() == "sip:bob@sip.example");
  CHECK(sub.from().uri == "sip:alice@xmpp.example");
  CHECK_FALSE(sub.from().tag.empty());
  CHECK(sub.to().uri == "sip:bob@sip.example");
  CHECK(sub.to().tag.empty());
  CHECK(sub.header("Event") == "presence");
  CHECK(sub.header("Accept") == "application/pidf+xml");
  CHECK(sub.header("Expires") == "3600");
  CHECK(sub.contact_uri() == "sip:gateway@127.0.0.11:5060;transport=tcp");
  CHECK(sub.cseq_number() == 1);
  CHECK(sub.top_via_sent_by() == "127.0.0.11:40000");
  auto stored = h.db->get_xmpp_to_sip("alice@xmpp.example", "sip:bob@sip.example");
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->state == store::SubscriptionState::pending);
  CHECK((*stored)->dialog.call_id == sub.call_id());
  CHECK(h.relay.sent.empty());
}

TEST_CASE("x2s: NOTIFY pending, then active: subscribed once + presence",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = established(h);
  h.from_sip(notify_for(sub, 1, "pending;expires=600"));
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 200);
  CHECK(h.relay.sent.empty());

  h.from_sip(notify_for(sub, 2, "active;expires=600", pidf("open", "In a meeting", "busy")));
  CHECK(h.response(1).status_code() == 200);
  REQUIRE(h.relay.sent.size() == 2);
  xml::Element subscribed = h.relayed(0);
  CHECK(subscribed.attr("type") == "subscribed");
  CHECK(subscribed.attr("from") == "bob@sip.example");
  CHECK(subscribed.attr("to") == "alice@xmpp.example");
  CHECK(h.relay.sent[0].first.local_domain == "sip.example");
  CHECK(h.relay.sent[0].first.remote_domain == "xmpp.example");
  xml::Element available = h.relayed(1);
  CHECK(available.attr("type").empty());
  CHECK(available.attr("from") == "bob@sip.example");
  CHECK(available.child_text("show") == "dnd");
  CHECK(available.child_text("status") == "In a meeting");

  h.from_sip(notify_for(sub, 3, "active;expires=500", pidf("closed", "Gone home")));
  REQUIRE(h.relay.sent.size() == 3);
  xml::Element gone = h.relayed(2);
  CHECK(gone.attr("type") == "unavailable");
  CHECK(gone.child_text("status") == "Gone home");
  auto auth = h.db->get_authorization("sip:bob@sip.example", "alice@xmpp.example");
  REQUIRE(auth.ok());
  REQUIRE(auth->has_value());
  CHECK((*auth)->decision == store::AuthorizationDecision::allowed);
  auto cached = h.db->get_presence("sip:bob@sip.example", "");
  REQUIRE(cached.ok());
  CHECK(cached->has_value());
}

TEST_CASE("x2s: NOTIFY terminated rejected -> unsubscribed", "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = established(h);
  h.from_sip(notify_for(sub, 1, "terminated;reason=rejected"));
  CHECK(h.response(0).status_code() == 200);
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.relayed(0).attr("type") == "unsubscribed");
  CHECK(h.relayed(0).attr("from") == "bob@sip.example");
  auto stored = h.db->get_xmpp_to_sip("alice@xmpp.example", "sip:bob@sip.example");
  REQUIRE(stored.ok());
  CHECK_FALSE(stored->has_value());
  // A late NOTIFY in the ended dialog is not ours any more.
  h.from_sip(notify_for(sub, 2, "active;expires=600"));
  CHECK(h.response(1).status_code() == 481);
}

TEST_CASE("x2s: SUBSCRIBE answered 404 -> unsubscribed", "[unit][gateway][presence]") {
  Harness h;
  h.partner(presence("subscribe", "alice@xmpp.example", "nobody@sip.example"));
  REQUIRE(h.sip.requests.size() == 1);
  h.from_sip(answer(h.sip.requests[0], 404));
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.relayed(0).attr("type") == "unsubscribed");
  CHECK(h.relayed(0).attr("from") == "nobody@sip.example");
  CHECK(h.relayed(0).attr("to") == "alice@xmpp.example");
  auto live = h.db->list_xmpp_to_sip_live();
  REQUIRE(live.ok());
  CHECK(live->empty());
}

TEST_CASE("x2s: SUBSCRIBE timeout -> unsubscribed", "[unit][gateway][presence]") {
  Harness h;
  h.partner(presence("subscribe"));
  REQUIRE(h.sip.requests.size() == 1);
  h.advance_to(1000 + 64 * 500);
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.relayed(0).attr("type") == "unsubscribed");
}

TEST_CASE("x2s: refresh before expiry, bounded by the grant", "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = established(h, "600");
  h.from_sip(notify_for(sub, 1, "active;expires=600", pidf("open")));
  // 600 s granted: refresh halfway (expires_policy refresh_deadline).
  CHECK(h.gateway->presence().next_deadline() == 1000 + 300 * 1000);
  h.advance_to(1000 + 299 * 1000);
  CHECK(h.sip.requests.size() == 1);
  h.advance_to(1000 + 300 * 1000);
  REQUIRE(h.sip.requests.size() == 2);
  SipMessage refresh = h.request(1);
  CHECK(refresh.method() == "SUBSCRIBE");
  CHECK(refresh.call_id() == h.request(0).call_id());
  CHECK(refresh.cseq_number() == 2);
  CHECK(refresh.to().tag == "uas-tag");
  CHECK(refresh.request_uri() == "sip:bob@127.0.0.6:5070;transport=tcp");
  CHECK(refresh.routes() == std::vector<std::string>{"<sip:127.0.0.4;transport=tcp;lr>"});
  CHECK(refresh.header("Expires") == "3600");
  h.from_sip(answer(h.sip.requests[1], 200, {{"Expires", "3600"}}));
  // 3600 s granted: ten minutes early.
  CHECK(h.gateway->presence().next_deadline() == 1000 + 300 * 1000 + 3000 * 1000);
}

TEST_CASE("x2s: refresh answered 481 -> new dialog, no 2nd subscribed",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = established(h, "600");
  h.from_sip(notify_for(sub, 1, "active;expires=600", pidf("open")));
  REQUIRE(h.relay.sent.size() == 2);
  h.advance_to(1000 + 300 * 1000);
  REQUIRE(h.sip.requests.size() == 2);
  h.from_sip(answer(h.sip.requests[1], 481));
  REQUIRE(h.sip.requests.size() == 3);
  SipMessage again = h.request(2);
  CHECK(again.to().tag.empty());
  CHECK(again.call_id() != h.request(0).call_id());
  h.from_sip(answer(h.sip.requests[2], 202, {{"Expires", "600"}}, "uas-tag-2"));
  h.from_sip(notify_for(h.sip.requests[2], 1, "active;expires=600", pidf("open"), "uas-tag-2"));
  REQUIRE(h.relay.sent.size() == 3);
  CHECK(h.relayed(2).attr("type").empty());  // Presence only, no second 'subscribed'.
}

TEST_CASE("x2s: unsubscribe -> SUBSCRIBE Expires 0 in the dialog", "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = established(h);
  h.from_sip(notify_for(sub, 1, "active;expires=600", pidf("open")));
  h.partner(presence("unsubscribe"));
  REQUIRE(h.sip.requests.size() == 2);
  SipMessage unsub = h.request(1);
  CHECK(unsub.method() == "SUBSCRIBE");
  CHECK(unsub.header("Expires") == "0");
  CHECK(unsub.call_id() == h.request(0).call_id());
  CHECK(unsub.to().tag == "uas-tag");
  h.from_sip(answer(h.sip.requests[1], 200, {{"Expires", "0"}}));
  h.from_sip(notify_for(sub, 2, "terminated;reason=timeout"));
  CHECK(h.response(1).status_code() == 200);
  CHECK(h.relay.sent.size() == 2);  // No 'unsubscribed' for our own unsubscribe.
  auto live = h.db->list_xmpp_to_sip_live();
  REQUIRE(live.ok());
  CHECK(live->empty());
  auto stored = h.db->get_xmpp_to_sip("alice@xmpp.example", "sip:bob@sip.example");
  REQUIRE(stored.ok());
  CHECK_FALSE(stored->has_value());
  CHECK(h.gateway->presence().next_deadline() == xf::kNoDeadline);
}

TEST_CASE("x2s: probe answered from the cache", "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = established(h);
  h.from_sip(notify_for(sub, 1, "active;expires=600", pidf("open", "Lunch", "away")));
  REQUIRE(h.relay.sent.size() == 2);
  h.partner(presence("probe", "alice@xmpp.example"));
  CHECK(h.sip.requests.size() == 1);
  REQUIRE(h.relay.sent.size() == 3);
  xml::Element answer = h.relayed(2);
  CHECK(answer.attr("type").empty());
  CHECK(answer.attr("to") == "alice@xmpp.example");
  CHECK(answer.child_text("show") == "away");
  CHECK(answer.child_text("status") == "Lunch");
}

TEST_CASE("x2s: probe without subscription -> fetch", "[unit][gateway][presence]") {
  Harness h;
  h.partner(presence("probe", "carol@xmpp.example"));
  REQUIRE(h.sip.requests.size() == 1);
  SipMessage fetch = h.request(0);
  CHECK(fetch.method() == "SUBSCRIBE");
  CHECK(fetch.header("Expires") == "0");
  CHECK(fetch.from().uri == "sip:carol@xmpp.example");
  h.from_sip(answer(h.sip.requests[0], 200, {{"Expires", "0"}}));
  h.from_sip(notify_for(h.sip.requests[0], 1, "terminated;reason=timeout", pidf("open")));
  CHECK(h.response(0).status_code() == 200);
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.relayed(0).attr("to") == "carol@xmpp.example");
  CHECK(h.relayed(0).attr("type").empty());
  auto live = h.db->list_xmpp_to_sip_live();
  REQUIRE(live.ok());
  CHECK(live->empty());
}

TEST_CASE("x2s: NOTIFY for no subscription 481, other event 489", "[unit][gateway][presence]") {
  Harness h;
  auto n = SipMessage::make_request("NOTIFY", "sip:gateway@127.0.0.11:5060");
  REQUIRE(n.ok());
  REQUIRE(n->set_from({"", "sip:bob@sip.example", "x"}).ok());
  REQUIRE(n->set_to({"", "sip:alice@xmpp.example", "y"}).ok());
  REQUIRE(n->set_call_id("nothing-here").ok());
  REQUIRE(n->set_cseq(1, "NOTIFY").ok());
  REQUIRE(n->push_via("TCP", "127.0.0.4:5060", "z9hG4bKn1").ok());
  REQUIRE(n->set_max_forwards(70).ok());
  REQUIRE(n->set_header("Event", "presence").ok());
  REQUIRE(n->set_header("Subscription-State", "active").ok());
  h.from_sip(wire(*n));
  CHECK(h.response(0).status_code() == 481);
  REQUIRE(n->set_header("Event", "dialog").ok());
  REQUIRE(n->set_cseq(2, "NOTIFY").ok());
  auto again = n->clone();
  REQUIRE(again.ok());
  SipMessage second = wire(*again);
  // A new branch makes it a new transaction.
  auto m = SipMessage::make_request("NOTIFY", "sip:gateway@127.0.0.11:5060");
  REQUIRE(m.ok());
  REQUIRE(m->set_from({"", "sip:bob@sip.example", "x"}).ok());
  REQUIRE(m->set_to({"", "sip:alice@xmpp.example", "y"}).ok());
  REQUIRE(m->set_call_id("nothing-here").ok());
  REQUIRE(m->set_cseq(2, "NOTIFY").ok());
  REQUIRE(m->push_via("TCP", "127.0.0.4:5060", "z9hG4bKn2").ok());
  REQUIRE(m->set_max_forwards(70).ok());
  REQUIRE(m->set_header("Event", "dialog").ok());
  REQUIRE(m->set_header("Subscription-State", "active").ok());
  h.from_sip(wire(*m));
  CHECK(h.response(1).status_code() == 489);
}

TEST_CASE("x2s: subscribe when active -> subscribed at once", "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = established(h);
  h.from_sip(notify_for(sub, 1, "active;expires=600", pidf("open")));
  REQUIRE(h.relay.sent.size() == 2);
  h.partner(presence("subscribe"));
  CHECK(h.sip.requests.size() == 1);
  REQUIRE(h.relay.sent.size() == 4);
  CHECK(h.relayed(2).attr("type") == "subscribed");
  CHECK(h.relayed(3).attr("type").empty());
}

TEST_CASE("x2s: a SUBSCRIBE the next hop cannot take ends at once, not at Timer F",
          "[unit][gateway][presence]") {
  Harness h;
  h.sip.writable = false;  // The next-hop connection is closing.
  h.partner(presence("subscribe"));
  CHECK(h.relay.sent.empty());
  CHECK(h.clock.wake == h.clock.time);
  h.advance_to(h.clock.time);
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.relayed(0).attr("type") == "unsubscribed");
  auto live = h.db->list_xmpp_to_sip_live();
  REQUIRE(live.ok());
  CHECK(live->empty());
}

TEST_CASE("x2s: a SUBSCRIBE waiting for the next hop outlives a failed connection",
          "[unit][gateway][presence]") {
  Harness h;
  h.sip.sent_by.reset();
  h.partner(presence("subscribe"));
  CHECK(h.sip.requests.empty());
  CHECK(h.sip.connects_asked == 1);
  const xf::Error refused = xf::make_error(xf::Errc::io_error, "connection refused");
  h.gateway->on_next_hop_down(&refused);
  CHECK(h.relay.sent.empty());
  CHECK(h.gateway->sip_client().waiting() == 1);
  h.sip.sent_by = "127.0.0.11:40001";
  h.gateway->on_next_hop_up();
  REQUIRE(h.sip.requests.size() == 1);
  CHECK(h.request(0).method() == "SUBSCRIBE");
  h.from_sip(answer(h.sip.requests[0], 202));
  CHECK(h.relay.sent.empty());
}

TEST_CASE("x2s: a 2xx with no NOTIFY within 64*T1 fails the subscription (Timer N)",
          "[unit][gateway][presence]") {
  Harness h;
  established(h);  // The 202 arrives at 1000.
  CHECK(h.relay.sent.empty());
  h.advance_to(1000 + 64 * 500 - 1);
  CHECK(h.relay.sent.empty());
  h.advance_to(1000 + 64 * 500);
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.relayed(0).attr("type") == "unsubscribed");
  auto stored = h.db->get_xmpp_to_sip("alice@xmpp.example", "sip:bob@sip.example");
  REQUIRE(stored.ok());
  CHECK_FALSE(stored->has_value());
}

TEST_CASE("x2s: any NOTIFY after the 2xx stops Timer N", "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = established(h);
  h.from_sip(notify_for(sub, 1, "pending;expires=600"));
  h.advance_to(1000 + 64 * 500 + 1);
  CHECK(h.relay.sent.empty());
  auto stored = h.db->get_xmpp_to_sip("alice@xmpp.example", "sip:bob@sip.example");
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->state == store::SubscriptionState::pending);
}

TEST_CASE("x2s: a NOTIFY before the 2xx means no Timer N", "[unit][gateway][presence]") {
  Harness h;
  h.partner(presence("subscribe"));
  REQUIRE(h.sip.requests.size() == 1);
  const std::string sub = h.sip.requests[0];
  h.from_sip(notify_for(sub, 1, "pending;expires=600"));
  h.from_sip(answer(sub, 202, {{"Expires", "600"}}));
  h.advance_to(1000 + 64 * 500 + 1);
  CHECK(h.relay.sent.empty());
}
