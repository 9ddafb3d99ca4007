// Error replies to XMPP stanzas the gateway could not deliver to SIP. Wraps
// xmpp::make_error_reply and enforces the one rule that matters here: an error is never answered
// with an error (RFC 6120 §8.3.1), so callers cannot create bounce loops.
#pragma once

#include <optional>
#include <string_view>

#include "common/xml/element.h"
#include "common/xmpp/stream_error.h"

namespace xf::bridge {

// The <message|presence|iq type='error'> reply: from/to swapped, id and the original children
// kept, <error type='…'><condition xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>[<text/>]
// </error>. nullopt when the original is itself an error.
std::optional<xml::Element> error_reply(const xml::Element& original, xmpp::StanzaError condition,
                                        std::string_view text = {});

// The same for a SIP final response (or 408 for a Timer F timeout): the condition comes from
// the RFC 7247 table and the text names the SIP status, e.g. "SIP 486 Busy Here".
std::optional<xml::Element> error_reply_for_sip_status(const xml::Element& original, int sip_status,
                                                       std::string_view reason_phrase = {});

}  // namespace xf::bridge
