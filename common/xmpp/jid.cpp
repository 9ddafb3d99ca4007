#include "common/xmpp/jid.h"

#include <arpa/inet.h>
#include <idn-free.h>
#include <idna.h>
#include <stringprep.h>

#include <array>
#include <memory>

namespace xf::xmpp {
namespace {

// Characters Nodeprep prohibits on top of the common tables (RFC 3920 Appendix A.5).
constexpr std::string_view kNodeprepExtraProhibited = "\"&'/:<>@";

struct IdnFree {
  void operator()(char* p) const { idn_free(p); }
};
using IdnString = std::unique_ptr<char, IdnFree>;

Unexpected<Error> part_error(std::string_view part, std::string_view what) {
  std::string detail(part);
  detail += ": ";
  detail += what;
  return fail(Errc::parse_error, std::move(detail));
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

void lowercase_ascii(std::string& s) {
  for (char& c : s) c = ascii_lower(c);
}

// libidn takes NUL-terminated UTF-8 and does not reject every malformed sequence itself, so
// the input is checked here first (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((b & 0xE0) == 0xC0) {
      len = 2;
      cp = b & 0x1F;
      min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      cp = b & 0x0F;
      min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      cp = b & 0x07;
      min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

const char* stringprep_reason(int rc) {
  switch (rc) {
    case STRINGPREP_CONTAINS_UNASSIGNED: return "contains an unassigned code point";
    case STRINGPREP_CONTAINS_PROHIBITED: return "contains a prohibited character";
    case STRINGPREP_BIDI_BOTH_L_AND_RAL: return "mixes left-to-right and right-to-left characters";
    case STRINGPREP_BIDI_LEADTRAIL_NOT_RAL:
      return "right-to-left text must start and end with a right-to-left character";
    case STRINGPREP_BIDI_CONTAINS_PROHIBITED:
      return "contains a character prohibited in right-to-left text";
    case STRINGPREP_ICONV_ERROR: return "is not valid UTF-8";
    default: return "cannot be prepared";
  }
}

Result<std::string> run_stringprep(std::string_view in, const char* profile,
                                   std::string_view part) {
  // A NUL would end libidn's C string early; every profile here prohibits it anyway.
  if (in.find('\0') != std::string_view::npos) {
    return part_error(part, stringprep_reason(STRINGPREP_CONTAINS_PROHIBITED));
  }
  if (!is_valid_utf8(in)) return part_error(part, "is not valid UTF-8");
  const std::string z(in);
  char* out = nullptr;
  // Unassigned code points are allowed (flags 0) as RFC 3920 allows for stanza addresses;
  // libidn's tables are Unicode 3.2, which would otherwise refuse every newer character.
  const int rc =
      stringprep_profile(z.c_str(), &out, profile, static_cast<Stringprep_profile_flags>(0));
  IdnString owned(out);
  if (rc != STRINGPREP_OK) return part_error(part, stringprep_reason(rc));
  return std::string(owned.get());
}

Status check_length(const std::string& prepared, std::string_view part) {
  if (prepared.empty()) return part_error(part, "empty");
  if (prepared.size() > kMaxJidPartBytes) return part_error(part, "longer than 1023 bytes");
  return {};
}

// ---- localpart -------------------------------------------------------------------------

// Plain printable ASCII without space: Nodeprep only case-folds it and prohibits a few
// characters, so libidn is not needed.
bool local_fast_path_applies(std::string_view in) {
  for (char c : in) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

// ---- domainpart ------------------------------------------------------------------------

// IDNA label separators other than '.' (RFC 3490 §3.1): ideographic, fullwidth and halfwidth
// ideographic full stops, all U+3xxx/U+FFxx three-byte sequences.
constexpr std::array<std::string_view, 3> kLabelSeparators = {"\xE3\x80\x82", "\xEF\xBC\x8E",
                                                              "\xEF\xBD\xA1"};

std::string map_label_separators(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    bool mapped = false;
    if (static_cast<unsigned char>(in[i]) >= 0xE3) {
      for (std::string_view sep : kLabelSeparators) {
        if (in.substr(i, sep.size()) == sep) {
          out += '.';
          i += sep.size();
          mapped = true;
          break;
        }
      }
    }
    if (!mapped) out += in[i++];
  }
  return out;
}

template <class F>
bool each_label(std::string_view domain, F&& f) {
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = domain.find('.', start);
    const std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!f(label)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool starts_with_ace_prefix(std::string_view label) {
  return label.size() >= 4 && ascii_lower(label[0]) == 'x' && ascii_lower(label[1]) == 'n' &&
         label[2] == '-' && label[3] == '-';
}

bool is_ldh(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

// Letters, digits and hyphens in labels of 1..63 that neither start nor end with a hyphen
// (the STD3 rules libidn applies), and no A-labels, which the slow path converts to U-labels.
bool domain_fast_path_applies(std::string_view in) {
  return each_label(in, [](std::string_view label) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    if (starts_with_ace_prefix(label)) return false;
    for (char c : label) {
      if (!is_ldh(c)) return false;
    }
    return true;
  });
}

const char* idna_reason(int rc) {
  switch (rc) {
    case IDNA_CONTAINS_NON_LDH: return "contains a character not allowed in a domain name";
    case IDNA_CONTAINS_MINUS: return "has a label that starts or ends with '-'";
    case IDNA_INVALID_LENGTH: return "has a label longer than 63 bytes";
    case IDNA_STRINGPREP_ERROR: return "contains a prohibited character";
    default: return "is not a valid domain name";
  }
}

Result<std::string> prepare_ip_literal(std::string_view in) {
  if (in.size() < 3 || in.back() != ']') return part_error("domainpart", "unterminated IP literal");
  std::string addr(in.substr(1, in.size() - 2));
  std::array<unsigned char, 16> buf{};
  if (addr.find('\0') != std::string::npos || inet_pton(AF_INET6, addr.c_str(), buf.data()) != 1) {
    return part_error("domainpart", "invalid IPv6 literal");
  }
  std::string out(in);
  lowercase_ascii(out);
  return out;
}

bool has_empty_label(std::string_view domain) {
  bool empty = false;
  each_label(domain, [&](std::string_view label) {
    empty = empty || label.empty();
    return !empty;
  });
  return empty;
}

bool has_ace_label(std::string_view domain) {
  bool ace = false;
  each_label(domain, [&](std::string_view label) {
    ace = ace || starts_with_ace_prefix(label);
    return !ace;
  });
  return ace;
}

Result<std::string> nameprep(std::string_view domain) {
  auto prepped = run_stringprep(domain, "Nameprep", "domainpart");
  if (!prepped) return prepped;
  std::string out = map_label_separators(*prepped);
  lowercase_ascii(out);
  return out;
}

Result<std::string> prepare_domain_slow(std::string_view domain) {
  constexpr std::string_view kPart = "domainpart";
  if (domain.find('\0') != std::string_view::npos) {
    return part_error(kPart, idna_reason(IDNA_CONTAINS_NON_LDH));
  }
  if (!is_valid_utf8(domain)) return part_error(kPart, "is not valid UTF-8");
  if (has_empty_label(domain)) return part_error(kPart, "has an empty label");

  auto prepared = nameprep(domain);
  if (!prepared) return prepared;
  // RFC 7622 compares domains as U-labels, so A-labels are decoded; this looks at the
  // prepared text, as Nameprep may remove characters in front of an "xn--".
  if (has_ace_label(*prepared)) {
    char* out = nullptr;
    const int rc = idna_to_unicode_8z8z(prepared->c_str(), &out, IDNA_ALLOW_UNASSIGNED);
    IdnString owned(out);
    if (rc != IDNA_SUCCESS || has_ace_label(owned.get())) {
      return part_error(kPart, "has an invalid IDN label");
    }
    prepared = nameprep(owned.get());
    if (!prepared) return prepared;
  }
  if (auto st = check_length(*prepared, kPart); !st) return fail(st.error());
  if (has_empty_label(*prepared)) return part_error(kPart, "has an empty label");

  // ToASCII with the STD3 rules checks what Nameprep does not: host name characters,
  // hyphen placement, label lengths and the bidi rule per label.
  char* ascii = nullptr;
  const int rc = idna_to_ascii_8z(prepared->c_str(), &ascii,
                                  IDNA_ALLOW_UNASSIGNED | IDNA_USE_STD3_ASCII_RULES);
  IdnString owned_ascii(ascii);
  if (rc != IDNA_SUCCESS) return part_error(kPart, idna_reason(rc));
  return prepared;
}

}  // namespace

Result<std::string> prepare_localpart(std::string_view in, PrepPath path) {
  constexpr std::string_view kPart = "localpart";
  if (in.empty()) return part_error(kPart, "empty");
  if (in.size() > kMaxJidBytes) return part_error(kPart, "longer than 1023 bytes");
  if (path == PrepPath::automatic && local_fast_path_applies(in)) {
    if (in.find_first_of(kNodeprepExtraProhibited) != std::string_view::npos) {
      return part_error(kPart, stringprep_reason(STRINGPREP_CONTAINS_PROHIBITED));
    }
    std::string out(in);
    lowercase_ascii(out);
    if (auto st = check_length(out, kPart); !st) return fail(st.error());
    return out;
  }
  auto prepped = run_stringprep(in, "Nodeprep", kPart);
  if (!prepped) return prepped;
  if (auto st = check_length(*prepped, kPart); !st) return fail(st.error());
  return prepped;
}

Result<std::string> prepare_domainpart(std::string_view in, PrepPath path) {
  constexpr std::string_view kPart = "domainpart";
  if (in.size() > kMaxJidBytes) return part_error(kPart, "longer than 1023 bytes");
  std::string domain = map_label_separators(in);
  // RFC 7622 §3.2: a trailing dot is not part of the domain (and must not be compared).
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  if (domain.empty()) return part_error(kPart, "empty");
  if (domain.front() == '[') return prepare_ip_literal(domain);
  if (path == PrepPath::automatic && domain_fast_path_applies(domain)) {
    lowercase_ascii(domain);
    if (auto st = check_length(domain, kPart); !st) return fail(st.error());
    return domain;
  }
  return prepare_domain_slow(domain);
}

Result<std::string> prepare_resourcepart(std::string_view in, PrepPath path) {
  constexpr std::string_view kPart = "resourcepart";
  if (in.empty()) return part_error(kPart, "empty");
  if (in.size() > kMaxJidBytes) return part_error(kPart, "longer than 1023 bytes");
  // Printable ASCII including space is left unchanged by Resourceprep.
  bool fast = path == PrepPath::automatic;
  for (char c : in) {
    fast = fast && c >= 0x20 && c <= 0x7E;
  }
  if (fast) {
    std::string out(in);
    if (auto st = check_length(out, kPart); !st) return fail(st.error());
    return out;
  }
  auto prepped = run_stringprep(in, "Resourceprep", kPart);
  if (!prepped) return prepped;
  if (auto st = check_length(*prepped, kPart); !st) return fail(st.error());
  return prepped;
}

Jid::Jid(std::string local, std::string domain, std::string resource)
    : local_(std::move(local)), domain_(std::move(domain)), resource_(std::move(resource)) {}

Result<Jid> Jid::parse(std::string_view in, PrepPath path) {
  if (in.size() > kMaxJidBytes) return fail(Errc::parse_error, "jid: longer than 3071 bytes");
  // RFC 7622 §3.1: the resource is everything after the first '/', the localpart everything
  // before the first '@' that precedes it.
  std::string_view rest = in;
  std::string resource;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    auto r = prepare_resourcepart(rest.substr(slash + 1), path);
    if (!r) return fail(r.error());
    resource = std::move(*r);
    rest = rest.substr(0, slash);
  }
  std::string local;
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    auto l = prepare_localpart(rest.substr(0, at), path);
    if (!l) return fail(l.error());
    local = std::move(*l);
    rest = rest.substr(at + 1);
  }
  auto d = prepare_domainpart(rest, path);
  if (!d) return fail(d.error());
  return Jid(std::move(local), std::move(*d), std::move(resource));
}

Result<Jid> Jid::from_parts(std::string_view local, std::string_view domain,
                            std::string_view resource) {
  std::string l;
  if (!local.empty()) {
    auto r = prepare_localpart(local);
    if (!r) return fail(r.error());
    l = std::move(*r);
  }
  auto d = prepare_domainpart(domain);
  if (!d) return fail(d.error());
  std::string res;
  if (!resource.empty()) {
    auto r = prepare_resourcepart(resource);
    if (!r) return fail(r.error());
    res = std::move(*r);
  }
  return Jid(std::move(l), std::move(*d), std::move(res));
}

Jid Jid::bare() const { return Jid(local_, domain_, std::string()); }

std::string Jid::bare_string() const {
  if (local_.empty()) return domain_;
  std::string out;
  out.reserve(local_.size() + 1 + domain_.size());
  out += local_;
  out += '@';
  out += domain_;
  return out;
}

std::string Jid::to_string() const {
  std::string out = bare_string();
  if (!resource_.empty()) {
    out += '/';
    out += resource_;
  }
  return out;
}

std::string domain_of(std::string_view address) {
  auto jid = Jid::parse(address);
  return jid.ok() ? jid->domain() : std::string();
}

std::string domainpart_of(std::string_view address) {
  address = address.substr(0, address.find('/'));
  if (auto at = address.find('@'); at != std::string_view::npos) address.remove_prefix(at + 1);
  return domain_of(address);
}

std::string bare_of(std::string_view address) {
  auto jid = Jid::parse(address);
  return jid.ok() ? jid->bare_string() : std::string();
}

}  // namespace xf::xmpp
