#include "frontend-gateway/core/gateway.h"

#include <algorithm>
#include <string>
#include <utility>

#include "common/xmpp/jid.h"
#include "frontend-gateway/bridge/message_mapper.h"

namespace xf::gw {

namespace {

using xmpp::StanzaError;

sip::TransactionConfig transaction_config(const GatewayConfig& config) {
  sip::TransactionConfig out;
  out.timers.t1 = config.sip.t1_ms;
  out.max_transactions = static_cast<std::size_t>(config.sip.max_transactions);
  return out;
}

// Verdicts waiting on the relay: one per SIP MESSAGE waiting for the edge, plus the presence
// notifier's subscribe stanzas.
std::size_t max_relay_tags(const GatewayConfig& config) {
  return static_cast<std::size_t>(config.sip.max_pending_requests) +
         PresenceNotifier::kMaxSubscribeRefs;
}

}  // namespace

Gateway::Gateway(const GatewayConfig& config, RelayPort& relay, SipPort& sip, GatewayClock& clock,
                 store::StateStore& store, std::uint64_t seed)
    : config_(config),
      store_(store),
      relay_(relay),
      sip_(sip),
      clock_(clock),
      tokens_(seed),
      policy_(config),
      txn_(transaction_config(config), tokens_),
      responder_(txn_, sip, clock),
      sip_client_(config.sip, static_cast<std::size_t>(config.sip.max_pending_requests), sip, txn_,
                  clock),
      relay_sender_(relay, max_relay_tags(config)),
      im_(GatewayParts{config, clock, tokens_, policy_, txn_, sip_client_, responder_,
                       relay_sender_}),
      presence_(GatewayParts{config, clock, tokens_, policy_, txn_, sip_client_, responder_,
                             relay_sender_},
                store) {
  // Stored subscriptions have timers from the start (refreshes, expiries).
  rearm();
}

Millis Gateway::next_deadline() const {
  return std::min({txn_.next_deadline(), sip_client_.next_deadline(), im_.next_deadline(),
                   presence_.next_deadline()});
}

// After shutdown nothing is armed: lingering server transactions must not keep the loop alive.
void Gateway::rearm() {
  update_flow();
  clock_.wake_at(stopped_ ? kNoDeadline : next_deadline());
}

void Gateway::update_flow() {
  const auto high = static_cast<std::size_t>(config_.sip.high_water_transactions);
  const std::size_t low = high / 2;
  // XMPP -> SIP: what the relay links' stanzas start.
  const std::size_t outbound = txn_.client_count();
  const bool hop_backlogged = sip_.next_hop_backlogged();
  const bool pause_relay = !stopped_ && (relay_paused_ ? outbound > low || hop_backlogged
                                                       : outbound >= high || hop_backlogged);
  if (pause_relay != relay_paused_) {
    relay_paused_ = pause_relay;
    if (pause_relay) ++flow_.relay_pauses;
    log_.debug(pause_relay ? "relay links not read: " : "relay links read again: ", outbound,
               " client transaction(s), next hop ", hop_backlogged ? "backlogged" : "writable");
    relay_.set_reading(!pause_relay);
  }
  // SIP -> XMPP: what requests on the SIP connections start.
  const std::size_t inbound = std::max(txn_.server_count(), im_.pending_count());
  const bool relay_backlogged = relay_.backlogged();
  const bool pause_sip = !stopped_ && (sip_paused_ ? inbound > low || relay_backlogged
                                                   : inbound >= high || relay_backlogged);
  if (pause_sip != sip_paused_) {
    sip_paused_ = pause_sip;
    if (pause_sip) ++flow_.sip_pauses;
    log_.debug(pause_sip ? "SIP connections not read: " : "SIP connections read again: ", inbound,
               " server transaction(s), relay ", relay_backlogged ? "backlogged" : "writable");
    sip_.set_inbound_reading(!pause_sip);
  }
}

void Gateway::on_relay_backlog() { rearm(); }

void Gateway::on_sip_backlog() { rearm(); }

// ---- Relay events ---------------------------------------------------------------------------

void Gateway::on_relay_event(std::size_t link, relay::LinkEvent&& event) {
  if (auto* stanza = std::get_if<relay::StanzaReceived>(&event)) {
    const InboundRef inbound{link, stanza->receipt};
    if (!partner_stanza(std::move(stanza->stanza), inbound)) relay_sender_.complete(inbound);
  } else if (auto* delivered = std::get_if<relay::DeliveredReceived>(&event)) {
    relay_sender_.on_delivered({link, delivered->delivered.ref_seq});
  } else if (auto* bounce = std::get_if<relay::BounceReceived>(&event)) {
    relay_sender_.on_bounce({link, bounce->bounce.ref_seq}, bounce->bounce.condition);
  }
  rearm();
}

// Nothing is lost with a link: what was sent on it goes again on the next one, and verdicts on
// it still come (or a bounce, when the edge stays away too long).
void Gateway::on_relay_link_down(std::size_t /*link*/) { rearm(); }

bool Gateway::partner_stanza(relay::StanzaMsg&& msg, const InboundRef& inbound) {
  const relay::RoutingFacts& facts = msg.facts;
  auto parsed = reader_.read(msg.xml);
  if (!parsed.ok()) {
    log_.warn("stanza from ", facts.remote_domain, " does not parse (", parsed.error().text,
              "): dropped");
    return false;
  }
  xml::Element stanza = std::move(parsed.value());
  if (facts.direction != relay::Direction::inbound) {
    log_.warn("<", stanza.name(), "> from the edge is not marked inbound: dropped");
    return false;
  }
  // The edge authenticated remote_domain; a stanza claiming another sender is not answered,
  // since the answer would go to a domain that never sent it.
  const std::string from_domain = xmpp::domain_of(stanza.attr("from"));
  if (from_domain != facts.remote_domain) {
    log_.warn("<", stanza.name(), "> from '", stanza.attr("from"),
              "' arrived on a stream authenticated for ", facts.remote_domain, ": dropped");
    return false;
  }
  // An error answering a MESSAGE whose SIP transaction is still open is that MESSAGE's answer,
  // not a stanza for an internal user: no partner policy applies and nothing is forwarded.
  if (stanza.name() == "message" && stanza.attr("type") == "error" &&
      im_.on_partner_error(stanza)) {
    return false;
  }
  const std::string to_domain = xmpp::domain_of(stanza.attr("to"));
  // public_unverified partners reach only users who added them (authorizations in the store).
  PolicyVerdict verdict = policy_.inbound_stanza(stanza.attr("from"), stanza.attr("to"),
                                                 facts.remote_domain, facts.local_domain, store_);
  if (verdict == PolicyVerdict::allow && to_domain != facts.local_domain) {
    verdict = PolicyVerdict::not_local;
  }
  if (verdict != PolicyVerdict::allow) {
    log_.debug("<", stanza.name(), "> from ", facts.remote_domain, " to ", to_domain,
               " refused: ", to_string(verdict));
    relay_sender_.reply_error(stanza, facts, StanzaError::policy_violation, to_string(verdict));
    return false;
  }
  if (stanza.name() == "message") {
    return im_.on_partner_message(std::move(stanza), facts, inbound);
  }
  if (stanza.name() == "presence") {
    presence_.on_partner_presence(stanza, facts);
  } else if (stanza.name() == "iq") {
    const std::string_view type = stanza.attr("type");
    if (type == "get" || type == "set") {
      // No iq maps to SIP, but RFC 6120 §8.2.3 requires an answer to every get and set.
      log_.debug("iq ", type, " from ", stanza.attr("from"), ": service-unavailable");
      relay_sender_.reply_error(stanza, facts, StanzaError::service_unavailable);
    } else {
      log_.debug("iq ", type, " from ", stanza.attr("from"), " ignored");
    }
  } else {
    log_.warn("unknown stanza <", stanza.name(), "> from ", facts.remote_domain, ": dropped");
  }
  return false;
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
    case sip::ServerMatch::Kind::ack: im_.on_ack(request); return;
    case sip::ServerMatch::Kind::rejected: {
      const int status = match.error.code == Errc::limit_exceeded ? 503 : 400;
      log_.debug(request.method(), " from ", request.from().uri, " rejected (", status,
                 "): ", match.error.detail);
      responder_.respond_stateless(connection, request, status, tokens_.hex());
      return;
    }
    case sip::ServerMatch::Kind::new_request: break;
  }
  const std::string method = request.method();
  const std::string to_tag = tokens_.hex();
  if (request.to().tag.empty() &&
      (method == "MESSAGE" || method == "INVITE" || method == "SUBSCRIBE")) {
    // A client that logged in again may be the notifier of subscriptions that lapsed.
    presence_.on_user_seen(request.from().uri);
  }
  if (auto hops = request.max_forwards(); hops && *hops <= 0) {
    responder_.respond(connection, request, 483, to_tag);
  } else if (method == "MESSAGE") {
    im_.on_message(connection, std::move(request), to_tag);
  } else if (method == "INVITE") {
    im_.on_invite(connection, request, to_tag);
  } else if (method == "BYE") {
    im_.on_bye(connection, request, to_tag);
  } else if (method == "CANCEL") {
    im_.on_cancel(connection, request, match.id, to_tag);
  } else if (method == "SUBSCRIBE" || method == "NOTIFY") {
    presence_.on_sip_request(connection, request);
  } else if (method == "OPTIONS") {
    responder_.respond(
        connection, request, 200, to_tag,
        {{"Allow", std::string(kAllow)}, {"Accept", std::string(bridge::kImAccept)}});
  } else {
    // UPDATE, INFO, REFER, PUBLISH and the like have no XMPP counterpart here.
    log_.debug(method, " from ", request.from().uri, ": 405 (not supported yet)");
    responder_.respond(connection, request, 405, to_tag, {{"Allow", std::string(kAllow)}});
  }
}

// ---- Timers and shutdown --------------------------------------------------------------------

void Gateway::on_timer() {
  const Millis now = clock_.now();
  // IM first: its pending requests' server transactions expire at the same time and must still
  // be there to carry the 408.
  im_.on_timer(now);
  for (sip::ClientEvent& event : txn_.on_timer(now)) {
    sip_client_.on_client_event(std::move(event));
  }
  sip_client_.on_timer();
  presence_.on_timer(now);
  rearm();
}

void Gateway::shutdown() {
  stopped_ = true;
  presence_.shutdown();
  im_.shutdown();
  sip_client_.clear();
  clock_.wake_at(kNoDeadline);
}

}  // namespace xf::gw
