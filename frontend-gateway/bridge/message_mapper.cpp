#include "frontend-gateway/bridge/message_mapper.h"

#include "common/xmpp/jid.h"
#include "frontend-gateway/bridge/address_map.h"
#include "frontend-gateway/bridge/is_composing.h"
#include "frontend-gateway/bridge/xml_text.h"
#include "frontend-gateway/sip/sip_syntax.h"

namespace xf::bridge {

namespace {

using xmpp::StanzaError;

Unexpected<StanzaFailure> refuse(StanzaError condition, std::string text) {
  return fail(StanzaFailure{condition, std::move(text)});
}

Unexpected<SipFailure> refuse_sip(int status, std::string detail) {
  return fail(SipFailure{status, std::move(detail), {}});
}

// RFC 5646 language tags are letters, digits and hyphens; 35 characters cover every real tag.
bool is_language_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 35) return false;
  for (char c : tag) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The child in the stanza's namespace whose xml:lang matches the stanza's (or has none),
// else the first one (RFC 6121 §5.2.3: several <body/> elements differ only in xml:lang).
const xml::Element* pick_by_lang(const xml::Element& message, std::string_view name,
                                 std::string_view lang) {
  const xml::Element* first = nullptr;
  for (const xml::Element* c : message.children()) {
    if (c->name() != name || c->xmlns() != message.xmlns()) continue;
    if (first == nullptr) first = c;
    const std::string_view own = c->attr("xml:lang");
    if (own.empty() || own == lang) return c;
  }
  return first;
}

// Whether any <body/> in the stanza's namespace has text, whatever its xml:lang.
bool has_body(const xml::Element& message) {
  for (const xml::Element* c : message.children()) {
    if (c->name() == "body" && c->xmlns() == message.xmlns() && !c->text().empty()) return true;
  }
  return false;
}

// The <message type='chat'> a MESSAGE becomes, before its content: From -> from, To -> to
// (RFC 7572 §5).
Result<xml::Element, SipFailure> chat_message(const sip::SipMessage& request,
                                              std::string_view stanza_id) {
  auto from = jid_for_sip_uri(request.from().uri);
  if (!from) return refuse_sip(400, "From URI: " + from.error().detail);
  auto to = jid_for_sip_uri(request.to().uri);
  if (!to) return refuse_sip(404, "To URI: " + to.error().detail);
  if (to->local().empty()) return refuse_sip(404, "To URI names no user");
  xml::Element message("message", std::string(xmpp::kServerNs));
  message.set_attr("from", from->to_string());
  message.set_attr("to", to->to_string());
  message.set_attr("type", "chat");
  if (!stanza_id.empty()) message.set_attr("id", std::string(stanza_id));
  return message;
}

}  // namespace

Status SipImRequest::apply_to(sip::SipMessage& request, std::string_view from_tag) const {
  if (auto s = request.set_from({"", from_uri, std::string(from_tag)}); !s) return s;
  if (auto s = request.set_to({"", to_uri, ""}); !s) return s;
  if (auto s = request.set_body(content_type, body); !s) return s;
  if (!subject.empty()) {
    if (auto s = request.set_header("Subject", subject); !s) return s;
  }
  if (!content_language.empty()) {
    if (auto s = request.set_header("Content-Language", content_language); !s) return s;
  }
  if (!thread.empty()) {
    if (auto s = request.set_header(kThreadHeader, thread); !s) return s;
  }
  return {};
}

Result<sip::SipMessage> SipFailure::response_to(const sip::SipMessage& request,
                                                std::string_view to_tag) const {
  return sip::SipMessage::make_response(request, status, {}, to_tag, headers);
}

MessageMapper::MessageMapper(MapperLimits limits, Logger log)
    : limits_(limits), log_(std::move(log)) {}

Result<XmppToSip, StanzaFailure> MessageMapper::to_sip(const xml::Element& message) const {
  XmppToSip out;
  const std::string_view id = message.attr("id");
  if (message.name() != "message") {
    return refuse(StanzaError::bad_request, "not a message stanza");
  }
  const std::string_view type = message.attr("type");
  if (type == "error") {
    out.reason = "error message: never answered, nothing to relay in page mode";
    log_.debug("ignoring message id='", id, "': ", out.reason);
    return out;
  }
  if (type == "headline") {
    out.reason = "headline message: not mapped to SIP, and never answered with an error";
    log_.debug("ignoring message id='", id, "': ", out.reason);
    return out;
  }
  if (type == "groupchat") {
    return refuse(StanzaError::service_unavailable,
                  "groupchat messages cannot be delivered to a SIP user");
  }

  auto from = xmpp::Jid::parse(message.attr("from"));
  if (!from) return refuse(StanzaError::jid_malformed, "'from' is not a valid JID");
  auto to = xmpp::Jid::parse(message.attr("to"));
  if (!to) return refuse(StanzaError::jid_malformed, "'to' is not a valid JID");
  if (to->local().empty()) {
    return refuse(StanzaError::service_unavailable, "the gateway's domain takes no messages");
  }

  const std::string_view lang = message.attr("xml:lang");
  const xml::Element* body = pick_by_lang(message, "body", lang);
  std::optional<ChatState> state;
  if (body == nullptr || body->text().empty()) {
    // Only chat and normal messages carry a chat state to SIP; error, headline and groupchat
    // keep their treatment above, and a message with a body is an IM whatever its chat state.
    const bool plain_type = type.empty() || type == "chat" || type == "normal";
    if (plain_type && !has_body(message)) state = chat_state_of(message);
    if (!state) {
      out.reason = "no body and no chat state (receipts and the like are not mapped)";
      log_.debug("ignoring message id='", id, "' from ", from->to_string(), ": ", out.reason);
      return out;
    }
  }

  SipImRequest& req = out.request;
  auto from_uri = sip_uri_for_jid(from->bare());
  if (!from_uri) return refuse(StanzaError::jid_malformed, from_uri.error().detail);
  auto to_uri = sip_uri_for_jid(to->bare());
  if (!to_uri) return refuse(StanzaError::jid_malformed, to_uri.error().detail);
  req.from_uri = std::move(from_uri.value());
  req.to_uri = std::move(to_uri.value());

  if (state) {
    req.content_type = std::string(kIsComposingContentType);
    req.body = build_is_composing(is_composing_for_chat_state(*state));
    log_.debug("chat state <", to_string(*state), "/> from ", from->to_string(), " -> isComposing");
    out.action = XmppToSip::Action::send;
    return out;
  }

  req.body = body->text();
  if (req.body.size() > limits_.max_body_bytes) {
    return refuse(StanzaError::policy_violation, "message body too large for SIP");
  }

  const std::string_view body_lang = body->has_attr("xml:lang") ? body->attr("xml:lang") : lang;
  if (!body_lang.empty()) {
    if (!is_language_tag(body_lang)) {
      return refuse(StanzaError::bad_request, "xml:lang is not a language tag");
    }
    req.content_language = std::string(body_lang);
  }

  if (const xml::Element* subject = pick_by_lang(message, "subject", lang); subject != nullptr) {
    req.subject = subject->text();
    if (!sip::is_header_safe(req.subject)) {
      return refuse(StanzaError::bad_request,
                    "subject holds line breaks or control characters a SIP header cannot carry");
    }
    if (req.subject.size() > limits_.max_subject_bytes) {
      return refuse(StanzaError::policy_violation, "subject too long");
    }
  }

  if (const xml::Element* thread = message.child("thread", message.xmlns()); thread != nullptr) {
    req.thread = thread->text();
    if (!sip::is_header_safe(req.thread) || req.thread.find(' ') != std::string::npos) {
      return refuse(StanzaError::bad_request,
                    "thread id holds characters a SIP header cannot carry");
    }
    if (req.thread.size() > limits_.max_thread_bytes) {
      return refuse(StanzaError::policy_violation, "thread id too long");
    }
  }
  out.action = XmppToSip::Action::send;
  return out;
}

Result<xml::Element, SipFailure> MessageMapper::to_xmpp(const sip::SipMessage& request,
                                                        std::string_view stanza_id,
                                                        std::string_view thread) const {
  if (!request.is_request() || request.method() != "MESSAGE") {
    SipFailure failure{405, "only MESSAGE maps to an XMPP message", {{"Allow", "MESSAGE"}}};
    return fail(std::move(failure));
  }
  Result<xml::Element, SipFailure> mapped = request.content_type() == kIsComposingContentType
                                                ? composing_to_xmpp(request, stanza_id)
                                                : text_to_xmpp(request, stanza_id);
  if (!mapped) return mapped;
  xml::Element& message = *mapped;
  if (!thread.empty() && message.child("thread", message.xmlns()) == nullptr) {
    message.add_child("thread", message.xmlns()).add_text(std::string(thread));
  }
  return mapped;
}

Result<xml::Element, SipFailure> MessageMapper::composing_to_xmpp(
    const sip::SipMessage& request, std::string_view stanza_id) const {
  auto doc = parse_is_composing(request.body());
  if (!doc) return refuse_sip(400, "isComposing document: " + doc.error().detail);
  auto mapped = chat_message(request, stanza_id);
  if (mapped) mapped->add_child(chat_state_element(chat_state_for_is_composing(*doc)));
  return mapped;
}

Result<xml::Element, SipFailure> MessageMapper::text_to_xmpp(const sip::SipMessage& request,
                                                             std::string_view stanza_id) const {
  const std::string body = request.body();
  if (body.empty()) return refuse_sip(400, "MESSAGE without a body");
  const std::string type = request.content_type();
  const auto charset = request.content_type_param("charset");
  const bool charset_ok =
      !charset || sip::iequals(*charset, "utf-8") || sip::iequals(*charset, "us-ascii");
  if (type != "text/plain" || !charset_ok) {
    SipFailure failure{
        415, "unsupported body type '" + type + "'", {{"Accept", std::string(kImAccept)}}};
    return fail(std::move(failure));
  }
  if (body.size() > limits_.max_body_bytes) return refuse_sip(413, "body too large");
  if (!is_xml_text(body)) return refuse_sip(400, "body is not UTF-8 text that XML can carry");

  auto mapped = chat_message(request, stanza_id);
  if (!mapped) return mapped;
  xml::Element& message = *mapped;
  if (auto lang = request.header("Content-Language"); lang && is_language_tag(*lang)) {
    message.set_attr("xml:lang", *lang);
  }
  if (auto subject = request.header("Subject"); subject && !subject->empty()) {
    if (!is_xml_text(*subject)) return refuse_sip(400, "Subject is not UTF-8 text");
    message.add_child("subject", std::string(xmpp::kServerNs))
        .add_text(std::string(utf8_prefix(*subject, limits_.max_subject_bytes)));
  }
  message.add_child("body", std::string(xmpp::kServerNs)).add_text(body);
  if (auto thread = request.header(kThreadHeader); thread && !thread->empty()) {
    if (thread->size() <= limits_.max_thread_bytes && is_xml_text(*thread)) {
      message.add_child("thread", std::string(xmpp::kServerNs)).add_text(*thread);
    }
  }
  // XEP-0085 §5.1: the first message of a conversation says whether the sender takes chat
  // states, and the SIP side does (isComposing).
  message.add_child(chat_state_element(ChatState::active));
  return mapped;
}

}  // namespace xf::bridge
