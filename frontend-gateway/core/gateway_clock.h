// The clock port of the gateway core: monotonic time for timers, wall time for what the state
// store keeps across restarts, and a way to ask for a wake-up. GatewayRuntime implements it on
// the libuv loop; unit tests use a fake.
#pragma once

#include <cstdint>

#include "common/core/clock.h"

namespace xf::gw {

class GatewayClock {
 public:
  virtual ~GatewayClock() = default;
  virtual Millis now() const = 0;
  // The core wants on_timer() called at this time (kNoDeadline: not at all).
  virtual void wake_at(Millis deadline) = 0;
  // Unix milliseconds for records that must survive a restart (subscription expiry). Test
  // clocks may keep this default: their monotonic time then stands in for wall time.
  virtual std::int64_t wall_now() const { return now(); }
};

}  // namespace xf::gw
