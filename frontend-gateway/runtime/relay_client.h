// The gateway's relay links: one RelayChannel per configured edge, dialled over mutual TLS and
// redialled with exponential backoff whenever it fails or closes. Each edge has a
// relay::Session that outlives its links: stanzas leave by any established link, round robin,
// and while none is up they wait in a session (up to relay.hold_max_age_s after the last link
// went down) and go with the next link; those held too long come back as bounces
// (remote-server-timeout). Link events go to the RelayEvents (the gateway core).
#pragma once

#include <uv.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/core/log.h"
#include "common/net/relay_channel.h"
#include "common/net/timer.h"
#include "common/tls/tls_context.h"
#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/core/relay_port.h"
#include "frontend-gateway/runtime/backoff.h"

namespace xf::gw {

class RelayClient final : public RelayPort, private net::RelayChannel::Handler {
 public:
  RelayClient(uv_loop_t* loop, const GatewayConfig& config);
  ~RelayClient() override;
  RelayClient(const RelayClient&) = delete;
  RelayClient& operator=(const RelayClient&) = delete;

  // Where link events go; nullptr detaches (before the receiver is destroyed).
  void set_events(RelayEvents* events) { events_ = events; }
  // Loads the TLS context and dials every edge. Fails on unusable certificates.
  Status start();
  // Closes every link (with a close frame) and stops redialling.
  void stop();

  bool can_relay() const override;
  std::size_t links_up() const;
  Result<RelayRef> send_stanza(const relay::RoutingFacts& facts, std::string_view xml) override;
  void complete(const InboundRef& ref) override;
  // One log line per edge session (SIGUSR1).
  void log_status() const;
  bool backlogged() const override;
  void set_reading(bool on) override;

 private:
  struct Edge {
    EdgeEndpoint endpoint;
    Logger log;
    net::RelayChannel* channel = nullptr;  // Owned by the loop; null while disconnected.
    bool up = false;
    Backoff backoff;
    std::unique_ptr<net::Timer> retry;
    std::unique_ptr<relay::Session> session;
    Millis down_since = 0;  // When its last link went down (or the gateway started).
  };

  void dial(std::size_t index);
  void schedule_redial(std::size_t index);
  Edge* edge_of(net::RelayChannel& channel, std::size_t& index);
  Millis now() const { return static_cast<Millis>(uv_now(loop_)); }
  // May stanzas for this edge wait while its link is down?
  bool holding(const Edge& edge) const;
  void rearm_expiry();
  // Bounces what waited too long for an edge whose link stayed down.
  void expire();

  void on_link_event(net::RelayChannel& channel, relay::LinkEvent&& event) override;
  void on_channel_closed(net::RelayChannel& channel, const Error* reason) override;
  void on_channel_backlog(net::RelayChannel& channel, bool above) override;

  uv_loop_t* loop_;
  const GatewayConfig& config_;
  RelayEvents* events_ = nullptr;
  std::shared_ptr<tls::Context> tls_;
  std::vector<Edge> edges_;
  std::size_t round_robin_ = 0;
  std::uint64_t token_;  // This gateway incarnation's session token.
  std::unique_ptr<net::Timer> expiry_;
  bool stopping_ = false;
  bool paused_ = false;  // Established links are not read (backpressure).
};

}  // namespace xf::gw
