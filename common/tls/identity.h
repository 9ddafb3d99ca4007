// RFC 6125 name checks for XMPP server certificates (RFC 6120 §13.7.2, XEP-0178).
#pragma once

#include <string_view>

#include "common/tls/tls_session.h"

namespace xf::tls {

// Are two domain names equal, ignoring ASCII case and a trailing dot? (SNI certificate choice.)
bool domain_equals(std::string_view a, std::string_view b);

// Does a DNS-ID pattern ("example.org", "*.example.org") match the reference domain?
// Only a wildcard that is the whole left-most label matches, and it matches exactly one label.
bool dns_id_matches(std::string_view pattern, std::string_view domain);

// Does the certificate identify this XMPP server domain? Checks, in order, SRV-ID
// (_xmpp-server.domain), DNS-ID, XmppAddr (a bare domain); the CN only when the certificate has
// no subjectAltName. Comparison is case-insensitive (domains are ASCII / A-labels here).
bool identity_matches_domain(const PeerIdentity& id, std::string_view domain);

}  // namespace xf::tls
