// SIP MESSAGE requests relayed to an edge and waiting for their answer, keyed by the relay frame
// that carried them and by the stanza that frame held. An entry lives in two phases:
// - waiting: the edge has not said Delivered or Bounce yet; the deadline is 64*T1, after which
//   the request is answered 408, so that the server transaction is never abandoned;
// - delivered: the edge wrote the stanza to the partner stream and the request is held for the
//   delivery grace window (sip.delivery_grace_ms), in which an error stanza from the partner's
//   server can still become the SIP response; the deadline is the window's end (202 then).
// Bounded: both phases count against max_entries.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/core/clock.h"
#include "common/core/deadline_set.h"
#include "common/core/result.h"
#include "frontend-gateway/core/relay_port.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::gw {

// The stanza a request became: an error stanza that answers it carries the same id, comes from
// `to` and goes to `from` (bare JIDs, as a server may add or drop resources).
struct StanzaKey {
  std::string id;    // The id the gateway gave the stanza ("sip-<token>").
  std::string from;  // Bare JID of the internal sender.
  std::string to;    // Bare JID of the partner recipient.
  // clang-tidy 14 reads the synthesized comparison with 0 as a null pointer constant.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  friend auto operator<=>(const StanzaKey&, const StanzaKey&) = default;
};

struct PendingRequest {
  std::uint64_t connection = 0;  // The SIP connection the request came on.
  sip::SipMessage request;
  std::string to_tag;  // Our To tag for the final response.
  Millis deadline = kNoDeadline;
  StanzaKey stanza;        // Not indexed when its id is empty.
  bool delivered = false;  // In the delivery grace window (set by hold()).
};

class PendingRequests {
 public:
  explicit PendingRequests(std::size_t max_entries) : max_(max_entries) {}

  bool full() const { return entries_.size() >= max_; }
  std::size_t size() const { return entries_.size(); }

  // limit_exceeded when full; invalid_argument when the frame or the stanza key is already
  // pending. The request is moved from only on success (the caller answers it otherwise).
  Status add(RelayRef ref, PendingRequest&& request);
  // The waiting request a Delivered or Bounce answers, or nullopt when none waits for it.
  std::optional<PendingRequest> take(RelayRef ref);
  // Delivered: keeps the waiting request of a frame until `until` (its grace window's end).
  // False when no request waits for that frame.
  bool hold(RelayRef ref, Millis until);
  // The request (waiting or delivered) whose stanza an error stanza answers.
  std::optional<PendingRequest> take_stanza(const StanzaKey& key);
  // Every request whose deadline is at or before now, in deadline order; `delivered` tells a
  // window that ended from a verdict that never came.
  std::vector<PendingRequest> take_expired(Millis now);
  Millis next_deadline() const;

 private:
  PendingRequest remove(std::map<RelayRef, PendingRequest>::iterator it);

  std::size_t max_;
  std::map<RelayRef, PendingRequest> entries_;
  std::map<StanzaKey, RelayRef> by_stanza_;
  DeadlineSet<RelayRef> deadlines_;
};

}  // namespace xf::gw
