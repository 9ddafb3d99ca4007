// Page-mode instant messages (RFC 7572, RFC 3428; MAPPING.md "Instant messages").
//
// XMPP -> SIP: <message type='chat'|'normal'> (a missing or unknown type counts as normal,
// RFC 6121 §5.2.2) with a <body> becomes a MESSAGE with Content-Type text/plain;charset=UTF-8.
// <subject> -> Subject, xml:lang -> Content-Language, <thread> -> X-XMPP-Thread (a header of
// our own: SIP has no thread concept and page mode has no dialog to hang it on; a SIP peer that
// echoes it lets the reply join the XMPP thread). Then:
//   type='error'     never answered (no error loops), ignored;
//   type='headline'  ignored: RFC 6121 §8.5.2.1.3 forbids an error reply and SIP page mode
//                    has no "notification" flavour;
//   type='groupchat' refused with service-unavailable, as RFC 6121 §8.5.2.1.2 prescribes for
//                    groupchat to a bare JID; the text says why;
//   no <body>        chat states (XEP-0085) and receipts are legitimate body-less messages;
//                    they are not mapped yet and are ignored with a debug log.
// Every value that goes into a SIP header is checked for CR/LF and other control characters;
// such a message is refused with bad-request rather than cleaned up.
//
// SIP -> XMPP: a MESSAGE with text/plain (charset absent, UTF-8 or US-ASCII) becomes
// <message type='chat' xmlns='jabber:server'>; From -> from, To -> to (RFC 7572 §5), Subject ->
// <subject>, Content-Language -> xml:lang, X-XMPP-Thread -> <thread>. Other bodies are refused
// with 415 and "Accept: text/plain".
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
  // The body's type: text/plain, or an isComposing document for a chat state (im_mapper.h).
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
  std::string detail;  // For logs (never the message body).
  std::vector<std::pair<std::string, std::string>> headers;  // E.g. Accept: text/plain.

  // Builds the response to the request (reason phrase standard, headers added).
  Result<sip::SipMessage> response_to(const sip::SipMessage& request,
                                      std::string_view to_tag) const;
};

class MessageMapper {
 public:
  explicit MessageMapper(MapperLimits limits = {}, Logger log = Logger("im-map"));

  Result<XmppToSip, StanzaFailure> to_sip(const xml::Element& message) const;

  // stanza_id becomes the id attribute of the new stanza.
  Result<xml::Element, SipFailure> to_xmpp(const sip::SipMessage& request,
                                           std::string_view stanza_id) const;

 private:
  MapperLimits limits_;
  Logger log_;
};

}  // namespace xf::bridge
