#include "frontend-gateway/im/pending_requests.h"

#include <catch2/catch.hpp>
#include <string>

using xf::Errc;
using xf::kNoDeadline;
using xf::Millis;
using xf::gw::PendingRequest;
using xf::gw::PendingRequests;
using xf::gw::StanzaKey;
using xf::sip::SipMessage;

namespace {

PendingRequest pending(std::uint64_t connection, Millis deadline, const std::string& user = "a") {
  auto req = SipMessage::make_request("MESSAGE", "sip:" + user + "@xmpp.example");
  REQUIRE(req.ok());
  REQUIRE(req->set_to({"", "sip:" + user + "@xmpp.example", ""}).ok());
  return PendingRequest{connection, std::move(req.value()), "tag", deadline, {}, false};
}

PendingRequest keyed(std::uint64_t connection, Millis deadline, const std::string& id) {
  PendingRequest p = pending(connection, deadline);
  p.stanza = {id, "bob@sip.example", "a@xmpp.example"};
  return p;
}

}  // namespace

TEST_CASE("pending requests are found by link and frame", "[unit][gateway]") {
  PendingRequests p(10);
  REQUIRE(p.add({0, 1}, pending(7, 1000, "a")).ok());
  REQUIRE(p.add({1, 1}, pending(8, 1000, "b")).ok());
  CHECK(p.size() == 2);
  CHECK_FALSE(p.take({0, 2}).has_value());
  auto b = p.take({1, 1});
  REQUIRE(b.has_value());
  CHECK(b->connection == 8);
  CHECK(b->request.to().uri == "sip:b@xmpp.example");
  CHECK_FALSE(p.take({1, 1}).has_value());
  CHECK(p.size() == 1);
}

TEST_CASE("pending requests are bounded and refuse duplicates", "[unit][gateway]") {
  PendingRequests p(2);
  REQUIRE(p.add({0, 1}, pending(1, 100)).ok());
  auto dup = p.add({0, 1}, pending(1, 100));
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().code == Errc::invalid_argument);
  REQUIRE(p.add({0, 2}, pending(1, 100)).ok());
  CHECK(p.full());
  auto over = p.add({0, 3}, pending(1, 100));
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().code == Errc::limit_exceeded);
  (void)p.take({0, 1});
  CHECK_FALSE(p.full());
}

TEST_CASE("pending requests expire in deadline order", "[unit][gateway]") {
  PendingRequests p(10);
  CHECK(p.next_deadline() == kNoDeadline);
  REQUIRE(p.add({0, 1}, pending(1, 300)).ok());
  REQUIRE(p.add({0, 2}, pending(2, 100)).ok());
  REQUIRE(p.add({0, 3}, pending(3, 200)).ok());
  CHECK(p.next_deadline() == 100);
  CHECK(p.take_expired(99).empty());
  auto due = p.take_expired(200);
  REQUIRE(due.size() == 2);
  CHECK(due[0].connection == 2);
  CHECK(due[1].connection == 3);
  CHECK(p.next_deadline() == 300);
  // A taken entry leaves no deadline behind.
  (void)p.take({0, 1});
  CHECK(p.next_deadline() == kNoDeadline);
  CHECK(p.take_expired(1000).empty());
}

TEST_CASE("pending requests are held for their grace window after Delivered", "[unit][gateway]") {
  PendingRequests p(10);
  REQUIRE(p.add({0, 1}, keyed(1, 33000, "sip-1")).ok());
  REQUIRE(p.add({0, 2}, keyed(2, 33000, "sip-2")).ok());
  CHECK(p.hold({0, 1}, 1500));
  CHECK_FALSE(p.hold({0, 1}, 1600));  // Delivered twice: the first window stands.
  CHECK_FALSE(p.hold({0, 9}, 1500));
  CHECK(p.next_deadline() == 1500);
  CHECK(p.size() == 2);
  // A held request is no longer the answer to a Bounce.
  CHECK_FALSE(p.take({0, 1}).has_value());
  REQUIRE(p.take({0, 2}).has_value());
  auto due = p.take_expired(1500);
  REQUIRE(due.size() == 1);
  CHECK(due[0].connection == 1);
  CHECK(due[0].delivered);
  CHECK(p.size() == 0);
}

TEST_CASE("pending requests are found by their stanza, in either phase", "[unit][gateway]") {
  PendingRequests p(10);
  REQUIRE(p.add({0, 1}, keyed(1, 33000, "sip-1")).ok());
  REQUIRE(p.add({0, 2}, keyed(2, 33000, "sip-2")).ok());
  REQUIRE(p.add({0, 3}, pending(3, 33000)).ok());  // No id: never found by stanza.
  auto dup = p.add({0, 4}, keyed(4, 33000, "sip-1"));
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().code == Errc::invalid_argument);
  REQUIRE(p.hold({0, 2}, 1500));

  CHECK_FALSE(p.take_stanza({"sip-1", "a@xmpp.example", "bob@sip.example"}).has_value());
  CHECK_FALSE(p.take_stanza({"", "", ""}).has_value());
  auto waiting = p.take_stanza({"sip-1", "bob@sip.example", "a@xmpp.example"});
  REQUIRE(waiting.has_value());
  CHECK(waiting->connection == 1);
  CHECK_FALSE(waiting->delivered);
  auto held = p.take_stanza(StanzaKey{"sip-2", "bob@sip.example", "a@xmpp.example"});
  REQUIRE(held.has_value());
  CHECK(held->delivered);
  // Taken by stanza: gone from the frame index and the deadlines too.
  CHECK_FALSE(p.take({0, 1}).has_value());
  CHECK(p.size() == 1);
  CHECK(p.next_deadline() == 33000);
  // The id is free again.
  REQUIRE(p.add({0, 5}, keyed(5, 33000, "sip-1")).ok());
}
