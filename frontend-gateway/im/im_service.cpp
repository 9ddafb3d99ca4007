#include "frontend-gateway/im/im_service.h"

#include <optional>
#include <utility>
#include <vector>

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza_error_reply.h"
#include "frontend-gateway/bridge/error_map.h"

namespace xf::gw {

using xmpp::StanzaError;

ImService::ImService(const GatewayParts& parts)
    : parts_(parts),
      mapper_(bridge::MapperLimits{}, Logger("im")),
      sessions_(parts.config, parts.policy),
      pending_(static_cast<std::size_t>(parts.config.sip.max_pending_requests)) {}

Millis ImService::next_deadline() const {
  return std::min(pending_.next_deadline(), sessions_.next_deadline());
}

// ---- XMPP -> SIP ----------------------------------------------------------------------------

bool ImService::on_partner_message(xml::Element&& message, const relay::RoutingFacts& facts,
                                   const InboundRef& inbound) {
  if (message.attr("type") == "error") {
    // No SIP transaction is left to fail (on_partner_error found none): the MESSAGE was
    // answered already, its delivery grace window being over, or the id is not one of ours.
    // Never answer an error with an error (RFC 6120 §8.3.1).
    const std::string condition = xmpp::error_condition(message);
    log_.debug("message error from ", message.attr("from"), " to ", message.attr("to"), " id '",
               message.attr("id"), "' (", condition.empty() ? "no condition" : condition,
               "): cannot be mapped to a SIP response (no SIP request waits for it; answered "
               "already or after its delivery grace window); dropped");
    return false;
  }
  auto mapped = mapper_.to_sip(message);
  if (!mapped.ok()) {
    log_.debug("message from ", message.attr("from"), " to ", message.attr("to"),
               " refused: ", xmpp::to_string(mapped.error().condition), " (", mapped.error().text,
               ")");
    parts_.relay.reply_error(message, facts, mapped.error().condition, mapped.error().text);
    return false;
  }
  if (mapped->action != bridge::XmppToSip::Action::send) return false;  // The mapper logged why.
  if (parts_.config.gateway.log_message_bodies) {
    log_.debug("message body from ", message.attr("from"), ": ", mapped->request.body);
  }
  return send_request(OutboundIm{std::move(message), facts, inbound}, mapped->request);
}

bool ImService::send_request(OutboundIm&& im, const bridge::SipImRequest& request) {
  // Inside the session between the two users when there is one, else page mode.
  const std::string from_tag = parts_.tokens.hex();
  auto built = sessions_.request_for(request, from_tag, parts_.new_call_id(), parts_.clock.now());
  if (!built.ok()) {
    log_.warn("cannot build the SIP MESSAGE for ", im.stanza.attr("from"), ": ",
              built.error().detail);
    parts_.relay.reply_error(im.stanza, im.facts, StanzaError::internal_server_error);
    return false;
  }
  auto ticket = parts_.sip.send(*this, std::move(built.value()), SipClient::IfHopDown::fail);
  if (!ticket.ok()) {
    parts_.relay.reply_error(im.stanza, im.facts, StanzaError::resource_constraint,
                             "too many messages waiting for the SIP next hop");
    return false;
  }
  sip_requests_.emplace(*ticket, std::move(im));
  ++counters_.to_sip;
  return true;
}

void ImService::on_sip_outcome(SipOutcome&& outcome) {
  auto it = sip_requests_.find(outcome.ticket);
  if (it == sip_requests_.end()) {
    // A request that carries no XMPP message: a BYE ending a session, which expects nothing.
    log_.debug(outcome.request.method(), " for Call-ID ", outcome.request.call_id(), ": ",
               outcome.status);
    return;
  }
  OutboundIm im = std::move(it->second);
  sip_requests_.erase(it);
  answer_partner(im, outcome);
  // The answer (nothing for a 2xx, else an error reply) is on its way: the edge may forget it.
  parts_.relay.complete(im.inbound);
}

void ImService::answer_partner(const OutboundIm& im, const SipOutcome& outcome) {
  const std::string_view from = im.stanza.attr("from");
  const std::string_view to = im.stanza.attr("to");
  switch (outcome.kind) {
    case SipOutcome::Kind::response: {
      if (outcome.status >= 200 && outcome.status < 300) {
        ++counters_.to_sip_accepted;
        log_.debug("message from ", from, " to ", to, " accepted by SIP (", outcome.status, ")");
        return;
      }
      ++counters_.to_sip_refused;
      const std::string reason = outcome.response->reason_phrase();
      log_.debug("message from ", from, " to ", to, " refused by SIP: ", outcome.status, " ",
                 reason);
      parts_.relay.reply_sip_status(im.stanza, im.facts, outcome.status, reason);
      return;
    }
    case SipOutcome::Kind::timeout:
      ++counters_.to_sip_refused;
      log_.debug("message from ", from, " to ", to, ": no SIP final response within 64*T1");
      parts_.relay.reply_sip_status(im.stanza, im.facts, 408, "Request Timeout");
      return;
    case SipOutcome::Kind::connection_lost:
      ++counters_.to_sip_refused;
      parts_.relay.reply_sip_status(im.stanza, im.facts, 503, "SIP next hop connection lost");
      return;
    case SipOutcome::Kind::not_sent:
      ++counters_.to_sip_refused;
      if (outcome.error.code == Errc::io_error) {
        parts_.relay.reply_error(im.stanza, im.facts, StanzaError::remote_server_not_found,
                                 "the SIP next hop is not reachable");
      } else if (outcome.error.code == Errc::limit_exceeded) {
        parts_.relay.reply_error(im.stanza, im.facts, StanzaError::resource_constraint,
                                 outcome.error.detail);
      } else {
        parts_.relay.reply_error(im.stanza, im.facts, StanzaError::internal_server_error);
      }
      return;
  }
}

bool ImService::on_partner_error(const xml::Element& error) {
  // The error comes from the recipient and goes to the sender of the stanza it answers.
  StanzaKey key{std::string(error.attr("id")), xmpp::bare_of(error.attr("to")),
                xmpp::bare_of(error.attr("from"))};
  std::optional<PendingRequest> p = pending_.take_stanza(key);
  if (!p) return false;
  const std::string condition = xmpp::error_condition(error);
  const std::optional<StanzaError> parsed = xmpp::parse_stanza_error(condition);
  const int status = bridge::sip_status_for(parsed.value_or(StanzaError::undefined_condition));
  ++counters_.to_xmpp_refused;
  log_.debug("MESSAGE ", p->request.from().uri, " -> ", p->request.to().uri,
             " refused by the partner's server: ", condition.empty() ? "no condition" : condition,
             p->delivered ? " within the delivery grace window (" : " before the edge's verdict (",
             status, ")");
  parts_.responder.respond(p->connection, p->request, status, p->to_tag);
  return true;
}

// ---- SIP -> XMPP ----------------------------------------------------------------------------

void ImService::on_message(std::uint64_t connection, sip::SipMessage&& request,
                           const std::string& to_tag) {
  std::string thread;
  if (!request.to().tag.empty()) {
    // Inside a session-mode IM dialog (im_sessions.h).
    auto session = sessions_.on_message(request, parts_.clock.now());
    if (!session.ok()) {
      log_.debug("MESSAGE from ", request.from().uri, " refused (", session.error().status,
                 "): ", session.error().detail);
      parts_.responder.send(connection, session.error().response_to(request, to_tag));
      return;
    }
    thread = std::move(session.value());
  }
  auto mapped = mapper_.to_xmpp(request, "sip-" + parts_.tokens.hex(), thread);
  if (!mapped.ok()) {
    log_.debug("MESSAGE from ", request.from().uri, " refused (", mapped.error().status,
               "): ", mapped.error().detail);
    parts_.responder.send(connection, mapped.error().response_to(request, to_tag));
    return;
  }
  const xml::Element& stanza = *mapped;
  const std::string from_domain = xmpp::domain_of(stanza.attr("from"));
  const std::string to_domain = xmpp::domain_of(stanza.attr("to"));
  if (PolicyVerdict v = parts_.policy.outbound_im(from_domain, to_domain);
      v != PolicyVerdict::allow) {
    log_.debug("MESSAGE ", stanza.attr("from"), " -> ", stanza.attr("to"),
               " refused (403): ", to_string(v));
    parts_.responder.respond(connection, request, 403, to_tag);
    return;
  }
  if (!parts_.relay.can_relay()) {
    ++counters_.refused_503;
    log_.debug("MESSAGE ", stanza.attr("from"), " -> ", stanza.attr("to"),
               ": no relay link is up (503)");
    parts_.responder.respond(connection, request, 503, to_tag);
    return;
  }
  if (pending_.full()) {
    ++counters_.refused_503;
    log_.debug("MESSAGE ", stanza.attr("from"), " -> ", stanza.attr("to"), ": ", pending_.size(),
               " requests already wait for the edge (503)");
    parts_.responder.respond(connection, request, 503, to_tag);
    return;
  }
  auto ref = parts_.relay.send(stanza, from_domain, to_domain, this);
  if (!ref.ok()) {
    ++counters_.refused_503;
    log_.debug("MESSAGE ", stanza.attr("from"), " -> ", stanza.attr("to"), ": not relayed (503)");
    parts_.responder.respond(connection, request, 503, to_tag);
    return;
  }
  ++counters_.to_xmpp;
  log_.debug("MESSAGE ", stanza.attr("from"), " -> ", stanza.attr("to"), " relayed in frame ",
             ref->seq, " on link ", ref->link);
  if (parts_.config.gateway.log_message_bodies) {
    log_.debug("message body from ", stanza.attr("from"), ": ", stanza.child_text("body"));
  }
  const Millis deadline = parts_.clock.now() + parts_.txn.config().timers.timeout();
  StanzaKey key{std::string(stanza.attr("id")), xmpp::bare_of(stanza.attr("from")),
                xmpp::bare_of(stanza.attr("to"))};
  PendingRequest pending{connection, std::move(request), to_tag, deadline, std::move(key), false};
  if (Status added = pending_.add(*ref, std::move(pending)); !added.ok()) {
    // The stanza left already; the sender must still get an answer (add() moves from the
    // request only on success).
    log_.error("MESSAGE ", stanza.attr("from"), " -> ", stanza.attr("to"),
               " cannot wait for the edge (500): ", added.error().detail);
    // NOLINTNEXTLINE(bugprone-use-after-move): add() moves from `pending` only on success.
    parts_.responder.respond(connection, pending.request, 500, to_tag);
  }
}

void ImService::on_invite(std::uint64_t connection, const sip::SipMessage& invite,
                          const std::string& to_tag) {
  const InviteContext context{to_tag, parts_.tokens.hex(), parts_.relay.can_relay(),
                              parts_.sip.next_hop_sent_by(), parts_.clock.now()};
  parts_.responder.send(connection, sessions_.on_invite(invite, context));
}

void ImService::on_bye(std::uint64_t connection, const sip::SipMessage& bye,
                       const std::string& to_tag) {
  parts_.responder.send(connection, sessions_.on_bye(bye, to_tag));
}

void ImService::on_ack(const sip::SipMessage& ack) { sessions_.on_ack(ack, parts_.clock.now()); }

// RFC 3261 §9.2. INVITEs are answered at once (im_sessions.h), so the INVITE a CANCEL names is
// always answered already: the CANCEL gets 200 and changes nothing; 481 when no INVITE matches.
void ImService::on_cancel(std::uint64_t connection, const sip::SipMessage& cancel,
                          const std::string& match_id, const std::string& to_tag) {
  // Server transaction ids end in the method (transaction_layer.h); a CANCEL shares its
  // INVITE's branch and sent-by.
  constexpr std::string_view kCancel = "CANCEL";
  std::string invite_id = match_id;
  if (invite_id.size() >= kCancel.size()) {
    invite_id.replace(invite_id.size() - kCancel.size(), kCancel.size(), "INVITE");
  }
  const bool known = parts_.txn.invite_state(invite_id).has_value();
  log_.info("CANCEL from ", cancel.from().uri, ": ",
            known ? "the INVITE was answered already (200)" : "no such INVITE (481)");
  parts_.responder.respond(connection, cancel, known ? 200 : 481, to_tag);
}

// A request the gateway originates inside a dialog and expects nothing of (a BYE): it goes to
// the next hop, which follows the route set; its outcome is only logged (on_sip_outcome).
void ImService::send_in_dialog(sip::SipMessage&& request) {
  const std::string method = request.method();
  const std::string call_id = request.call_id();
  if (auto ticket = parts_.sip.send(*this, std::move(request), SipClient::IfHopDown::fail);
      !ticket.ok()) {
    log_.warn(method, " for Call-ID ", call_id, " not sent: ", ticket.error().detail);
  }
}

// ---- The edge's verdicts --------------------------------------------------------------------

// RFC 3428 §7: 202 says the gateway accepted the message, not that the user read it. With a
// delivery grace window, the request stays open that long for an immediate error stanza from
// the partner's server (on_partner_error); the window's end answers 202 (on_timer).
void ImService::on_delivered(RelayRef ref) {
  const Millis grace = parts_.config.sip.delivery_grace_ms;
  if (grace <= 0) {
    verdict(ref, 202, "delivered to the partner stream");
    return;
  }
  if (!pending_.hold(ref, parts_.clock.now() + grace)) {
    // Answered already: an error stanza from the partner's server came first.
    log_.debug("frame ", ref.seq, " on link ", ref.link,
               " delivered to the partner stream (no SIP request waits)");
    return;
  }
  log_.debug("frame ", ref.seq, " on link ", ref.link,
             " delivered to the partner stream: 202 unless an error comes within ", grace, " ms");
}

void ImService::on_bounced(RelayRef ref, xmpp::StanzaError condition) {
  verdict(ref, bridge::sip_status_for(condition),
          "bounced by the edge: " + std::string(xmpp::to_string(condition)));
}

void ImService::verdict(RelayRef ref, int status, std::string_view why) {
  std::optional<PendingRequest> p = pending_.take(ref);
  if (!p) {
    // Answered already: an error stanza from the partner's server or the 64*T1 timeout came
    // first.
    log_.debug("frame ", ref.seq, " on link ", ref.link, " ", why, " (no SIP request waits)");
    return;
  }
  ++(status >= 200 && status < 300 ? counters_.to_xmpp_accepted : counters_.to_xmpp_refused);
  log_.debug("MESSAGE ", p->request.from().uri, " -> ", p->request.to().uri, " ", why, " (", status,
             ")");
  parts_.responder.respond(p->connection, p->request, status, p->to_tag);
}

// ---- Timers and shutdown --------------------------------------------------------------------

void ImService::on_timer(Millis now) {
  for (PendingRequest& p : pending_.take_expired(now)) {
    if (p.delivered) {
      ++counters_.to_xmpp_accepted;
      log_.debug("MESSAGE ", p.request.from().uri, " -> ", p.request.to().uri,
                 " delivered to the partner stream, no error within ",
                 parts_.config.sip.delivery_grace_ms, " ms (202)");
      parts_.responder.respond(p.connection, p.request, 202, p.to_tag);
      continue;
    }
    ++counters_.to_xmpp_refused;
    log_.debug("MESSAGE ", p.request.from().uri, " -> ", p.request.to().uri,
               ": no verdict from the edge within 64*T1 (408)");
    parts_.responder.respond(p.connection, p.request, 408, p.to_tag);
  }
  for (sip::SipMessage& bye : sessions_.on_timer(now)) send_in_dialog(std::move(bye));
}

void ImService::shutdown() {
  // Delivered messages reached the partner: a 503 would invite a duplicate resend.
  for (PendingRequest& p : pending_.take_expired(kNoDeadline)) {
    parts_.responder.respond(p.connection, p.request, p.delivered ? 202 : 503, p.to_tag);
  }
  if (!sip_requests_.empty()) {
    log_.info(sip_requests_.size(),
              " partner message(s) still wait for SIP: left unacknowledged, the edge sends them "
              "again to the next gateway");
  }
  sip_requests_.clear();
}

}  // namespace xf::gw
