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

  // A data frame to the gateway (a partner stanza, or the verdict on one of the gateway's
  // stanzas); returns its sequence number. It is kept in the link's session until acked.
  virtual Result<std::uint64_t> send(const relay::Message& message) = 0;
  // The router took responsibility for a stanza the gateway sent (delivered or bounced it):
  // the gateway may forget it (relay::Session).
  virtual void complete(relay::Receipt receipt) = 0;

  // Backpressure: stops (false) or restarts (true) reading the link.
  virtual void set_reading(bool on) = 0;

  // One line for the operator's status log: name, address, round trip.
  virtual std::string describe() const = 0;
};

}  // namespace xf::edge
