#include "frontend-gateway/presence/presence_requests.h"

#include <utility>

namespace xf::gw {

const char* to_string(PresenceRequest::Kind kind) {
  switch (kind) {
    case PresenceRequest::Kind::subscribe: return "SUBSCRIBE";
    case PresenceRequest::Kind::refresh: return "refresh SUBSCRIBE";
    case PresenceRequest::Kind::unsubscribe: return "un-SUBSCRIBE";
    case PresenceRequest::Kind::fetch: return "fetch SUBSCRIBE";
    case PresenceRequest::Kind::notify: return "NOTIFY";
  }
  return "?";
}

Status PresenceRequests::send(sip::SipMessage request, PresenceRequest why) {
  auto ticket = client_.send(*this, std::move(request), SipClient::IfHopDown::wait);
  if (!ticket.ok()) return fail(ticket.error());
  requests_.emplace(*ticket, std::move(why));
  return {};
}

void PresenceRequests::on_sip_outcome(SipOutcome&& outcome) {
  auto it = requests_.find(outcome.ticket);
  if (it == requests_.end()) return;
  PresenceOutcome out{std::move(it->second), std::move(outcome.request),
                      std::move(outcome.response), outcome.status};
  requests_.erase(it);
  handler_.on_outcome(std::move(out));
}

std::size_t PresenceRequests::clear() {
  const std::size_t n = requests_.size();
  requests_.clear();
  return n;
}

}  // namespace xf::gw
