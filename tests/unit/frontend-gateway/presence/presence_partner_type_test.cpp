// Partner types and presence: what reaches an internal user from a public_unverified partner
// before and after that user added the partner user.
#include <catch2/catch.hpp>

#include "tests/unit/frontend-gateway/presence/presence_fixture.h"

using namespace presence_test;
using xf::gw::PartnerType;

namespace {

const std::string kChat =
    "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
    "type='chat' id='m1'><body>hello bob</body></message>";

std::string condition_of(const xml::Element& e) {
  const xml::Element* error = e.child("error");
  REQUIRE(error != nullptr);
  for (const xml::Element* c : error->children()) {
    if (c->name() != "text") return c->name();
  }
  return "";
}

}  // namespace

TEST_CASE("public_unverified: nothing reaches a user who has not added the partner",
          "[unit][gateway][presence]") {
  Harness h(config(PartnerType::public_unverified));
  h.partner(kChat);
  h.partner(presence("subscribe"));
  CHECK(h.sip.requests.empty());
  REQUIRE(h.relay.sent.size() == 2);
  CHECK(h.relayed(0).name() == "message");
  CHECK(condition_of(h.relayed(0)) == "policy-violation");
  CHECK(h.relayed(1).name() == "presence");
  CHECK(h.relayed(1).attr("type") == "error");
  CHECK(condition_of(h.relayed(1)) == "policy-violation");
}

TEST_CASE("public_unverified: once the user subscribed, IM and answers reach them",
          "[unit][gateway][presence]") {
  Harness h(config(PartnerType::public_unverified));
  h.from_sip(watcher_subscribe());
  REQUIRE(h.response(0).status_code() == 202);
  h.partner(presence("subscribed"));
  REQUIRE(h.sip.requests.size() == 2);
  CHECK(h.request(1).method() == "NOTIFY");
  h.partner(kChat);
  REQUIRE(h.sip.requests.size() == 3);
  CHECK(h.request(2).method() == "MESSAGE");
  // Another internal user has not added alice.
  h.partner(presence("subscribe", "alice@xmpp.example", "carol@sip.example"));
  CHECK(h.sip.requests.size() == 3);
}

TEST_CASE("federated and public_verified: subscription requests reach the user",
          "[unit][gateway][presence]") {
  for (PartnerType type : {PartnerType::federated, PartnerType::public_verified}) {
    Harness h(config(type));
    h.partner(presence("subscribe"));
    REQUIRE(h.sip.requests.size() == 1);
    CHECK(h.request(0).method() == "SUBSCRIBE");
    h.partner(kChat);
    REQUIRE(h.sip.requests.size() == 2);
    CHECK(h.request(1).method() == "MESSAGE");
  }
}

TEST_CASE("unlisted domains are refused with policy-violation", "[unit][gateway][presence]") {
  Harness h;
  relay::StanzaMsg msg{{"sip.example", "other.example", relay::Direction::inbound,
                        relay::PartnerAuth::dialback, "s"},
                       presence("subscribe", "eve@other.example")};
  h.gateway->on_relay_event(0, relay::StanzaReceived{1, std::move(msg), relay::Receipt{}});
  CHECK(h.sip.requests.empty());
  REQUIRE(h.relay.sent.size() == 1);
  CHECK(condition_of(h.relayed(0)) == "policy-violation");
}
