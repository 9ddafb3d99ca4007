// XMPP -> SIP presence across the internal user's logouts: a SIP subscription is soft state
// that ends whenever the client goes away, an XMPP subscription is roster state. Each
// termination reason of RFC 6665 §4.2.2 (and a missing or unknown one), and the failures of the
// SUBSCRIBE that renews an accepted subscription, map as docs/mapping.md section 7.1 says.
#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/unit/frontend-gateway/presence/presence_fixture.h"

using namespace presence_test;

namespace {

// alice@xmpp.example watches bob@sip.example; bob's notifier accepted (relay: 'subscribed' and
// an available presence). Returns the SUBSCRIBE.
std::string accepted(Harness& h) {
  h.partner(presence("subscribe"));
  REQUIRE(h.sip.requests.size() == 1);
  std::string sub = h.sip.requests[0];
  h.from_sip(answer(sub, 202, {{"Expires", "3600"}}));
  h.from_sip(notify_for(sub, 1, "active;expires=3600", pidf("open")));
  REQUIRE(h.relay.sent.size() == 2);
  REQUIRE(h.relayed(0).attr("type") == "subscribed");
  REQUIRE(h.relayed(1).attr("type").empty());
  return sub;
}

bool stored(Harness& h) {
  auto s = h.db->get_xmpp_to_sip("alice@xmpp.example", "sip:bob@sip.example");
  REQUIRE(s.ok());
  return s->has_value();
}

// The subscription ended toward the partner user: 'unsubscribed' and nothing stored.
void ended(Harness& h) {
  REQUIRE(h.relay.sent.size() == 3);
  CHECK(h.relayed(2).attr("type") == "unsubscribed");
  CHECK_FALSE(stored(h));
}

// The subscription lapsed: 'unavailable' to the watcher, still stored, no SUBSCRIBE until
// `retry_at`, a new dialog then.
void lapsed_until(Harness& h, Millis retry_at) {
  REQUIRE(h.relay.sent.size() == 3);
  CHECK(h.relayed(2).attr("type") == "unavailable");
  CHECK(h.relayed(2).attr("from") == "bob@sip.example");
  CHECK(h.relayed(2).attr("to") == "alice@xmpp.example");
  CHECK(stored(h));
  const std::size_t before = h.sip.requests.size();
  h.advance_to(retry_at - 1);
  CHECK(h.sip.requests.size() == before);
  h.advance_to(retry_at);
  REQUIRE(h.sip.requests.size() == before + 1);
  SipMessage again = h.request(before);
  CHECK(again.method() == "SUBSCRIBE");
  CHECK(again.to().tag.empty());
  CHECK(again.call_id() != h.request(0).call_id());
}

// The immediate renewal: a new SUBSCRIBE at once, nothing to the watcher.
void renewed_at_once(Harness& h) {
  REQUIRE(h.sip.requests.size() == 2);
  SipMessage again = h.request(1);
  CHECK(again.method() == "SUBSCRIBE");
  CHECK(again.to().tag.empty());
  CHECK(again.call_id() != h.request(0).call_id());
  CHECK(h.relay.sent.size() == 2);
  CHECK(stored(h));
}

}  // namespace

TEST_CASE("x2s lifecycle: terminated deactivated subscribes again at once",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.from_sip(notify_for(sub, 2, "terminated;reason=deactivated"));
  renewed_at_once(h);
  // The client moved: the new dialog is accepted, presence flows, no second 'subscribed'.
  h.from_sip(answer(h.sip.requests[1], 202, {{"Expires", "3600"}}, "uas-tag-2"));
  h.from_sip(
      notify_for(h.sip.requests[1], 1, "active;expires=3600", pidf("open", "back"), "uas-tag-2"));
  REQUIRE(h.relay.sent.size() == 3);
  CHECK(h.relayed(2).attr("type").empty());
  CHECK(h.relayed(2).child_text("status") == "back");
}

TEST_CASE("x2s lifecycle: terminated timeout subscribes again at once",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.from_sip(notify_for(sub, 2, "terminated;reason=timeout"));
  renewed_at_once(h);
}

TEST_CASE("x2s lifecycle: a logout (deactivated, then the user is offline) keeps the roster",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.from_sip(notify_for(sub, 2, "terminated;reason=deactivated", pidf("closed")));
  renewed_at_once(h);
  h.clock.time = 5000;
  h.from_sip(answer(h.sip.requests[1], 480));  // Kamailio: not registered.
  lapsed_until(h, 5000 + 30 * 1000);
  // Still offline: the next attempt waits twice as long and tells the watcher nothing new.
  h.from_sip(answer(h.sip.requests[2], 404));
  CHECK(h.relay.sent.size() == 3);
  const Millis failed_at = h.clock.time;
  h.advance_to(failed_at + 60 * 1000 - 1);
  CHECK(h.sip.requests.size() == 3);
  h.advance_to(failed_at + 60 * 1000);
  REQUIRE(h.sip.requests.size() == 4);
  // Logged in again: presence, and no second 'subscribed'.
  h.from_sip(answer(h.sip.requests[3], 202, {{"Expires", "3600"}}, "uas-tag-3"));
  h.from_sip(notify_for(h.sip.requests[3], 1, "active;expires=3600", pidf("open"), "uas-tag-3"));
  REQUIRE(h.relay.sent.size() == 4);
  CHECK(h.relayed(3).attr("type").empty());
  // A probe meanwhile would have been answered unavailable; now it is available again.
  h.partner(presence("probe"));
  REQUIRE(h.relay.sent.size() == 5);
  CHECK(h.relayed(4).attr("type").empty());
}

TEST_CASE("x2s lifecycle: a probe while lapsed is answered unavailable",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.from_sip(notify_for(sub, 2, "terminated"));
  REQUIRE(h.relay.sent.size() == 3);
  h.partner(presence("probe"));
  REQUIRE(h.relay.sent.size() == 4);
  CHECK(h.relayed(3).attr("type") == "unavailable");
}

TEST_CASE("x2s lifecycle: terminated probation waits for retry-after",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.clock.time = 2000;
  h.from_sip(notify_for(sub, 2, "terminated;reason=probation;retry-after=120"));
  lapsed_until(h, 2000 + 120 * 1000);
}

TEST_CASE("x2s lifecycle: terminated giveup tries again later", "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.clock.time = 2000;
  h.from_sip(notify_for(sub, 2, "terminated;reason=giveup"));
  lapsed_until(h, 2000 + 30 * 1000);
}

TEST_CASE("x2s lifecycle: terminated without a reason tries again later",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.clock.time = 2000;
  h.from_sip(notify_for(sub, 2, "terminated"));
  lapsed_until(h, 2000 + 30 * 1000);
}

TEST_CASE("x2s lifecycle: an unknown reason is treated as none", "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.clock.time = 2000;
  h.from_sip(notify_for(sub, 2, "terminated;reason=logged-off"));
  lapsed_until(h, 2000 + 30 * 1000);
}

TEST_CASE("x2s lifecycle: terminated rejected ends it", "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.from_sip(notify_for(sub, 2, "terminated;reason=rejected"));
  ended(h);
}

TEST_CASE("x2s lifecycle: terminated noresource ends it", "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.from_sip(notify_for(sub, 2, "terminated;reason=noresource"));
  ended(h);
}

TEST_CASE("x2s lifecycle: terminated invariant ends it", "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.from_sip(notify_for(sub, 2, "terminated;reason=invariant"));
  ended(h);
}

TEST_CASE("x2s lifecycle: a renewal refused 403 ends it", "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.from_sip(notify_for(sub, 2, "terminated;reason=deactivated"));
  renewed_at_once(h);
  h.from_sip(answer(h.sip.requests[1], 403));
  ended(h);
}

TEST_CASE("x2s lifecycle: a renewal answered 503 waits for its Retry-After",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.from_sip(notify_for(sub, 2, "terminated;reason=timeout"));
  renewed_at_once(h);
  h.clock.time = 3000;
  h.from_sip(answer(h.sip.requests[1], 503, {{"Retry-After", "90"}}));
  lapsed_until(h, 3000 + 90 * 1000);
}

TEST_CASE("x2s lifecycle: a renewal with no NOTIFY (Timer N) lapses instead of ending",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.clock.time = 2000;
  h.from_sip(notify_for(sub, 2, "terminated;reason=deactivated"));
  renewed_at_once(h);
  h.from_sip(answer(h.sip.requests[1], 202, {{"Expires", "3600"}}, "uas-tag-2"));
  h.advance_to(2000 + 64 * 500);
  lapsed_until(h, 2000 + 64 * 500 + 30 * 1000);
}

TEST_CASE("x2s lifecycle: a notifier that ends every subscription at once is paced",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.clock.time = 2000;
  h.from_sip(notify_for(sub, 2, "terminated;reason=deactivated"));
  renewed_at_once(h);
  h.from_sip(answer(h.sip.requests[1], 202, {{"Expires", "3600"}}, "uas-tag-2"));
  h.from_sip(notify_for(h.sip.requests[1], 1, "active;expires=3600", pidf("open"), "uas-tag-2"));
  REQUIRE(h.relay.sent.size() == 3);
  h.from_sip(notify_for(h.sip.requests[1], 2, "terminated;reason=deactivated", "", "uas-tag-2"));
  // Within a minute of the last immediate renewal: after the backoff instead.
  REQUIRE(h.sip.requests.size() == 2);
  REQUIRE(h.relay.sent.size() == 4);
  CHECK(h.relayed(3).attr("type") == "unavailable");
  h.advance_to(2000 + 30 * 1000);
  CHECK(h.sip.requests.size() == 3);
}

TEST_CASE("x2s lifecycle: before the user accepted, a termination still ends it",
          "[unit][gateway][presence]") {
  Harness h;
  h.partner(presence("subscribe"));
  const std::string sub = h.sip.requests[0];
  h.from_sip(answer(sub, 202, {{"Expires", "3600"}}));
  h.from_sip(notify_for(sub, 1, "pending;expires=3600"));
  h.from_sip(notify_for(sub, 2, "terminated;reason=giveup"));
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(h.relayed(0).attr("type") == "unsubscribed");
  CHECK_FALSE(stored(h));
}

TEST_CASE("x2s lifecycle: the watcher's unsubscribe while lapsed ends it without SIP",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.from_sip(notify_for(sub, 2, "terminated"));
  REQUIRE(h.sip.requests.size() == 1);
  h.partner(presence("unsubscribe"));
  CHECK(h.sip.requests.size() == 1);
  CHECK_FALSE(stored(h));
  h.advance_to(1000 * 1000);
  CHECK(h.sip.requests.size() == 1);
}

TEST_CASE("x2s lifecycle: the user's own SUBSCRIBE renews a lapsed subscription soon",
          "[unit][gateway][presence]") {
  Harness h;
  const std::string sub = accepted(h);
  h.clock.time = 2000;
  h.from_sip(notify_for(sub, 2, "terminated;reason=deactivated"));
  renewed_at_once(h);
  h.from_sip(answer(h.sip.requests[1], 480));  // Logged out: lapsed, next try in 30 s.
  REQUIRE(h.relay.sent.size() == 3);
  const auto subscribes = [&h] {
    return std::count_if(h.sip.requests.begin(), h.sip.requests.end(), [](const std::string& r) {
      return r.rfind("SUBSCRIBE sip:bob@sip.example", 0) == 0;
    });
  };
  // Logged in again 2 s later: baresip subscribes to its contacts. That renews bob's, but not
  // sooner than 5 s after the failure.
  h.clock.time = 2000 + 2 * 1000;
  h.from_sip(watcher_subscribe());
  h.advance_to(2000 + 5 * 1000 - 1);
  CHECK(subscribes() == 2);
  h.advance_to(2000 + 5 * 1000);
  CHECK(subscribes() == 3);
  // A second sign of life while that SUBSCRIBE is out changes nothing.
  h.from_sip(
      watcher_subscribe("600", "sip:alice@xmpp.example", "presence", "watch-2", "z9hG4bKsub2"));
  h.advance_to(2000 + 40 * 1000);
  CHECK(subscribes() == 3);
}
