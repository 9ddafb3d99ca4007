// What the router needs of one relay link to a frontend gateway. GatewayLink implements it
// over a net::RelayChannel; unit tests use a fake.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/core/result.h"
#include "common/relay/messages.h"
#include "common/xmpp/stream_error.h"

namespace xf::edge {

class GatewayPort {
 public:
  virtual ~GatewayPort() = default;

  // Unique among the live links of this edge.
  virtual std::uint64_t id() const = 0;
  // The gateway name its certificate proved ("" until TLS is up).
  virtual const std::string& name() const = 0;
  // Bytes written to the link and not yet taken by the socket (backpressure).
  virtual std::size_t queued_bytes() const = 0;

  // Partner -> gateway; returns the frame's sequence number.
  virtual Result<std::uint64_t> send_stanza(const relay::RoutingFacts& facts,
                                            std::string_view xml) = 0;
  // What became of the gateway's stanza frame ref_seq: written to the partner stream, or
  // bounced with a condition. A link that cannot send any more drops the report; the gateway
  // answers its pending requests when the link goes down.
  virtual void send_delivered(std::uint64_t ref_seq) = 0;
  virtual void send_bounce(std::uint64_t ref_seq, xmpp::StanzaError condition,
                           const relay::RoutingFacts& facts, std::string_view xml) = 0;

  // Backpressure: stops (false) or restarts (true) reading the link.
  virtual void set_reading(bool on) = 0;

  // One line for the operator's status log: name, address, round trip.
  virtual std::string describe() const = 0;
};

}  // namespace xf::edge
