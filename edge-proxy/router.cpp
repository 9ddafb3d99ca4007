#include "edge-proxy/router.h"

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza_error_reply.h"

namespace xf::edge {
namespace {

// Nesting deeper than this in one stanza is refused; real stanzas stay far below it.
constexpr std::size_t kMaxStanzaDepth = 64;

}  // namespace

Router::Router(const EdgeConfig& config, S2sFactory& factory)
    : config_(config),
      factory_(factory),
      reader_("jabber:server",
              xml::StreamParser::Limits{static_cast<std::size_t>(config.s2s.max_stanza_bytes),
                                        kMaxStanzaDepth}) {}

bool Router::may_accept_inbound() const {
  if (shutting_down_) return false;
  if (static_cast<std::int64_t>(sessions_.size()) >= config_.s2s.connection_limit) {
    log_.warn("refusing s2s connection: connection_limit ", config_.s2s.connection_limit,
              " reached");
    return false;
  }
  return true;
}

void Router::session_opened(S2sPort& session) { sessions_[session.id()] = &session; }

std::optional<xmpp::StreamFailure> Router::admit_inbound(const S2sPort& session) const {
  std::string ip = session.peer_ip();
  std::int64_t from_ip = 0;
  for (const auto& [id, s] : sessions_) {
    if (s->inbound() && s->peer_ip() == ip) ++from_ip;
  }
  if (from_ip <= config_.s2s.partner_connection_limit) return std::nullopt;
  log_.warn("refusing s2s connection from ", ip, ": partner_connection_limit ",
            config_.s2s.partner_connection_limit, " reached");
  return xmpp::StreamFailure{xmpp::StreamError::policy_violation,
                             "too many connections from your address"};
}

S2sPort* Router::find_session(std::uint64_t id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

// Round robin over the links that are up, skipping backlogged ones while another is free.
GatewayPort* Router::pick_gateway() {
  std::size_t up = 0;
  std::size_t free = 0;
  for (const auto& [id, g] : gateways_) {
    up += g.up ? 1 : 0;
    free += g.up && !g.backlogged ? 1 : 0;
  }
  if (up == 0) return nullptr;
  const bool only_free = free > 0;
  std::size_t n = round_robin_++ % (only_free ? free : up);
  for (auto& [id, g] : gateways_) {
    if (!g.up || (only_free && g.backlogged)) continue;
    if (n-- == 0) return g.port;
  }
  return nullptr;
}

void Router::update_flow() {
  bool any_up = false;
  bool all_backlogged = true;
  for (const auto& [id, g] : gateways_) {
    if (!g.up) continue;
    any_up = true;
    all_backlogged = all_backlogged && g.backlogged;
  }
  const bool pause_partners = any_up && all_backlogged && !shutting_down_;
  if (pause_partners != partners_paused_) {
    partners_paused_ = pause_partners;
    if (pause_partners) ++counters_.partner_pauses;
    log_.debug(pause_partners ? "every gateway link is backlogged: partner streams not read"
                              : "a gateway link has room: reading partner streams again");
    for (auto& [id, s] : sessions_) {
      if (s->inbound()) s->set_reading(!pause_partners);
    }
  }
  const bool pause_gateways = !backlogged_sessions_.empty() && !shutting_down_;
  if (pause_gateways != gateways_paused_) {
    gateways_paused_ = pause_gateways;
    if (pause_gateways) ++counters_.gateway_pauses;
    log_.debug(pause_gateways ? "a partner stream is backlogged: gateway links not read"
                              : "partner streams drained: reading gateway links again");
    for (auto& [id, g] : gateways_) g.port->set_reading(!pause_gateways);
  }
}

void Router::gateway_backlog(GatewayPort& gateway, bool above) {
  auto it = gateways_.find(gateway.id());
  if (it == gateways_.end()) return;
  it->second.backlogged = above;
  update_flow();
}

void Router::session_backlog(S2sPort& session, bool above) {
  if (above) {
    backlogged_sessions_.insert(session.id());
  } else {
    backlogged_sessions_.erase(session.id());
  }
  update_flow();
}

// Partner -> gateway.
void Router::partner_stanza(S2sPort& session, xml::Element&& stanza, std::string_view local_domain,
                            std::string_view remote_domain, xmpp::PeerAuth auth) {
  GatewayPort* gateway = pick_gateway();
  if (gateway == nullptr) {
    log_.debug("no gateway link is up: bouncing <", stanza.name(), "> from ", remote_domain);
    bounce_to_partner(stanza, xmpp::StanzaError::service_unavailable,
                      "the gateway to the SIP platform is not connected", local_domain,
                      remote_domain);
    return;
  }
  if (static_cast<std::int64_t>(gateway->queued_bytes()) > config_.relay.max_queue_bytes) {
    // Reading stopped at the high water mark, yet the queue grew on to the hard bound (many
    // partner streams each had a read in hand): refuse rather than buffer without bound.
    log_.debug("relay queue to ", gateway->name(), " holds ", gateway->queued_bytes(),
               " bytes (max_queue_bytes ", config_.relay.max_queue_bytes, "): bouncing <",
               stanza.name(), "> from ", remote_domain);
    bounce_to_partner(stanza, xmpp::StanzaError::resource_constraint,
                      "the gateway to the SIP platform is overloaded", local_domain, remote_domain);
    return;
  }
  relay::RoutingFacts facts;
  facts.local_domain = std::string(local_domain);
  facts.remote_domain = std::string(remote_domain);
  facts.direction = relay::Direction::inbound;
  facts.auth = auth;
  facts.stream_id = session.stream_id();
  scratch_.clear();
  xml::serialize(stanza, scratch_);
  auto sent = gateway->send_stanza(facts, scratch_);
  if (!sent.ok()) {
    log_.debug("cannot relay <", stanza.name(), ">: ", sent.error().detail);
    bounce_to_partner(stanza, xmpp::StanzaError::resource_constraint, sent.error().detail,
                      local_domain, remote_domain);
    return;
  }
  ++counters_.to_gateways;
}

void Router::partner_stanza_refused(const xml::Element& stanza, std::string_view local_domain,
                                    std::string_view remote_domain, xmpp::StanzaError condition) {
  log_.debug("<", stanza.name(), "> from ", remote_domain, " (from '", stanza.attr("from"),
             "', to '", stanza.attr("to"), "') refused: ", xmpp::to_string(condition));
  bounce_to_partner(stanza, condition, "malformed address", local_domain, remote_domain);
}

void Router::bounce_to_partner(const xml::Element& stanza, xmpp::StanzaError condition,
                               std::string_view text, std::string_view local,
                               std::string_view remote) {
  if (!xmpp::may_bounce(stanza)) return;
  ++counters_.bounced_to_partners;
  xml::Element reply = xmpp::make_error_reply(stanza, condition, text);
  if (xmpp::domain_of(reply.attr("from")).empty()) reply.set_attr("from", std::string(local));
  if (xmpp::domain_of(reply.attr("to")).empty()) reply.set_attr("to", std::string(remote));
  route_outbound(Queued{std::move(reply), 0, 0}, std::string(local), std::string(remote));
}

// Gateway -> partner.
void Router::gateway_stanza(GatewayPort& gateway, std::uint64_t seq, relay::StanzaMsg&& msg) {
  auto parsed = reader_.read(msg.xml);
  const relay::RoutingFacts& facts = msg.facts;
  if (!parsed.ok()) {
    log_.debug("gateway sent a stanza that does not parse: ", parsed.error().text);
    gateway.send_bounce(seq, xmpp::StanzaError::bad_request, facts, msg.xml);
    return;
  }
  Queued queued{std::move(*parsed), gateway.id(), seq};
  std::string from = xmpp::domain_of(queued.stanza.attr("from"));
  std::string to = xmpp::domain_of(queued.stanza.attr("to"));
  if (facts.direction != relay::Direction::outbound || !config_.is_hosted(facts.local_domain) ||
      from != facts.local_domain || to != facts.remote_domain) {
    log_.debug("gateway stanza with inconsistent addressing (from ", from, " to ", to, ", facts ",
               facts.local_domain, " -> ", facts.remote_domain, ")");
    report(queued, xmpp::StanzaError::jid_malformed);
    return;
  }
  if (config_.is_hosted(to)) {
    report(queued, xmpp::StanzaError::item_not_found);
    return;
  }
  route_outbound(std::move(queued), facts.local_domain, facts.remote_domain);
}

Router::Outbound& Router::outbound_for(const std::string& local, const std::string& remote) {
  Outbound& out = outbound_[{local, remote}];
  if (out.session == nullptr && !shutting_down_) {
    log_.info("connecting to ", remote, " for ", local);
    out.session = factory_.open_outbound(local, remote);
    if (out.session != nullptr) sessions_[out.session->id()] = out.session;
  }
  return out;
}

void Router::route_outbound(Queued queued, const std::string& local, const std::string& remote) {
  Outbound& out = outbound_for(local, remote);
  if (out.session != nullptr && out.session->is_authenticated(local, remote)) {
    out.session->send_stanza(queued.stanza);
    report(queued, std::nullopt);
    return;
  }
  if (static_cast<std::int64_t>(out.queue.size()) >= config_.s2s.outbound_queue_limit) {
    log_.debug("outbound queue to ", remote, " is full (", out.queue.size(), ")");
    report(queued, xmpp::StanzaError::resource_constraint);
    return;
  }
  out.queue.push_back(std::move(queued));
}

// Tells the gateway what became of its stanza: delivered to the partner stream (condition
// empty) or bounced with an RFC 6120 condition.
void Router::report(const Queued& queued, std::optional<xmpp::StanzaError> condition) {
  if (queued.gateway == 0) {
    if (condition) {
      log_.debug("error reply to ", queued.stanza.attr("to"),
                 " not deliverable: ", xmpp::to_string(*condition));
    }
    return;
  }
  auto it = gateways_.find(queued.gateway);
  if (it == gateways_.end() || !it->second.up) {
    log_.debug("cannot report ", condition ? xmpp::to_string(*condition) : "delivery", " of frame ",
               queued.seq, ": its gateway link is gone");
    return;
  }
  GatewayPort& gateway = *it->second.port;
  if (!condition) {
    ++counters_.to_partners;
    gateway.send_delivered(queued.seq);
    return;
  }
  ++counters_.bounced_to_gateways;
  relay::RoutingFacts facts;
  facts.local_domain = xmpp::domain_of(queued.stanza.attr("from"));
  facts.remote_domain = xmpp::domain_of(queued.stanza.attr("to"));
  facts.direction = relay::Direction::outbound;
  scratch_.clear();
  xml::serialize(queued.stanza, scratch_);
  gateway.send_bounce(queued.seq, *condition, facts, scratch_);
}

void Router::dialback_request(S2sPort& inbound, const xmpp::DialbackRequest& request) {
  Outbound& out = outbound_for(request.local_domain, request.remote_domain);
  if (out.session != nullptr && out.session->ready_for_verify()) {
    out.session->send_verify(request);
  }
  out.verifies.push_back(PendingVerify{inbound.id(), request});
}

void Router::outbound_ready(S2sPort& session) {
  auto it = outbound_.find({session.local_domain(), session.remote_domain()});
  if (it == outbound_.end() || it->second.session != &session) return;
  for (const PendingVerify& v : it->second.verifies) session.send_verify(v.request);
}

void Router::verify_result(std::string_view stream_id, std::string_view remote_domain,
                           std::string_view local_domain, bool valid) {
  auto it = outbound_.find({std::string(local_domain), std::string(remote_domain)});
  if (it == outbound_.end()) return;
  auto& verifies = it->second.verifies;
  for (auto v = verifies.begin(); v != verifies.end(); ++v) {
    if (v->request.stream_id != stream_id) continue;
    if (S2sPort* inbound = find_session(v->inbound)) {
      inbound->complete_dialback(remote_domain, local_domain, valid);
    }
    verifies.erase(v);
    return;
  }
  log_.warn("db:verify answer for unknown stream ", stream_id, " from ", remote_domain);
}

void Router::authenticated(S2sPort& session, std::string_view local_domain,
                           std::string_view remote_domain) {
  if (session.inbound()) {
    // A stream that authenticates while the gateways are backlogged waits like the others.
    if (partners_paused_) session.set_reading(false);
    return;
  }
  auto it = outbound_.find({std::string(local_domain), std::string(remote_domain)});
  if (it == outbound_.end() || it->second.session != &session) return;
  std::deque<Queued> queue;
  queue.swap(it->second.queue);
  for (Queued& q : queue) {
    session.send_stanza(q.stanza);
    report(q, std::nullopt);
  }
}

void Router::session_closed(S2sPort& session, const Error* reason) {
  sessions_.erase(session.id());
  if (backlogged_sessions_.erase(session.id()) > 0) update_flow();
  if (session.inbound()) return;
  auto it = outbound_.find({session.local_domain(), session.remote_domain()});
  if (it == outbound_.end() || it->second.session != &session) return;
  Outbound out = std::move(it->second);
  outbound_.erase(it);
  xmpp::StanzaError condition = xmpp::undelivered_condition(
      session.authenticated(), reason != nullptr && reason->code == Errc::timeout);
  if (!out.queue.empty()) {
    log_.warn("stream to ", session.remote_domain(), " ended with ", out.queue.size(),
              " stanzas queued: bouncing them (", xmpp::to_string(condition), ")");
  }
  for (const Queued& q : out.queue) report(q, condition);
  // The authoritative server never answered: those inbound claims are not verified.
  for (const PendingVerify& v : out.verifies) {
    if (S2sPort* inbound = find_session(v.inbound)) {
      inbound->complete_dialback(v.request.remote_domain, v.request.local_domain, false);
    }
  }
}

void Router::gateway_opened(GatewayPort& gateway) {
  gateways_[gateway.id()] = Gateway{&gateway, false, false};
  if (gateways_paused_) gateway.set_reading(false);
}

void Router::on_link_event(GatewayPort& gateway, relay::LinkEvent&& event) {
  auto it = gateways_.find(gateway.id());
  if (it == gateways_.end()) return;
  if (auto* up = std::get_if<relay::LinkEstablished>(&event)) {
    it->second.up = true;
    log_.info("gateway link up: ", up->peer_name, " (", gateway.name(), ", version ", up->version,
              "); ", gateways_.size(), " gateway link(s)");
    update_flow();
  } else if (auto* stanza = std::get_if<relay::StanzaReceived>(&event)) {
    gateway_stanza(gateway, stanza->seq, std::move(stanza->stanza));
  } else if (std::get_if<relay::LinkClosed>(&event) != nullptr) {
    it->second.up = false;
    update_flow();
  }
}

void Router::gateway_closed(GatewayPort& gateway, const Error* reason) {
  if (gateways_.erase(gateway.id()) == 0) return;
  update_flow();
  log_.info("gateway link ", gateway.id(), " closed",
            reason != nullptr ? ": " + reason->detail : std::string());
}

void Router::log_status() const {
  std::size_t up = 0;
  for (const auto& [id, g] : gateways_) up += g.up ? 1 : 0;
  log_.info("status: ", up, " gateway link(s) up, ", sessions_.size(), " s2s session(s), ",
            outbound_.size(), " outbound route(s)");
  log_.info("status: counters: partner stanzas relayed to gateways ", counters_.to_gateways,
            ", bounced to partners ", counters_.bounced_to_partners,
            "; gateway stanzas written to partners ", counters_.to_partners,
            ", bounced to gateways ", counters_.bounced_to_gateways,
            "; reading stopped: partner streams ", counters_.partner_pauses, " time(s)",
            partners_paused_ ? " (now)" : "", ", gateway links ", counters_.gateway_pauses,
            " time(s)", gateways_paused_ ? " (now)" : "");
  for (const auto& [id, g] : gateways_) {
    log_.info("status: gateway link ", id, g.up ? " up: " : " handshaking: ", g.port->describe());
  }
  for (const auto& [id, s] : sessions_) log_.info("status: ", s->describe());
  for (const auto& [pair, out] : outbound_) {
    if (!out.queue.empty()) {
      log_.info("status: ", out.queue.size(), " stanza(s) queued for ", pair.second);
    }
  }
}

void Router::shutdown() {
  shutting_down_ = true;
  xmpp::StreamFailure failure{xmpp::StreamError::system_shutdown, "edge proxy shutting down"};
  // Ending a session closes it, which erases it from sessions_: walk a copy.
  std::vector<S2sPort*> sessions;
  for (auto& [id, s] : sessions_) sessions.push_back(s);
  for (S2sPort* s : sessions) s->end(&failure);
}

}  // namespace xf::edge
