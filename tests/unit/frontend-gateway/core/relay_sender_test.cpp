// RelaySender with the fake relay port: outbound facts, error replies, and the edge's verdicts
// routed to the owner whose stanza they answer.
#include "frontend-gateway/core/relay_sender.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/xmpp/stanza_error_reply.h"
#include "tests/unit/frontend-gateway/core/core_fakes.h"

namespace {

using namespace core_fakes;
using xf::gw::RelaySender;

// Records the verdicts it is given: "delivered <seq>" or "bounced <seq> <condition>".
struct Owner : RelaySender::Owner {
  std::vector<std::string> verdicts;
  void on_delivered(RelayRef ref) override {
    verdicts.push_back("delivered " + std::to_string(ref.seq));
  }
  void on_bounced(RelayRef ref, xf::xmpp::StanzaError condition) override {
    verdicts.push_back("bounced " + std::to_string(ref.seq) + " " +
                       std::string(xf::xmpp::to_string(condition)));
  }
};

xml::Element chat(const std::string& id) {
  xml::Element m("message", "jabber:server");
  m.set_attr("from", "bob@sip.example");
  m.set_attr("to", "alice@xmpp.example");
  m.set_attr("type", "chat");
  m.set_attr("id", id);
  m.add_child("body", "jabber:server").add_text("hi");
  return m;
}

struct Fixture : CorePorts {
  RelaySender sender{relay, 3};
  Owner im;
  Owner presence;

  RelayRef send(const std::string& id, RelaySender::Owner* owner) {
    auto ref = sender.send(chat(id), "sip.example", "xmpp.example", owner);
    REQUIRE(ref.ok());
    return *ref;
  }
};

}  // namespace

TEST_CASE("RelaySender sends outbound stanzas between the domains it is given", "[unit][gateway]") {
  Fixture f;
  const RelayRef ref = f.send("m1", nullptr);
  CHECK(ref.seq == 1);
  REQUIRE(f.relay.sent.size() == 1);
  const relay::RoutingFacts& facts = f.relay.sent[0].first;
  CHECK(facts.local_domain == "sip.example");
  CHECK(facts.remote_domain == "xmpp.example");
  CHECK(facts.direction == relay::Direction::outbound);
  CHECK(facts.auth == relay::PartnerAuth::none);
  CHECK(f.relayed(0).attr("id") == "m1");
  CHECK(f.sender.tagged() == 0);

  // No link: the failure comes back and nothing is tagged.
  f.relay.up = false;
  auto lost = f.sender.send(chat("m2"), "sip.example", "xmpp.example", &f.im);
  CHECK_FALSE(lost.ok());
  CHECK(f.sender.tagged() == 0);
}

TEST_CASE("RelaySender routes Delivered and Bounce to the owner of the reference",
          "[unit][gateway]") {
  Fixture f;
  const RelayRef a = f.send("a", &f.im);
  const RelayRef b = f.send("b", &f.presence);
  const RelayRef c = f.send("c", nullptr);
  CHECK(f.sender.tagged() == 2);

  f.sender.on_bounce(b, xf::xmpp::StanzaError::remote_server_not_found);
  CHECK(f.im.verdicts.empty());
  REQUIRE(f.presence.verdicts.size() == 1);
  CHECK(f.presence.verdicts[0] == "bounced 2 remote-server-not-found");

  f.sender.on_delivered(a);
  REQUIRE(f.im.verdicts.size() == 1);
  CHECK(f.im.verdicts[0] == "delivered 1");
  CHECK(f.presence.verdicts.size() == 1);

  // Nobody waits for an untagged stanza, nor for a reference answered already, nor for the same
  // sequence number on another link.
  f.sender.on_delivered(c);
  f.sender.on_delivered(a);
  f.sender.on_bounce(RelayRef{1, b.seq}, xf::xmpp::StanzaError::remote_server_timeout);
  CHECK(f.im.verdicts.size() == 1);
  CHECK(f.presence.verdicts.size() == 1);
  CHECK(f.sender.tagged() == 0);
}

TEST_CASE("RelaySender bounds the references waiting for a verdict", "[unit][gateway]") {
  Fixture f;  // At most 3.
  const RelayRef first = f.send("a", &f.im);
  f.send("b", &f.im);
  f.send("c", &f.presence);
  const RelayRef last = f.send("d", &f.presence);
  CHECK(f.sender.tagged() == 3);
  // The oldest was forgotten; its owner's own timeout answers for it.
  f.sender.on_delivered(first);
  CHECK(f.im.verdicts.empty());
  f.sender.on_delivered(last);
  CHECK(f.presence.verdicts == std::vector<std::string>{"delivered 4"});
}

TEST_CASE("RelaySender replies with errors the way the stanza came, never to an error",
          "[unit][gateway]") {
  Fixture f;
  xml::Element original("message", "jabber:server");
  original.set_attr("from", "alice@xmpp.example/pc");
  original.set_attr("to", "bob@sip.example");
  original.set_attr("id", "x1");
  const relay::RoutingFacts arrived{"sip.example", "xmpp.example", relay::Direction::inbound,
                                    relay::PartnerAuth::dialback, "stream-1"};
  f.sender.reply_error(original, arrived, xf::xmpp::StanzaError::service_unavailable, "why");
  REQUIRE(f.relay.sent.size() == 1);
  CHECK(f.relay.sent[0].first.local_domain == "sip.example");
  CHECK(f.relay.sent[0].first.remote_domain == "xmpp.example");
  CHECK(f.relay.sent[0].first.direction == relay::Direction::outbound);
  const xml::Element reply = f.relayed(0);
  CHECK(reply.attr("type") == "error");
  CHECK(reply.attr("to") == "alice@xmpp.example/pc");
  CHECK(xf::xmpp::error_condition(reply) == "service-unavailable");

  f.sender.reply_sip_status(original, arrived, 404, "Not Found");
  REQUIRE(f.relay.sent.size() == 2);
  CHECK(xf::xmpp::error_condition(f.relayed(1)) == "item-not-found");

  // An error is never answered with an error (RFC 6120 §8.3.1).
  f.sender.reply_error(reply, arrived, xf::xmpp::StanzaError::bad_request);
  CHECK(f.relay.sent.size() == 2);
  CHECK(f.sender.tagged() == 0);
}
