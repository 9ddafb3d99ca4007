// The bridge's name for the XML text checks, which live in common/xml/xml_text.h (the stream
// parser needs them too).
#pragma once

#include "common/xml/xml_text.h"

namespace xf::bridge {

using xml::is_xml_text;
using xml::utf8_prefix;

}  // namespace xf::bridge
