// One SIP-over-TCP connection (RFC 3261 §18.3): bytes are framed with sip::StreamFramer, parsed
// into SipMessages and handed to the SipTransport that owns the registry of connections.
// Double-CRLF keep-alive pings are answered with a single CRLF (RFC 5626 §3.5.1). A framing
// error leaves the stream unusable: the connection is closed.
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/net/connection.h"
#include "frontend-gateway/sip/stream_framer.h"

namespace xf::gw {

class SipTransport;

class SipConnection final : public net::Connection {
 public:
  // Heap-allocated; deletes itself after closing (net::Connection's rule).
  static SipConnection* make(uv_loop_t* loop, SipTransport& owner, std::uint64_t id,
                             sip::FramerLimits limits, bool outbound);

  std::uint64_t id() const { return id_; }
  bool outbound() const { return outbound_; }

 private:
  SipConnection(uv_loop_t* loop, SipTransport& owner, std::uint64_t id, sip::FramerLimits limits,
                bool outbound);
  ~SipConnection() override = default;

  void on_connected() override;
  void on_read(std::string_view bytes) override;
  void on_closed(const Error* reason) override;

  SipTransport& owner_;
  std::uint64_t id_;
  bool outbound_;
  sip::StreamFramer framer_;
};

}  // namespace xf::gw
