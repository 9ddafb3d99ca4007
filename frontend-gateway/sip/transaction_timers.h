// RFC 3261 §17 timer values. On reliable transports (the gateway speaks TCP and TLS only) the
// retransmission timers (A, E, G) never run; what remains is the 64*T1 transaction timeout.
#pragma once

#include "common/core/clock.h"

namespace xf::sip {

struct TransactionTimers {
  // Round-trip estimate; RFC 3261 recommends 500 ms. Configurable for slow or lossy paths.
  Millis t1 = 500;
  // Timer F (and B, H, J): how long a transaction may take before it is given up.
  Millis timeout() const { return 64 * t1; }
};

}  // namespace xf::sip
