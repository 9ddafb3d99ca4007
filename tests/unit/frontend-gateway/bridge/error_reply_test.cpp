#include "frontend-gateway/bridge/error_reply.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/xml/element.h"
#include "common/xmpp/stanza_error_reply.h"

namespace {

using xf::xml::Element;
using E = xf::xmpp::StanzaError;

constexpr const char* kNs = "jabber:server";
constexpr const char* kStanzasNs = "urn:ietf:params:xml:ns:xmpp-stanzas";

Element iq_get() {
  Element iq("iq", kNs);
  iq.set_attr("from", "romeo@partner.example/orchard");
  iq.set_attr("to", "juliet@sip.example.com");
  iq.set_attr("id", "q1");
  iq.set_attr("type", "get");
  iq.add_child("query", "http://jabber.org/protocol/disco#info");
  return iq;
}

}  // namespace

// The gateway's replies are the edge's replies (common/xmpp/stanza_error_reply) plus the
// no-error-for-an-error rule; both follow RFC 6120 §8.3.1.
TEST_CASE("bridge error replies are the common RFC 6120 8.3.1 replies", "[unit][bridge]") {
  const Element iq = iq_get();
  auto reply = xf::bridge::error_reply(iq, E::service_unavailable, "no disco over SIP");
  REQUIRE(reply.has_value());
  CHECK(*reply == xf::xmpp::make_error_reply(iq, E::service_unavailable, "no disco over SIP"));

  CHECK(reply->name() == "iq");
  CHECK(reply->xmlns() == kNs);
  CHECK(reply->attr("type") == "error");
  CHECK(reply->attr("id") == "q1");
  CHECK(reply->attr("from") == "juliet@sip.example.com");
  CHECK(reply->attr("to") == "romeo@partner.example/orchard");
  // The original payload may be included so that the sender can see what failed.
  CHECK(reply->child("query", "http://jabber.org/protocol/disco#info") != nullptr);
  const Element* error = reply->child("error", kNs);
  REQUIRE(error != nullptr);
  CHECK(error->attr("type") == "cancel");
  CHECK(error->child("service-unavailable", kStanzasNs) != nullptr);
  const Element* text = error->child("text", kStanzasNs);
  REQUIRE(text != nullptr);
  CHECK(text->text() == "no disco over SIP");
  CHECK(text->attr("xml:lang") == "en");
}

TEST_CASE("bridge error replies never answer an error and keep one error element",
          "[unit][bridge]") {
  Element iq = iq_get();
  CHECK(xf::xmpp::may_bounce(iq));
  auto reply = xf::bridge::error_reply(iq, E::item_not_found);
  REQUIRE(reply.has_value());
  CHECK(reply->child("error")->child("text", kStanzasNs) == nullptr);  // No text asked for.
  CHECK_FALSE(xf::xmpp::may_bounce(*reply));
  CHECK_FALSE(xf::bridge::error_reply(*reply, E::bad_request).has_value());
  CHECK_FALSE(xf::bridge::error_reply_for_sip_status(*reply, 404).has_value());

  // A stale <error/> in a non-error stanza is replaced, not doubled.
  iq.add_child("error", kNs).set_attr("type", "modify");
  auto again = xf::bridge::error_reply(iq, E::item_not_found);
  REQUIRE(again.has_value());
  int errors = 0;
  for (const Element* child : again->children()) {
    if (child->name() == "error") ++errors;
  }
  CHECK(errors == 1);
  CHECK(again->child("error")->attr("type") == "cancel");

  // Without from/to there is nothing to swap, and nothing is invented.
  Element bare("message", kNs);
  bare.set_attr("id", "m9");
  auto bare_reply = xf::bridge::error_reply(bare, E::bad_request);
  REQUIRE(bare_reply.has_value());
  CHECK_FALSE(bare_reply->has_attr("from"));
  CHECK_FALSE(bare_reply->has_attr("to"));
}

TEST_CASE("bridge error replies for SIP statuses bound the remote reason", "[unit][bridge]") {
  const Element iq = iq_get();
  auto plain = xf::bridge::error_reply_for_sip_status(iq, 404);
  REQUIRE(plain.has_value());
  CHECK(plain->child("error")->child_text("text", kStanzasNs) == "SIP 404");

  // A reason phrase with control characters is dropped, a long one cut.
  auto control = xf::bridge::error_reply_for_sip_status(iq, 486, "Busy\x01Here");
  REQUIRE(control.has_value());
  CHECK(control->child("error")->child_text("text", kStanzasNs) == "SIP 486");
  auto long_reason = xf::bridge::error_reply_for_sip_status(iq, 480, std::string(1000, 'x'));
  REQUIRE(long_reason.has_value());
  CHECK(long_reason->child("error")->child_text("text", kStanzasNs).size() < 200);
}
