// Time as protocol cores see it: a monotonic count of milliseconds handed in by the caller.
// Cores never read a clock themselves; they take `now` and report their next deadline.
#pragma once

#include <cstdint>
#include <limits>

namespace xf {

using Millis = std::int64_t;

// "No deadline": a core with nothing scheduled reports this.
inline constexpr Millis kNoDeadline = std::numeric_limits<Millis>::max();

}  // namespace xf
