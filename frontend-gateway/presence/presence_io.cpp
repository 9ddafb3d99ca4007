#include "frontend-gateway/presence/presence_io.h"

#include "frontend-gateway/core/sip_contact.h"
#include "frontend-gateway/core/sip_responder.h"

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

PresenceIo::PresenceIo(const GatewayConfig& config, RelayPort& relay, SipPort& sip,
                       sip::TransactionLayer& txn, GatewayClock& clock, TokenSource& tokens)
    : config_(config), relay_(relay), sip_(sip), txn_(txn), clock_(clock), tokens_(tokens) {}

std::string PresenceIo::new_call_id() {
  return "pres-" + token() + "@" + config_.node_name;
}

std::string PresenceIo::contact() {
  return contact_uri(config_.sip, sip_.next_hop_sent_by(), "gateway");
}

Status PresenceIo::send_request(sip::SipMessage request, PresenceRequest why) {
  Outgoing out{std::move(request), std::move(why)};
  if (std::optional<std::string> sent_by = sip_.next_hop_sent_by()) {
    return start(std::move(out), *sent_by);
  }
  if (waiting_.size() >= static_cast<std::size_t>(config_.sip.max_pending_requests)) {
    return fail(Errc::limit_exceeded, "too many requests wait for the SIP next hop");
  }
  log_.debug(to_string(out.why.kind), " ", out.why.watcher, " -> ", out.why.target,
             " waits for the SIP next hop");
  waiting_.push_back(std::move(out));
  return {};
}

Status PresenceIo::start(Outgoing&& out, const std::string& sent_by) {
  auto wire = out.request.clone();
  if (!wire.ok()) return fail(wire.error());
  if (Status st =
          wire->push_via(via_transport(config_.sip.next_hop_transport), sent_by, txn_.new_branch());
      !st.ok())
    return st;
  auto id = txn_.start_client(*wire, clock_.now());
  if (!id.ok()) return fail(id.error());
  auto bytes = wire->to_string();
  if (!bytes.ok()) return fail(bytes.error());
  // A failed write is left to Timer F: the outcome is then a timeout, handled in one place.
  if (!sip_.send_to_next_hop(std::move(bytes.value()))) {
    log_.warn(to_string(out.why.kind), " ", out.why.watcher, " -> ", out.why.target,
              ": the SIP next hop is not writable; the transaction will time out");
  }
  log_.debug(to_string(out.why.kind), " ", out.why.watcher, " -> ", out.why.target, " sent (", *id,
             ")");
  in_flight_.emplace(std::move(id.value()), std::move(out));
  return {};
}

void PresenceIo::on_next_hop_up() {
  std::deque<Outgoing> waiting;
  waiting.swap(waiting_);
  for (Outgoing& out : waiting) {
    std::optional<std::string> sent_by = sip_.next_hop_sent_by();
    if (!sent_by) {
      waiting_.push_back(std::move(out));
      continue;
    }
    const PresenceRequest why = out.why;
    if (Status st = start(std::move(out), *sent_by); !st.ok()) {
      log_.warn(to_string(why.kind), " ", why.watcher, " -> ", why.target,
                " not sent: ", st.error().detail);
    }
  }
}

std::optional<PresenceOutcome> PresenceIo::on_client_event(sip::ClientEvent&& event) {
  if (event.kind == sip::ClientEvent::Kind::provisional) return std::nullopt;
  auto it = in_flight_.find(event.id);
  if (it == in_flight_.end()) return std::nullopt;
  PresenceOutcome outcome{std::move(it->second.why), std::move(it->second.request), std::nullopt,
                          408};
  in_flight_.erase(it);
  if (event.kind == sip::ClientEvent::Kind::final_response && event.response) {
    outcome.status = event.response->status_code();
    outcome.response = std::move(event.response);
  }
  return outcome;
}

std::size_t PresenceIo::drop_waiting() {
  const std::size_t n = waiting_.size();
  waiting_.clear();
  return n;
}

void PresenceIo::respond(std::uint64_t connection, const sip::SipMessage& request, int status,
                         std::string_view to_tag,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
  send_response(txn_, sip_, clock_.now(), log_, connection,
                build_response(request, status, to_tag, headers));
}

void PresenceIo::respond_with(std::uint64_t connection, Result<sip::SipMessage> response) {
  send_response(txn_, sip_, clock_.now(), log_, connection, std::move(response));
}

Result<RelayRef> PresenceIo::send_stanza(const xml::Element& stanza, std::string_view local,
                                         std::string_view remote) {
  relay::RoutingFacts facts{std::string(local), std::string(remote), relay::Direction::outbound,
                            relay::PartnerAuth::none, ""};
  scratch_.clear();
  xml::serialize(stanza, scratch_);
  auto ref = relay_.send_stanza(facts, scratch_);
  if (!ref.ok()) {
    log_.warn("<presence type='", stanza.attr("type"), "'> ", stanza.attr("from"), " -> ",
              stanza.attr("to"), " not relayed: ", ref.error().detail);
  }
  return ref;
}

}  // namespace xf::gw
