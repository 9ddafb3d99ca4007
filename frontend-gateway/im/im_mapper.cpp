#include "frontend-gateway/im/im_mapper.h"

#include <utility>

#include "common/xmpp/jid.h"
#include "common/xmpp/stream_error.h"
#include "frontend-gateway/bridge/address_map.h"
#include "frontend-gateway/bridge/xml_text.h"

namespace xf::gw {

namespace {

using bridge::SipFailure;
using bridge::StanzaFailure;
using xmpp::StanzaError;

Unexpected<StanzaFailure> refuse(StanzaError condition, std::string text) {
  return fail(StanzaFailure{condition, std::move(text)});
}

Unexpected<SipFailure> refuse_sip(int status, std::string detail) {
  return fail(SipFailure{status, std::move(detail), {}});
}

bool has_body(const xml::Element& message) {
  for (const xml::Element* c : message.children()) {
    if (c->name() == "body" && c->xmlns() == message.xmlns() && !c->text().empty()) return true;
  }
  return false;
}

}  // namespace

ImMapper::ImMapper(bridge::MapperLimits limits, Logger log) : page_(limits, log), log_(log) {}

Result<bridge::XmppToSip, StanzaFailure> ImMapper::to_sip(const xml::Element& message) const {
  const std::string_view type = message.attr("type");
  // Error, headline and groupchat messages keep the page mapper's treatment even when they
  // carry a chat state; so does every message with a body.
  const bool plain_type = type.empty() || type == "chat" || type == "normal";
  if (message.name() == "message" && plain_type && !has_body(message)) {
    if (auto state = bridge::chat_state_of(message)) return chat_state_to_sip(message, *state);
  }
  return page_.to_sip(message);
}

Result<bridge::XmppToSip, StanzaFailure> ImMapper::chat_state_to_sip(
    const xml::Element& message, bridge::ChatState state) const {
  auto from = xmpp::Jid::parse(message.attr("from"));
  if (!from) return refuse(StanzaError::jid_malformed, "'from' is not a valid JID");
  auto to = xmpp::Jid::parse(message.attr("to"));
  if (!to) return refuse(StanzaError::jid_malformed, "'to' is not a valid JID");
  if (to->local().empty()) {
    return refuse(StanzaError::service_unavailable, "the gateway's domain takes no messages");
  }
  auto from_uri = bridge::sip_uri_for_jid(from->bare());
  if (!from_uri) return refuse(StanzaError::jid_malformed, from_uri.error().detail);
  auto to_uri = bridge::sip_uri_for_jid(to->bare());
  if (!to_uri) return refuse(StanzaError::jid_malformed, to_uri.error().detail);

  bridge::XmppToSip out;
  out.action = bridge::XmppToSip::Action::send;
  out.request.from_uri = std::move(from_uri.value());
  out.request.to_uri = std::move(to_uri.value());
  out.request.content_type = std::string(bridge::kIsComposingContentType);
  out.request.body = bridge::build_is_composing(bridge::is_composing_for_chat_state(state));
  log_.debug("chat state <", bridge::to_string(state), "/> from ", from->to_string(),
             " -> isComposing");
  return out;
}

Result<xml::Element, SipFailure> ImMapper::to_xmpp(const sip::SipMessage& request,
                                                   std::string_view stanza_id,
                                                   std::string_view thread) const {
  Result<xml::Element, SipFailure> mapped =
      request.content_type() == bridge::kIsComposingContentType
          ? composing_to_xmpp(request, stanza_id)
          : page_.to_xmpp(request, stanza_id);
  if (!mapped) {
    if (mapped.error().status == 415) {
      SipFailure failure = mapped.error();
      failure.headers = {{"Accept", std::string(kImAccept)}};
      return fail(std::move(failure));
    }
    return mapped;
  }
  xml::Element& message = *mapped;
  if (message.child("body", message.xmlns()) != nullptr) {
    message.add_child(bridge::chat_state_element(bridge::ChatState::active));
  }
  if (!thread.empty() && message.child("thread", message.xmlns()) == nullptr) {
    message.add_child("thread", message.xmlns()).add_text(std::string(thread));
  }
  return mapped;
}

Result<xml::Element, SipFailure> ImMapper::composing_to_xmpp(const sip::SipMessage& request,
                                                             std::string_view stanza_id) const {
  auto doc = bridge::parse_is_composing(request.body());
  if (!doc) return refuse_sip(400, "isComposing document: " + doc.error().detail);
  auto from = bridge::jid_for_sip_uri(request.from().uri);
  if (!from) return refuse_sip(400, "From URI: " + from.error().detail);
  auto to = bridge::jid_for_sip_uri(request.to().uri);
  if (!to) return refuse_sip(404, "To URI: " + to.error().detail);
  if (to->local().empty()) return refuse_sip(404, "To URI names no user");

  xml::Element message("message", std::string(xmpp::kServerNs));
  message.set_attr("from", from->to_string());
  message.set_attr("to", to->to_string());
  message.set_attr("type", "chat");
  if (!stanza_id.empty()) message.set_attr("id", std::string(stanza_id));
  message.add_child(bridge::chat_state_element(bridge::chat_state_for_is_composing(*doc)));
  return message;
}

}  // namespace xf::gw
