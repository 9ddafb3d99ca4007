// A parsed sip:/sips:/im:/pres: URI (RFC 3261 §19.1, RFC 3860, RFC 3859), enough for address
// mapping: scheme, user, host, port, parameters. libosip2 (osip_uri_parse) does the parsing, the
// same parser SipMessage uses, with RFC 3261's character and escape rules checked on top where
// it is lax. URI headers ("?subject=...") are kept only as raw text so that callers can see they
// were there; the gateway never copies them anywhere.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/core/result.h"

namespace xf::sip {

struct SipUri {
  // Longest URI accepted, as given and as to_string() writes it; far above any real address,
  // low enough to bound work on junk.
  static constexpr std::size_t kMaxLength = 2048;

  std::string scheme;  // Lowercased: "sip", "sips", "im" or "pres".
  std::string user;    // Percent-decoded; empty when the URI has no user part.
  std::string host;    // Lowercased; an IPv6 reference keeps its brackets.
  std::optional<int> port;
  std::vector<std::pair<std::string, std::string>> params;  // Names lowercased, values raw.
  std::string headers;                                      // Raw text after '?', not decoded.

  static Result<SipUri> parse(std::string_view text);

  // Value of a URI parameter (";gr=..."), or nullopt.
  std::optional<std::string> param(std::string_view name) const;

  // scheme:user@host[:port][;name=value...]; the user part is percent-encoded as needed.
  // Headers are never written.
  std::string to_string() const;
};

}  // namespace xf::sip
