// Instant messages both ways, page mode and inside sessions: the page-mode mapper
// (bridge/message_mapper.h) plus chat states (XEP-0085 <-> RFC 3994, bridge/is_composing.h).
//
// XMPP -> SIP:
//   a message with a <body>        MESSAGE text/plain (the message mapper). A chat state next to
//                                  the body is not sent separately: RFC 3994 §3.3 lets the
//                                  message itself end the "active" state, which is what a
//                                  body's <active/> means.
//   no body, a chat state child    MESSAGE application/im-iscomposing+xml: <composing/> ->
//                                  state active with refresh 60; <paused/>, <active/>,
//                                  <inactive/>, <gone/> -> state idle.
//   no body, no chat state         ignored (receipts and the like are not mapped).
// SIP -> XMPP:
//   text/plain                     <message type='chat'> with <body> (the message mapper) and an
//                                  <active/> chat state, so that XEP-0085 clients see that
//                                  this contact takes chat states (XEP-0085 §5.1).
//   application/im-iscomposing+xml <message type='chat'> without a body: state active ->
//                                  <composing/>, idle -> <paused/>.
//   anything else                  415 with Accept: text/plain, application/im-iscomposing+xml.
// Inside a session (im_sessions.h) the session's thread id becomes <thread> unless the request
// carried one of its own.
#pragma once

#include <string_view>

#include "common/core/log.h"
#include "common/core/result.h"
#include "common/xml/element.h"
#include "frontend-gateway/bridge/is_composing.h"
#include "frontend-gateway/bridge/message_mapper.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::gw {

// The Accept header of a 415 to an instant message (RFC 3261 §21.4.13).
inline constexpr std::string_view kImAccept = "text/plain, application/im-iscomposing+xml";

class ImMapper {
 public:
  explicit ImMapper(bridge::MapperLimits limits = {}, Logger log = Logger("im-map"));

  Result<bridge::XmppToSip, bridge::StanzaFailure> to_sip(const xml::Element& message) const;

  // stanza_id becomes the id attribute; thread ("" for none) the <thread> when the request
  // names none.
  Result<xml::Element, bridge::SipFailure> to_xmpp(const sip::SipMessage& request,
                                                   std::string_view stanza_id,
                                                   std::string_view thread = {}) const;

 private:
  Result<bridge::XmppToSip, bridge::StanzaFailure> chat_state_to_sip(
      const xml::Element& message, bridge::ChatState state) const;
  Result<xml::Element, bridge::SipFailure> composing_to_xmpp(const sip::SipMessage& request,
                                                             std::string_view stanza_id) const;

  bridge::MessageMapper page_;
  Logger log_;
};

}  // namespace xf::gw
