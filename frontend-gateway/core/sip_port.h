// What the gateway core needs of the SIP transport, and what the transport tells it. SipTransport
// implements the port over TCP; unit tests use a fake.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/core/result.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::gw {

class SipPort {
 public:
  virtual ~SipPort() = default;
  // Writes bytes on the connection a request came from (RFC 3261 §18.2.2: responses on a
  // reliable transport go back on that connection). False when it has gone.
  virtual bool send_on(std::uint64_t connection, std::string bytes) = 0;
  // The sent-by for our Via (the local address of the next-hop connection), or nullopt while
  // that connection is not open. Only looks: ensure_next_hop() is what dials.
  virtual std::optional<std::string> next_hop_sent_by() const = 0;
  // Opens the next-hop connection unless it is open or opening; the transport reports the
  // result later (never from inside this call) with on_next_hop_up or on_next_hop_down.
  virtual void ensure_next_hop() = 0;
  // Writes bytes to the next hop; false when its connection is not open.
  virtual bool send_to_next_hop(std::string bytes) = 0;
  // Backpressure: true while the next hop's queue is above its high water mark (until it fell
  // to its low mark); SipEvents::on_sip_backlog() tells of a change.
  virtual bool next_hop_backlogged() const = 0;
  // Stops (false) or restarts (true) reading the connections requests come in on (every one
  // but the next hop's, which carries the answers to our requests).
  virtual void set_inbound_reading(bool on) = 0;
};

class SipEvents {
 public:
  virtual ~SipEvents() = default;
  // A parsed request or response that arrived on a connection.
  virtual void on_sip_message(std::uint64_t connection, sip::SipMessage&& message) = 0;
  // The next-hop connection opened: requests waiting for it can go.
  virtual void on_next_hop_up() = 0;
  // The next-hop connection failed to open or closed.
  virtual void on_next_hop_down(const Error* reason) = 0;
  // next_hop_backlogged() may have changed.
  virtual void on_sip_backlog() = 0;
};

}  // namespace xf::gw
