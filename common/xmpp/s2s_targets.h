// Where to connect for a server-to-server stream to a domain (RFC 6120 §3.2, XEP-0368): the
// targets of the domain's _xmpps-server._tcp (direct TLS) and _xmpp-server._tcp (STARTTLS) SRV
// records in the order to try them, or the domain itself on the default port when it has
// neither. Sans-IO: the answers come from the net layer's resolver.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/dns/srv.h"

namespace xf::xmpp {

// The SRV owner names of a domain's s2s services.
std::string xmpps_server_srv_name(std::string_view domain);  // Direct TLS (XEP-0368).
std::string xmpp_server_srv_name(std::string_view domain);   // STARTTLS (RFC 6120 §3.2.1).

struct S2sTarget {
  std::string host;
  std::uint16_t port = 0;
  // TLS from the first byte (an _xmpps-server record, XEP-0368) instead of STARTTLS.
  bool direct_tls = false;

  bool operator==(const S2sTarget&) const = default;
};

struct S2sTargets {
  // Targets in the order to try them; empty when the service is not available.
  std::vector<S2sTarget> targets;
  // The targets came from SRV records (false: the A/AAAA fallback or nothing).
  bool from_srv = false;
  // Empty targets because the domain's SRV records say there is no s2s service there.
  bool unavailable = false;
};

// xmpps and xmpp: the answers for the two SRV names above. default_port: the fallback's port
// (5269 unless configured).
S2sTargets s2s_targets(std::string_view domain, const dns::SrvAnswer& xmpps,
                       const dns::SrvAnswer& xmpp, std::uint16_t default_port,
                       const dns::PickFn& pick);

}  // namespace xf::xmpp
