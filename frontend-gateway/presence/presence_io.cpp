#include "frontend-gateway/presence/presence_io.h"

#include "frontend-gateway/core/sip_contact.h"

namespace xf::gw {

const char* to_string(PresenceRequest::Kind kind) {
  switch (kind) {
    case PresenceRequest::Kind::subscribe:
      return "SUBSCRIBE";
    case PresenceRequest::Kind::refresh:
      return "refresh SUBSCRIBE";
    case PresenceRequest::Kind::unsubscribe:
      return "un-SUBSCRIBE";
    case PresenceRequest::Kind::fetch:
      return "fetch SUBSCRIBE";
    case PresenceRequest::Kind::notify:
      return "NOTIFY";
  }
  return "?";
}

PresenceIo::PresenceIo(const GatewayConfig& config, RelaySender& relay,
                       RelaySender::Owner& relay_owner, SipClient& client,
                       SipClient::Owner& owner, SipResponder& responder, GatewayClock& clock,
                       TokenSource& tokens)
    : config_(config),
      relay_(relay),
      relay_owner_(relay_owner),
      client_(client),
      owner_(owner),
      responder_(responder),
      clock_(clock),
      tokens_(tokens) {}

std::string PresenceIo::new_call_id() {
  return "pres-" + token() + "@" + config_.node_name;
}

std::string PresenceIo::contact() const {
  return contact_uri(config_.sip, client_.next_hop_sent_by(), "gateway");
}

Status PresenceIo::send_request(sip::SipMessage request, PresenceRequest why) {
  auto ticket = client_.send(owner_, std::move(request), SipClient::IfHopDown::wait);
  if (!ticket.ok()) return fail(ticket.error());
  log_.debug(to_string(why.kind), " ", why.watcher, " -> ", why.target, " (ticket ", *ticket, ")");
  requests_.emplace(*ticket, std::move(why));
  return {};
}

std::optional<PresenceOutcome> PresenceIo::take_outcome(SipOutcome&& outcome) {
  auto it = requests_.find(outcome.ticket);
  if (it == requests_.end()) return std::nullopt;
  PresenceOutcome out{std::move(it->second), std::move(outcome.request),
                      std::move(outcome.response), outcome.status};
  requests_.erase(it);
  return out;
}

std::size_t PresenceIo::clear() {
  const std::size_t n = requests_.size();
  requests_.clear();
  return n;
}

}  // namespace xf::gw
