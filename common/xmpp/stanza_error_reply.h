// Error replies to stanzas (RFC 6120 §8.3): the one place that turns "this stanza cannot be
// delivered" into the stanza its sender gets back.
#pragma once

#include <string>
#include <string_view>

#include "common/xml/element.h"
#include "common/xmpp/stream_error.h"

namespace xf::xmpp {

// May this stanza be answered with an error? Never for type='error' (no error loops).
bool may_bounce(const xml::Element& stanza);

// The error reply: same element name and id, from/to swapped, type='error', the original
// children kept (RFC 6120 §8.3.1 allows it) and an <error/> with the condition, its default
// type and an optional human-readable text.
xml::Element make_error_reply(const xml::Element& stanza, StanzaError condition,
                              std::string_view text = {});

// The defined condition of an error stanza (the name of the child of <error/> in the
// urn:ietf:params:xml:ns:xmpp-stanzas namespace other than <text/>), "" when it names none.
std::string error_condition(const xml::Element& stanza);

}  // namespace xf::xmpp
