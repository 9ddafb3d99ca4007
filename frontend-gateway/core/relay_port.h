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

// One stanza frame on one link: sequence numbers are per link, so the link is part of the key
// that Delivered and Bounce answers are matched on.
struct RelayRef {
  std::size_t link = 0;
  std::uint64_t seq = 0;
  // clang-tidy 14 reads the synthesized comparison with 0 as a null pointer constant.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const RelayRef&, const RelayRef&) = default;
};

// Erases from an ordered map keyed by RelayRef every frame sent on `link` (a lost link: no
// verdict comes for them, and the next link numbers its frames from 1 again).
template <class Map>
void erase_link(Map& by_ref, std::size_t link) {
  auto it = by_ref.lower_bound(RelayRef{link, 0});
  while (it != by_ref.end() && it->first.link == link) it = by_ref.erase(it);
}

class RelayPort {
 public:
  virtual ~RelayPort() = default;
  virtual bool any_link_up() const = 0;
  // Sends over an established link; fails when none is up or the link refuses the frame.
  virtual Result<RelayRef> send_stanza(const relay::RoutingFacts& facts, std::string_view xml) = 0;
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
  // The link is gone: nothing sent on it will be answered any more.
  virtual void on_relay_link_down(std::size_t link) = 0;
  // backlogged() may have changed.
  virtual void on_relay_backlog() = 0;
};

}  // namespace xf::gw
