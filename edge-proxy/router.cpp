#include "edge-proxy/router.h"

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza_error_reply.h"
#include "edge-proxy/s2s_session.h"

namespace xf::edge {
namespace {

std::string domain_of(std::string_view address) {
  auto jid = xmpp::Jid::parse(address);
  return jid.ok() ? jid->domain() : std::string();
}

}  // namespace

Router::Router(uv_loop_t* loop, const EdgeConfig& config)
    : loop_(loop),
      config_(config),
      reader_("jabber:server",
              xml::StreamParser::Limits{static_cast<std::size_t>(config.s2s.max_stanza_bytes), 64}) {}

Router::~Router() = default;

Status Router::init() {
  tls::ContextConfig server;
  server.server = true;
  for (const HostedDomain& h : config_.hosted_domains) {
    server.certs.push_back({h.domain, h.certificate, h.private_key});
  }
  server.ca_file = config_.s2s.trust_anchors;
  // Partners without a certificate we trust still authenticate by dialback (XEP-0220).
  server.verify = tls::PeerVerify::optional;
  auto s = tls::Context::create(server);
  if (!s.ok()) return fail(s.error());
  s2s_server_tls_ = *s;

  tls::ContextConfig client = server;
  client.server = false;
  auto c = tls::Context::create(client);
  if (!c.ok()) return fail(c.error());
  s2s_client_tls_ = *c;

  auto r = net::RelayChannel::make_tls(config_.relay, relay::Role::edge, "relay");
  if (!r.ok()) return fail(r.error());
  relay_tls_ = *r;
  return {};
}

xmpp::S2sStream::Settings Router::stream_settings(xmpp::S2sStream::Role role) const {
  xmpp::S2sStream::Settings s;
  s.role = role;
  s.is_hosted = [this](std::string_view d) { return config_.is_hosted(d); };
  s.tls_required = true;
  s.tls_available = true;
  s.dialback_secret = config_.s2s.dialback_secret;
  s.limits.max_stanza_bytes = static_cast<std::size_t>(config_.s2s.max_stanza_bytes);
  s.establishment_timeout_ms = (role == xmpp::S2sStream::Role::outbound
                                    ? config_.s2s.connect_timeout_s
                                    : config_.s2s.stream_establishment_timeout_s) *
                               1000;
  s.inactivity_timeout_ms = config_.s2s.stream_inactivity_timeout_s * 1000;
  s.keepalive_interval_ms = config_.s2s.keepalive_interval_s * 1000;
  return s;
}

net::Connection* Router::accept_s2s() {
  if (shutting_down_) return nullptr;
  if (static_cast<std::int64_t>(sessions_.size()) >= config_.s2s.connection_limit) {
    log_.warn("refusing s2s connection: connection_limit ", config_.s2s.connection_limit,
              " reached");
    return nullptr;
  }
  S2sSession* session = S2sSession::make_inbound(loop_, *this);
  sessions_[session->id()] = session;
  return session;
}

bool Router::admit_inbound(S2sSession& session) {
  std::string ip = session.peer_ip();
  std::int64_t from_ip = 0;
  for (const auto& [id, s] : sessions_) {
    if (s->inbound() && s->peer_ip() == ip) ++from_ip;
  }
  if (from_ip > config_.s2s.partner_connection_limit) {
    log_.warn("refusing s2s connection from ", ip, ": partner_connection_limit ",
              config_.s2s.partner_connection_limit, " reached");
    xmpp::StreamFailure failure{xmpp::StreamError::policy_violation,
                                "too many connections from your address"};
    session.stream().start(session.now());
    session.end(&failure);
    return false;
  }
  return true;
}

net::Connection* Router::accept_relay() {
  if (shutting_down_) return nullptr;
  auto settings = net::RelayChannel::settings_for(config_.relay, relay::Role::edge, "edge",
                                                  relay_tls_, config_.relay.allowed_peers);
  std::uint64_t id = ++last_gateway_id_;
  auto* channel = net::RelayChannel::make(loop_, *this, std::move(settings),
                                          log::cat("relay-in ", id));
  gateways_[id] = Gateway{channel, false};
  gateway_ids_[channel] = id;
  return channel;
}

S2sSession* Router::find_session(std::uint64_t id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

net::RelayChannel* Router::pick_gateway() {
  std::vector<net::RelayChannel*> up;
  for (auto& [id, g] : gateways_) {
    if (g.up) up.push_back(g.channel);
  }
  if (up.empty()) return nullptr;
  return up[round_robin_++ % up.size()];
}

// Partner -> gateway.
void Router::partner_stanza(S2sSession& session, xml::Element&& stanza,
                            std::string_view local_domain, std::string_view remote_domain,
                            xmpp::PeerAuth auth) {
  net::RelayChannel* gateway = pick_gateway();
  if (gateway == nullptr) {
    log_.warn("no gateway link is up: bouncing <", stanza.name(), "> from ", remote_domain);
    bounce_to_partner(stanza, xmpp::StanzaError::service_unavailable,
                      "the gateway to the SIP platform is not connected");
    return;
  }
  if (static_cast<std::int64_t>(gateway->queued_bytes()) > config_.relay.max_queue_bytes) {
    // The gateway does not keep up: refuse with an error rather than buffer without bound.
    log_.warn("relay queue to ", gateway->peer_identity(), " holds ", gateway->queued_bytes(),
              " bytes (max_queue_bytes ", config_.relay.max_queue_bytes, "): bouncing <",
              stanza.name(), "> from ", remote_domain);
    bounce_to_partner(stanza, xmpp::StanzaError::resource_constraint,
                      "the gateway to the SIP platform is overloaded");
    return;
  }
  relay::RoutingFacts facts;
  facts.local_domain = std::string(local_domain);
  facts.remote_domain = std::string(remote_domain);
  facts.direction = relay::Direction::inbound;
  facts.auth = auth;
  facts.stream_id = session.stream().stream_id();
  scratch_.clear();
  xml::serialize(stanza, scratch_);
  auto sent = gateway->send_stanza(facts, scratch_);
  if (!sent.ok()) {
    log_.warn("cannot relay <", stanza.name(), ">: ", sent.error().detail);
    bounce_to_partner(stanza, xmpp::StanzaError::resource_constraint, sent.error().detail);
  }
}

void Router::bounce_to_partner(const xml::Element& stanza, xmpp::StanzaError condition,
                               std::string_view text) {
  if (!xmpp::may_bounce(stanza)) return;
  xml::Element reply = xmpp::make_error_reply(stanza, condition, text);
  std::string local = domain_of(reply.attr("from"));
  std::string remote = domain_of(reply.attr("to"));
  if (local.empty() || remote.empty() || !config_.is_hosted(local)) return;
  route_outbound(Queued{std::move(reply), 0, 0}, local, remote);
}

// Gateway -> partner.
void Router::gateway_stanza(std::uint64_t gateway, std::uint64_t seq, relay::StanzaMsg&& msg) {
  auto parsed = reader_.read(msg.xml);
  const relay::RoutingFacts& facts = msg.facts;
  if (!parsed.ok()) {
    log_.warn("gateway sent a stanza that does not parse: ", parsed.error().text);
    auto it = gateways_.find(gateway);
    if (it != gateways_.end() && it->second.channel != nullptr) {
      (void)it->second.channel->link().send_bounce(seq, xmpp::StanzaError::bad_request, facts, msg.xml);
    }
    return;
  }
  Queued queued{std::move(*parsed), gateway, seq};
  std::string from = domain_of(queued.stanza.attr("from"));
  std::string to = domain_of(queued.stanza.attr("to"));
  if (facts.direction != relay::Direction::outbound || !config_.is_hosted(facts.local_domain) ||
      from != facts.local_domain || to != facts.remote_domain) {
    log_.warn("gateway stanza with inconsistent addressing (from ", from, " to ", to,
              ", facts ", facts.local_domain, " -> ", facts.remote_domain, ")");
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
    S2sSession* session = S2sSession::make_outbound(loop_, *this, local, remote);
    sessions_[session->id()] = session;
    out.session = session;
    log_.info("connecting to ", remote, " for ", local);
    session->connect(remote, static_cast<std::uint16_t>(config_.s2s.default_port));
  }
  return out;
}

void Router::route_outbound(Queued queued, const std::string& local, const std::string& remote) {
  Outbound& out = outbound_for(local, remote);
  if (out.session != nullptr && out.session->stream().is_authenticated(local, remote)) {
    out.session->send_stanza(queued.stanza);
    report(queued, std::nullopt);
    return;
  }
  if (static_cast<std::int64_t>(out.queue.size()) >= config_.s2s.outbound_queue_limit) {
    log_.warn("outbound queue to ", remote, " is full (", out.queue.size(), ")");
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
      log_.info("error reply to ", queued.stanza.attr("to"), " not deliverable: ",
                xmpp::to_string(*condition));
    }
    return;
  }
  auto it = gateways_.find(queued.gateway);
  if (it == gateways_.end() || it->second.channel == nullptr || !it->second.up) {
    log_.warn("cannot report ", condition ? xmpp::to_string(*condition) : "delivery",
              " of frame ", queued.seq, ": its gateway link is gone");
    return;
  }
  net::RelayChannel* channel = it->second.channel;
  if (!condition) {
    (void)channel->link().send_delivered(queued.seq);
  } else {
    relay::RoutingFacts facts;
    facts.local_domain = domain_of(queued.stanza.attr("from"));
    facts.remote_domain = domain_of(queued.stanza.attr("to"));
    facts.direction = relay::Direction::outbound;
    scratch_.clear();
    xml::serialize(queued.stanza, scratch_);
    (void)channel->link().send_bounce(queued.seq, *condition, facts, scratch_);
  }
  channel->flush_link();
}

void Router::dialback_request(S2sSession& inbound, const xmpp::DialbackRequest& request) {
  Outbound& out = outbound_for(request.local_domain, request.remote_domain);
  if (out.session != nullptr && out.session->stream().ready_for_verify()) {
    out.session->send_verify(request);
  }
  out.verifies.push_back(PendingVerify{inbound.id(), request});
}

void Router::outbound_ready(S2sSession& session) {
  auto it = outbound_.find({session.stream().local_domain(), session.stream().remote_domain()});
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
    if (S2sSession* inbound = find_session(v->inbound)) {
      inbound->complete_dialback(remote_domain, local_domain, valid);
    }
    verifies.erase(v);
    return;
  }
  log_.warn("db:verify answer for unknown stream ", stream_id, " from ", remote_domain);
}

void Router::authenticated(S2sSession& session, std::string_view local_domain,
                           std::string_view remote_domain) {
  if (session.inbound()) return;
  auto it = outbound_.find({std::string(local_domain), std::string(remote_domain)});
  if (it == outbound_.end() || it->second.session != &session) return;
  std::deque<Queued> queue;
  queue.swap(it->second.queue);
  for (Queued& q : queue) {
    session.send_stanza(q.stanza);
    report(q, std::nullopt);
  }
}

void Router::session_closed(S2sSession& session, const Error* reason) {
  sessions_.erase(session.id());
  if (session.inbound()) return;
  auto it = outbound_.find({session.stream().local_domain(), session.stream().remote_domain()});
  if (it == outbound_.end() || it->second.session != &session) return;
  Outbound out = std::move(it->second);
  outbound_.erase(it);
  xmpp::StanzaError condition = xmpp::undelivered_condition(
      session.stream().authenticated(), reason != nullptr && reason->code == Errc::timeout);
  if (!out.queue.empty()) {
    log_.warn("stream to ", session.stream().remote_domain(), " ended with ", out.queue.size(),
              " stanzas queued: bouncing them (", xmpp::to_string(condition), ")");
  }
  for (const Queued& q : out.queue) report(q, condition);
  // The authoritative server never answered: those inbound claims are not verified.
  for (const PendingVerify& v : out.verifies) {
    if (S2sSession* inbound = find_session(v.inbound)) {
      inbound->complete_dialback(v.request.remote_domain, v.request.local_domain, false);
    }
  }
}

void Router::on_link_event(net::RelayChannel& channel, relay::LinkEvent&& event) {
  auto id_it = gateway_ids_.find(&channel);
  if (id_it == gateway_ids_.end()) return;
  std::uint64_t id = id_it->second;
  Gateway& gateway = gateways_[id];
  if (auto* up = std::get_if<relay::LinkEstablished>(&event)) {
    gateway.up = true;
    log_.info("gateway link up: ", up->peer_name, " (", channel.peer_identity(), ", version ",
              up->version, "); ", gateways_.size(), " gateway link(s)");
  } else if (auto* stanza = std::get_if<relay::StanzaReceived>(&event)) {
    gateway_stanza(id, stanza->seq, std::move(stanza->stanza));
  } else if (std::get_if<relay::LinkClosed>(&event) != nullptr) {
    gateway.up = false;
  }
}

void Router::on_channel_closed(net::RelayChannel& channel, const Error* reason) {
  auto id_it = gateway_ids_.find(&channel);
  if (id_it == gateway_ids_.end()) return;
  log_.info("gateway link ", id_it->second, " closed",
            reason != nullptr ? ": " + reason->detail : std::string());
  gateways_.erase(id_it->second);
  gateway_ids_.erase(id_it);
}

void Router::log_status() const {
  std::size_t up = 0;
  for (const auto& [id, g] : gateways_) up += g.up ? 1 : 0;
  log_.info("status: ", up, " gateway link(s) up, ", sessions_.size(), " s2s session(s), ",
            outbound_.size(), " outbound route(s)");
  for (const auto& [id, g] : gateways_) {
    log_.info("status: gateway link ", id, " ", g.channel->peer_identity(), " from ",
              g.channel->peer_address(), g.up ? " up" : " handshaking", ", rtt ",
              g.channel->link().rtt(), " ms");
  }
  for (const auto& [id, s] : sessions_) {
    const xmpp::S2sStream& st = s->stream();
    log_.info("status: s2s-", s->inbound() ? "in " : "out ", std::hex, id, std::dec, " ",
              st.remote_domain().empty() ? "?" : st.remote_domain(), " <-> ", st.local_domain(),
              st.authenticated() ? " authenticated" : " not authenticated",
              st.tls_active() ? ", TLS" : "", ", peer ", s->peer_address());
  }
  for (const auto& [pair, out] : outbound_) {
    if (!out.queue.empty()) {
      log_.info("status: ", out.queue.size(), " stanza(s) queued for ", pair.second);
    }
  }
}

void Router::shutdown() {
  shutting_down_ = true;
  xmpp::StreamFailure failure{xmpp::StreamError::system_shutdown, "edge proxy shutting down"};
  std::vector<S2sSession*> sessions;
  for (auto& [id, s] : sessions_) sessions.push_back(s);
  for (S2sSession* s : sessions) s->end(&failure);
  std::vector<net::RelayChannel*> channels;
  for (auto& [id, g] : gateways_) channels.push_back(g.channel);
  for (net::RelayChannel* c : channels) c->shutdown("edge proxy shutting down");
}

}  // namespace xf::edge
