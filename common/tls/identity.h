// RFC 6125 name checks for peer certificates.
#pragma once

#include <string_view>

#include "common/tls/tls_session.h"

namespace xf::tls {

// Are two domain names equal, ignoring ASCII case and a trailing dot? (SNI certificate choice.)
bool domain_equals(std::string_view a, std::string_view b);

// Does a DNS-ID pattern ("example.org", "*.example.org") match the reference domain?
// Only a wildcard that is the whole left-most label matches, and it matches exactly one label.
bool dns_id_matches(std::string_view pattern, std::string_view domain);

// Does the certificate name this host (RFC 6125 §6.4)? Its DNS-IDs are checked first, with
// dns_id_matches. The subject CN counts only when the certificate carries no subjectAltName
// identifier at all (no DNS-ID, SRV-ID or XmppAddr): a certificate that has them names its
// hosts there (§6.4.4), so its CN must not widen what it proves. Used for the relay link and
// the SIP next hop, which identify peers by DNS name only.
bool certificate_names_host(const PeerIdentity& peer, std::string_view host);

// Does the certificate name this XMPP domain as a server (RFC 6120 §13.7.1.2, RFC 6125 §6,
// RFC 7590 §3.1)? Any of: a DNS-ID matching it (dns_id_matches, so one wildcard label), an
// SRV-ID "_xmpp-server.<domain>" (service label case-insensitive, no wildcard: RFC 4985), an
// XmppAddr that is the bare domain. The CN counts only as in certificate_names_host.
bool certificate_names_xmpp_domain(const PeerIdentity& peer, std::string_view domain);

// Why the certificate cannot authenticate the XMPP domain (SASL EXTERNAL, XEP-0178):
// CertFault::none when it can, else its chain fault, else misnamed.
CertFault xmpp_domain_fault(const PeerIdentity& peer, std::string_view domain);

}  // namespace xf::tls
