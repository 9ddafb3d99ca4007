#include "common/tls/identity.h"

#include <string>

namespace xf::tls {

namespace {

constexpr std::string_view kXmppServerService = "_xmpp-server.";

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view without_trailing_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

// Non-empty labels only: "a..b", ".a" and "" are not names.
bool well_formed(std::string_view name) {
  if (name.empty()) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else {
      ++label;
    }
  }
  return label != 0;
}

}  // namespace

bool domain_equals(std::string_view a, std::string_view b) {
  return iequals(without_trailing_dot(a), without_trailing_dot(b));
}

bool dns_id_matches(std::string_view pattern, std::string_view domain) {
  pattern = without_trailing_dot(pattern);
  domain = without_trailing_dot(domain);
  if (!well_formed(domain) || domain.find('*') != std::string_view::npos) return false;
  if (!well_formed(pattern)) return false;
  if (pattern.substr(0, 2) != "*.") {
    return pattern.find('*') == std::string_view::npos && iequals(pattern, domain);
  }
  std::string_view base = pattern.substr(2);
  // "*.com" would match every name under a TLD; require two labels under the wildcard, and no
  // second wildcard.
  if (base.find('.') == std::string_view::npos || base.find('*') != std::string_view::npos) {
    return false;
  }
  std::size_t dot = domain.find('.');
  if (dot == std::string_view::npos) return false;
  // The wildcard stands for exactly the first label of the domain.
  return iequals(domain.substr(dot + 1), base);
}

bool identity_matches_domain(const PeerIdentity& id, std::string_view domain) {
  domain = without_trailing_dot(domain);
  if (!well_formed(domain)) return false;
  for (const std::string& srv : id.srv_ids) {
    std::string_view name = srv;
    if (name.size() > kXmppServerService.size() &&
        iequals(name.substr(0, kXmppServerService.size()), kXmppServerService) &&
        domain_equals(name.substr(kXmppServerService.size()), domain)) {
      return true;
    }
  }
  for (const std::string& dns : id.dns_ids) {
    if (dns_id_matches(dns, domain)) return true;
  }
  for (const std::string& addr : id.xmpp_addrs) {
    if (domain_equals(addr, domain)) return true;
  }
  // RFC 6125 §6.4.4: the CN counts only when no identifier of a supported SAN type is present.
  if (id.srv_ids.empty() && id.dns_ids.empty() && id.xmpp_addrs.empty() &&
      !id.common_name.empty()) {
    return dns_id_matches(id.common_name, domain);
  }
  return false;
}

}  // namespace xf::tls
