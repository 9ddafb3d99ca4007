// XEP-0106 JID escaping: how the gateway carries SIP user parts (and other foreign addresses)
// that hold characters a JID localpart cannot hold.
#pragma once

#include <string>
#include <string_view>

#include "common/core/result.h"

namespace xf::xmpp {

// Escapes the nine characters Nodeprep prohibits (space " & ' / : < > @) as \hh, and a
// backslash only where it starts one of the ten escape sequences (XEP-0106 §4.1 rule 7,
// §4.3). It does not check the other localpart rules; jid_escape_localpart() does.
std::string jid_escape(std::string_view unescaped);

// Reverses jid_escape() on an escaped localpart: only the ten sequences of XEP-0106 are
// decoded, all others are kept as they are. Fails when the input holds an unescaped
// prohibited character or when the result would start or end with a space.
Result<std::string> jid_unescape(std::string_view escaped);

// A foreign user name to a prepared JID localpart: refuses names that start or end with a
// space (XEP-0106 §3.2) or hold a backslash before an upper-case form of an escape sequence
// (Nodeprep's case folding would turn it into a real one), escapes, then applies Nodeprep.
Result<std::string> jid_escape_localpart(std::string_view unescaped);

}  // namespace xf::xmpp
