#include "common/xmpp/s2s_targets.h"

namespace xf::xmpp {

std::string xmpps_server_srv_name(std::string_view domain) {
  return "_xmpps-server._tcp." + dns::normalize_name(domain);
}

std::string xmpp_server_srv_name(std::string_view domain) {
  return "_xmpp-server._tcp." + dns::normalize_name(domain);
}

S2sTargets s2s_targets(std::string_view domain, const dns::SrvAnswer& xmpps,
                       const dns::SrvAnswer& xmpp, std::uint16_t default_port,
                       const dns::PickFn& pick) {
  // XEP-0368 §3 rule 1: the xmpps- and xmpp- records are one record set as far as RFC 2782
  // ordering goes, priorities and weights mixed, so that the partner's operator decides
  // whether direct TLS or STARTTLS is preferred. We add no preference of our own: at equal
  // priority the weights alone choose.
  std::vector<dns::SrvRecord> merged;
  std::vector<bool> direct_tls;
  auto take = [&](const dns::SrvAnswer& answer, bool tls) {
    if (answer.status != dns::SrvStatus::found || answer.decidedly_unavailable()) return;
    for (const dns::SrvRecord& r : answer.records) {
      // A "." among other records is not the RFC 2782 "no service" form: nothing to dial.
      if (r.target.empty() || r.target == "." || r.port == 0) continue;
      merged.push_back(r);
      direct_tls.push_back(tls);
    }
  };
  take(xmpps, true);
  take(xmpp, false);

  S2sTargets out;
  if (!merged.empty()) {
    out.from_srv = true;
    for (std::size_t i : dns::rfc2782_order(merged, pick)) {
      out.targets.push_back(S2sTarget{merged[i].target, merged[i].port, direct_tls[i]});
    }
    return out;
  }
  // "." (RFC 2782): the service is decidedly not available. For _xmpp-server that ends the
  // matter (RFC 6120 §3.2.1); for _xmpps-server it only rules out direct TLS, and XEP-0368 §5
  // still forbids the A/AAAA fallback, since the domain has shown that it publishes SRV.
  // Records that all had to be skipped count the same way: the domain publishes SRV.
  const bool srv_published =
      xmpps.status == dns::SrvStatus::found || xmpp.status == dns::SrvStatus::found;
  if (srv_published) {
    out.unavailable = true;
    return out;
  }
  // No SRV records (or no answer at all): RFC 6120 §3.2.2, the domain's own A/AAAA records on
  // the default port.
  out.targets.push_back(S2sTarget{dns::normalize_name(domain), default_port, false});
  return out;
}

}  // namespace xf::xmpp
