#include "frontend-gateway/bridge/message_mapper.h"

#include <catch2/catch.hpp>
#include <string>

#include "frontend-gateway/bridge/error_reply.h"
#include "frontend-gateway/bridge/is_composing.h"

namespace {

using xf::bridge::MessageMapper;
using xf::bridge::XmppToSip;
using xf::sip::SipMessage;
using xf::xml::Element;
using E = xf::xmpp::StanzaError;
using xf::bridge::kChatStatesNs;

constexpr const char* kNs = "jabber:server";

Element message(const std::string& type, const std::string& body = {}) {
  Element m("message", kNs);
  m.set_attr("from", "romeo@partner.example/orchard");
  m.set_attr("to", "juliet@sip.example.com");
  m.set_attr("id", "m1");
  if (!type.empty()) m.set_attr("type", type);
  if (!body.empty()) m.add_child("body", kNs).add_text(body);
  return m;
}

std::string crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

SipMessage sip_message(const std::string& content_type, const std::string& body,
                       const std::string& extra = {}, const std::string& method = "MESSAGE") {
  std::string text = method +
                     " sip:juliet@gw.example.com SIP/2.0\n"
                     "Via: SIP/2.0/TCP 127.0.0.1:5061;branch=z9hG4bK-1\n"
                     "From: \"Juliet\" <sip:Juliet@sip.example.com>;tag=77\n"
                     "To: <sip:romeo@partner.example>\n"
                     "Call-ID: c1@127.0.0.1\n"
                     "CSeq: 1 " +
                     method + "\n" + extra;
  if (!content_type.empty()) text += "Content-Type: " + content_type + "\n";
  text += "Content-Length: " + std::to_string(body.size()) + "\n\n";
  auto parsed = SipMessage::parse(crlf(text) + body);
  REQUIRE(parsed.ok());
  return std::move(parsed.value());
}

}  // namespace

TEST_CASE("XMPP chat message becomes a SIP MESSAGE", "[unit][bridge]") {
  Element m = message("chat");
  m.set_attr("xml:lang", "en");
  m.add_child("subject", kNs).add_text("Balcony");
  m.add_child("body", kNs).add_text("Wherefore art thou? <&>");
  m.add_child("thread", kNs).add_text("e0ffe42b28561960c6b12b944a092794b9683a38");
  m.add_child("active", "http://jabber.org/protocol/chatstates");

  MessageMapper mapper;
  auto mapped = mapper.to_sip(m);
  REQUIRE(mapped.ok());
  REQUIRE(mapped->action == XmppToSip::Action::send);
  const auto& req = mapped->request;
  CHECK(req.from_uri == "sip:romeo@partner.example");
  CHECK(req.to_uri == "sip:juliet@sip.example.com");
  CHECK(req.body == "Wherefore art thou? <&>");
  CHECK(req.subject == "Balcony");
  CHECK(req.content_language == "en");
  CHECK(req.thread == "e0ffe42b28561960c6b12b944a092794b9683a38");

  auto sip = SipMessage::make_request("MESSAGE", req.to_uri);
  REQUIRE(sip.ok());
  REQUIRE(req.apply_to(*sip, "gwtag1").ok());
  REQUIRE(sip->set_call_id("c9@gw").ok());
  REQUIRE(sip->set_cseq(1, "MESSAGE").ok());
  REQUIRE(sip->push_via("TCP", "gw.example.com", "z9hG4bKx").ok());
  auto text = sip->to_string();
  REQUIRE(text.ok());
  CHECK(text->find("\r\nSubject: Balcony\r\n") != std::string::npos);
  CHECK(text->find("\r\nContent-Language: en\r\n") != std::string::npos);
  CHECK(text->find("\r\nX-XMPP-Thread: e0ffe42b28561960c6b12b944a092794b9683a38\r\n") !=
        std::string::npos);
  auto back = SipMessage::parse(*text);
  REQUIRE(back.ok());
  CHECK(back->request_uri() == "sip:juliet@sip.example.com");
  CHECK(back->from().uri == "sip:romeo@partner.example");
  CHECK(back->from().tag == "gwtag1");
  CHECK(back->to().uri == "sip:juliet@sip.example.com");
  CHECK(back->to().tag.empty());
  CHECK(back->content_type() == "text/plain");
  CHECK(back->content_type_param("charset") == "UTF-8");
  CHECK(back->body() == "Wherefore art thou? <&>");
}

TEST_CASE("XMPP message types: normal, none, error, headline, groupchat", "[unit][bridge]") {
  MessageMapper mapper;
  for (const char* type : {"normal", "", "unknown-type"}) {
    INFO(type);
    auto mapped = mapper.to_sip(message(type, "hi"));
    REQUIRE(mapped.ok());
    CHECK(mapped->action == XmppToSip::Action::send);
  }
  for (const char* type : {"error", "headline"}) {
    INFO(type);
    auto mapped = mapper.to_sip(message(type, "hi"));
    REQUIRE(mapped.ok());
    CHECK(mapped->action == XmppToSip::Action::ignore);
    CHECK_FALSE(mapped->reason.empty());
  }
  auto group = mapper.to_sip(message("groupchat", "hi"));
  REQUIRE_FALSE(group.ok());
  CHECK(group.error().condition == E::service_unavailable);
  CHECK(group.error().text.find("groupchat") != std::string::npos);
}

TEST_CASE("Body-less XMPP messages without a chat state are ignored explicitly", "[unit][bridge]") {
  MessageMapper mapper;
  Element receipt = message("chat");
  receipt.add_child("received", "urn:xmpp:receipts").set_attr("id", "m0");
  auto mapped = mapper.to_sip(receipt);
  REQUIRE(mapped.ok());
  CHECK(mapped->action == XmppToSip::Action::ignore);
  CHECK(mapped->reason.find("no body") != std::string::npos);
  Element empty = message("chat");
  empty.add_child("body", kNs);
  CHECK(mapper.to_sip(empty)->action == XmppToSip::Action::ignore);
}

TEST_CASE("A body-less chat state becomes an isComposing MESSAGE", "[unit][bridge]") {
  MessageMapper mapper;
  Element composing = message("chat");
  composing.add_child("composing", std::string(kChatStatesNs));
  auto mapped = mapper.to_sip(composing);
  REQUIRE(mapped.ok());
  REQUIRE(mapped->action == XmppToSip::Action::send);
  CHECK(mapped->request.content_type == "application/im-iscomposing+xml");
  CHECK(mapped->request.from_uri == "sip:romeo@partner.example");
  CHECK(mapped->request.to_uri == "sip:juliet@sip.example.com");
  CHECK(mapped->request.body.find("<state>active</state>") != std::string::npos);

  Element paused = message("");
  paused.add_child("paused", std::string(kChatStatesNs));
  auto idle = mapper.to_sip(paused);
  REQUIRE(idle.ok());
  REQUIRE(idle->action == XmppToSip::Action::send);
  CHECK(idle->request.body.find("<state>idle</state>") != std::string::npos);

  // Next to a body the chat state goes with the text; headline and error keep being ignored.
  Element with_body = message("chat", "hi");
  with_body.add_child("active", std::string(kChatStatesNs));
  auto text = mapper.to_sip(with_body);
  REQUIRE(text.ok());
  CHECK(text->request.content_type == "text/plain;charset=UTF-8");
  for (const char* type : {"headline", "error"}) {
    INFO(type);
    Element other = message(type);
    other.add_child("composing", std::string(kChatStatesNs));
    auto ignored = mapper.to_sip(other);
    REQUIRE(ignored.ok());
    CHECK(ignored->action == XmppToSip::Action::ignore);
  }
}

TEST_CASE("XMPP message body chosen by xml:lang", "[unit][bridge]") {
  Element m = message("chat");
  m.set_attr("xml:lang", "de");
  m.add_child("body", kNs).set_attr("xml:lang", "en").add_text("hello");
  m.add_child("body", kNs).set_attr("xml:lang", "de").add_text("hallo");
  auto mapped = MessageMapper().to_sip(m);
  REQUIRE(mapped.ok());
  CHECK(mapped->request.body == "hallo");
  CHECK(mapped->request.content_language == "de");
}

TEST_CASE("XMPP data that would inject SIP headers is refused", "[unit][bridge]") {
  MessageMapper mapper;
  Element subject = message("chat", "hi");
  subject.add_child("subject", kNs).add_text("hi\r\nVia: SIP/2.0/TCP evil;branch=z9hG4bK1");
  auto s = mapper.to_sip(subject);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().condition == E::bad_request);

  Element thread = message("chat", "hi");
  thread.add_child("thread", kNs).add_text("t1\nX-Evil: 1");
  REQUIRE_FALSE(mapper.to_sip(thread).ok());
  CHECK(mapper.to_sip(thread).error().condition == E::bad_request);

  Element lang = message("chat", "hi");
  lang.set_attr("xml:lang", "en\r\nX: y");
  REQUIRE_FALSE(mapper.to_sip(lang).ok());

  Element from = message("chat", "hi");
  from.set_attr("from", "romeo@partner.example/orchard\r\nVia: evil");
  REQUIRE_FALSE(mapper.to_sip(from).ok());
  CHECK(mapper.to_sip(from).error().condition == E::jid_malformed);

  Element to_domain = message("chat", "hi");
  to_domain.set_attr("to", "sip.example.com");
  REQUIRE_FALSE(mapper.to_sip(to_domain).ok());
  CHECK(mapper.to_sip(to_domain).error().condition == E::service_unavailable);

  xf::bridge::MapperLimits small;
  small.max_body_bytes = 3;
  auto big = MessageMapper(small).to_sip(message("chat", "four"));
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().condition == E::policy_violation);
}

TEST_CASE("SIP MESSAGE becomes an XMPP chat message", "[unit][bridge]") {
  const SipMessage sip = sip_message("text/plain;charset=UTF-8", "Good night \xe2\x9c\xa8 <&>",
                                     "Subject: Parting\nContent-Language: en\n"
                                     "X-XMPP-Thread: th-1\n");
  auto mapped = MessageMapper().to_xmpp(sip, "gw-1");
  REQUIRE(mapped.ok());
  CHECK(xf::xml::to_string(*mapped) ==
        "<message xmlns='jabber:server' from='juliet@sip.example.com' "
        "to='romeo@partner.example' type='chat' id='gw-1' xml:lang='en'>"
        "<subject>Parting</subject><body>Good night \xe2\x9c\xa8 &lt;&amp;&gt;</body>"
        "<thread>th-1</thread><active xmlns='http://jabber.org/protocol/chatstates'/>"
        "</message>");

  // Minimal: no charset, no optional headers.
  auto plain = MessageMapper().to_xmpp(sip_message("text/plain", "hi"), "gw-2");
  REQUIRE(plain.ok());
  CHECK(xf::xml::to_string(*plain) ==
        "<message xmlns='jabber:server' from='juliet@sip.example.com' "
        "to='romeo@partner.example' type='chat' id='gw-2'><body>hi</body>"
        "<active xmlns='http://jabber.org/protocol/chatstates'/></message>");

  // Inside a session the session's thread joins, unless the request names its own.
  auto in_session = MessageMapper().to_xmpp(sip_message("text/plain", "hi"), "gw-3", "s-1");
  REQUIRE(in_session.ok());
  CHECK(in_session->child_text("thread") == "s-1");
  auto own = MessageMapper().to_xmpp(sip_message("text/plain", "hi", "X-XMPP-Thread: th-2\n"),
                                     "gw-4", "s-1");
  REQUIRE(own.ok());
  CHECK(own->child_text("thread") == "th-2");
}

TEST_CASE("A SIP isComposing MESSAGE becomes a body-less chat state", "[unit][bridge]") {
  const std::string doc =
      "<?xml version='1.0' encoding='UTF-8'?><isComposing "
      "xmlns='urn:ietf:params:xml:ns:im-iscomposing'><state>active</state>"
      "<refresh>60</refresh></isComposing>";
  auto mapped =
      MessageMapper().to_xmpp(sip_message("application/im-iscomposing+xml", doc), "gw-5", "s-1");
  REQUIRE(mapped.ok());
  CHECK(xf::xml::to_string(*mapped) ==
        "<message xmlns='jabber:server' from='juliet@sip.example.com' "
        "to='romeo@partner.example' type='chat' id='gw-5'>"
        "<composing xmlns='http://jabber.org/protocol/chatstates'/><thread>s-1</thread>"
        "</message>");
}

TEST_CASE("SIP MESSAGEs the gateway cannot map get a final response", "[unit][bridge]") {
  MessageMapper mapper;
  auto html = mapper.to_xmpp(sip_message("text/html", "<b>hi</b>"), "x");
  REQUIRE_FALSE(html.ok());
  CHECK(html.error().status == 415);
  const SipMessage html_req = sip_message("text/html", "<b>hi</b>");
  auto response = html.error().response_to(html_req, "gw9");
  REQUIRE(response.ok());
  CHECK(response->status_code() == 415);
  // Both bodies the gateway takes.
  CHECK(response->to_string()->find("Accept: text/plain, application/im-iscomposing+xml") !=
        std::string::npos);
  CHECK(response->to().tag == "gw9");

  auto composing =
      mapper.to_xmpp(sip_message("application/im-iscomposing+xml", "<isComposing/>"), "x");
  REQUIRE_FALSE(composing.ok());
  CHECK(composing.error().status == 400);

  auto latin1 = mapper.to_xmpp(sip_message("text/plain;charset=ISO-8859-1", "caf\xe9"), "x");
  REQUIRE_FALSE(latin1.ok());
  CHECK(latin1.error().status == 415);

  auto bad_utf8 = mapper.to_xmpp(sip_message("text/plain", "caf\xe9"), "x");
  REQUIRE_FALSE(bad_utf8.ok());
  CHECK(bad_utf8.error().status == 400);

  auto control = mapper.to_xmpp(sip_message("text/plain", std::string("a\x01z")), "x");
  REQUIRE_FALSE(control.ok());
  CHECK(control.error().status == 400);

  auto empty = mapper.to_xmpp(sip_message("", ""), "x");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().status == 400);

  auto options = mapper.to_xmpp(sip_message("", "", "", "OPTIONS"), "x");
  REQUIRE_FALSE(options.ok());
  CHECK(options.error().status == 405);
  CHECK(options.error().headers.at(0).first == "Allow");
}

TEST_CASE("Error replies to XMPP messages", "[unit][bridge]") {
  Element m = message("chat", "hi");
  auto reply = xf::bridge::error_reply(m, E::recipient_unavailable);
  REQUIRE(reply.has_value());
  CHECK(reply->attr("type") == "error");
  CHECK(reply->attr("from") == "juliet@sip.example.com");
  CHECK(reply->attr("to") == "romeo@partner.example/orchard");
  CHECK(reply->attr("id") == "m1");
  CHECK(reply->child_text("body") == "hi");  // Original children kept.
  const Element* error = reply->child("error");
  REQUIRE(error != nullptr);
  CHECK(error->attr("type") == "wait");
  CHECK(error->child("recipient-unavailable", "urn:ietf:params:xml:ns:xmpp-stanzas") != nullptr);

  // Never answer an error with an error.
  CHECK_FALSE(xf::bridge::error_reply(*reply, E::bad_request).has_value());

  auto busy = xf::bridge::error_reply_for_sip_status(m, 486, "Busy Here");
  REQUIRE(busy.has_value());
  const Element* e2 = busy->child("error");
  REQUIRE(e2 != nullptr);
  CHECK(e2->child("recipient-unavailable") != nullptr);
  CHECK(e2->child_text("text") == "SIP 486 Busy Here");

  auto timeout = xf::bridge::error_reply_for_sip_status(m, 408);
  REQUIRE(timeout.has_value());
  CHECK(timeout->child("error")->child("remote-server-timeout") != nullptr);
  CHECK(timeout->child("error")->child_text("text") == "SIP 408");

  // A reason phrase that XML cannot carry is left out.
  auto junk = xf::bridge::error_reply_for_sip_status(m, 500, "bad\xff");
  REQUIRE(junk.has_value());
  CHECK(junk->child("error")->child_text("text") == "SIP 500");
}
