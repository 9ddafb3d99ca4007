// SIP -> XMPP presence through the gateway core: an internal watcher watches a partner user and
// the gateway is the notifier (RFC 8048 §5, RFC 6665, RFC 3856).
#include <catch2/catch.hpp>

#include "frontend-gateway/bridge/pidf.h"
#include "frontend-gateway/sip/subscription_state.h"
#include "tests/unit/frontend-gateway/presence/presence_fixture.h"

using namespace presence_test;
namespace bridge = xf::bridge;

namespace {

xf::sip::SubscriptionState sub_state(const SipMessage& notify) {
  auto s = xf::sip::SubscriptionState::of(notify);
  REQUIRE(s.ok());
  return *s;
}

bridge::PresenceDoc body_of(const SipMessage& notify) {
  CHECK(notify.content_type() == "application/pidf+xml");
  auto doc = bridge::parse_pidf(notify.body());
  REQUIRE(doc.ok());
  return std::move(doc.value());
}

// bob@sip.example subscribes to alice@xmpp.example; returns the gateway's 202.
std::string watching(Harness& h) {
  h.from_sip(watcher_subscribe());
  REQUIRE(h.sip.responses.size() == 1);
  return h.sip.responses[0].second;
}

}  // namespace

TEST_CASE("s2x: SUBSCRIBE -> 202, NOTIFY pending, subscribe stanza", "[unit][gateway][presence]") {
  Harness h;
  const std::string ok = watching(h);
  SipMessage resp = parse(ok);
  CHECK(resp.status_code() == 202);
  CHECK(resp.header("Expires") == "600");
  CHECK(resp.contact_uri() == "sip:gateway@127.0.0.11:5060;transport=tcp");
  CHECK_FALSE(resp.to().tag.empty());
  CHECK(resp.record_routes() == std::vector<std::string>{"<sip:127.0.0.4;transport=tcp;lr>"});

  REQUIRE(h.sip.requests.size() == 1);
  SipMessage notify = h.request(0);
  CHECK(notify.method() == "NOTIFY");
  CHECK(notify.request_uri() == "sip:bob@127.0.0.7:5080;transport=tcp");
  CHECK(notify.routes() == std::vector<std::string>{"<sip:127.0.0.4;transport=tcp;lr>"});
  CHECK(notify.call_id() == "watch-1");
  CHECK(notify.from().uri == "sip:alice@xmpp.example");
  CHECK(notify.from().tag == resp.to().tag);
  CHECK(notify.to().tag == "bobtag");
  CHECK(notify.header("Event") == "presence");
  CHECK(sub_state(notify).state == xf::sip::SubState::pending);
  CHECK(notify.body().empty());

  REQUIRE(h.relay.sent.size() == 1);
  xml::Element subscribe = h.relayed(0);
  CHECK(subscribe.attr("type") == "subscribe");
  CHECK(subscribe.attr("from") == "bob@sip.example");
  CHECK(subscribe.attr("to") == "alice@xmpp.example");
  CHECK(h.relay.sent[0].first.remote_domain == "xmpp.example");

  auto auth = h.db->get_authorization("sip:bob@sip.example", "alice@xmpp.example");
  REQUIRE(auth.ok());
  REQUIRE(auth->has_value());
  CHECK((*auth)->decision == store::AuthorizationDecision::allowed);
}

TEST_CASE("s2x: subscribed -> NOTIFY active and presence -> PIDF, rate-limited",
          "[unit][gateway][presence]") {
  Harness h;
  watching(h);
  h.from_sip(answer(h.sip.requests[0], 200));
  h.partner(presence("subscribed"));
  REQUIRE(h.sip.requests.size() == 2);
  SipMessage active = h.request(1);
  CHECK(sub_state(active).state == xf::sip::SubState::active);
  CHECK(active.cseq_number() == 2);
  bridge::PresenceDoc none = body_of(active);
  REQUIRE(none.tuples.size() == 1);
  CHECK(none.tuples[0].basic == bridge::Basic::closed);

  // Within a second of the last NOTIFY: coalesced until the second has passed.
  h.partner(presence("", "alice@xmpp.example/laptop", "bob@sip.example",
                     "<show>away</show><status>Out for lunch</status>"));
  CHECK(h.sip.requests.size() == 2);
  h.partner(presence("", "alice@xmpp.example/laptop", "bob@sip.example",
                     "<show>dnd</show><status>Busy now</status>"));
  CHECK(h.sip.requests.size() == 2);
  h.advance_to(1000 + 999);
  CHECK(h.sip.requests.size() == 2);
  h.advance_to(1000 + 1000);
  REQUIRE(h.sip.requests.size() == 3);
  bridge::PresenceDoc busy = body_of(h.request(2));
  REQUIRE(busy.tuples.size() == 1);
  CHECK(busy.tuples[0].basic == bridge::Basic::open);
  REQUIRE(busy.tuples[0].notes.size() == 1);
  CHECK(busy.tuples[0].notes[0].text == "Busy now");
  REQUIRE(busy.person);
  CHECK(busy.person->activities.has(bridge::Activity::busy));

  // More than a second later: at once.
  h.clock.time += 5000;
  h.partner(presence("unavailable", "alice@xmpp.example/laptop", "bob@sip.example",
                     "<status>Gone</status>"));
  REQUIRE(h.sip.requests.size() == 4);
  bridge::PresenceDoc gone = body_of(h.request(3));
  REQUIRE(gone.tuples.size() == 1);
  CHECK(gone.tuples[0].basic == bridge::Basic::closed);
  REQUIRE(gone.tuples[0].notes.size() == 1);
  CHECK(gone.tuples[0].notes[0].text == "Gone");
  CHECK(h.request(3).cseq_number() == 4);
}

TEST_CASE("s2x: unsubscribed while pending -> terminated reason rejected",
          "[unit][gateway][presence]") {
  Harness h;
  watching(h);
  h.partner(presence("unsubscribed"));
  REQUIRE(h.sip.requests.size() == 2);
  auto st = sub_state(h.request(1));
  CHECK(st.state == xf::sip::SubState::terminated);
  CHECK(st.reason == xf::sip::TerminationReason::rejected);
  auto live = h.db->list_sip_to_xmpp_live();
  REQUIRE(live.ok());
  CHECK(live->empty());
}

TEST_CASE("s2x: unsubscribed when active -> terminated reason deactivated",
          "[unit][gateway][presence]") {
  Harness h;
  watching(h);
  h.partner(presence("subscribed"));
  h.partner(presence("unsubscribed"));
  REQUIRE(h.sip.requests.size() == 3);
  auto st = sub_state(h.request(2));
  CHECK(st.state == xf::sip::SubState::terminated);
  CHECK(st.reason == xf::sip::TerminationReason::deactivated);
}

// A SIP client unsubscribes at every logout; the partner user's roster must not change.
TEST_CASE("s2x: SUBSCRIBE Expires 0 in the dialog ends the dialog, not the XMPP subscription",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string ok = watching(h);
  h.partner(presence("subscribed"));
  h.from_sip(watcher_resubscribe(ok, 2, "0"));
  REQUIRE(h.sip.responses.size() == 2);
  CHECK(h.response(1).status_code() == 200);
  REQUIRE(h.sip.requests.size() == 3);
  auto st = sub_state(h.request(2));
  CHECK(st.state == xf::sip::SubState::terminated);
  CHECK(st.reason == xf::sip::TerminationReason::timeout);
  CHECK(h.relay.sent.size() == 1);  // Only the first subscribe: no unsubscribe.

  // The old dialog is over.
  h.from_sip(watcher_resubscribe(ok, 3, "600"));
  CHECK(h.response(2).status_code() == 481);

  // While the watcher is away the partner user's presence is kept for its return.
  h.partner(presence("", "alice@xmpp.example/phone"));
  CHECK(h.sip.requests.size() == 3);

  // Logged in again: a new dialog is active at once, with that presence, and nothing goes to
  // the partner user.
  h.from_sip(
      watcher_subscribe("600", "sip:alice@xmpp.example", "presence", "watch-2", "z9hG4bKsub2"));
  CHECK(h.response(3).status_code() == 202);
  REQUIRE(h.sip.requests.size() == 4);
  SipMessage notify = h.request(3);
  CHECK(notify.call_id() == "watch-2");
  CHECK(sub_state(notify).state == xf::sip::SubState::active);
  const bridge::PresenceDoc doc = body_of(notify);
  REQUIRE_FALSE(doc.tuples.empty());
  CHECK(doc.tuples[0].basic == bridge::Basic::open);
  CHECK(h.relay.sent.size() == 1);
}

TEST_CASE("s2x: the partner's unsubscribed ends a dormant subscription",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string ok = watching(h);
  h.partner(presence("subscribed"));
  h.from_sip(watcher_resubscribe(ok, 2, "0"));
  h.partner(presence("unsubscribed"));
  CHECK(h.sip.requests.size() == 3);  // No dialog is left to tell.
  // Subscribing again asks the partner user again.
  h.from_sip(
      watcher_subscribe("600", "sip:alice@xmpp.example", "presence", "watch-2", "z9hG4bKsub2"));
  CHECK(h.response(2).status_code() == 202);
  REQUIRE(h.sip.requests.size() == 4);
  CHECK(sub_state(h.request(3)).state == xf::sip::SubState::pending);
  REQUIRE(h.relay.sent.size() == 2);
  CHECK(h.relayed(1).attr("type") == "subscribe");
}

TEST_CASE("s2x: a watcher gone without a word keeps the XMPP subscription",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string ok = watching(h);
  h.partner(presence("subscribed"));
  REQUIRE(h.sip.requests.size() == 2);
  // The client crashed: its NOTIFY is answered 481 by the proxy.
  h.from_sip(answer(h.sip.requests[1], 481));
  h.from_sip(
      watcher_subscribe("600", "sip:alice@xmpp.example", "presence", "watch-2", "z9hG4bKsub2"));
  CHECK(h.response(1).status_code() == 202);
  REQUIRE(h.sip.requests.size() == 3);
  CHECK(sub_state(h.request(2)).state == xf::sip::SubState::active);
  CHECK(h.relay.sent.size() == 1);
}

TEST_CASE("s2x: refresh is accepted and NOTIFYed and no refresh -> timeout",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string ok = watching(h);
  h.partner(presence("subscribed"));
  h.clock.time += 500 * 1000;
  h.from_sip(watcher_resubscribe(ok, 2, "600"));
  CHECK(h.response(1).status_code() == 200);
  CHECK(h.response(1).header("Expires") == "600");
  REQUIRE(h.sip.requests.size() == 3);
  CHECK(sub_state(h.request(2)).state == xf::sip::SubState::active);
  for (const std::string& n : h.sip.requests) h.from_sip(answer(n, 200));
  // The first grant (600 s from the start) has passed, the refreshed one has not.
  h.advance_to(1000 + 600 * 1000 + 1);
  CHECK(h.sip.requests.size() == 3);
  h.advance_to(1000 + 1100 * 1000);
  REQUIRE(h.sip.requests.size() == 4);
  auto st = sub_state(h.request(3));
  CHECK(st.state == xf::sip::SubState::terminated);
  CHECK(st.reason == xf::sip::TerminationReason::timeout);
  auto live = h.db->list_sip_to_xmpp_live();
  REQUIRE(live.ok());
  CHECK(live->empty());
}

TEST_CASE("s2x: SUBSCRIBE errors: unknown domain 403, no Event 400, other event 489",
          "[unit][gateway][presence]") {
  Harness h;
  h.from_sip(watcher_subscribe("600", "sip:carol@unknown.example", "presence", "c1", "z9hG4bKa"));
  h.from_sip(watcher_subscribe("600", "sip:alice@xmpp.example", "", "c2", "z9hG4bKb"));
  h.from_sip(watcher_subscribe("600", "sip:alice@xmpp.example", "dialog", "c3", "z9hG4bKc"));
  h.from_sip(watcher_subscribe("10", "sip:alice@xmpp.example", "presence", "c4", "z9hG4bKd"));
  REQUIRE(h.sip.responses.size() == 4);
  CHECK(h.response(0).status_code() == 403);
  CHECK(h.response(1).status_code() == 400);
  CHECK(h.response(2).status_code() == 489);
  CHECK(h.response(2).header("Allow-Events") == "presence");
  CHECK(h.response(3).status_code() == 423);
  CHECK(h.response(3).header("Min-Expires") == "60");
  CHECK(h.sip.requests.empty());
  CHECK(h.relay.sent.empty());
}

TEST_CASE("s2x: an edge bounce of the subscribe -> terminated reason noresource",
          "[unit][gateway][presence]") {
  Harness h;
  watching(h);
  REQUIRE(h.relay.sent.size() == 1);
  relay::BounceMsg bounce{
      1, xf::xmpp::StanzaError::remote_server_not_found, {}, h.relay.sent[0].second};
  h.gateway->on_relay_event(0, relay::BounceReceived{2, bounce});
  REQUIRE(h.sip.requests.size() == 2);
  auto st = sub_state(h.request(1));
  CHECK(st.state == xf::sip::SubState::terminated);
  CHECK(st.reason == xf::sip::TerminationReason::noresource);
}

TEST_CASE("s2x: presence error from the partner -> terminated", "[unit][gateway][presence]") {
  Harness h;
  watching(h);
  h.partner(presence("error", "alice@xmpp.example", "bob@sip.example",
                     "<error type='cancel'><item-not-found "
                     "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"));
  REQUIRE(h.sip.requests.size() == 2);
  auto st = sub_state(h.request(1));
  CHECK(st.state == xf::sip::SubState::terminated);
  CHECK(st.reason == xf::sip::TerminationReason::noresource);
}

TEST_CASE("s2x: NOTIFY answered 481 deletes the subscription", "[unit][gateway][presence]") {
  Harness h;
  watching(h);
  h.from_sip(answer(h.sip.requests[0], 481));
  auto live = h.db->list_sip_to_xmpp_live();
  REQUIRE(live.ok());
  CHECK(live->empty());
}

TEST_CASE("s2x: a lost relay link keeps its subscribe frames, whose verdicts still come",
          "[unit][gateway][presence]") {
  Harness h;
  watching(h);  // bob -> alice: subscribe stanza in frame 1 of link 0.
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.gateway->presence().notifier().waiting_subscribes() == 1);
  h.gateway->on_relay_link_down(0);
  CHECK(h.gateway->presence().notifier().waiting_subscribes() == 1);

  // The session numbers on across links: bob watches carol in frame 2.
  h.from_sip(
      watcher_subscribe("600", "sip:carol@xmpp.example", "presence", "watch-2", "z9hG4bKsub2"));
  REQUIRE(h.relay.sent.size() == 2);
  const std::size_t requests = h.sip.requests.size();
  relay::BounceMsg bounce{
      2, xf::xmpp::StanzaError::remote_server_not_found, {}, h.relay.sent[1].second};
  h.gateway->on_relay_event(0, relay::BounceReceived{2, bounce});
  // Only carol's subscription ends; alice's stays.
  REQUIRE(h.sip.requests.size() == requests + 1);
  CHECK(h.request(requests).to().uri == "sip:bob@sip.example");
  CHECK(h.request(requests).call_id() == "watch-2");
  auto alice = h.db->get_sip_to_xmpp("sip:bob@sip.example", "alice@xmpp.example");
  REQUIRE(alice.ok());
  CHECK(alice->has_value());
}
