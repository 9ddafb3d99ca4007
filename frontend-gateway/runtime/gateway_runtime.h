// The running gateway on a libuv loop: the SIP transport, the relay client and the gateway core
// wired together, with one loop timer that drives the core's deadlines.
#pragma once

#include <uv.h>

#include <cstdint>

#include "common/core/log.h"
#include "common/net/timer.h"
#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/core/gateway.h"
#include "frontend-gateway/runtime/relay_client.h"
#include "frontend-gateway/runtime/sip_transport.h"

namespace xf::gw {

class GatewayRuntime final : private GatewayClock {
 public:
  // The config and the store must outlive the runtime.
  GatewayRuntime(uv_loop_t* loop, const GatewayConfig& config, store::StateStore& store);
  // Detaches the core from the transports, then closes whatever is still open.
  ~GatewayRuntime() override;
  GatewayRuntime(const GatewayRuntime&) = delete;
  GatewayRuntime& operator=(const GatewayRuntime&) = delete;

  // Listens for SIP and dials the edges.
  Status start();
  // Answers what waits, then closes the listener, the links and the SIP connections; the loop
  // ends once their close callbacks have run.
  void shutdown();

  std::uint16_t sip_port() const { return sip_.listen_port(); }
  // Log lines for operators (SIGUSR1): relay links, SIP connections, what is in progress.
  void log_status() const;
  const RelayClient& relay() const { return relay_; }
  const Gateway& core() const { return core_; }

 private:
  Millis now() const override;
  void wake_at(Millis deadline) override;
  std::int64_t wall_now() const override;

  uv_loop_t* loop_;
  net::Timer timer_;
  SipTransport sip_;
  RelayClient relay_;
  Gateway core_;
  Logger log_{"frontend-gateway"};
};

}  // namespace xf::gw
