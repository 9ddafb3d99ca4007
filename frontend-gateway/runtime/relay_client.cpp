#include "frontend-gateway/runtime/relay_client.h"

#include "common/core/token_source.h"

namespace xf::gw {

RelayClient::RelayClient(uv_loop_t* loop, const GatewayConfig& config)
    : loop_(loop), config_(config), token_(TokenSource().next() | 1) {
  edges_.reserve(config.relay.edges.size());
  for (const EdgeEndpoint& ep : config.relay.edges) {
    Edge& edge = edges_.emplace_back(
        Edge{ep, Logger("relay " + ep.name), nullptr, false,
             Backoff(config.relay.reconnect_min_ms, config.relay.reconnect_max_ms), nullptr,
             nullptr, now()});
    edge.session = std::make_unique<relay::Session>(token_, config.relay.session);
  }
}

RelayClient::~RelayClient() { stop(); }

Status RelayClient::start() {
  auto ctx = net::RelayChannel::make_tls(config_.relay, relay::Role::gateway, config_.node_name);
  if (!ctx.ok()) return fail(ctx.error());
  tls_ = std::move(ctx.value());
  expiry_ = std::make_unique<net::Timer>(loop_, [this] { expire(); });
  for (std::size_t i = 0; i < edges_.size(); ++i) {
    Edge& edge = edges_[i];
    edge.retry = std::make_unique<net::Timer>(loop_, [this, i] { dial(i); });
    dial(i);
  }
  return {};
}

void RelayClient::stop() {
  stopping_ = true;
  if (expiry_) expiry_->close();
  for (Edge& edge : edges_) {
    if (edge.retry) edge.retry->close();
    if (edge.channel != nullptr) edge.channel->shutdown("gateway shutting down");
  }
}

void RelayClient::dial(std::size_t index) {
  Edge& edge = edges_[index];
  if (stopping_ || edge.channel != nullptr) return;
  auto settings = net::RelayChannel::settings_for(config_.relay, relay::Role::gateway,
                                                  config_.node_name, tls_, {edge.endpoint.name});
  settings.link.session = edge.session.get();
  edge.log.debug("connecting to ", edge.endpoint.host, ":", edge.endpoint.port);
  edge.channel = net::RelayChannel::make(loop_, *this, std::move(settings), edge.log.object());
  const auto high = static_cast<std::size_t>(config_.relay.high_water_bytes);
  edge.channel->set_write_watermarks(high / 2, high);
  edge.channel->connect(edge.endpoint.host, edge.endpoint.port);
}

void RelayClient::schedule_redial(std::size_t index) {
  Edge& edge = edges_[index];
  if (stopping_ || !edge.retry) return;
  const Millis delay = edge.backoff.next();
  edge.log.info("redialling in ", delay, " ms");
  edge.retry->start(delay);
}

RelayClient::Edge* RelayClient::edge_of(net::RelayChannel& channel, std::size_t& index) {
  for (index = 0; index < edges_.size(); ++index) {
    if (edges_[index].channel == &channel) return &edges_[index];
  }
  return nullptr;
}

bool RelayClient::holding(const Edge& edge) const {
  return now() - edge.down_since < edge.session->limits().max_age_ms;
}

bool RelayClient::can_relay() const {
  for (const Edge& edge : edges_) {
    if (edge.up || holding(edge)) return true;
  }
  return false;
}

std::size_t RelayClient::links_up() const {
  std::size_t n = 0;
  for (const Edge& edge : edges_) n += edge.up ? 1 : 0;
  return n;
}

bool RelayClient::backlogged() const {
  bool any_up = false;
  for (const Edge& edge : edges_) {
    if (!edge.up || edge.channel == nullptr) continue;
    any_up = true;
    if (!edge.channel->write_backlogged()) return false;
  }
  return any_up;
}

void RelayClient::set_reading(bool on) {
  if (paused_ == !on) return;
  paused_ = !on;
  for (Edge& edge : edges_) {
    if (!edge.up || edge.channel == nullptr) continue;
    if (on) {
      edge.channel->resume_reading();
    } else {
      edge.channel->pause_reading();
    }
  }
}

void RelayClient::on_channel_backlog(net::RelayChannel& channel, bool /*above*/) {
  std::size_t index = 0;
  if (edge_of(channel, index) != nullptr && events_ != nullptr) events_->on_relay_backlog();
}

// Round robin over the established links, skipping backlogged ones while another is free.
Result<RelayRef> RelayClient::send_stanza(const relay::RoutingFacts& facts, std::string_view xml) {
  const bool skip_backlogged = !backlogged();
  for (std::size_t tried = 0; tried < edges_.size(); ++tried) {
    const std::size_t index = round_robin_++ % edges_.size();
    Edge& edge = edges_[index];
    if (!edge.up || edge.channel == nullptr) continue;
    if (skip_backlogged && edge.channel->write_backlogged()) continue;
    auto seq = edge.channel->send_stanza(facts, xml);
    if (!seq.ok()) return fail(seq.error());
    return RelayRef{index, *seq};
  }
  // No link is up: the stanza waits in the session of an edge expected back.
  for (std::size_t tried = 0; tried < edges_.size(); ++tried) {
    const std::size_t index = round_robin_++ % edges_.size();
    Edge& edge = edges_[index];
    if (!holding(edge)) continue;
    auto stored = edge.session->queue(relay::StanzaMsg{facts, std::string(xml)}, now(),
                                      relay::kDefaultMaxPayloadBytes);
    if (!stored) return fail(stored.error());
    rearm_expiry();
    return RelayRef{index, (*stored)->seq};
  }
  return fail(Errc::not_found, "no relay link is up");
}

void RelayClient::complete(const InboundRef& ref) {
  if (ref.link >= edges_.size()) return;
  Edge& edge = edges_[ref.link];
  if (edge.up && edge.channel != nullptr) {
    edge.channel->complete(ref.receipt);
  } else {
    edge.session->complete(ref.receipt);
  }
}

void RelayClient::rearm_expiry() {
  if (!expiry_ || stopping_) return;
  Millis next = kNoDeadline;
  for (const Edge& edge : edges_) {
    if (!edge.up) next = std::min(next, edge.session->next_expiry());
  }
  expiry_->start_at(next);
}

void RelayClient::expire() {
  for (std::size_t index = 0; index < edges_.size(); ++index) {
    Edge& edge = edges_[index];
    if (edge.up) continue;
    std::vector<relay::Session::Stored> expired = edge.session->expire(now());
    if (expired.empty()) continue;
    edge.log.warn("edge ", edge.endpoint.name, " stayed away for ",
                  edge.session->limits().max_age_ms / 1000, " s: giving up ", expired.size(),
                  " stanza(s) held for it (remote-server-timeout)");
    for (const relay::Session::Stored& stored : expired) {
      auto message = stored.message();
      if (!message || events_ == nullptr) continue;
      auto& msg = std::get<relay::StanzaMsg>(*message);
      events_->on_relay_event(
          index, relay::BounceReceived{
                     0, relay::BounceMsg{stored.seq, xmpp::StanzaError::remote_server_timeout,
                                         std::move(msg.facts), std::move(msg.xml), token_}});
    }
  }
  rearm_expiry();
}

void RelayClient::log_status() const {
  for (const Edge& edge : edges_) {
    const relay::Session& s = *edge.session;
    edge.log.info("status: session with ", edge.endpoint.name,
                  edge.up ? " (link up)" : " (no link)", ": ", s.unacked().size(),
                  " frame(s) unacknowledged, ", s.unacked_bytes(), " bytes; received up to ",
                  s.highest_received(), ", completed up to ", s.ack_point());
  }
}

void RelayClient::on_link_event(net::RelayChannel& channel, relay::LinkEvent&& event) {
  std::size_t index = 0;
  Edge* edge = edge_of(channel, index);
  if (edge == nullptr) return;
  if (auto* up = std::get_if<relay::LinkEstablished>(&event)) {
    edge->up = true;
    edge->backoff.reset();
    rearm_expiry();
    // A link established while the gateway is not reading the others waits like them (only
    // now, so that its TLS and relay handshakes could finish).
    if (paused_) channel.pause_reading();
    edge->log.info("relay link up: ", edge->endpoint.name, " (", channel.peer_identity(), ", node ",
                   up->peer_name, ", version ", up->version, ", ", channel.peer_address(), ")");
    return;
  }
  if (std::holds_alternative<relay::LinkClosed>(event)) {
    // on_channel_closed follows and reports the link down.
    return;
  }
  // A verdict on a frame of an earlier gateway incarnation means nothing to this one.
  if (const auto* d = std::get_if<relay::DeliveredReceived>(&event);
      d != nullptr && d->delivered.ref_token != token_) {
    return;
  }
  if (const auto* b = std::get_if<relay::BounceReceived>(&event);
      b != nullptr && b->bounce.ref_token != token_) {
    return;
  }
  if (edge->up && events_ != nullptr) events_->on_relay_event(index, std::move(event));
}

void RelayClient::on_channel_closed(net::RelayChannel& channel, const Error* reason) {
  std::size_t index = 0;
  Edge* edge = edge_of(channel, index);
  if (edge == nullptr) return;
  const bool was_up = edge->up;
  const bool was_backlogged = channel.write_backlogged();
  edge->up = false;
  edge->channel = nullptr;
  if (was_up) edge->down_since = now();
  rearm_expiry();
  if (was_backlogged && events_ != nullptr) events_->on_relay_backlog();
  const std::string why = reason != nullptr ? reason->detail : "closed";
  if (was_up) {
    if (stopping_) {
      edge->log.info("relay link down: ", edge->endpoint.name, " (gateway shutting down)");
    } else {
      edge->log.warn("relay link down: ", edge->endpoint.name, " (", why, ")");
    }
    if (events_ != nullptr) events_->on_relay_link_down(index);
  } else if (!stopping_) {
    edge->log.warn("relay link to ", edge->endpoint.name, " at ", edge->endpoint.host, ":",
                   edge->endpoint.port, " failed: ", why);
  }
  schedule_redial(index);
}

}  // namespace xf::gw
