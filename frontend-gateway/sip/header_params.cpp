#include "frontend-gateway/sip/header_params.h"

#include <algorithm>
#include <cstdint>

#include "frontend-gateway/sip/sip_syntax.h"

namespace xf::sip {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Value of a generic-param: a token, host or quoted-string (RFC 3261 §25.1 gen-value).
Result<std::string> param_value(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
      if (text[i] == '\\' && i + 2 < text.size()) {
        out += text[++i];
      } else if (text[i] == '"') {
        return fail(Errc::parse_error, "stray quote in parameter value");
      } else {
        out += text[i];
      }
    }
    return out;
  }
  // Hosts ("[2001:db8::1]") are wider than tokens; brackets and colons are allowed for them.
  for (char c : text) {
    if (c != '[' && c != ']' && c != ':' && !is_token(std::string_view(&c, 1))) {
      return fail(Errc::parse_error, "parameter value is not a token or quoted-string");
    }
  }
  if (text.empty()) return fail(Errc::parse_error, "empty parameter value after '='");
  return std::string(text);
}

}  // namespace

Result<HeaderValue> HeaderValue::parse(std::string_view value) {
  if (!is_header_safe(value)) return fail(Errc::parse_error, "header holds a control character");
  // Split at ';' outside quoted-strings.
  std::vector<std::string_view> parts;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (quoted && value[i] == '\\') {
      ++i;
    } else if (value[i] == '"') {
      quoted = !quoted;
    } else if (value[i] == ';' && !quoted) {
      parts.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  if (quoted) return fail(Errc::parse_error, "unterminated quoted-string");
  parts.push_back(value.substr(start));
  HeaderValue out;
  out.head = std::string(trim(parts.front()));
  if (out.head.empty()) return fail(Errc::parse_error, "header value is empty");
  if (parts.size() - 1 > kMaxParams) return fail(Errc::limit_exceeded, "too many parameters");
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::string_view part = trim(parts[i]);
    const auto eq = part.find('=');
    const std::string_view name = trim(part.substr(0, eq));
    if (!is_token(name)) return fail(Errc::parse_error, "parameter name is not a token");
    std::string val;
    if (eq != std::string_view::npos) {
      auto v = param_value(trim(part.substr(eq + 1)));
      if (!v) return fail(v.error());
      val = std::move(v.value());
    }
    out.params.emplace_back(ascii_lower(name), std::move(val));
  }
  return out;
}

std::optional<std::string> HeaderValue::param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<std::uint32_t> parse_delta_seconds(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(value, 0xffffffffu));
}

}  // namespace xf::sip
