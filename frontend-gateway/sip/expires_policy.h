// Subscription durations (RFC 6665 §4.2.1.1, §4.1.2.1): what a notifier grants for a SUBSCRIBE's
// Expires, when to answer 423 Interval Too Brief with Min-Expires, and when a subscriber should
// refresh what it was granted.
#pragma once

#include <cstdint>
#include <optional>

#include "common/core/clock.h"
#include "common/core/result.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::sip {

struct ExpiresDecision {
  enum class Kind {
    accept,     // Grant `expires` seconds (never more than asked, RFC 6665 §4.2.1.1).
    fetch,      // Expires: 0: answer, send one NOTIFY, and end the subscription (unsubscribe).
    too_brief,  // Answer 423 Interval Too Brief with Min-Expires: `expires`.
    malformed,  // Expires is not a number: answer 400.
  };
  Kind kind = Kind::accept;
  std::uint32_t expires = 0;
};

struct ExpiresPolicy {
  // Shortest subscription accepted; a shorter non-zero request gets 423. One minute keeps a
  // misbehaving client from turning refreshes into a NOTIFY storm.
  std::uint32_t min_expires = 60;
  // Longest subscription granted; longer requests are shortened. One hour is RFC 3856's default
  // for presence and bounds how long a forgotten subscription lingers.
  std::uint32_t max_expires = 3600;
  // Granted when the SUBSCRIBE has no Expires (RFC 3856 §6.4: presence defaults to 3600 s).
  std::uint32_t default_expires = 3600;

  // invalid_argument unless 0 < min_expires <= default_expires <= max_expires.
  Status validate() const;

  ExpiresDecision decide(const SipMessage& subscribe) const;
  // The same from an Expires value as written (nullopt when the header is absent).
  ExpiresDecision decide(std::optional<std::string_view> expires_header) const;

  // Adds "Min-Expires: <min_expires>" to a 423 response.
  Status add_min_expires(SipMessage& response) const;
};

// Min-Expires of a 423 response to our SUBSCRIBE: the value to try again with.
std::optional<std::uint32_t> min_expires_of(const SipMessage& response);

// When a subscriber refreshes a subscription granted for `granted` seconds at `now`: ten minutes
// early for long grants, halfway for short ones, so that a refresh lost to one 64*T1 timeout
// can still be retried in time.
Millis refresh_deadline(Millis now, std::uint32_t granted);

}  // namespace xf::sip
