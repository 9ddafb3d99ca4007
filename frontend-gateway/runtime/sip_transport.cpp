#include "frontend-gateway/runtime/sip_transport.h"

#include <algorithm>
#include <vector>

#include "frontend-gateway/runtime/sip_connection.h"

namespace xf::gw {

SipTransport::SipTransport(uv_loop_t* loop, const GatewayConfig& config)
    : loop_(loop), config_(config) {
  const auto max = static_cast<std::size_t>(config.sip.max_message_bytes);
  limits_.max_header_bytes = std::min(limits_.max_header_bytes, max);
  limits_.max_body_bytes = max;
}

SipTransport::~SipTransport() { close(); }

Status SipTransport::listen() {
  if (Status st = make_tls_contexts(); !st.ok()) return st;
  listener_ = std::make_unique<net::Listener>(
      loop_, [this](uv_loop_t*) { return accept(); }, "sip-listener");
  Status st = listener_->listen(config_.sip.listen_address, config_.sip.listen_port);
  if (st.ok()) {
    log_.info("listening for SIP over ", via_transport(config_.sip.listen_transport), " on ",
              config_.sip.listen_address, ":", listener_->port());
  }
  return st;
}

Status SipTransport::make_tls_contexts() {
  const SipTlsSettings& tls = config_.sip.tls;
  std::vector<tls::CertKey> certs;
  if (!tls.certificate.empty()) certs.push_back({"", tls.certificate, tls.private_key});
  if (config_.sip.next_hop_transport == SipTransportKind::tls && next_hop_tls_ == nullptr) {
    tls::ContextConfig client;
    client.server = false;
    client.certs = certs;
    client.ca_file = tls.ca_file;
    client.verify = tls::PeerVerify::required;
    auto ctx = tls::Context::create(client);
    if (!ctx.ok()) {
      return fail(Errc::config_error, "sip.tls (next hop): " + ctx.error().detail);
    }
    next_hop_tls_ = std::move(ctx.value());
  }
  if (config_.sip.listen_transport == SipTransportKind::tls && listen_tls_ == nullptr) {
    // The proxy is authenticated by the connection we open to it; requests it routes to us
    // are accepted like those on the TCP listener, so no client certificate is asked for.
    tls::ContextConfig server;
    server.server = true;
    server.certs = certs;
    server.verify = tls::PeerVerify::none;
    auto ctx = tls::Context::create(server);
    if (!ctx.ok()) return fail(Errc::config_error, "sip.tls (listener): " + ctx.error().detail);
    listen_tls_ = std::move(ctx.value());
  }
  return {};
}

net::Connection* SipTransport::accept() {
  if (closed_) return nullptr;
  if (connections_.size() >= kMaxSipConnections) {
    log_.warn("refusing a SIP connection: ", connections_.size(), " are open");
    return nullptr;
  }
  const std::uint64_t id = ++last_id_;
  SipConnection* c = SipConnection::make(loop_, *this, id, limits_, false, {listen_tls_, {}});
  connections_[id] = c;
  return c;
}

void SipTransport::close() {
  closed_ = true;
  if (listener_) listener_->close();
  std::vector<SipConnection*> open;
  for (auto& [id, c] : connections_) open.push_back(c);
  for (SipConnection* c : open) c->close();
}

bool SipTransport::send_on(std::uint64_t connection, std::string bytes) {
  auto it = connections_.find(connection);
  if (it == connections_.end() || it->second->closing()) return false;
  it->second->write(std::move(bytes));
  return true;
}

std::optional<std::string> SipTransport::next_hop_sent_by() const {
  if (next_hop_ != nullptr && next_hop_open_) return next_hop_->local_address();
  return std::nullopt;
}

void SipTransport::ensure_next_hop() {
  if (next_hop_ != nullptr || closed_) return;
  if (config_.sip.next_hop_transport == SipTransportKind::tls && next_hop_tls_ == nullptr) {
    if (Status st = make_tls_contexts(); !st.ok()) {
      log_.error("cannot reach the SIP next hop over TLS: ", st.error().detail);
      return;
    }
  }
  const std::uint64_t id = ++last_id_;
  next_hop_ = SipConnection::make(loop_, *this, id, limits_, true,
                                  {next_hop_tls_, config_.sip.next_hop_tls_name()});
  const auto high = static_cast<std::size_t>(config_.sip.high_water_bytes);
  next_hop_->set_write_watermarks(high / 2, high);
  next_hop_open_ = false;
  connections_[id] = next_hop_;
  log_.info("connecting to the SIP next hop ", config_.sip.next_hop_host, ":",
            config_.sip.next_hop_port, " over ", via_transport(config_.sip.next_hop_transport),
            " (sip-conn ", id, ")");
  next_hop_->connect(config_.sip.next_hop_host, config_.sip.next_hop_port);
}

bool SipTransport::send_to_next_hop(std::string bytes) {
  if (next_hop_ == nullptr || !next_hop_open_ || next_hop_->closing()) return false;
  next_hop_->write(std::move(bytes));
  return true;
}

bool SipTransport::next_hop_backlogged() const {
  return next_hop_ != nullptr && next_hop_->write_backlogged();
}

void SipTransport::set_inbound_reading(bool on) {
  if (inbound_paused_ == !on) return;
  inbound_paused_ = !on;
  for (auto& [id, c] : connections_) {
    if (c == next_hop_ || c->closing()) continue;
    if (on) {
      c->resume_reading();
    } else {
      c->pause_reading();
    }
  }
}

void SipTransport::connection_backlog(SipConnection& connection) {
  if (&connection == next_hop_ && events_ != nullptr) events_->on_sip_backlog();
}

void SipTransport::connection_open(SipConnection& connection) {
  if (&connection != next_hop_) {
    // Accepted while the gateway is not reading requests: it waits like the others (only
    // now, so that a TLS handshake could finish).
    if (inbound_paused_) connection.pause_reading();
    return;
  }
  next_hop_open_ = true;
  log_.info("SIP next hop connected: ", connection.peer_address(), " from ",
            connection.local_address());
  if (events_ != nullptr) events_->on_next_hop_up();
}

void SipTransport::message_received(SipConnection& connection, sip::SipMessage&& message) {
  if (events_ != nullptr) events_->on_sip_message(connection.id(), std::move(message));
}

void SipTransport::connection_closed(SipConnection& connection, const Error* reason) {
  connections_.erase(connection.id());
  if (&connection != next_hop_) {
    log_.debug("sip-conn ", connection.id(), " closed",
               reason != nullptr ? ": " + reason->detail : std::string());
    return;
  }
  next_hop_ = nullptr;
  next_hop_open_ = false;
  if (connection.write_backlogged() && events_ != nullptr) events_->on_sip_backlog();
  const std::string why = reason != nullptr ? ": " + reason->detail : std::string();
  if (closed_) {
    log_.info("SIP next hop connection ", connection.id(), " closed (shutting down)");
  } else {
    log_.warn("SIP next hop connection ", connection.id(), " closed", why);
  }
  if (events_ != nullptr) events_->on_next_hop_down(reason);
}

}  // namespace xf::gw
