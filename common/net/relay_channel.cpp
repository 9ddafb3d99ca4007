#include "common/net/relay_channel.h"

#include "common/tls/identity.h"

namespace xf::net {

Result<std::shared_ptr<tls::Context>> RelayChannel::make_tls(const config::RelayLinkConfig& config,
                                                             relay::Role role,
                                                             std::string cert_name) {
  tls::ContextConfig tls;
  tls.server = role == relay::Role::edge;
  tls.certs.push_back({std::move(cert_name), config.certificate, config.private_key});
  tls.ca_file = config.ca_file;
  tls.verify = tls::PeerVerify::required;
  auto context = tls::Context::create(tls);
  if (!context.ok()) return fail(Errc::config_error, "relay TLS: " + context.error().detail);
  return std::move(context).value();
}

RelayChannel::Settings RelayChannel::settings_for(const config::RelayLinkConfig& config,
                                                  relay::Role role, std::string node_name,
                                                  std::shared_ptr<tls::Context> tls,
                                                  std::vector<std::string> expected_peers) {
  Settings settings;
  settings.link.role = role;
  settings.link.node_name = std::move(node_name);
  settings.link.heartbeat_interval_ms = config.heartbeat_interval_s * 1000;
  settings.link.dead_peer_timeout_ms = config.dead_peer_timeout_s * 1000;
  settings.tls = std::move(tls);
  settings.expected_peers = std::move(expected_peers);
  return settings;
}

RelayChannel* RelayChannel::make(uv_loop_t* loop, Handler& handler, Settings settings,
                                 std::string log_name) {
  return new RelayChannel(loop, handler, std::move(settings), std::move(log_name));
}

RelayChannel::RelayChannel(uv_loop_t* loop, Handler& handler, Settings settings,
                           std::string log_name)
    : TlsConnection(loop, std::move(log_name)),
      handler_(handler),
      settings_(std::move(settings)),
      link_(settings_.link),
      timer_(*this, [this] { dispatch(link_.on_timer(now())); }) {}

void RelayChannel::on_connected() {
  bool client = settings_.link.role == relay::Role::gateway;
  std::string sni = client && !settings_.expected_peers.empty() ? settings_.expected_peers[0] : "";
  Status st = start_tls(settings_.tls, client ? TlsRole::client : TlsRole::server, sni);
  if (!st.ok()) {
    abort(st.error());
    return;
  }
  // The hello timeout also bounds the TLS handshake: a silent peer cannot hold the socket.
  link_.start(now());
  timer_.start_at(link_.next_deadline());
}

void RelayChannel::on_tls_established() {
  const tls::PeerIdentity& peer = tls_session()->peer();
  if (!peer.present || !peer.chain_verified) {
    abort(
        make_error(Errc::tls_error, "relay peer certificate did not verify: " + peer.verify_error));
    return;
  }
  for (const std::string& expected : settings_.expected_peers) {
    if (tls::certificate_names_host(peer, expected)) {
      peer_identity_ = expected;
      break;
    }
  }
  if (peer_identity_.empty()) {
    abort(make_error(Errc::policy, "relay peer certificate names none of the allowed peers"));
    return;
  }
  log_.info("TLS established with ", peer_identity_, " (", tls_session()->version(), ")");
  flush();
}

void RelayChannel::on_plaintext(std::string_view bytes) {
  if (peer_identity_.empty()) return;
  dispatch(link_.feed(bytes, now()));
}

void RelayChannel::dispatch(std::vector<relay::LinkEvent>&& events) {
  flush();
  dispatching_ = true;
  for (relay::LinkEvent& event : events) {
    if (gone_) {
      dispatching_ = false;
      return;
    }
    bool last = std::holds_alternative<relay::LinkClosed>(event);
    if (last) {
      const auto& closed = std::get<relay::LinkClosed>(event);
      log_.info("link closed: ", relay::to_string(closed.cause), closed.reason.empty() ? "" : ": ",
                closed.reason);
    }
    handler_.on_link_event(*this, std::move(event));
    flush();
    if (last) {
      dispatching_ = false;
      close();
      return;
    }
  }
  dispatching_ = false;
  if (gone_) return;
  // One ack for everything this read completed.
  link_.send_ack();
  flush();
  if (!closing()) timer_.start_at(link_.next_deadline());
}

void RelayChannel::complete(relay::Receipt receipt) {
  if (!link_.has_session()) return;
  link_.session().complete(receipt);
  if (dispatching_) return;
  link_.send_ack();
  flush();
}

void RelayChannel::flush() {
  if (gone_ || !tls_established()) return;
  out_.clear();
  link_.take_output(out_);
  if (!out_.empty()) write(std::move(out_));
  out_ = std::string();
}

Result<std::uint64_t> RelayChannel::send_stanza(const relay::RoutingFacts& facts,
                                                std::string_view xml) {
  auto seq = link_.send_stanza(facts, xml);
  flush();
  return seq;
}

Result<std::uint64_t> RelayChannel::send(const relay::Message& message) {
  auto seq = link_.send(message);
  flush();
  return seq;
}

void RelayChannel::shutdown(std::string_view reason) {
  link_.close(reason);
  flush();
  close();
}

void RelayChannel::on_closed(const Error* reason) {
  gone_ = true;
  timer_.stop();
  handler_.on_channel_closed(*this, reason);
}

}  // namespace xf::net
