// One SIP connection over TCP (RFC 3261 §18.3) or TLS (§26.2.1): bytes are framed with
// sip::StreamFramer, parsed into SipMessages and handed to the SipTransport that owns the
// registry of connections. Double-CRLF keep-alive pings are answered with a single CRLF
// (RFC 5626 §3.5.1). A framing error leaves the stream unusable: the connection is closed.
//
// With TLS, the connection reports itself open to the transport only once the handshake is
// done and, for the next hop, once the proxy's certificate chain verified and names the
// configured server name; otherwise it closes with the reason.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/core/clock.h"
#include "common/net/timer.h"
#include "common/net/tls_connection.h"
#include "common/tls/tls_context.h"
#include "frontend-gateway/sip/stream_framer.h"

namespace xf::gw {

class SipTransport;

// A peer that opens TCP but does not finish the TLS handshake in 10 s is treated like one that
// does not answer a SYN (ConnectionLimits::connect_timeout_ms): the handshake is a few round
// trips, so 10 s is far beyond a slow network yet frees the slot of a stalled peer.
inline constexpr Millis kSipTlsHandshakeTimeoutMs = 10000;

// How one SIP connection secures its bytes.
struct SipConnectionTls {
  // Null: plain TCP. Otherwise a client context (outbound) or a server context (inbound).
  std::shared_ptr<tls::Context> context;
  // Outbound only: the name sent as SNI and required in the peer's certificate.
  std::string peer_name;
};

// Does the certificate name the host? DNS-IDs (RFC 6125 §6.4), the CN only when the
// certificate carries no subjectAltName identifier.
bool sip_peer_matches(const tls::PeerIdentity& peer, std::string_view host);

class SipConnection final : public net::TlsConnection {
 public:
  // Heap-allocated; deletes itself after closing (net::Connection's rule).
  static SipConnection* make(uv_loop_t* loop, SipTransport& owner, std::uint64_t id,
                             sip::FramerLimits limits, bool outbound, SipConnectionTls tls = {});

  std::uint64_t id() const { return id_; }
  bool outbound() const { return outbound_; }

 private:
  SipConnection(uv_loop_t* loop, SipTransport& owner, std::uint64_t id, sip::FramerLimits limits,
                bool outbound, SipConnectionTls tls);
  ~SipConnection() override = default;

  void on_connected() override;
  void on_tls_established() override;
  void on_plaintext(std::string_view bytes) override;
  void on_closed(const Error* reason) override;
  void on_write_backlog(bool above) override;

  SipTransport& owner_;
  std::uint64_t id_;
  bool outbound_;
  SipConnectionTls tls_config_;
  sip::StreamFramer framer_;
  net::Timer handshake_timer_;
};

}  // namespace xf::gw
