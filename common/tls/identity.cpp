#include "common/tls/identity.h"

#include <string>

namespace xf::tls {

namespace {

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

bool certificate_names_host(const PeerIdentity& peer, std::string_view host) {
  for (const std::string& dns : peer.dns_ids) {
    if (dns_id_matches(dns, host)) return true;
  }
  const bool has_san = !peer.dns_ids.empty() || !peer.srv_ids.empty() || !peer.xmpp_addrs.empty();
  return !has_san && !peer.common_name.empty() && dns_id_matches(peer.common_name, host);
}

bool certificate_names_xmpp_domain(const PeerIdentity& peer, std::string_view domain) {
  if (!well_formed(without_trailing_dot(domain)) || domain.find('*') != std::string_view::npos) {
    return false;
  }
  if (certificate_names_host(peer, domain)) return true;
  constexpr std::string_view kService = "_xmpp-server.";
  for (const std::string& srv : peer.srv_ids) {
    std::string_view id = srv;
    if (id.size() <= kService.size() || !iequals(id.substr(0, kService.size()), kService)) {
      continue;
    }
    std::string_view name = id.substr(kService.size());
    if (name.find('*') == std::string_view::npos && well_formed(without_trailing_dot(name)) &&
        domain_equals(name, domain)) {
      return true;
    }
  }
  for (const std::string& addr : peer.xmpp_addrs) {
    // Only a bare domain names a server; user@domain or domain/resource name other entities.
    if (addr.find_first_of("@/*") == std::string::npos && well_formed(addr) &&
        domain_equals(addr, domain)) {
      return true;
    }
  }
  return false;
}

CertFault xmpp_domain_fault(const PeerIdentity& peer, std::string_view domain) {
  if (!peer.present) return CertFault::absent;
  if (!peer.chain_verified) {
    return peer.chain_fault == CertFault::none ? CertFault::invalid : peer.chain_fault;
  }
  return certificate_names_xmpp_domain(peer, domain) ? CertFault::none : CertFault::misnamed;
}

}  // namespace xf::tls
