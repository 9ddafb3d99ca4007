// Chat states (XEP-0085 <-> RFC 3994 isComposing), 415 with Accept, and subject / thread /
// xml:lang both ways, through the gateway core with fake ports.
#include <catch2/catch.hpp>
#include <string>

#include "im_test_harness.h"

using namespace im_test;

namespace {

constexpr const char* kChatStatesNs = "http://jabber.org/protocol/chatstates";

std::string state_message(const std::string& state, const std::string& extra = "") {
  return "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
         "type='chat' id='cs1'><" +
         state + " xmlns='http://jabber.org/protocol/chatstates'/>" + extra + "</message>";
}

const std::string kActiveDoc =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>active</state>"
    "<refresh>60</refresh></isComposing>";
const std::string kIdleDoc =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>idle</state>"
    "</isComposing>";

Req composing_request(const std::string& state) {
  Req r;
  r.content_type = "application/im-iscomposing+xml";
  r.body =
      "<?xml version='1.0' encoding='UTF-8'?>\n"
      "<isComposing xmlns='urn:ietf:params:xml:ns:im-iscomposing'>\n"
      "  <state>" +
      state +
      "</state>\n  <contenttype>text/plain</contenttype>\n  <refresh>90</refresh>\n"
      "</isComposing>\n";
  return r;
}

// The element children of a stanza as "name|namespace" strings, in order.
std::vector<std::string> child_names(const xf::xml::Element& e) {
  std::vector<std::string> out;
  for (const xf::xml::Element* c : e.children()) out.push_back(c->name() + "|" + c->xmlns());
  return out;
}

}  // namespace

TEST_CASE("chat states: composing becomes isComposing active, the others idle",
          "[unit][gateway][im]") {
  struct Row {
    const char* state;
    const std::string* doc;
  };
  const Row rows[] = {{"composing", &kActiveDoc},
                      {"paused", &kIdleDoc},
                      {"active", &kIdleDoc},
                      {"inactive", &kIdleDoc},
                      {"gone", &kIdleDoc}};
  for (const Row& row : rows) {
    SECTION(row.state) {
      Harness h;
      h.from_partner(state_message(row.state));
      REQUIRE(h.sip.requests.size() == 1);
      SipMessage m = h.request(0);
      CHECK(m.method() == "MESSAGE");
      CHECK(m.request_uri() == "sip:bob@sip.example");
      CHECK(m.from().uri == "sip:alice@xmpp.example");
      CHECK(m.to().uri == "sip:bob@sip.example");
      CHECK(m.content_type() == "application/im-iscomposing+xml");
      CHECK(m.body() == *row.doc);
      CHECK(m.header("Subject") == std::nullopt);
    }
  }
}

TEST_CASE("chat states: a body with a chat state is one text/plain MESSAGE",
          "[unit][gateway][im]") {
  Harness h;
  h.from_partner(state_message("active", "<body>typed and sent</body>"));
  REQUIRE(h.sip.requests.size() == 1);
  CHECK(h.request(0).content_type() == "text/plain");
  CHECK(h.request(0).body() == "typed and sent");
}

TEST_CASE("chat states: a body-less message without a chat state is not sent",
          "[unit][gateway][im]") {
  Harness h;
  h.from_partner(
      "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
      "type='chat' id='r1'><received xmlns='urn:xmpp:receipts' id='x'/></message>");
  CHECK(h.sip.requests.empty());
  CHECK(h.relay.sent.empty());
}

TEST_CASE("chat states: isComposing active becomes <composing/>, idle <paused/>",
          "[unit][gateway][im]") {
  struct Row {
    const char* state;
    const char* chat_state;
  };
  const Row rows[] = {{"active", "composing"}, {"idle", "paused"}};
  for (const Row& row : rows) {
    SECTION(row.state) {
      Harness h;
      h.from_sip(composing_request(row.state));
      REQUIRE(h.relay.sent.size() == 1);
      xf::xml::Element m = h.relayed(0);
      CHECK(m.name() == "message");
      CHECK(m.xmlns() == "jabber:server");
      CHECK(m.attr("from") == "bob@sip.example");
      CHECK(m.attr("to") == "alice@xmpp.example");
      CHECK(m.attr("type") == "chat");
      CHECK(child_names(m) ==
            std::vector<std::string>{std::string(row.chat_state) + "|" + kChatStatesNs});
      h.gateway.on_relay_event(0, delivered(1));
      CHECK(h.sip.responses.empty());  // Held for the delivery grace window.
      h.end_grace();
      REQUIRE(h.sip.responses.size() == 1);
      CHECK(h.response(0).status_code() == 202);
    }
  }
}

TEST_CASE("chat states: a broken isComposing document is refused 400", "[unit][gateway][im]") {
  Harness h;
  Req r = composing_request("typing");
  h.from_sip(r);
  REQUIRE(h.sip.responses.size() == 1);
  CHECK(h.response(0).status_code() == 400);
  CHECK(h.relay.sent.empty());
}

TEST_CASE("im: unsupported content types get 415 with Accept", "[unit][gateway][im]") {
  for (const char* type : {"text/html", "application/x-ms-ink", "text/rtf"}) {
    SECTION(type) {
      Harness h;
      Req r;
      r.content_type = type;
      r.body = "<b>hello</b>";
      h.from_sip(r);
      REQUIRE(h.sip.responses.size() == 1);
      SipMessage answer = h.response(0);
      CHECK(answer.status_code() == 415);
      INFO(h.sip.responses[0].second);
      CHECK(h.sip.responses[0].second.find(
                "\r\nAccept: text/plain, application/im-iscomposing+xml\r\n") != std::string::npos);
      CHECK(h.relay.sent.empty());
    }
  }
}

TEST_CASE("im: a SIP text message carries <active/> next to its body", "[unit][gateway][im]") {
  Harness h;
  Req r;
  r.content_type = "text/plain;charset=UTF-8";
  r.body = "hello alice";
  h.from_sip(r);
  REQUIRE(h.relay.sent.size() == 1);
  xf::xml::Element m = h.relayed(0);
  CHECK(child_names(m) ==
        std::vector<std::string>{"body|jabber:server", std::string("active|") + kChatStatesNs});
  CHECK(m.child_text("body", "jabber:server") == "hello alice");
}

TEST_CASE("im: subject, thread and xml:lang map to SIP headers", "[unit][gateway][im]") {
  Harness h;
  h.from_partner(
      "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
      "type='chat' id='s1' xml:lang='de'><subject>Termin</subject><body>Morgen um zehn?</body>"
      "<thread>th-42</thread></message>");
  REQUIRE(h.sip.requests.size() == 1);
  SipMessage m = h.request(0);
  CHECK(m.header("Subject") == "Termin");
  CHECK(m.header("Content-Language") == "de");
  CHECK(m.header("X-XMPP-Thread") == "th-42");
  CHECK(m.body() == "Morgen um zehn?");
  CHECK(m.content_type() == "text/plain");
  CHECK(m.content_type_param("charset") == "UTF-8");
}

TEST_CASE("im: Subject, Content-Language and the thread header map to XMPP",
          "[unit][gateway][im]") {
  Harness h;
  Req r;
  r.content_type = "text/plain;charset=UTF-8";
  r.body = "A demain";
  r.extra = {"Subject: Rendez-vous", "Content-Language: fr", "X-XMPP-Thread: th-7"};
  h.from_sip(r);
  REQUIRE(h.relay.sent.size() == 1);
  xf::xml::Element m = h.relayed(0);
  CHECK(m.attr("xml:lang") == "fr");
  CHECK(m.child_text("subject", "jabber:server") == "Rendez-vous");
  CHECK(m.child_text("body", "jabber:server") == "A demain");
  CHECK(m.child_text("thread", "jabber:server") == "th-7");
}

TEST_CASE("im: a subject with a line break is refused, never injected", "[unit][gateway][im]") {
  Harness h;
  h.from_partner(
      "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
      "type='chat' id='s2'><subject>x&#13;&#10;Via: evil</subject><body>b</body></message>");
  CHECK(h.sip.requests.empty());
  REQUIRE(h.relay.sent.size() == 1);
  xf::xml::Element e = h.relayed(0);
  CHECK(e.attr("type") == "error");
  REQUIRE(e.child("error") != nullptr);
  CHECK(e.child("error")->child("bad-request", "urn:ietf:params:xml:ns:xmpp-stanzas") != nullptr);
}
