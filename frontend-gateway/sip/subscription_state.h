// The Subscription-State header of a NOTIFY (RFC 6665 §4.1.3, §8.2.3): where the subscription
// stands, for how long, and, once terminated, why and whether to subscribe again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/core/result.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::sip {

enum class SubState {
  active,      // Accepted; notifications flow.
  pending,     // Received, not yet authorized (RFC 8048: no XMPP "subscribed" yet).
  terminated,  // Over; see the reason.
  extension,   // A substate another specification defines; the text is kept.
};

// event-reason-value (RFC 6665 §4.1.3, IANA registry of §8.4).
enum class TerminationReason {
  none,         // No reason parameter.
  deactivated,  // Subscription moved or ended; subscribe again at once.
  probation,    // Ended for now; subscribe again later (after retry-after).
  rejected,     // Refused by policy; do not subscribe again.
  timeout,      // Not refreshed in time; subscribe again at once.
  giveup,       // Authorization took too long; subscribe again later.
  noresource,   // The resource no longer exists; do not subscribe again.
  invariant,    // The resource will never change; do not subscribe again.
  other,        // An extension reason; the text is kept.
};

// What a subscriber should do after "terminated" (RFC 6665 §4.1.3).
enum class RetryAdvice {
  now,    // deactivated, timeout.
  later,  // probation, giveup, none or unknown: after retry_after if given.
  never,  // rejected, noresource, invariant.
};

struct SubscriptionState {
  SubState state = SubState::active;
  std::string extension_state;           // Lowercased token when state == extension.
  std::optional<std::uint32_t> expires;  // Seconds left (active, pending).
  TerminationReason reason = TerminationReason::none;
  std::string reason_text;  // Lowercased reason as written ("" for none).
  std::optional<std::uint32_t> retry_after;

  static SubscriptionState active(std::uint32_t expires);
  static SubscriptionState pending(std::uint32_t expires);
  static SubscriptionState terminated(TerminationReason reason,
                                      std::optional<std::uint32_t> retry_after = {});

  // parse_error for an empty or malformed value or non-numeric expires/retry-after.
  static Result<SubscriptionState> parse(std::string_view value);
  // The Subscription-State header of a NOTIFY; not_found when it has none (a 400).
  static Result<SubscriptionState> of(const SipMessage& notify);

  // "active;expires=600", "terminated;reason=rejected", "terminated;reason=probation;
  // retry-after=30". invalid_argument for an extension state or reason that is not a token.
  Result<std::string> to_string() const;

  RetryAdvice retry_advice() const;
  bool operator==(const SubscriptionState& other) const = default;
};

const char* to_string(SubState state);
const char* to_string(TerminationReason reason);  // "" for none and other.

}  // namespace xf::sip
