#include "frontend-gateway/pending_requests.h"

namespace xf::gw {

Status PendingRequests::add(RelayRef ref, PendingRequest request) {
  if (full()) return fail(Errc::limit_exceeded, "too many SIP requests waiting for the edge");
  const Millis deadline = request.deadline;
  auto [it, inserted] = entries_.try_emplace(ref, std::move(request));
  if (!inserted) return fail(Errc::invalid_argument, "relay frame is already pending");
  deadlines_.emplace(deadline, ref);
  return {};
}

std::optional<PendingRequest> PendingRequests::take(RelayRef ref) {
  auto it = entries_.find(ref);
  if (it == entries_.end()) return std::nullopt;
  PendingRequest out = std::move(it->second);
  entries_.erase(it);
  deadlines_.erase({out.deadline, ref});
  return out;
}

std::vector<PendingRequest> PendingRequests::take_link(std::size_t link) {
  std::vector<PendingRequest> out;
  auto it = entries_.lower_bound(RelayRef{link, 0});
  while (it != entries_.end() && it->first.link == link) {
    deadlines_.erase({it->second.deadline, it->first});
    out.push_back(std::move(it->second));
    it = entries_.erase(it);
  }
  return out;
}

std::vector<PendingRequest> PendingRequests::take_expired(Millis now) {
  std::vector<PendingRequest> out;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const RelayRef ref = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    auto it = entries_.find(ref);
    if (it == entries_.end()) continue;
    out.push_back(std::move(it->second));
    entries_.erase(it);
  }
  return out;
}

Millis PendingRequests::next_deadline() const {
  return deadlines_.empty() ? kNoDeadline : deadlines_.begin()->first;
}

}  // namespace xf::gw
