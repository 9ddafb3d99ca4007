// What the gateway core needs of the relay side, and what the relay side tells it. RelayClient
// implements the port over real links; unit tests use a fake, so the core runs without sockets.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/core/result.h"
#include "common/relay/link.h"

namespace xf::gw {

// One stanza frame to one edge: sequence numbers are per edge session (relay::Session, which
// outlives each connection), so the edge's index is part of the key that Delivered and Bounce
// answers are matched on.
struct RelayRef {
  std::size_t link = 0;
  std::uint64_t seq = 0;
  // clang-tidy 14 reads the synthesized comparison with 0 as a null pointer constant.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const RelayRef&, const RelayRef&) = default;
};

// A partner stanza the gateway received from one edge: acknowledged to that edge once the
// gateway has taken responsibility for it (RelayPort::complete).
struct InboundRef {
  std::size_t link = 0;
  relay::Receipt receipt;
};

class RelayPort {
 public:
  virtual ~RelayPort() = default;
  // A link is up, or was up (or the gateway started) less than the hold time ago: a stanza
  // sent now waits for the edge (relay.hold_max_age_s) rather than failing.
  virtual bool can_relay() const = 0;
  // Sends over an established link, or keeps the frame for the next one; fails when neither
  // is possible or the frame is refused (too large, too much held).
  virtual Result<RelayRef> send_stanza(const relay::RoutingFacts& facts, std::string_view xml) = 0;
  // The gateway has taken responsibility for a partner stanza (answered it, or handed it to a
  // SIP transaction that has ended): the edge may forget it.
  virtual void complete(const InboundRef& ref) = 0;
  // Backpressure: true while every established link's queue is above its high water mark
  // (until one fell to its low mark); RelayEvents::on_relay_backlog() tells of a change.
  virtual bool backlogged() const = 0;
  // Stops (false) or restarts (true) reading the established links.
  virtual void set_reading(bool on) = 0;
};

class RelayEvents {
 public:
  virtual ~RelayEvents() = default;
  // A data event of an established link (stanza, delivered, bounce, ...).
  virtual void on_relay_event(std::size_t link, relay::LinkEvent&& event) = 0;
  // The link is gone. What was sent on it is kept and sent again on the next link; the frames
  // held too long are reported as bounces (remote-server-timeout) through on_relay_event.
  virtual void on_relay_link_down(std::size_t link) = 0;
  // backlogged() may have changed.
  virtual void on_relay_backlog() = 0;
};

}  // namespace xf::gw
