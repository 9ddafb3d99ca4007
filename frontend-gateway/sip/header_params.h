// A header value of the shape "head;name=value;flag" (RFC 3261 §7.3.1 generic-param), as the SIP
// events headers use it: Event, Subscription-State. Parameter names are lowercased; values keep
// their case, quoted-strings are unquoted.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/core/result.h"

namespace xf::sip {

struct HeaderValue {
  // A real Event or Subscription-State value has two or three parameters.
  static constexpr std::size_t kMaxParams = 32;

  std::string head;                                         // Trimmed text before the first ';'.
  std::vector<std::pair<std::string, std::string>> params;  // ("expires", "600"), ("lr", "").

  // parse_error when the head is empty, a name is not a token, or a value is neither a token
  // nor a quoted-string.
  static Result<HeaderValue> parse(std::string_view value);
  std::optional<std::string> param(std::string_view name) const;
};

// delta-seconds (RFC 3261 §25.1): digits only; values above 2^32-1 saturate.
std::optional<std::uint32_t> parse_delta_seconds(std::string_view text);

}  // namespace xf::sip
