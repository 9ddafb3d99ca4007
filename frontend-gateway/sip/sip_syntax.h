// Small pieces of RFC 3261 syntax shared by the SIP wrapper and the XMPP<->SIP mappers. Every
// value that comes from the XMPP side passes these checks before it is written into a SIP header,
// so that no JID, subject or thread can inject a header or end the header block early.
#pragma once

#include <string>
#include <string_view>

#include "common/core/result.h"

namespace xf::sip {

// True when the value may stand in a header field: no CR, LF, NUL or other control character
// (horizontal tab is allowed, RFC 3261 LWS).
bool is_header_safe(std::string_view value);

// True for a non-empty RFC 3261 token (header names, methods, tags, branch ids).
bool is_token(std::string_view value);

// Checks a header name and value from a caller before they are written into a message.
Status check_header(std::string_view name, std::string_view value);

// A display name as an RFC 3261 quoted-string: quotes added, '"' and '\' escaped.
// The caller must have checked is_header_safe() first.
std::string quote_display_name(std::string_view name);

// Undoes quote_display_name(); a value without quotes is returned trimmed.
std::string unquote_display_name(std::string_view name);

// Percent-encodes what an RFC 3261 user part may not hold unescaped. Conservative: only
// alphanumerics and - _ . ! ~ * ' ( ) & = + $ , stay as they are.
std::string escape_user(std::string_view user);
// Appends `value` to out with every byte that is not alphanumeric and not in `allowed` written as
// `marker` and two uppercase hex digits: '%' for SIP URI escapes (RFC 3261 §25.1), another
// marker where the result must avoid '%' (an XML ID, for instance).
void percent_encode(std::string_view value, std::string_view allowed, std::string& out,
                    char marker = '%');

// Decodes %XX escapes; malformed escapes are a parse_error.
Result<std::string> percent_decode(std::string_view text);

// ASCII lowercase copy (SIP schemes, hosts and header names compare case-insensitively).
std::string ascii_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);

}  // namespace xf::sip
