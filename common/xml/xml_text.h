// Checks for text entering XML: XML 1.0 allows only well-formed UTF-8 without most control
// characters. Used where bytes were not checked by an XML parser (SIP bodies) and where
// libxml2's own check is lax (its push parser passes overlong UTF-8 inside CDATA sections).
#pragma once

#include <cstddef>
#include <string_view>

namespace xf::xml {

// True when the bytes are well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF)
// and every character is an XML 1.0 Char (tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, above).
bool is_xml_text(std::string_view text);

// The longest prefix of at most max_bytes that does not cut a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace xf::xml
