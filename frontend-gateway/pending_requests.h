// SIP MESSAGE requests relayed to an edge and waiting for its verdict (Delivered or Bounce),
// keyed by the relay frame that carried them. Bounded; every entry has a deadline after which it
// is answered 408, so that the server transaction is never abandoned without a response.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/core/clock.h"
#include "common/core/result.h"
#include "frontend-gateway/relay_port.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::gw {

struct PendingRequest {
  std::uint64_t connection = 0;  // The SIP connection the request came on.
  sip::SipMessage request;
  std::string to_tag;  // Our To tag for the final response.
  Millis deadline = kNoDeadline;
};

class PendingRequests {
 public:
  explicit PendingRequests(std::size_t max_entries) : max_(max_entries) {}

  bool full() const { return entries_.size() >= max_; }
  std::size_t size() const { return entries_.size(); }

  // limit_exceeded when full; invalid_argument when the frame is already pending.
  Status add(RelayRef ref, PendingRequest request);
  // The request a Delivered or Bounce answers, or nullopt when none is pending for it.
  std::optional<PendingRequest> take(RelayRef ref);
  // Every request sent on a link that went down.
  std::vector<PendingRequest> take_link(std::size_t link);
  // Every request whose deadline is at or before now.
  std::vector<PendingRequest> take_expired(Millis now);
  Millis next_deadline() const;

 private:
  std::size_t max_;
  std::map<RelayRef, PendingRequest> entries_;
  std::set<std::pair<Millis, RelayRef>> deadlines_;
};

}  // namespace xf::gw
