// The gateway's relay links: one RelayChannel per configured edge, dialled over mutual TLS and
// redialled with exponential backoff whenever it fails or closes. Stanzas leave by any
// established link, round robin. Link events go to the RelayEvents (the gateway core).
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

  bool any_link_up() const override;
  std::size_t links_up() const;
  Result<RelayRef> send_stanza(const relay::RoutingFacts& facts, std::string_view xml) override;
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
  };

  void dial(std::size_t index);
  void schedule_redial(std::size_t index);
  Edge* edge_of(net::RelayChannel& channel, std::size_t& index);

  void on_link_event(net::RelayChannel& channel, relay::LinkEvent&& event) override;
  void on_channel_closed(net::RelayChannel& channel, const Error* reason) override;
  void on_channel_backlog(net::RelayChannel& channel, bool above) override;

  uv_loop_t* loop_;
  const GatewayConfig& config_;
  RelayEvents* events_ = nullptr;
  std::shared_ptr<tls::Context> tls_;
  std::vector<Edge> edges_;
  std::size_t round_robin_ = 0;
  bool stopping_ = false;
  bool paused_ = false;  // Established links are not read (backpressure).
};

}  // namespace xf::gw
