// The gateway's SIP transport over TCP or TLS: a listener for the requests the SIP proxy routes
// to federated domains, and one reused connection to the next hop (the proxy) for the requests
// the gateway sends, opened on demand. Responses to our requests come back on that connection;
// responses to inbound requests go back on the connection the request came on. Each side uses
// TLS when its transport (sip.listen.transport, sip.next_hop.transport) says so; the TLS
// contexts are built from sip.tls when listen() is called.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/core/log.h"
#include "common/net/listener.h"
#include "common/tls/tls_context.h"
#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/core/sip_port.h"
#include "frontend-gateway/sip/stream_framer.h"

namespace xf::gw {

class SipConnection;

// Inbound SIP connections at once. The proxy keeps a handful (one per worker process); 256
// leaves room for a proxy pool while bounding what a misbehaving peer can open.
inline constexpr std::size_t kMaxSipConnections = 256;

class SipTransport final : public SipPort {
 public:
  SipTransport(uv_loop_t* loop, const GatewayConfig& config);
  ~SipTransport() override;
  SipTransport(const SipTransport&) = delete;
  SipTransport& operator=(const SipTransport&) = delete;

  // Where messages go; nullptr detaches (before the receiver is destroyed).
  void set_events(SipEvents* events) { events_ = events; }
  // Loads the TLS certificates the config asks for (failing on unreadable files), then listens.
  Status listen();
  std::uint16_t listen_port() const { return listener_ ? listener_->port() : 0; }
  std::size_t connection_count() const { return connections_.size(); }
  bool next_hop_open() const { return next_hop_open_; }
  // Stops listening and closes every connection (queued responses are still sent).
  void close();

  // SipPort.
  bool send_on(std::uint64_t connection, std::string bytes) override;
  std::optional<std::string> next_hop_sent_by() const override;
  void ensure_next_hop() override;
  bool send_to_next_hop(std::string bytes) override;
  bool next_hop_backlogged() const override;
  void set_inbound_reading(bool on) override;

  // From SipConnection.
  void connection_open(SipConnection& connection);
  void message_received(SipConnection& connection, sip::SipMessage&& message);
  void connection_closed(SipConnection& connection, const Error* reason);
  void connection_backlog(SipConnection& connection);

 private:
  net::Connection* accept();
  Status make_tls_contexts();

  uv_loop_t* loop_;
  const GatewayConfig& config_;
  Logger log_{"sip"};
  sip::FramerLimits limits_;
  SipEvents* events_ = nullptr;
  std::unique_ptr<net::Listener> listener_;
  std::shared_ptr<tls::Context> next_hop_tls_;  // Client context; null for TCP.
  std::shared_ptr<tls::Context> listen_tls_;    // Server context; null for TCP.
  std::map<std::uint64_t, SipConnection*> connections_;
  SipConnection* next_hop_ = nullptr;
  bool next_hop_open_ = false;
  std::uint64_t last_id_ = 0;
  bool closed_ = false;
  bool inbound_paused_ = false;
};

}  // namespace xf::gw
