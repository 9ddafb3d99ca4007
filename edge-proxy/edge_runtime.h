// The libuv side of the edge: accepts s2s and relay sockets, creates S2sSessions and the
// RelayChannels of gateway links, and connects them to the sans-IO Router through its ports.
// It owns the router, the TLS contexts and the GatewayLink adapters; sessions and channels
// belong to the loop and delete themselves once closed.
#pragma once

#include <uv.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "common/net/dns_resolver.h"
#include "common/net/relay_channel.h"
#include "common/net/timer.h"
#include "edge-proxy/edge_config.h"
#include "edge-proxy/edge_tls.h"
#include "edge-proxy/gateway_link.h"
#include "edge-proxy/router.h"
#include "edge-proxy/s2s_dialer.h"

namespace xf::edge {

class EdgeRuntime final : public S2sFactory, private net::RelayChannel::Handler {
 public:
  // resolver: partner discovery for outbound streams; it must outlive the runtime.
  EdgeRuntime(uv_loop_t* loop, const EdgeConfig& config, EdgeTls tls, net::DnsResolver& resolver);
  ~EdgeRuntime() override;
  EdgeRuntime(const EdgeRuntime&) = delete;
  EdgeRuntime& operator=(const EdgeRuntime&) = delete;

  Router& router() { return router_; }

  // Listener factories (nullptr refuses the socket, e.g. over the connection limit).
  net::Connection* accept_s2s();
  net::Connection* accept_s2s_direct_tls();  // XEP-0368: TLS before the stream.

  net::Connection* accept_relay();

  // Daemon shutdown: the router ends every stream, then every gateway link gets a close frame,
  // and DNS lookups stop.
  void shutdown();

  // S2sFactory
  S2sPort* open_outbound(const std::string& local_domain,
                         const std::string& remote_domain) override;

 private:
  // net::RelayChannel::Handler
  void on_link_event(net::RelayChannel& channel, relay::LinkEvent&& event) override;
  void on_channel_closed(net::RelayChannel& channel, const Error* reason) override;
  // Arms the timer that gives up stanzas held for an absent gateway.
  void rearm_router();
  void on_channel_backlog(net::RelayChannel& channel, bool above) override;

  uv_loop_t* loop_;
  const EdgeConfig& config_;
  EdgeTls tls_;
  net::DnsResolver& resolver_;
  S2sDialer dialer_;
  Router router_;
  net::Timer router_timer_;
  std::uint64_t last_session_id_ = 0;
  std::uint64_t last_gateway_id_ = 0;
  std::map<net::RelayChannel*, std::unique_ptr<GatewayLink>> gateways_;
};

}  // namespace xf::edge
