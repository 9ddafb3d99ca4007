#include "common/dns/host_port.h"

#include <arpa/inet.h>

#include <charconv>

#include "common/dns/srv.h"

namespace xf::dns {
namespace {

bool is_ipv4(const std::string& text) {
  in_addr a{};
  return inet_pton(AF_INET, text.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& text) {
  in6_addr a{};
  return inet_pton(AF_INET6, text.c_str(), &a) == 1;
}

}  // namespace

std::string HostPort::to_string() const {
  const bool brackets = numeric && host.find(':') != std::string::npos;
  return (brackets ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool is_host_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      if (label == 0 || label > 63 || name[i - 1] == '-' || name[i - label] == '-') return false;
      label = 0;
      continue;
    }
    const char c = name[i];
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
    ++label;
  }
  return true;
}

Result<HostPort> parse_host_port(std::string_view text, std::uint16_t default_port) {
  std::string_view host = text;
  std::string_view port_text;
  bool bracketed = false;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return fail(Errc::invalid_argument, "lacks the ']'");
    host = text.substr(1, close - 1);
    bracketed = true;
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail(Errc::invalid_argument, "has text after the ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return fail(Errc::invalid_argument, "has an empty port");
    }
  } else if (auto colon = text.find(':'); colon != std::string_view::npos) {
    if (text.find(':', colon + 1) != std::string_view::npos) {
      return fail(Errc::invalid_argument, "must write an IPv6 address in brackets: [addr]:port");
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (port_text.empty()) return fail(Errc::invalid_argument, "has an empty port");
  }
  HostPort out;
  out.port = default_port;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return fail(Errc::invalid_argument, "has a port outside 1..65535");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  if (out.port == 0) return fail(Errc::invalid_argument, "needs a port");
  if (host.empty()) return fail(Errc::invalid_argument, "needs a host");
  std::string h(host);
  if (bracketed) {
    if (!is_ipv6(h)) return fail(Errc::invalid_argument, "has no IPv6 address in the brackets");
    out.host = std::move(h);
    out.numeric = true;
  } else if (is_ipv4(h)) {
    out.host = std::move(h);
    out.numeric = true;
  } else if (is_host_name(h)) {
    out.host = normalize_name(h);
  } else {
    return fail(Errc::invalid_argument, "is neither a host name nor an IP address");
  }
  return out;
}

}  // namespace xf::dns
