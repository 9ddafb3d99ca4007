// "host", "host:port", "192.0.2.1:5269" and "[2001:db8::1]:5269" as configuration spells a
// place to connect to. Sans-IO: the address forms are checked with inet_pton, nothing is
// resolved.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/core/result.h"

namespace xf::dns {

struct HostPort {
  std::string host;  // A host name (lower case, no trailing dot) or a numeric address.
  std::uint16_t port = 0;
  bool numeric = false;  // host is an IPv4 or IPv6 address (without brackets).

  // "host:port", with brackets around an IPv6 address.
  std::string to_string() const;
  bool operator==(const HostPort&) const = default;
};

// Parses text; a missing port is default_port (0: the port is required). An IPv6 address
// needs brackets. Errors (Errc::invalid_argument) say what is wrong in a sentence fragment
// fit for a config message.
Result<HostPort> parse_host_port(std::string_view text, std::uint16_t default_port);

// A DNS host name: dot-separated labels of letters, digits and '-' (not at either end of a
// label), 1..63 characters each, 253 in all; a trailing dot is allowed.
bool is_host_name(std::string_view name);

}  // namespace xf::dns
