#include "edge-proxy/router.h"

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza_error_reply.h"

namespace xf::edge {
namespace {

// Nesting deeper than this in one stanza is refused; real stanzas stay far below it.
constexpr std::size_t kMaxStanzaDepth = 64;

}  // namespace

Router::Router(const EdgeConfig& config, S2sFactory& factory, Timekeeper time, std::uint64_t token)
    : config_(config),
      factory_(factory),
      time_(std::move(time)),
      token_(token),
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

// A gateway whose link is up, round robin, skipping backlogged links while another has room;
// else one whose link is down but whose stanzas are still held (it is expected back); else none.
Router::GatewaySession* Router::pick_gateway() {
  std::vector<GatewaySession*> up;
  std::vector<GatewaySession*> free;
  GatewaySession* held = nullptr;
  for (auto& [name, g] : gateway_sessions_) {
    if (g.port != nullptr) {
      up.push_back(&g);
      auto link = gateways_.find(g.port->id());
      if (link != gateways_.end() && !link->second.backlogged) free.push_back(&g);
    } else if (held == nullptr || g.down_since > held->down_since) {
      held = &g;
    }
  }
  if (!free.empty()) return free[round_robin_++ % free.size()];
  if (!up.empty()) return up[round_robin_++ % up.size()];
  if (held != nullptr && time_.now() - held->down_since < held->session->limits().max_age_ms) {
    return held;
  }
  return nullptr;
}

relay::Session* Router::gateway_session(const std::string& node_name) {
  GatewaySession& g = gateway_sessions_[node_name];
  if (!g.session) g.session = std::make_unique<relay::Session>(token_, config_.relay.session);
  return g.session.get();
}

Result<std::uint64_t> Router::send_to(GatewaySession& gateway, const relay::Message& message) {
  if (gateway.port != nullptr) return gateway.port->send(message);
  const bool first = gateway.session->unacked().empty();
  auto stored = gateway.session->queue(message, time_.now(), relay::kDefaultMaxPayloadBytes);
  if (!stored) return fail(stored.error());
  if (first) time_.deadline_changed();
  return (*stored)->seq;
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

void Router::complete(GatewaySession& gateway, relay::Receipt receipt) {
  if (gateway.port != nullptr) {
    gateway.port->complete(receipt);
  } else {
    gateway.session->complete(receipt);
  }
}

// Partner -> gateway.
void Router::partner_stanza(S2sPort& session, xml::Element&& stanza, std::string_view local_domain,
                            std::string_view remote_domain, xmpp::PeerAuth auth) {
  GatewaySession* target = pick_gateway();
  if (target == nullptr) {
    log_.debug("no gateway link is up: bouncing <", stanza.name(), "> from ", remote_domain);
    bounce_to_partner(stanza, xmpp::StanzaError::service_unavailable,
                      "the gateway to the SIP platform is not connected", local_domain,
                      remote_domain);
    return;
  }
  GatewayPort* gateway = target->port;
  if (gateway != nullptr &&
      static_cast<std::int64_t>(gateway->queued_bytes()) > config_.relay.max_queue_bytes) {
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
  auto sent = send_to(*target, relay::StanzaMsg{std::move(facts), scratch_});
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
  route_outbound(Queued{std::move(reply), std::string(), relay::Receipt{}}, std::string(local),
                 std::string(remote));
}

// Gateway -> partner.
void Router::gateway_stanza(const std::string& node, relay::StanzaReceived&& received) {
  relay::StanzaMsg& msg = received.stanza;
  auto parsed = reader_.read(msg.xml);
  const relay::RoutingFacts& facts = msg.facts;
  if (!parsed.ok()) {
    log_.debug("gateway sent a stanza that does not parse: ", parsed.error().text);
    GatewaySession& g = gateway_sessions_[node];
    (void)send_to(g, relay::BounceMsg{received.receipt.seq, xmpp::StanzaError::bad_request, facts,
                                      msg.xml, received.receipt.peer_token});
    complete(g, received.receipt);
    return;
  }
  Queued queued{std::move(*parsed), node, received.receipt};
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
// The verdict goes into the gateway's session (on its link when one is up), and only then is
// the gateway's frame completed, so that the gateway forgets it once it can learn the verdict.
void Router::report(const Queued& queued, std::optional<xmpp::StanzaError> condition) {
  if (queued.gateway.empty()) {
    if (condition) {
      log_.debug("error reply to ", queued.stanza.attr("to"),
                 " not deliverable: ", xmpp::to_string(*condition));
    }
    return;
  }
  GatewaySession& gateway = gateway_sessions_[queued.gateway];
  if (!gateway.session) return;
  Result<std::uint64_t> sent{0};
  if (!condition) {
    ++counters_.to_partners;
    sent = send_to(gateway, relay::DeliveredMsg{queued.receipt.seq, queued.receipt.peer_token});
  } else {
    ++counters_.bounced_to_gateways;
    relay::RoutingFacts facts;
    facts.local_domain = xmpp::domain_of(queued.stanza.attr("from"));
    facts.remote_domain = xmpp::domain_of(queued.stanza.attr("to"));
    facts.direction = relay::Direction::outbound;
    scratch_.clear();
    xml::serialize(queued.stanza, scratch_);
    sent = send_to(gateway, relay::BounceMsg{queued.receipt.seq, *condition, std::move(facts),
                                             scratch_, queued.receipt.peer_token});
  }
  if (!sent.ok()) {
    log_.debug("cannot report ", condition ? xmpp::to_string(*condition) : "delivery", " of frame ",
               queued.receipt.seq, " to ", queued.gateway, ": ", sent.error().detail);
  }
  // A write may have closed the link (and port is null again then): complete() looks again.
  complete(gateway, queued.receipt);
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
  gateways_[gateway.id()] = Gateway{&gateway, false, false, std::string()};
  if (gateways_paused_) gateway.set_reading(false);
}

void Router::on_link_event(GatewayPort& gateway, relay::LinkEvent&& event) {
  auto it = gateways_.find(gateway.id());
  if (it == gateways_.end()) return;
  if (auto* up = std::get_if<relay::LinkEstablished>(&event)) {
    it->second.up = true;
    it->second.node = up->peer_name;
    relay::Session* session = gateway_session(up->peer_name);
    GatewaySession& g = gateway_sessions_[up->peer_name];
    if (g.port != nullptr && g.port != &gateway) {
      // The older link ends itself (relay::CloseCause::superseded).
      if (auto old = gateways_.find(g.port->id()); old != gateways_.end()) old->second.up = false;
    }
    g.port = &gateway;
    log_.info("gateway link up: ", up->peer_name, " (", gateway.name(), ", version ", up->version,
              "); ", gateways_.size(), " gateway link(s); ", session->unacked().size(),
              " frame(s) sent again");
    update_flow();
  } else if (auto* stanza = std::get_if<relay::StanzaReceived>(&event)) {
    if (it->second.up) gateway_stanza(it->second.node, std::move(*stanza));
  } else if (std::get_if<relay::LinkClosed>(&event) != nullptr) {
    link_down(it->second);
    update_flow();
  }
}

void Router::link_down(Gateway& link) {
  link.up = false;
  auto g = gateway_sessions_.find(link.node);
  if (g == gateway_sessions_.end() || g->second.port != link.port) return;
  g->second.port = nullptr;
  g->second.down_since = time_.now();
  const relay::Session& session = *g->second.session;
  if (!session.unacked().empty()) {
    log_.warn("gateway ", link.node, " is not connected: holding ", session.unacked().size(),
              " frame(s) for it, for up to ", session.limits().max_age_ms / 1000, " s");
  }
}

void Router::gateway_closed(GatewayPort& gateway, const Error* reason) {
  auto it = gateways_.find(gateway.id());
  if (it == gateways_.end()) return;
  link_down(it->second);
  gateways_.erase(it);
  update_flow();
  log_.info("gateway link ", gateway.id(), " closed",
            reason != nullptr ? ": " + reason->detail : std::string());
}

Millis Router::next_deadline() const {
  Millis next = kNoDeadline;
  for (const auto& [name, g] : gateway_sessions_) {
    if (g.port == nullptr) next = std::min(next, g.session->next_expiry());
  }
  return next;
}

void Router::on_timer(Millis now) {
  for (auto& [name, g] : gateway_sessions_) {
    if (g.port != nullptr) continue;
    std::vector<relay::Session::Stored> expired = g.session->expire(now);
    std::size_t stanzas = 0;
    for (const relay::Session::Stored& stored : expired) {
      if (stored.type != relay::FrameType::stanza) continue;  // A verdict nobody waits for now.
      auto message = stored.message();
      if (!message) continue;
      const auto& msg = std::get<relay::StanzaMsg>(*message);
      auto parsed = reader_.read(msg.xml);
      if (!parsed.ok()) continue;
      ++stanzas;
      bounce_to_partner(*parsed, xmpp::StanzaError::remote_server_timeout,
                        "the gateway to the SIP platform did not come back in time",
                        msg.facts.local_domain, msg.facts.remote_domain);
    }
    if (!expired.empty()) {
      log_.warn("gateway ", name, " stayed away for ", g.session->limits().max_age_ms / 1000,
                " s: gave up ", expired.size(), " frame(s), ", stanzas,
                " partner stanza(s) bounced");
    }
  }
}

void Router::log_status() const {
  std::size_t up = 0;
  for (const auto& [id, g] : gateways_) up += g.up ? 1 : 0;
  for (const auto& [name, g] : gateway_sessions_) {
    log_.info("status: gateway session ", name, g.port != nullptr ? " (link up)" : " (no link)",
              ": ", g.session->unacked().size(), " frame(s) unacknowledged, ",
              g.session->unacked_bytes(), " bytes; received up to ", g.session->highest_received(),
              ", completed up to ", g.session->ack_point());
  }
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
