#include "frontend-gateway/runtime/backoff.h"

#include <algorithm>

namespace xf::gw {

Backoff::Backoff(Millis min_ms, Millis max_ms, std::uint64_t seed)
    : min_(std::max<Millis>(min_ms, 1)), max_(std::max(max_ms, min_)), step_(min_), rng_(seed) {}

Millis Backoff::next() {
  const Millis half = step_ / 2;
  std::uniform_int_distribution<Millis> jitter(0, step_ - half);
  const Millis delay = half + jitter(rng_);
  // Doubling saturates at max_, so the step never overflows however often a link fails.
  step_ = step_ >= max_ / 2 ? max_ : step_ * 2;
  return delay;
}

}  // namespace xf::gw
