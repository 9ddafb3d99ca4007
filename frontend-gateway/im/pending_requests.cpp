#include "frontend-gateway/im/pending_requests.h"

#include <iterator>

namespace xf::gw {

Status PendingRequests::add(RelayRef ref, PendingRequest&& request) {
  if (full()) return fail(Errc::limit_exceeded, "too many SIP requests waiting for the edge");
  if (entries_.count(ref) != 0)
    return fail(Errc::invalid_argument, "relay frame is already pending");
  const bool indexed = !request.stanza.id.empty();
  if (indexed && by_stanza_.count(request.stanza) != 0) {
    return fail(Errc::invalid_argument, "stanza id is already pending");
  }
  if (indexed) by_stanza_.emplace(request.stanza, ref);
  deadlines_.arm(ref, request.deadline);
  auto it = entries_.emplace(ref, std::move(request)).first;
  it->second.delivered = false;
  return {};
}

PendingRequest PendingRequests::remove(std::map<RelayRef, PendingRequest>::iterator it) {
  PendingRequest out = std::move(it->second);
  deadlines_.disarm(it->first);
  if (!out.stanza.id.empty()) by_stanza_.erase(out.stanza);
  entries_.erase(it);
  return out;
}

std::optional<PendingRequest> PendingRequests::take(RelayRef ref) {
  auto it = entries_.find(ref);
  if (it == entries_.end() || it->second.delivered) return std::nullopt;
  return remove(it);
}

bool PendingRequests::hold(RelayRef ref, Millis until) {
  auto it = entries_.find(ref);
  if (it == entries_.end() || it->second.delivered) return false;
  it->second.deadline = until;
  it->second.delivered = true;
  deadlines_.arm(ref, until);
  return true;
}

std::optional<PendingRequest> PendingRequests::take_stanza(const StanzaKey& key) {
  if (key.id.empty()) return std::nullopt;
  auto found = by_stanza_.find(key);
  if (found == by_stanza_.end()) return std::nullopt;
  auto it = entries_.find(found->second);
  if (it == entries_.end()) return std::nullopt;
  return remove(it);
}

std::vector<PendingRequest> PendingRequests::take_expired(Millis now) {
  std::vector<PendingRequest> out;
  for (const RelayRef& ref : deadlines_.take_due(now)) {
    if (auto it = entries_.find(ref); it != entries_.end()) out.push_back(remove(it));
  }
  return out;
}

Millis PendingRequests::next_deadline() const { return deadlines_.next(); }

}  // namespace xf::gw
