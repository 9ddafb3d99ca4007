#include "common/xmpp/jid_escape.h"

#include <array>

#include "common/xmpp/jid.h"

namespace xf::xmpp {
namespace {

struct Escape {
  char raw;
  std::string_view code;  // The two hex digits after the backslash, lower case.
};

// XEP-0106 §3.2; case is significant, so only these exact spellings are sequences.
constexpr std::array<Escape, 10> kEscapes = {{{' ', "20"},
                                              {'"', "22"},
                                              {'&', "26"},
                                              {'\'', "27"},
                                              {'/', "2f"},
                                              {':', "3a"},
                                              {'<', "3c"},
                                              {'>', "3e"},
                                              {'@', "40"},
                                              {'\\', "5c"}}};

// The escape whose code starts `s` (the text after a backslash), or nullptr.
const Escape* sequence_at(std::string_view s) {
  if (s.size() < 2) return nullptr;
  for (const Escape& e : kEscapes) {
    if (s.substr(0, 2) == e.code) return &e;
  }
  return nullptr;
}

const Escape* escape_for(char c) {
  for (const Escape& e : kEscapes) {
    if (e.raw == c) return &e;
  }
  return nullptr;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// True when `s` starts with an escape code in another case, e.g. "2F" or "5C".
bool starts_with_folded_sequence(std::string_view s) {
  if (s.size() < 2 || sequence_at(s) != nullptr) return false;
  const char folded[2] = {ascii_lower(s[0]), ascii_lower(s[1])};
  return sequence_at(std::string_view(folded, 2)) != nullptr;
}

}  // namespace

std::string jid_escape(std::string_view unescaped) {
  std::string out;
  out.reserve(unescaped.size());
  for (std::size_t i = 0; i < unescaped.size(); ++i) {
    const char c = unescaped[i];
    if (c == '\\' && sequence_at(unescaped.substr(i + 1)) == nullptr) {
      out += c;  // A lone backslash is not ambiguous and stays as it is (§4.3).
      continue;
    }
    if (const Escape* e = escape_for(c)) {
      out += '\\';
      out += e->code;
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::string> jid_unescape(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    const char c = escaped[i];
    if (c != '\\' && escape_for(c) != nullptr) {
      return fail(Errc::parse_error,
                  std::string("escaped localpart: contains an unescaped '") + c + "'");
    }
    const Escape* e = c == '\\' ? sequence_at(escaped.substr(i + 1)) : nullptr;
    if (e == nullptr) {
      out += c;
      continue;
    }
    out += e->raw;
    i += 2;
  }
  if (!out.empty() && (out.front() == ' ' || out.back() == ' ')) {
    return fail(Errc::parse_error, "escaped localpart: \\20 at the start or end");
  }
  return out;
}

Result<std::string> jid_escape_localpart(std::string_view unescaped) {
  if (unescaped.empty()) return fail(Errc::parse_error, "localpart: empty");
  if (unescaped.front() == ' ' || unescaped.back() == ' ') {
    return fail(Errc::parse_error, "localpart: cannot start or end with a space");
  }
  for (std::size_t i = 0; i < unescaped.size(); ++i) {
    if (unescaped[i] == '\\' && starts_with_folded_sequence(unescaped.substr(i + 1))) {
      return fail(Errc::parse_error, "localpart: contains an ambiguous escape sequence");
    }
  }
  return prepare_localpart(jid_escape(unescaped));
}

}  // namespace xf::xmpp
