// Reconnect delays for the relay links: exponential from a minimum to a maximum, with jitter so
// that several gateways that lost the same edge do not all dial it in the same millisecond.
#pragma once

#include <cstdint>
#include <random>

#include "common/core/clock.h"

namespace xf::gw {

class Backoff {
 public:
  // min_ms <= max_ms, both positive (the config loader checks it).
  Backoff(Millis min_ms, Millis max_ms, std::uint64_t seed = std::random_device{}());

  // The delay before the next attempt: the current step with "equal jitter" (a random value
  // between half the step and the full step), then the step doubles up to the maximum.
  Millis next();
  // A link came up: the next failure starts again from the minimum.
  void reset() { step_ = min_; }
  // The step next() draws from (before jitter).
  Millis step() const { return step_; }

 private:
  Millis min_;
  Millis max_;
  Millis step_;
  std::mt19937_64 rng_;
};

}  // namespace xf::gw
