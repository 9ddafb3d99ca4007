#include "frontend-gateway/bridge/error_reply.h"

#include <string>

#include "common/xmpp/stanza_error_reply.h"
#include "frontend-gateway/bridge/error_map.h"
#include "frontend-gateway/bridge/xml_text.h"
#include "frontend-gateway/sip/sip_syntax.h"

namespace xf::bridge {

namespace {

// A remote reason phrase is untrusted text; keep the reply small.
constexpr std::size_t kMaxReasonInText = 128;

}  // namespace

std::optional<xml::Element> error_reply(const xml::Element& original, xmpp::StanzaError condition,
                                        std::string_view text) {
  if (!xmpp::may_bounce(original)) return std::nullopt;
  return xmpp::make_error_reply(original, condition, text);
}

std::optional<xml::Element> error_reply_for_sip_status(const xml::Element& original, int sip_status,
                                                       std::string_view reason_phrase) {
  std::string text = "SIP " + std::to_string(sip_status);
  if (!reason_phrase.empty() && sip::is_header_safe(reason_phrase) && is_xml_text(reason_phrase)) {
    text += ' ';
    text += utf8_prefix(reason_phrase, kMaxReasonInText);
  }
  return error_reply(original, stanza_error_for(sip_status), text);
}

}  // namespace xf::bridge
