// Finds the addresses of an outbound s2s stream (RFC 6120 §3.2): a static route from the edge
// configuration, or the partner's _xmpps-server/_xmpp-server SRV records merged and ordered by
// xmpp::s2s_targets, or its A/AAAA records on the default port; then the addresses of each
// target in turn. The result is the list of endpoints the session's connection tries in order,
// each marked direct TLS or STARTTLS.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/core/log.h"
#include "common/core/result.h"
#include "common/dns/srv.h"
#include "common/net/connection.h"
#include "common/net/dns_resolver.h"
#include "common/xmpp/s2s_targets.h"
#include "edge-proxy/edge_config.h"

namespace xf::edge {

// SRV targets whose addresses are looked up for one dial; the rest are ignored. Real domains
// publish two or three; eight bounds the lookups a hostile zone can make us do.
inline constexpr std::size_t kMaxDialTargets = 8;

// One address to dial, and whether TLS starts there on connect (an _xmpps-server target or an
// xmpps:// route, XEP-0368) or by STARTTLS.
struct DialEndpoint {
  net::Endpoint endpoint;
  bool direct_tls = false;
};

class S2sDialer {
 public:
  // Errc::not_found: DNS says there is no such domain or no s2s service there; other codes:
  // DNS could not answer.
  using Done = std::function<void(Result<std::vector<DialEndpoint>>)>;

  // One discovery in progress, owned by the session it is for. Destroying or cancelling it
  // stops its lookups; its Done never runs afterwards.
  class Dial {
   public:
    ~Dial();
    Dial(const Dial&) = delete;
    Dial& operator=(const Dial&) = delete;
    void cancel();

   private:
    friend class S2sDialer;
    Dial(S2sDialer& dialer, std::string domain, Logger log, Done done);
    void start();
    void srv_answered(bool direct_tls, dns::SrvAnswer answer);
    void resolve_targets(std::vector<xmpp::S2sTarget> targets, const std::string& how);
    void target_resolved(std::size_t index, Result<std::vector<sockaddr_storage>> addresses);
    void finish(Result<std::vector<DialEndpoint>> result);

    S2sDialer& dialer_;
    std::string domain_;
    Logger log_;
    Done done_;
    std::vector<net::DnsResolver::Ticket> tickets_;
    std::optional<dns::SrvAnswer> xmpps_;
    std::optional<dns::SrvAnswer> xmpp_;
    std::vector<xmpp::S2sTarget> targets_;
    std::string how_;  // "SRV target", "route", "A/AAAA of".
    std::vector<std::optional<Result<std::vector<sockaddr_storage>>>> addresses_;
    std::size_t unanswered_ = 0;
    bool finished_ = false;
  };

  // pick: the RFC 2782 weighted choice (dns::random_pick() in the daemon).
  S2sDialer(net::DnsResolver& resolver, const S2sSettings& settings, dns::PickFn pick);

  // Starts discovery for domain; done runs later from the loop, never inside this call.
  std::unique_ptr<Dial> start(const std::string& domain, Logger log, Done done);

 private:
  net::DnsResolver& resolver_;
  const S2sSettings& settings_;
  dns::PickFn pick_;
};

}  // namespace xf::edge
