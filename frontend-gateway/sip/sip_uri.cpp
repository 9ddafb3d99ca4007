#include "frontend-gateway/sip/sip_uri.h"

#include <osipparser2/osip_port.h>
#include <osipparser2/osip_uri.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include "frontend-gateway/sip/sip_syntax.h"

namespace xf::sip {

namespace {

struct OsipUriFree {
  void operator()(osip_uri_t* uri) const { osip_uri_free(uri); }
};
using OsipUri = std::unique_ptr<osip_uri_t, OsipUriFree>;

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 3261 §25.1: what a SIP URI may hold at all (alphanum, mark, reserved, the brackets of an
// IPv6 reference, and '%' of an escape). Space, quotes, angle brackets and controls are not.
bool is_uri_char(char c) {
  return is_alnum(c) || (c != '\0' && std::strchr("-_.!~*'();/?:@&=+$,[]%", c) != nullptr);
}

// RFC 3261 user: unreserved / escaped / user-unreserved.
bool is_user_char(char c) {
  return is_alnum(c) || (c != '\0' && std::strchr("-_.!~*'()%&=+$,;?/", c) != nullptr);
}

// RFC 3261 paramchar, plus the '=' and ';' between names and values.
bool is_param_char(char c) {
  return is_alnum(c) || (c != '\0' && std::strchr("-_.!~*'()[]/:&+$%=;", c) != nullptr);
}

bool is_host_char(char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_'; }

bool is_ipv6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

// libosip2 decodes "%2" or "%zz" into some byte and a "%00" into the end of its C string, so the
// escapes are checked before it sees them.
Status check_characters(std::string_view text) {
  for (char c : text) {
    if (!is_uri_char(c)) return fail(Errc::parse_error, "invalid character in URI");
  }
  auto decoded = percent_decode(text);
  if (!decoded) return fail(decoded.error());
  if (decoded->find('\0') != std::string::npos) {
    return fail(Errc::parse_error, "escaped NUL in URI");
  }
  return {};
}

Result<int> parse_port(const char* text) {
  const std::string_view digits(text);
  int value = 0;
  const auto* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (digits.size() > 5 || ec != std::errc{} || ptr != end || value < 1 || value > 65535) {
    return fail(Errc::parse_error, "invalid port");
  }
  return value;
}

// libosip2 strips an IPv6 reference's brackets and skips junk after them: the host must consist
// of host characters, and host and port must be the whole of hostport as written.
Status read_hostport(const osip_uri_t& raw, std::string_view hostport, SipUri& uri) {
  const bool bracketed = !hostport.empty() && hostport.front() == '[';
  const std::string host = raw.host;
  for (char c : host) {
    if (bracketed ? !is_ipv6_char(c) : !is_host_char(c)) {
      return fail(Errc::parse_error, bracketed ? "invalid IPv6 host" : "invalid character in host");
    }
  }
  uri.host = ascii_lower(bracketed ? "[" + host + "]" : host);
  if (host.empty() || uri.host.size() > 255) return fail(Errc::parse_error, "missing or long host");
  std::string rebuilt = uri.host;
  if (raw.port != nullptr) {
    auto port = parse_port(raw.port);
    if (!port) return fail(port.error());
    uri.port = *port;
    rebuilt += ':';
    rebuilt += raw.port;
  }
  if (!iequals(rebuilt, hostport)) return fail(Errc::parse_error, "malformed host or port");
  return {};
}

// libosip2 stops at the first parameter it cannot parse yet reports success, so every ';' must
// have given one parameter. Its names and values are not used: it decodes them and then trims
// blanks, so ";gr=%20x" would come back as "x". They are read as written instead.
Status read_params(const osip_uri_t& raw, std::string_view params, SipUri& uri) {
  for (char c : params) {
    if (!is_param_char(c)) return fail(Errc::parse_error, "invalid URI parameter");
  }
  const auto count = static_cast<std::size_t>(std::count(params.begin(), params.end(), ';'));
  if (static_cast<std::size_t>(osip_list_size(&raw.url_params)) != count) {
    return fail(Errc::parse_error, "malformed URI parameter");
  }
  while (!params.empty()) {
    params.remove_prefix(1);  // The ';'.
    const std::string_view one = params.substr(0, params.find(';'));
    params.remove_prefix(one.size());
    const auto eq = one.find('=');
    std::string value(eq == std::string_view::npos ? std::string_view{} : one.substr(eq + 1));
    uri.params.emplace_back(ascii_lower(one.substr(0, eq)), std::move(value));
  }
  return {};
}

}  // namespace

Result<SipUri> SipUri::parse(std::string_view text) {
  if (text.size() > kMaxLength) return fail(Errc::limit_exceeded, "URI too long");
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return fail(Errc::parse_error, "URI has no scheme");
  SipUri uri;
  uri.scheme = ascii_lower(text.substr(0, colon));
  if (uri.scheme != "sip" && uri.scheme != "sips" && uri.scheme != "im" && uri.scheme != "pres") {
    return fail(Errc::parse_error, "unsupported URI scheme '" + uri.scheme + "'");
  }
  if (auto ok = check_characters(text); !ok) return fail(ok.error());

  // libosip2 splits only sip: and sips: URIs and keeps any other scheme's text whole. The im:
  // and pres: URIs the gateway meets are user@host in the same syntax, so they go in as sip:.
  std::string osip_text(text);
  if (uri.scheme == "im" || uri.scheme == "pres") osip_text.replace(0, colon, "sip");
  osip_uri_t* raw = nullptr;
  if (osip_uri_init(&raw) != 0) return fail(Errc::internal, "osip_uri_init failed");
  const OsipUri parsed(raw);
  if (osip_uri_parse(raw, osip_text.c_str()) != 0 || raw->host == nullptr) {
    return fail(Errc::parse_error, "malformed SIP URI");
  }

  // libosip2 takes everything between the scheme and the first '@' as the user part (and an
  // RFC 3261-deprecated password, which is never mapped). It checks none of its characters.
  const auto at = text.find('@');
  if (at != std::string_view::npos) {
    if (raw->username == nullptr) return fail(Errc::parse_error, "empty user part");
    const std::string_view userinfo = text.substr(colon + 1, at - colon - 1);
    for (char c : userinfo.substr(0, userinfo.find(':'))) {
      if (!is_user_char(c)) return fail(Errc::parse_error, "invalid character in user part");
    }
    uri.user = raw->username;
  }

  // host[:port], then ;params, then ?headers, as libosip2 splits what follows the user part.
  std::string_view rest = text.substr(at == std::string_view::npos ? colon + 1 : at + 1);
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    uri.headers = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  const auto semi = rest.find(';');
  if (auto ok = read_hostport(*raw, rest.substr(0, semi), uri); !ok) return fail(ok.error());
  const std::string_view params =
      semi == std::string_view::npos ? std::string_view{} : rest.substr(semi);
  if (auto ok = read_params(*raw, params, uri); !ok) return fail(ok.error());
  // to_string() percent-encodes the user part, which can triple it: refuse what could not be
  // written back within the limit, so that everything accepted can be read again. Only long
  // input can get there.
  if (text.size() > kMaxLength / 3 && uri.to_string().size() > kMaxLength) {
    return fail(Errc::limit_exceeded, "URI too long once its user part is escaped");
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
