#include "frontend-gateway/bridge/is_composing.h"

#include <catch2/catch.hpp>
#include <string>

namespace {

using xf::Errc;
using xf::bridge::build_is_composing;
using xf::bridge::ChatState;
using xf::bridge::ComposingState;
using xf::bridge::IsComposing;
using xf::bridge::parse_is_composing;
using xf::xml::Element;

// The shape of the RFC 3994 §6 examples, as SIP clients send them.
constexpr const char* kActive = R"(<?xml version="1.0" encoding="UTF-8"?>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:ietf:params:xml:ns:im-composing iscomposing.xsd">
  <state>active</state>
  <contenttype>text/plain</contenttype>
  <refresh>90</refresh>
</isComposing>
)";

constexpr const char* kIdle = R"(<?xml version="1.0" encoding="UTF-8"?>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">
  <state>idle</state>
  <lastactive>2003-01-27T10:43:00Z</lastactive>
  <contenttype>audio</contenttype>
</isComposing>)";

std::string doc_with(const std::string& inside) {
  return "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'>" + inside + "</isComposing>";
}

void require_error(const std::string& xml, Errc code, const std::string& detail_part) {
  auto doc = parse_is_composing(xml);
  REQUIRE_FALSE(doc.ok());
  CHECK(doc.error().code == code);
  INFO("detail: " << doc.error().detail);
  CHECK(doc.error().detail.find(detail_part) != std::string::npos);
}

Element message() {
  Element m("message", "jabber:server");
  m.set_attr("type", "chat");
  return m;
}

}  // namespace

TEST_CASE("isComposing active document parses", "[unit][bridge]") {
  auto doc = parse_is_composing(kActive);
  REQUIRE(doc.ok());
  CHECK(doc->state == ComposingState::active);
  CHECK(doc->content_type == "text/plain");
  CHECK(doc->refresh == 90);
  CHECK(doc->last_active.empty());
}

TEST_CASE("isComposing idle document parses", "[unit][bridge]") {
  auto doc = parse_is_composing(kIdle);
  REQUIRE(doc.ok());
  CHECK(doc->state == ComposingState::idle);
  CHECK(doc->last_active == "2003-01-27T10:43:00Z");
  CHECK(doc->content_type == "audio");
  CHECK_FALSE(doc->refresh.has_value());
}

TEST_CASE("isComposing: extensions are ignored, prefixes resolved", "[unit][bridge]") {
  auto doc = parse_is_composing(
      "<ic:isComposing xmlns:ic='urn:ietf:params:xml:ns:im-iscomposing' xmlns:x='urn:x'>"
      "<ic:state> active </ic:state><x:state>idle</x:state><x:extra/></ic:isComposing>");
  REQUIRE(doc.ok());
  CHECK(doc->state == ComposingState::active);
}

TEST_CASE("isComposing: bad documents are refused", "[unit][bridge]") {
  require_error("", Errc::parse_error, "no root");
  require_error(doc_with(""), Errc::parse_error, "without <state>");
  require_error(doc_with("<state>typing</state>"), Errc::parse_error, "not active or idle");
  require_error(doc_with("<state>active</state><refresh>0</refresh>"), Errc::parse_error,
                "<refresh>");
  require_error(doc_with("<state>active</state><refresh>-5</refresh>"), Errc::parse_error,
                "<refresh>");
  require_error(doc_with("<state>active</state><refresh>soon</refresh>"), Errc::parse_error,
                "<refresh>");
  require_error(doc_with("<state>active</state><refresh>86401</refresh>"), Errc::parse_error,
                "<refresh>");
  require_error(doc_with("<state>active</state><refresh>99999999999</refresh>"), Errc::parse_error,
                "<refresh>");
  require_error("<isComposing><state>active</state></isComposing>", Errc::parse_error,
                "not <isComposing>");
  require_error("<isComposing xmlns='urn:ietf:params:xml:ns:im-composing'/>", Errc::parse_error,
                "not <isComposing>");
  require_error("<!DOCTYPE isComposing [<!ENTITY e 'x'>]>" + doc_with("<state>&e;</state>"),
                Errc::parse_error, "DTD");
  require_error(doc_with("<state>&e;</state>"), Errc::parse_error, "restricted XML");
  require_error(doc_with("<state>active</state>") + std::string(5000, ' '), Errc::limit_exceeded,
                "limit");
  require_error(doc_with("<state>active</state"), Errc::parse_error, "");
}

TEST_CASE("isComposing builder writes the expected document", "[unit][bridge]") {
  IsComposing active;
  active.state = ComposingState::active;
  active.refresh = 60;
  active.content_type = "text/plain";
  CHECK(build_is_composing(active) ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>active</state>"
        "<contenttype>text/plain</contenttype><refresh>60</refresh></isComposing>");
  IsComposing idle;
  idle.last_active = "2003-01-27T10:43:00Z";
  CHECK(build_is_composing(idle) ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>idle</state>"
        "<lastactive>2003-01-27T10:43:00Z</lastactive></isComposing>");
}

TEST_CASE("isComposing build -> parse round trip", "[unit][bridge]") {
  for (const char* sample : {kActive, kIdle}) {
    auto first = parse_is_composing(sample);
    REQUIRE(first.ok());
    auto second = parse_is_composing(build_is_composing(*first));
    REQUIRE(second.ok());
    CHECK(*second == *first);
  }
  IsComposing odd;
  odd.state = ComposingState::active;
  odd.content_type = "text/x-<&>";
  odd.refresh = 86400;
  auto parsed = parse_is_composing(build_is_composing(odd));
  REQUIRE(parsed.ok());
  CHECK(*parsed == odd);
}

TEST_CASE("XEP-0085 chat states map to isComposing", "[unit][bridge]") {
  using xf::bridge::is_composing_for_chat_state;
  const IsComposing composing = is_composing_for_chat_state(ChatState::composing);
  CHECK(composing.state == ComposingState::active);
  CHECK(composing.refresh == xf::bridge::kComposingRefreshSeconds);
  CHECK(xf::bridge::kComposingRefreshSeconds == 60);
  CHECK(composing.content_type.empty());
  CHECK(composing.last_active.empty());
  for (ChatState state :
       {ChatState::paused, ChatState::active, ChatState::inactive, ChatState::gone}) {
    INFO(xf::bridge::to_string(state));
    const IsComposing idle = is_composing_for_chat_state(state);
    CHECK(idle.state == ComposingState::idle);
    CHECK_FALSE(idle.refresh.has_value());
  }
  CHECK(build_is_composing(composing) ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>active</state>"
        "<refresh>60</refresh></isComposing>");
}

TEST_CASE("isComposing maps to XEP-0085 chat states", "[unit][bridge]") {
  using xf::bridge::chat_state_for_is_composing;
  IsComposing doc;
  doc.state = ComposingState::active;
  CHECK(chat_state_for_is_composing(doc) == ChatState::composing);
  doc.state = ComposingState::idle;
  CHECK(chat_state_for_is_composing(doc) == ChatState::paused);
  CHECK(xf::xml::to_string(xf::bridge::chat_state_element(ChatState::composing)) ==
        "<composing xmlns='http://jabber.org/protocol/chatstates'/>");
  CHECK(xf::xml::to_string(xf::bridge::chat_state_element(ChatState::paused)) ==
        "<paused xmlns='http://jabber.org/protocol/chatstates'/>");
}

TEST_CASE("Chat states are read from messages", "[unit][bridge]") {
  using xf::bridge::chat_state_of;
  for (const char* name : {"active", "composing", "paused", "inactive", "gone"}) {
    Element m = message();
    m.add_child(name, std::string(xf::bridge::kChatStatesNs));
    auto state = chat_state_of(m);
    REQUIRE(state.has_value());
    CHECK(xf::bridge::to_string(*state) == name);
  }
  Element none = message();
  none.add_child("body", "jabber:server").add_text("hi");
  CHECK_FALSE(chat_state_of(none).has_value());
  Element wrong_ns = message();
  wrong_ns.add_child("composing", "urn:other");
  CHECK_FALSE(chat_state_of(wrong_ns).has_value());
  Element unknown = message();
  unknown.add_child("typing", std::string(xf::bridge::kChatStatesNs));
  unknown.add_child("paused", std::string(xf::bridge::kChatStatesNs));
  CHECK(chat_state_of(unknown) == ChatState::paused);
}
