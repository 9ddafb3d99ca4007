#include "frontend-gateway/sip/sip_uri.h"

#include <cstring>

#include "frontend-gateway/sip/sip_syntax.h"

namespace xf::sip {

namespace {

bool is_host_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '.' || c == '_';
}

bool is_ipv6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

// Characters RFC 3261 allows in a user part, unescaped or as %XX.
bool is_user_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
         std::strchr("-_.!~*'()%&=+$,;?/", c) != nullptr;
}

bool is_param_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
         std::strchr("-_.!~*'()%[]/:&+$", c) != nullptr;
}

}  // namespace

Result<SipUri> SipUri::parse(std::string_view text) {
  if (text.size() > kMaxLength) return fail(Errc::limit_exceeded, "URI too long");
  SipUri uri;
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return fail(Errc::parse_error, "URI has no scheme");
  uri.scheme = ascii_lower(text.substr(0, colon));
  if (uri.scheme != "sip" && uri.scheme != "sips" && uri.scheme != "im" && uri.scheme != "pres") {
    return fail(Errc::parse_error, "unsupported URI scheme '" + uri.scheme + "'");
  }
  std::string_view rest = text.substr(colon + 1);

  if (const auto q = rest.find('?'); q != std::string_view::npos && rest.find('@') > q) {
    // A '?' before any '@' can only start the headers when there is no user part.
    uri.headers = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    // A password ("user:pw@") is deprecated by RFC 3261 and never mapped.
    if (const auto pw = userinfo.find(':'); pw != std::string_view::npos) {
      userinfo = userinfo.substr(0, pw);
    }
    if (userinfo.empty()) return fail(Errc::parse_error, "empty user part");
    for (char c : userinfo) {
      if (!is_user_char(c)) return fail(Errc::parse_error, "invalid character in user part");
    }
    auto user = percent_decode(userinfo);
    if (!user) return fail(user.error());
    uri.user = std::move(user.value());
  }
  if (uri.headers.empty()) {
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
      uri.headers = std::string(rest.substr(q + 1));
      rest = rest.substr(0, q);
    }
  }
  std::string_view params;
  if (const auto semi = rest.find(';'); semi != std::string_view::npos) {
    params = rest.substr(semi + 1);
    rest = rest.substr(0, semi);
  }

  // hostport
  std::string_view host = rest;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return fail(Errc::parse_error, "unterminated IPv6 host");
    for (char c : host.substr(1, close - 1)) {
      if (!is_ipv6_char(c)) return fail(Errc::parse_error, "invalid IPv6 host");
    }
    std::string_view after = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail(Errc::parse_error, "junk after IPv6 host");
      port = after.substr(1);
    }
  } else {
    if (const auto pc = host.find(':'); pc != std::string_view::npos) {
      port = host.substr(pc + 1);
      host = host.substr(0, pc);
    }
    for (char c : host) {
      if (!is_host_char(c)) return fail(Errc::parse_error, "invalid character in host");
    }
  }
  if (host.empty() || host.size() > 255) return fail(Errc::parse_error, "missing or long host");
  uri.host = ascii_lower(host);
  if (!port.empty() || rest.find(':') != std::string_view::npos) {
    if (port.empty() || port.size() > 5) return fail(Errc::parse_error, "invalid port");
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return fail(Errc::parse_error, "invalid port");
      value = value * 10 + (c - '0');
    }
    if (value == 0 || value > 65535) return fail(Errc::parse_error, "port out of range");
    uri.port = value;
  }

  while (!params.empty()) {
    const auto semi = params.find(';');
    std::string_view one = params.substr(0, semi);
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    if (one.empty()) return fail(Errc::parse_error, "empty URI parameter");
    for (char c : one) {
      if (c != '=' && !is_param_char(c)) return fail(Errc::parse_error, "invalid URI parameter");
    }
    const auto eq = one.find('=');
    uri.params.emplace_back(ascii_lower(one.substr(0, eq)),
                            eq == std::string_view::npos ? std::string{}
                                                         : std::string(one.substr(eq + 1)));
  }
  return uri;
}

std::optional<std::string> SipUri::param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::string SipUri::to_string() const {
  std::string out = scheme;
  out += ':';
  if (!user.empty()) {
    out += escape_user(user);
    out += '@';
  }
  out += host;
  if (port) {
    out += ':';
    out += std::to_string(*port);
  }
  for (const auto& [key, value] : params) {
    out += ';';
    out += key;
    if (!value.empty()) {
      out += '=';
      out += value;
    }
  }
  return out;
}

}  // namespace xf::sip
