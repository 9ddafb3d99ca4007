// XMPP addresses (RFC 7622 syntax), prepared with the stringprep profiles of RFC 3920/6122
// (Nodeprep, Nameprep, Resourceprep) as libidn implements them: the profiles that the partner
// servers we federate with (Prosody, ejabberd, Lync/SfB) still compare JIDs with.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/core/result.h"

namespace xf::xmpp {

// RFC 7622 §3.1: each part is at most 1023 octets after preparation.
inline constexpr std::size_t kMaxJidPartBytes = 1023;
// Three full parts plus the two separators; longer input cannot be a JID, so it is refused
// before any preparation work is spent on it.
inline constexpr std::size_t kMaxJidBytes = 3 * kMaxJidPartBytes + 2;

// Which preparation code runs. `automatic` takes an ASCII fast path when the input allows it;
// `full` always goes through libidn. Both give identical results (the tests check this).
enum class PrepPath {
  automatic,  // Fast path for plain ASCII, libidn otherwise.
  full,       // Always libidn.
};

// Each returns the prepared part or a parse_error naming the part ("localpart: ...").
Result<std::string> prepare_localpart(std::string_view in, PrepPath path = PrepPath::automatic);
Result<std::string> prepare_domainpart(std::string_view in, PrepPath path = PrepPath::automatic);
Result<std::string> prepare_resourcepart(std::string_view in, PrepPath path = PrepPath::automatic);

// A prepared, valid JID; comparisons are on the prepared parts. A default-constructed Jid is
// empty and only useful as a placeholder.
class Jid {
 public:
  Jid() = default;

  static Result<Jid> parse(std::string_view in, PrepPath path = PrepPath::automatic);
  // Builds a JID from separate parts; an empty local or resource means "absent".
  static Result<Jid> from_parts(std::string_view local, std::string_view domain,
                                std::string_view resource = {});

  const std::string& local() const { return local_; }
  const std::string& domain() const { return domain_; }
  const std::string& resource() const { return resource_; }

  bool empty() const { return domain_.empty(); }
  bool is_bare() const { return resource_.empty(); }
  bool is_domain() const { return local_.empty() && resource_.empty(); }
  Jid bare() const;

  // local@domain/resource with absent parts and their separators left out.
  std::string to_string() const;
  std::string full() const { return to_string(); }
  std::string bare_string() const;

  friend bool operator==(const Jid&, const Jid&) = default;
  // clang-tidy 14 reads the synthesized comparison with 0 as a null pointer constant.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend std::strong_ordering operator<=>(const Jid&, const Jid&) = default;

 private:
  Jid(std::string local, std::string domain, std::string resource);

  std::string local_;
  std::string domain_;
  std::string resource_;
};

// The prepared domain of a JID attribute (a stanza's from/to), "" when it is not a valid JID.
std::string domain_of(std::string_view address);
// The prepared bare form (local@domain) of a JID attribute, "" when it is not a valid JID.
std::string bare_of(std::string_view address);
// The prepared domain of an address whose local or resource part may be invalid (RFC 7622 §3.2:
// the domainpart ends at the first '/', after the first '@' before it); "" when the domain
// itself is not valid. Tells which server sent or should receive a stanza with a malformed
// address, so that the stanza can be bounced with jid-malformed instead of closing the stream.
std::string domainpart_of(std::string_view address);

}  // namespace xf::xmpp

template <>
struct std::hash<xf::xmpp::Jid> {
  std::size_t operator()(const xf::xmpp::Jid& jid) const noexcept {
    std::size_t h = std::hash<std::string>{}(jid.local());
    h = h * 31 + std::hash<std::string>{}(jid.domain());
    return h * 31 + std::hash<std::string>{}(jid.resource());
  }
};
