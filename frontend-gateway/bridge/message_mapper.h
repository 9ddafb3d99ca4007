// Instant messages both ways: page-mode text (RFC 7572, RFC 3428) and chat states (XEP-0085 <->
// RFC 3994, is_composing.h). The same mapping serves messages inside a session-mode dialog
// (im/im_sessions.h); docs/mapping.md has the whole table.
//
// XMPP -> SIP: <message type='chat'|'normal'> (a missing or unknown type counts as normal,
// RFC 6121 §5.2.2) with a <body> becomes a MESSAGE with Content-Type text/plain;charset=UTF-8.
// <subject> -> Subject, xml:lang -> Content-Language, <thread> -> X-XMPP-Thread (a header of
// our own: SIP has no thread concept and page mode has no dialog to hang it on; a SIP peer that
// echoes it lets the reply join the XMPP thread). A chat state next to a body is not sent
// separately: RFC 3994 §3.3 lets the message itself end the "active" state. Then:
//   no body, a chat state   MESSAGE application/im-iscomposing+xml (chat and normal only):
//                           <composing/> -> state active with refresh 60; <paused/>,
//                           <active/>, <inactive/>, <gone/> -> state idle;
//   no body, no chat state  receipts and the like are not mapped; ignored with a debug log;
//   type='error'            never answered (no error loops), ignored;
//   type='headline'         ignored: RFC 6121 §8.5.2.1.3 forbids an error reply and SIP page
//                           mode has no "notification" flavour;
//   type='groupchat'        refused with service-unavailable, as RFC 6121 §8.5.2.1.2 prescribes
//                           for groupchat to a bare JID; the text says why.
// Every value that goes into a SIP header is checked for CR/LF and other control characters;
// such a message is refused with bad-request rather than cleaned up.
//
// SIP -> XMPP: a MESSAGE with text/plain (charset absent, UTF-8 or US-ASCII) becomes
// <message type='chat' xmlns='jabber:server'>; From -> from, To -> to (RFC 7572 §5), Subject ->
// <subject>, Content-Language -> xml:lang, X-XMPP-Thread -> <thread>, plus an <active/> chat
// state so that XEP-0085 clients see that this contact takes chat states (XEP-0085 §5.1). An
// isComposing document becomes a body-less chat message: state active -> <composing/>, idle ->
// <paused/>. Other bodies are refused with 415 and an Accept header naming both types.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/core/log.h"
#include "common/core/result.h"
#include "common/xml/element.h"
#include "common/xmpp/stream_error.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::bridge {

// Header carrying the XMPP <thread> across SIP.
inline constexpr std::string_view kThreadHeader = "X-XMPP-Thread";
inline constexpr std::string_view kTextPlainUtf8 = "text/plain;charset=UTF-8";
// The Accept header of a 415 to an instant message (RFC 3261 §21.4.13), and of OPTIONS.
inline constexpr std::string_view kImAccept = "text/plain, application/im-iscomposing+xml";

struct MapperLimits {
  // Body bytes either way; the SIP framer's body limit (64 KiB) bounds the SIP side anyway.
  std::size_t max_body_bytes = 64 * 1024;
  // Subject header; one line of text, far above what any client sends.
  std::size_t max_subject_bytes = 1024;
  // Thread ids are short tokens (UUIDs); anything longer is not a thread id.
  std::size_t max_thread_bytes = 256;
};

// The MESSAGE an XMPP message becomes.
struct SipImRequest {
  std::string from_uri;          // sip:localpart@partner-domain (the sender's bare JID).
  std::string to_uri;            // Request-URI and To.
  std::string body;              // UTF-8 text.
  std::string subject;           // "" when none.
  std::string content_language;  // "" when none.
  std::string thread;            // "" when none.
  // The body's type: text/plain, or an isComposing document for a chat state.
  std::string content_type = std::string(kTextPlainUtf8);

  // Writes From (with from_tag), To, body, Content-Type, Subject, Content-Language and the
  // thread header into a request from SipMessage::make_request("MESSAGE", to_uri). Call-ID,
  // CSeq, Via and Max-Forwards are the transport's business.
  Status apply_to(sip::SipMessage& request, std::string_view from_tag) const;
};

// A stanza error for the XMPP sender.
struct StanzaFailure {
  xmpp::StanzaError condition = xmpp::StanzaError::undefined_condition;
  std::string text;
};

struct XmppToSip {
  enum class Action {
    send,    // request is filled: send it.
    ignore,  // Nothing to send and nothing to answer; reason says why (already logged).
  };
  Action action = Action::ignore;
  SipImRequest request;
  std::string reason;
};

// A SIP final response for the SIP sender.
struct SipFailure {
  int status = 500;
  std::string detail;                                        // For logs (never the message body).
  std::vector<std::pair<std::string, std::string>> headers;  // E.g. Accept: text/plain.

  // The response to the request (standard reason phrase, our To tag, headers added).
  Result<sip::SipMessage> response_to(const sip::SipMessage& request,
                                      std::string_view to_tag) const;
};

class MessageMapper {
 public:
  explicit MessageMapper(MapperLimits limits = {}, Logger log = Logger("im-map"));

  Result<XmppToSip, StanzaFailure> to_sip(const xml::Element& message) const;

  // stanza_id becomes the id attribute of the new stanza; thread ("" for none) its <thread>
  // when the request names none (the thread of a session-mode dialog).
  Result<xml::Element, SipFailure> to_xmpp(const sip::SipMessage& request,
                                           std::string_view stanza_id,
                                           std::string_view thread = {}) const;

 private:
  // An isComposing MESSAGE, and a text/plain one.
  Result<xml::Element, SipFailure> composing_to_xmpp(const sip::SipMessage& request,
                                                     std::string_view stanza_id) const;
  Result<xml::Element, SipFailure> text_to_xmpp(const sip::SipMessage& request,
                                                std::string_view stanza_id) const;

  MapperLimits limits_;
  Logger log_;
};

}  // namespace xf::bridge
