#include "frontend-gateway/sip/sip_syntax.h"

#include <cstring>

#include "common/core/log.h"

namespace xf::sip {

namespace {

bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool is_header_safe(std::string_view value) {
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

bool is_token(std::string_view value) {
  if (value.empty()) return false;
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (!is_alnum(c) && std::strchr("-.!%*_+`'~", ch) == nullptr) return false;
  }
  return true;
}

Status check_header(std::string_view name, std::string_view value) {
  if (!is_token(name)) return fail(Errc::invalid_argument, "header name is not a token");
  if (!is_header_safe(value)) {
    return fail(Errc::invalid_argument,
                log::cat("value of ", name, " holds a control character (CR/LF/NUL)"));
  }
  return {};
}

std::string quote_display_name(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string unquote_display_name(std::string_view name) {
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  if (name.size() < 2 || name.front() != '"' || name.back() != '"') return std::string(name);
  name = name.substr(1, name.size() - 2);
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\' && i + 1 < name.size()) ++i;
    out += name[i];
  }
  return out;
}

void percent_encode(std::string_view value, std::string_view allowed, std::string& out,
                    char marker) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_alnum(c) || allowed.find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      out += marker;
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
}

std::string escape_user(std::string_view user) {
  // RFC 3261 user: unreserved / escaped / user-unreserved.
  std::string out;
  out.reserve(user.size());
  percent_encode(user, "-_.!~*'()&=+$,", out);
  return out;
}

Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      return fail(Errc::parse_error, "truncated %-escape");
    }
    const int hi = hex_value(text[i + 1]);
    const int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return fail(Errc::parse_error, "malformed %-escape");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace xf::sip
