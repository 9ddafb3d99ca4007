#include "frontend-gateway/core/gateway.h"

#include <algorithm>
#include <optional>

#include "common/xmpp/jid.h"
#include "frontend-gateway/bridge/error_map.h"
#include "frontend-gateway/bridge/error_reply.h"
#include "frontend-gateway/store/sqlite_store.h"

namespace xf::gw {

namespace {

using xmpp::StanzaError;

sip::TransactionConfig transaction_config(const GatewayConfig& config) {
  sip::TransactionConfig out;
  out.timers.t1 = config.sip.t1_ms;
  return out;
}

// The domain of a JID attribute, "" when it is not a JID.
std::string domain_of(std::string_view jid) {
  auto parsed = xmpp::Jid::parse(jid);
  return parsed.ok() ? parsed->domain() : std::string();
}

// The bare form of a JID attribute, "" when it is not a JID.
std::string bare_of(std::string_view jid) {
  auto parsed = xmpp::Jid::parse(jid);
  return parsed.ok() ? parsed->bare_string() : std::string();
}

// The defined condition of an error stanza, "" when it names none.
std::string error_condition(const xml::Element& stanza) {
  const xml::Element* error = stanza.child("error");
  if (error == nullptr) return {};
  for (const xml::Element* c : error->children()) {
    if (c->xmlns() == xmpp::kStanzaErrorNs && c->name() != "text") return c->name();
  }
  return {};
}

std::unique_ptr<store::StateStore> memory_store() {
  auto opened = store::SqliteStore::open(":memory:");
  // An in-memory database fails to open only when memory itself is gone.
  if (!opened.ok()) std::abort();
  return std::move(opened.value());
}

}  // namespace

Gateway::Gateway(const GatewayConfig& config, RelayPort& relay, SipPort& sip, GatewayClock& clock,
                 std::uint64_t seed)
    : Gateway(config, relay, sip, clock, memory_store(), nullptr, seed) {}

Gateway::Gateway(const GatewayConfig& config, RelayPort& relay, SipPort& sip, GatewayClock& clock,
                 store::StateStore& store, std::uint64_t seed)
    : Gateway(config, relay, sip, clock, nullptr, &store, seed) {}

Gateway::Gateway(const GatewayConfig& config, RelayPort& relay, SipPort& sip, GatewayClock& clock,
                 std::unique_ptr<store::StateStore> owned, store::StateStore* store,
                 std::uint64_t seed)
    : owned_store_(std::move(owned)),
      config_(config),
      store_(store != nullptr ? *store : *owned_store_),
      sip_(sip),
      clock_(clock),
      tokens_(seed),
      policy_(config),
      mapper_(bridge::MapperLimits{}, Logger("gateway")),
      sessions_(config, policy_),
      txn_(transaction_config(config), tokens_),
      responder_(txn_, sip, clock),
      sip_client_(config.sip, static_cast<std::size_t>(config.sip.max_pending_requests), sip, txn_,
                  clock),
      relay_sender_(relay, static_cast<std::size_t>(config.sip.max_pending_requests) +
                               PresenceNotifier::kMaxSubscribeRefs),
      presence_(config, relay_sender_, sip_client_, responder_, clock, store_, tokens_),
      pending_(static_cast<std::size_t>(config.sip.max_pending_requests)) {
  // Stored subscriptions have timers from the start (refreshes, expiries).
  rearm();
}

Millis Gateway::next_deadline() const {
  return std::min({txn_.next_deadline(), sip_client_.next_deadline(), pending_.next_deadline(),
                   presence_.next_deadline(), sessions_.next_deadline()});
}

// After shutdown nothing is armed: lingering server transactions must not keep the loop alive.
void Gateway::rearm() {
  clock_.wake_at(stopped_ ? kNoDeadline : next_deadline());
}

// ---- Relay events ---------------------------------------------------------------------------

void Gateway::on_relay_event(std::size_t link, relay::LinkEvent&& event) {
  if (auto* stanza = std::get_if<relay::StanzaReceived>(&event)) {
    partner_stanza(std::move(stanza->stanza));
  } else if (auto* delivered = std::get_if<relay::DeliveredReceived>(&event)) {
    relay_sender_.on_delivered({link, delivered->delivered.ref_seq});
  } else if (auto* bounce = std::get_if<relay::BounceReceived>(&event)) {
    relay_sender_.on_bounce({link, bounce->bounce.ref_seq}, bounce->bounce.condition);
  }
  rearm();
}

void Gateway::on_bounced(RelayRef ref, std::string_view condition) {
  auto parsed = xmpp::parse_stanza_error(condition);
  const int status = parsed ? bridge::sip_status_for(*parsed) : 500;
  verdict(ref, status, "bounced by the edge: " + std::string(condition));
}

void Gateway::on_relay_link_down(std::size_t link) {
  relay_sender_.on_link_down(link);
  std::vector<PendingRequest> lost = pending_.take_link(link);
  if (!lost.empty()) {
    log_.warn("relay link ", link, " lost with ", lost.size(),
              " SIP request(s) waiting for the edge: answering 503");
  }
  for (PendingRequest& p : lost) responder_.respond(p.connection, p.request, 503, p.to_tag);
  rearm();
}

// Partner -> SIP.
void Gateway::partner_stanza(relay::StanzaMsg&& msg) {
  const relay::RoutingFacts& facts = msg.facts;
  auto parsed = reader_.read(msg.xml);
  if (!parsed.ok()) {
    log_.warn("stanza from ", facts.remote_domain, " does not parse (", parsed.error().text,
              "): dropped");
    return;
  }
  xml::Element stanza = std::move(parsed.value());
  if (facts.direction != relay::Direction::inbound) {
    log_.warn("<", stanza.name(), "> from the edge is not marked inbound: dropped");
    return;
  }
  // The edge authenticated remote_domain; a stanza claiming another sender is not answered,
  // since the answer would go to a domain that never sent it.
  const std::string from_domain = domain_of(stanza.attr("from"));
  if (from_domain != facts.remote_domain) {
    log_.warn("<", stanza.name(), "> from '", stanza.attr("from"),
              "' arrived on a stream authenticated for ", facts.remote_domain, ": dropped");
    return;
  }
  // An error answering a MESSAGE whose SIP transaction is still open is that MESSAGE's answer,
  // not a stanza for an internal user: no partner policy applies and nothing is forwarded.
  if (stanza.name() == "message" && stanza.attr("type") == "error" && partner_refused(stanza)) {
    return;
  }
  const std::string to_domain = domain_of(stanza.attr("to"));
  // public_unverified partners reach only users who added them (authorizations in the store).
  PolicyVerdict verdict = policy_.inbound_stanza(stanza.attr("from"), stanza.attr("to"),
                                                 facts.remote_domain, facts.local_domain, store_);
  if (verdict == PolicyVerdict::allow && to_domain != facts.local_domain) {
    verdict = PolicyVerdict::not_local;
  }
  if (verdict != PolicyVerdict::allow) {
    log_.info("<", stanza.name(), "> from ", facts.remote_domain, " to ", to_domain,
              " refused: ", to_string(verdict));
    relay_sender_.reply_error(stanza, facts, StanzaError::policy_violation, to_string(verdict));
    return;
  }
  if (stanza.name() == "message") {
    partner_message(std::move(stanza), facts);
  } else if (stanza.name() == "iq") {
    const std::string_view type = stanza.attr("type");
    if (type == "get" || type == "set") {
      // No iq is mapped to SIP yet (presence and disco come next), but RFC 6120 §8.2.3 requires
      // an answer to every get/set.
      log_.debug("iq ", type, " from ", stanza.attr("from"), ": service-unavailable");
      relay_sender_.reply_error(stanza, facts, StanzaError::service_unavailable, {});
    } else {
      log_.debug("iq ", type, " from ", stanza.attr("from"), " ignored");
    }
  } else if (stanza.name() == "presence") {
    presence_.on_partner_presence(stanza, facts);
  } else {
    log_.warn("unknown stanza <", stanza.name(), "> from ", facts.remote_domain, ": dropped");
  }
}

void Gateway::partner_message(xml::Element&& message, const relay::RoutingFacts& facts) {
  if (message.attr("type") == "error") {
    // No SIP transaction is left to fail (partner_refused found none): the MESSAGE was answered
    // already, its delivery grace window being over, or the id is not one of ours. Never answer
    // an error with an error (RFC 6120 §8.3.1).
    const std::string condition = error_condition(message);
    log_.info("message error from ", message.attr("from"), " to ", message.attr("to"), " id '",
              message.attr("id"), "' (", condition.empty() ? "no condition" : condition,
              "): cannot be mapped to a SIP response (no SIP request waits for it; answered "
              "already or after its delivery grace window); dropped");
    return;
  }
  auto mapped = mapper_.to_sip(message);
  if (!mapped.ok()) {
    log_.info("message from ", message.attr("from"), " to ", message.attr("to"),
              " refused: ", xmpp::to_string(mapped.error().condition), " (", mapped.error().text,
              ")");
    relay_sender_.reply_error(message, facts, mapped.error().condition, mapped.error().text);
    return;
  }
  if (mapped->action != bridge::XmppToSip::Action::send) return;  // The mapper logged why.
  if (config_.gateway.log_message_bodies) {
    log_.debug("message body from ", message.attr("from"), ": ", mapped->request.body);
  }
  send_request(OutboundIm{std::move(message), facts, std::move(mapped->request)});
}

void Gateway::send_request(OutboundIm&& im) {
  // Inside the session between the two users when there is one, else page mode.
  const std::string from_tag = tokens_.hex();
  const std::string call_id = tokens_.hex() + "@" + config_.node_name;
  auto request = sessions_.request_for(im.request, from_tag, call_id, clock_.now());
  if (!request.ok()) {
    log_.warn("cannot build the SIP MESSAGE for ", im.stanza.attr("from"), ": ",
              request.error().detail);
    relay_sender_.reply_error(im.stanza, im.facts, StanzaError::internal_server_error, {});
    return;
  }
  auto ticket = sip_client_.send(*this, std::move(request.value()), SipClient::IfHopDown::fail);
  if (!ticket.ok()) {
    relay_sender_.reply_error(im.stanza, im.facts, StanzaError::resource_constraint,
                "too many messages waiting for the SIP next hop");
    return;
  }
  sip_requests_.emplace(*ticket, std::move(im));
}

void Gateway::on_sip_outcome(SipOutcome&& outcome) {
  auto it = sip_requests_.find(outcome.ticket);
  if (it == sip_requests_.end()) {
    // A request that carries no XMPP message: a BYE ending a session, which expects nothing.
    log_.debug(outcome.request.method(), " for Call-ID ", outcome.request.call_id(), ": ",
               outcome.status);
    return;
  }
  OutboundIm im = std::move(it->second);
  sip_requests_.erase(it);
  switch (outcome.kind) {
    case SipOutcome::Kind::response:
      if (outcome.status >= 200 && outcome.status < 300) {
        log_.info("message from ", im.stanza.attr("from"), " to ", im.stanza.attr("to"),
                  " accepted by SIP (", outcome.status, ")");
        return;
      }
      log_.info("message from ", im.stanza.attr("from"), " to ", im.stanza.attr("to"),
                " refused by SIP: ", outcome.status, " ", outcome.response->reason_phrase());
      relay_sender_.reply_sip_status(im.stanza, im.facts, outcome.status, outcome.response->reason_phrase());
      return;
    case SipOutcome::Kind::timeout:
      log_.info("message from ", im.stanza.attr("from"), " to ", im.stanza.attr("to"),
                ": no SIP final response within 64*T1");
      relay_sender_.reply_sip_status(im.stanza, im.facts, 408, "Request Timeout");
      return;
    case SipOutcome::Kind::connection_lost:
      relay_sender_.reply_sip_status(im.stanza, im.facts, 503, "SIP next hop connection lost");
      return;
    case SipOutcome::Kind::not_sent:
      switch (outcome.error.code) {
        case Errc::io_error:
          relay_sender_.reply_error(im.stanza, im.facts, StanzaError::remote_server_not_found,
                      "the SIP next hop is not reachable");
          return;
        case Errc::limit_exceeded:
          relay_sender_.reply_error(im.stanza, im.facts, StanzaError::resource_constraint,
                      outcome.error.detail);
          return;
        default:
          relay_sender_.reply_error(im.stanza, im.facts, StanzaError::internal_server_error, {});
          return;
      }
  }
}

// ---- SIP events -----------------------------------------------------------------------------

void Gateway::on_sip_message(std::uint64_t connection, sip::SipMessage&& message) {
  if (message.is_response()) {
    if (auto event = txn_.on_response(std::move(message), clock_.now())) {
      sip_client_.on_client_event(std::move(*event));
    }
  } else {
    sip_request(connection, std::move(message));
  }
  rearm();
}

void Gateway::on_next_hop_up() {
  sip_client_.on_next_hop_up();
  rearm();
}

void Gateway::on_next_hop_down(const Error* reason) {
  sip_client_.on_next_hop_down(reason);
  rearm();
}

void Gateway::sip_request(std::uint64_t connection, sip::SipMessage&& request) {
  sip::ServerMatch match = txn_.on_request(request, clock_.now());
  switch (match.kind) {
    case sip::ServerMatch::Kind::retransmission:
      if (!match.resend.empty()) sip_.send_on(connection, std::move(match.resend));
      return;
    case sip::ServerMatch::Kind::ack:
      sessions_.on_ack(request, clock_.now());
      return;
    case sip::ServerMatch::Kind::rejected: {
      const int status = match.error.code == Errc::limit_exceeded ? 503 : 400;
      log_.info(request.method(), " from ", request.from().uri, " rejected (", status,
                "): ", match.error.detail);
      responder_.respond_stateless(connection, request, status, tokens_.hex());
      return;
    }
    case sip::ServerMatch::Kind::new_request:
      break;
  }
  const std::string method = request.method();
  const std::string to_tag = tokens_.hex();
  if (auto hops = request.max_forwards(); hops && *hops <= 0) {
    responder_.respond(connection, request, 483, to_tag);
  } else if (method == "MESSAGE") {
    sip_message(connection, std::move(request));
  } else if (method == "SUBSCRIBE" || method == "NOTIFY") {
    presence_.on_sip_request(connection, request);
  } else if (method == "INVITE") {
    responder_.send(connection,
                    sessions_.on_invite(request, {to_tag, tokens_.hex(), relay_sender_.any_link_up(),
                                                  sip_client_.next_hop_sent_by(), clock_.now()}));
  } else if (method == "BYE") {
    responder_.send(connection, sessions_.on_bye(request, to_tag));
  } else if (method == "CANCEL") {
    sip_cancel(connection, request, match.id, to_tag);
  } else if (method == "OPTIONS") {
    responder_.respond(connection, request, 200, to_tag,
            {{"Allow", std::string(kAllow)}, {"Accept", std::string(kImAccept)}});
  } else {
    // UPDATE, INFO, REFER, PUBLISH and the like have no XMPP counterpart here.
    log_.info(method, " from ", request.from().uri, ": 405 (not supported yet)");
    responder_.respond(connection, request, 405, to_tag, {{"Allow", std::string(kAllow)}});
  }
}

// SIP -> partner.
void Gateway::sip_message(std::uint64_t connection, sip::SipMessage&& request) {
  const std::string to_tag = tokens_.hex();
  std::string thread;
  if (!request.to().tag.empty()) {
    // Inside a session-mode IM dialog (im_sessions.h).
    auto session = sessions_.on_message(request, clock_.now());
    if (!session.ok()) {
      log_.info("MESSAGE from ", request.from().uri, " in no live session (", session.error(), ")");
      responder_.respond(connection, request, session.error(), to_tag);
      return;
    }
    thread = std::move(session.value());
  }
  auto mapped = mapper_.to_xmpp(request, "sip-" + tokens_.hex(), thread);
  if (!mapped.ok()) {
    log_.info("MESSAGE from ", request.from().uri, " refused (", mapped.error().status,
              "): ", mapped.error().detail);
    responder_.send(connection, mapped.error().response_to(request, to_tag));
    return;
  }
  const xml::Element& stanza = *mapped;
  const std::string from_domain = domain_of(stanza.attr("from"));
  const std::string to_domain = domain_of(stanza.attr("to"));
  if (PolicyVerdict v = policy_.outbound_im(from_domain, to_domain); v != PolicyVerdict::allow) {
    log_.info("MESSAGE ", stanza.attr("from"), " -> ", stanza.attr("to"),
              " refused (403): ", to_string(v));
    responder_.respond(connection, request, 403, to_tag);
    return;
  }
  if (!relay_sender_.any_link_up()) {
    log_.warn("MESSAGE ", stanza.attr("from"), " -> ", stanza.attr("to"),
              ": no relay link is up (503)");
    responder_.respond(connection, request, 503, to_tag);
    return;
  }
  if (pending_.full()) {
    log_.warn("MESSAGE ", stanza.attr("from"), " -> ", stanza.attr("to"), ": ", pending_.size(),
              " requests already wait for the edge (503)");
    responder_.respond(connection, request, 503, to_tag);
    return;
  }
  auto ref = relay_sender_.send(stanza, from_domain, to_domain, this);
  if (!ref.ok()) {
    log_.info("MESSAGE ", stanza.attr("from"), " -> ", stanza.attr("to"), ": not relayed (503)");
    responder_.respond(connection, request, 503, to_tag);
    return;
  }
  log_.debug("MESSAGE ", stanza.attr("from"), " -> ", stanza.attr("to"), " relayed in frame ",
             ref->seq, " on link ", ref->link);
  if (config_.gateway.log_message_bodies) {
    log_.debug("message body from ", stanza.attr("from"), ": ", stanza.child_text("body"));
  }
  const Millis deadline = clock_.now() + 64 * config_.sip.t1_ms;
  StanzaKey key{std::string(stanza.attr("id")), bare_of(stanza.attr("from")),
                bare_of(stanza.attr("to"))};
  PendingRequest pending{connection, std::move(request), to_tag, deadline, std::move(key), false};
  if (Status added = pending_.add(*ref, std::move(pending)); !added.ok()) {
    // The stanza left already; the sender must still get an answer (add() moves from the
    // request only on success).
    log_.error("MESSAGE ", stanza.attr("from"), " -> ", stanza.attr("to"),
               " cannot wait for the edge (500): ", added.error().detail);
    responder_.respond(connection, pending.request, 500, to_tag);
  }
}

// RFC 3261 §9.2. INVITEs are answered at once (im_sessions.h), so the INVITE a CANCEL names is
// always answered already: the CANCEL gets 200 and changes nothing; 481 when no INVITE matches.
void Gateway::sip_cancel(std::uint64_t connection, const sip::SipMessage& request,
                         const std::string& match_id, const std::string& to_tag) {
  // Server transaction ids end in the method (transaction_layer.h); a CANCEL shares its
  // INVITE's branch and sent-by.
  constexpr std::string_view kCancel = "CANCEL";
  std::string invite_id = match_id;
  if (invite_id.size() >= kCancel.size()) {
    invite_id.replace(invite_id.size() - kCancel.size(), kCancel.size(), "INVITE");
  }
  const bool known = txn_.invite_state(invite_id).has_value();
  log_.info("CANCEL from ", request.from().uri, ": ",
            known ? "the INVITE was answered already (200)" : "no such INVITE (481)");
  responder_.respond(connection, request, known ? 200 : 481, to_tag);
}

// A request the gateway originates inside a dialog and expects nothing of (a BYE): it goes to
// the next hop, which follows the route set; its outcome is only logged (on_sip_outcome).
void Gateway::send_in_dialog(sip::SipMessage&& request) {
  const std::string method = request.method();
  const std::string call_id = request.call_id();
  if (auto ticket = sip_client_.send(*this, std::move(request), SipClient::IfHopDown::fail);
      !ticket.ok()) {
    log_.warn(method, " for Call-ID ", call_id, " not sent: ", ticket.error().detail);
  }
}

// RFC 3428 §7: 202 says the gateway accepted the message, not that the user read it. With a
// delivery grace window, the request stays open that long for an immediate error stanza from
// the partner's server (partner_refused); the window's end answers 202 (on_timer).
void Gateway::on_delivered(RelayRef ref) {
  const Millis grace = config_.sip.delivery_grace_ms;
  if (grace <= 0) {
    verdict(ref, 202, "delivered to the partner stream");
    return;
  }
  if (!pending_.hold(ref, clock_.now() + grace)) {
    // Our own error replies are answered too; nothing waits for those.
    log_.debug("frame ", ref.seq, " on link ", ref.link,
               " delivered to the partner stream (no SIP request waits)");
    return;
  }
  log_.debug("frame ", ref.seq, " on link ", ref.link,
             " delivered to the partner stream: 202 unless an error comes within ", grace, " ms");
}

bool Gateway::partner_refused(const xml::Element& error) {
  // The error comes from the recipient and goes to the sender of the stanza it answers.
  StanzaKey key{std::string(error.attr("id")), bare_of(error.attr("to")),
                bare_of(error.attr("from"))};
  std::optional<PendingRequest> p = pending_.take_stanza(key);
  if (!p) return false;
  const std::string condition = error_condition(error);
  const std::optional<StanzaError> parsed = xmpp::parse_stanza_error(condition);
  const int status = bridge::sip_status_for(parsed.value_or(StanzaError::undefined_condition));
  log_.info("MESSAGE ", p->request.from().uri, " -> ", p->request.to().uri,
            " refused by the partner's server: ", condition.empty() ? "no condition" : condition,
            p->delivered ? " within the delivery grace window (" : " before the edge's verdict (",
            status, ")");
  responder_.respond(p->connection, p->request, status, p->to_tag);
  return true;
}

void Gateway::verdict(RelayRef ref, int status, std::string_view why) {
  std::optional<PendingRequest> p = pending_.take(ref);
  if (!p) {
    // Our own error replies are answered too; nothing waits for those.
    log_.debug("frame ", ref.seq, " on link ", ref.link, " ", why, " (no SIP request waits)");
    return;
  }
  log_.info("MESSAGE ", p->request.from().uri, " -> ", p->request.to().uri, " ", why, " (", status,
            ")");
  responder_.respond(p->connection, p->request, status, p->to_tag);
}

// ---- Timers and shutdown --------------------------------------------------------------------

void Gateway::on_timer() {
  const Millis now = clock_.now();
  // Pending requests first: their server transactions expire at the same time and must still
  // be there to carry the 408.
  for (PendingRequest& p : pending_.take_expired(now)) {
    if (p.delivered) {
      log_.info("MESSAGE ", p.request.from().uri, " -> ", p.request.to().uri,
                " delivered to the partner stream, no error within ", config_.sip.delivery_grace_ms,
                " ms (202)");
      responder_.respond(p.connection, p.request, 202, p.to_tag);
      continue;
    }
    log_.info("MESSAGE ", p.request.from().uri, " -> ", p.request.to().uri,
              ": no verdict from the edge within 64*T1 (408)");
    responder_.respond(p.connection, p.request, 408, p.to_tag);
  }
  for (sip::ClientEvent& event : txn_.on_timer(now)) {
    sip_client_.on_client_event(std::move(event));
  }
  sip_client_.on_timer();
  for (sip::SipMessage& bye : sessions_.on_timer(now)) send_in_dialog(std::move(bye));
  presence_.on_timer(now);
  rearm();
}

void Gateway::shutdown() {
  stopped_ = true;
  presence_.shutdown();
  // Delivered messages reached the partner: a 503 would invite a duplicate resend.
  std::vector<PendingRequest> pending = pending_.take_expired(kNoDeadline);
  for (PendingRequest& p : pending) {
    responder_.respond(p.connection, p.request, p.delivered ? 202 : 503, p.to_tag);
  }
  std::map<std::uint64_t, OutboundIm> unanswered;
  unanswered.swap(sip_requests_);
  for (auto& [ticket, im] : unanswered) {
    relay_sender_.reply_error(im.stanza, im.facts, StanzaError::service_unavailable, "gateway shutting down");
  }
  sip_client_.clear();
  clock_.wake_at(kNoDeadline);
}

}  // namespace xf::gw
