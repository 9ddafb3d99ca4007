#include "frontend-gateway/core/sip_client.h"

#include <utility>

namespace xf::gw {

namespace {

// RFC 3261 §8.1.3.1: a transport failure counts as a 503 from the next hop.
constexpr int kTransportFailure = 503;

}  // namespace

SipClient::SipClient(const SipSettings& settings, std::size_t max_waiting, SipPort& port,
                     sip::TransactionLayer& txn, GatewayClock& clock)
    : settings_(settings), max_waiting_(max_waiting), port_(port), txn_(txn), clock_(clock) {}

Result<std::uint64_t> SipClient::send(Owner& owner, sip::SipMessage request,
                                      IfHopDown if_hop_down) {
  Entry entry{&owner, 0, std::move(request), if_hop_down};
  if (std::optional<std::string> sent_by = port_.next_hop_sent_by()) {
    entry.ticket = ++last_ticket_;
    const std::uint64_t ticket = entry.ticket;
    start(std::move(entry), *sent_by);
    return ticket;
  }
  // Asked even when the queue is full: requests that keep waiting across a failed connection
  // need some later send to try again.
  port_.ensure_next_hop();
  if (waiting_.size() >= max_waiting_) {
    return fail(Errc::limit_exceeded, "too many requests wait for the SIP next hop");
  }
  entry.ticket = ++last_ticket_;
  log_.debug(entry.request.method(), " to ", entry.request.request_uri(),
             " waits for the SIP next hop");
  waiting_.push_back(std::move(entry));
  return waiting_.back().ticket;
}

void SipClient::start(Entry&& entry, const std::string& sent_by) {
  auto wire = entry.request.clone();
  Status built = wire.ok() ? Status() : Status(fail(wire.error()));
  if (built.ok()) {
    built = wire->push_via(via_transport(settings_.next_hop_transport), sent_by, txn_.new_branch());
  }
  Result<std::string> id = built.ok() ? txn_.start_client(*wire, clock_.now())
                                      : Result<std::string>(fail(built.error()));
  Result<std::string> bytes = id.ok() ? wire->to_string() : Result<std::string>(fail(id.error()));
  if (bytes.ok() && !port_.send_to_next_hop(std::move(bytes.value()))) {
    // The client transaction stays until Timer F; with no entry in in_flight_ it is ignored.
    bytes = fail(Errc::io_error, "the SIP next hop is not writable");
  }
  if (!bytes.ok()) {
    log_.debug(entry.request.method(), " to ", entry.request.request_uri(),
               " not sent: ", bytes.error().detail);
    if (failed_.empty()) failed_at_ = clock_.now();
    failed_.emplace_back(std::move(entry), bytes.error());
    return;
  }
  log_.debug(entry.request.method(), " to ", entry.request.request_uri(), " sent (", *id, ")");
  in_flight_.emplace(std::move(id.value()), std::move(entry));
}

void SipClient::deliver(Entry&& entry, SipOutcome::Kind kind, int status, Error error,
                        std::optional<sip::SipMessage> response) {
  Owner* owner = entry.owner;
  owner->on_sip_outcome(SipOutcome{kind, entry.ticket, std::move(entry.request),
                                   std::move(response), status, std::move(error)});
}

void SipClient::on_client_event(sip::ClientEvent&& event) {
  if (event.kind == sip::ClientEvent::Kind::provisional) return;
  auto it = in_flight_.find(event.id);
  if (it == in_flight_.end()) {
    // Its outcome was given already: the connection it left by was lost, or it was not sent.
    log_.debug("client transaction ", event.id, " ended; nobody waits for it any more");
    return;
  }
  Entry entry = std::move(it->second);
  in_flight_.erase(it);
  if (event.kind == sip::ClientEvent::Kind::timeout) {
    deliver(std::move(entry), SipOutcome::Kind::timeout, 408,
            make_error(Errc::timeout, "no final response within 64*T1"));
    return;
  }
  const int status = event.response->status_code();
  deliver(std::move(entry), SipOutcome::Kind::response, status, Error{}, std::move(event.response));
}

void SipClient::on_next_hop_up() {
  std::deque<Entry> waiting;
  waiting.swap(waiting_);
  const std::optional<std::string> sent_by = port_.next_hop_sent_by();
  for (Entry& entry : waiting) {
    if (sent_by) {
      start(std::move(entry), *sent_by);
    } else {
      waiting_.push_back(std::move(entry));
    }
  }
}

void SipClient::on_next_hop_down(const Error* reason) {
  const std::string why = reason != nullptr ? reason->detail : "closed";
  // Owners may send again from their outcomes: what fails now is taken out first.
  std::deque<Entry> waiting;
  waiting.swap(waiting_);
  std::vector<Entry> unsent;
  for (Entry& entry : waiting) {
    if (entry.if_hop_down == IfHopDown::wait) {
      waiting_.push_back(std::move(entry));
    } else {
      unsent.push_back(std::move(entry));
    }
  }
  std::map<std::string, Entry> sent;
  sent.swap(in_flight_);
  if (!unsent.empty() || !sent.empty() || !waiting_.empty()) {
    log_.warn("SIP next hop down (", why, "): ", unsent.size(), " waiting and ", sent.size(),
              " sent request(s) fail, ", waiting_.size(), " wait for the next connection");
  }
  for (Entry& entry : unsent) {
    deliver(std::move(entry), SipOutcome::Kind::not_sent, kTransportFailure,
            make_error(Errc::io_error, "the SIP next hop is not reachable (" + why + ")"));
  }
  for (auto& [id, entry] : sent) {
    deliver(std::move(entry), SipOutcome::Kind::connection_lost, kTransportFailure,
            make_error(Errc::io_error, "SIP next hop connection lost (" + why + ")"));
  }
}

void SipClient::on_timer() {
  std::vector<std::pair<Entry, Error>> failed;
  failed.swap(failed_);
  failed_at_ = kNoDeadline;
  for (auto& [entry, error] : failed) {
    deliver(std::move(entry), SipOutcome::Kind::not_sent, kTransportFailure, std::move(error));
  }
}

Millis SipClient::next_deadline() const { return failed_at_; }

void SipClient::clear() {
  waiting_.clear();
  in_flight_.clear();
  failed_.clear();
  failed_at_ = kNoDeadline;
}

}  // namespace xf::gw
