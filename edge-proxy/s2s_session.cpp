#include "edge-proxy/s2s_session.h"

#include "common/tls/identity.h"
#include "edge-proxy/router.h"

namespace xf::edge {
namespace {

std::string log_name(bool inbound, std::uint64_t id, std::string_view remote) {
  return log::cat(inbound ? "s2s-in " : "s2s-out ", std::hex, id, std::dec,
                  remote.empty() ? "" : " ", remote);
}

}  // namespace

xmpp::S2sStream::Settings s2s_stream_settings(const EdgeConfig& config,
                                              xmpp::S2sStream::Role role) {
  xmpp::S2sStream::Settings s;
  s.role = role;
  s.is_hosted = [&config](std::string_view d) { return config.is_hosted(d); };
  s.tls_required = true;
  s.tls_available = true;
  // Every hosted domain has its certificate, which the outbound client context presents.
  s.sasl_external = true;
  s.dialback_secret = config.s2s.dialback_secret;
  s.limits.max_stanza_bytes = static_cast<std::size_t>(config.s2s.max_stanza_bytes);
  s.establishment_timeout_ms =
      (role == xmpp::S2sStream::Role::outbound ? config.s2s.connect_timeout_s
                                               : config.s2s.stream_establishment_timeout_s) *
      1000;
  s.inactivity_timeout_ms = config.s2s.stream_inactivity_timeout_s * 1000;
  s.keepalive_interval_ms = config.s2s.keepalive_interval_s * 1000;
  return s;
}

S2sSession* S2sSession::make_inbound(uv_loop_t* loop, Router& router, const EdgeConfig& config,
                                     std::shared_ptr<tls::Context> tls, std::uint64_t id,
                                     bool direct_tls) {
  auto* session =
      new S2sSession(loop, router, s2s_stream_settings(config, xmpp::S2sStream::Role::inbound),
                     std::move(tls), id);
  session->direct_tls_ = direct_tls;
  return session;
}

S2sSession* S2sSession::make_outbound(uv_loop_t* loop, Router& router, const EdgeConfig& config,
                                      std::shared_ptr<tls::Context> tls, std::uint64_t id,
                                      std::string local_domain, std::string remote_domain) {
  xmpp::S2sStream::Settings settings = s2s_stream_settings(config, xmpp::S2sStream::Role::outbound);
  settings.local_domain = std::move(local_domain);
  settings.remote_domain = std::move(remote_domain);
  return new S2sSession(loop, router, std::move(settings), std::move(tls), id);
}

S2sSession::S2sSession(uv_loop_t* loop, Router& router, xmpp::S2sStream::Settings settings,
                       std::shared_ptr<tls::Context> tls, std::uint64_t id)
    : net::TlsConnection(loop, log_name(settings.role == xmpp::S2sStream::Role::inbound, id,
                                        settings.remote_domain)),
      router_(router),
      id_(id),
      tls_(std::move(tls)),
      stream_(std::move(settings), *this),
      timer_(*this, [this] { on_timer(); }) {
  handshake_timeout_ms_ = (inbound() ? router.config().s2s.stream_establishment_timeout_s
                                     : router.config().s2s.connect_timeout_s) *
                          1000;
  set_write_watermarks(static_cast<std::size_t>(router.config().s2s.high_water_bytes) / 2,
                       static_cast<std::size_t>(router.config().s2s.high_water_bytes));
}

std::string S2sSession::peer_ip() const {
  const std::string& addr = peer_address();
  auto colon = addr.rfind(':');
  std::string ip = colon == std::string::npos ? addr : addr.substr(0, colon);
  if (ip.size() > 2 && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
  return ip;
}

void S2sSession::dial(S2sDialer& dialer) {
  dial_ = dialer.start(remote_domain(), log_, [this](Result<std::vector<DialEndpoint>> found) {
    if (!found.ok()) {
      abort(found.error());
      return;
    }
    std::vector<net::Endpoint> endpoints;
    for (DialEndpoint& e : *found) {
      endpoints.push_back(std::move(e.endpoint));
      endpoint_direct_tls_.push_back(e.direct_tls);
    }
    connect_to(std::move(endpoints));
  });
}

void S2sSession::rearm() {
  if (connection_closed_ || closing()) return;
  timer_.start_at(stream_.next_deadline());
}

void S2sSession::on_timer() {
  if (stream_.state() == xmpp::S2sStream::State::idle) {
    // Only a direct TLS handshake arms the timer before the stream starts.
    log_.info("TLS handshake not complete after ", handshake_timeout_ms_ / 1000, " s");
    abort(make_error(Errc::timeout, "direct TLS handshake timed out"));
    return;
  }
  stream_.on_timer(now());
  rearm();
}

void S2sSession::on_connected() {
  log_.info("connected ", peer_address());
  if (inbound()) {
    if (auto refusal = router_.admit_inbound(*this)) {
      if (direct_tls_) {
        // A stream error would need a TLS handshake first: refuse the connection itself.
        log_.info("refused before TLS: ", refusal->text);
        abort(make_error(Errc::policy, refusal->text));
        return;
      }
      // A stream error needs an open stream: start ours only to end it.
      stream_.start(now());
      end(&*refusal);
      return;
    }
  } else if (connected_endpoint() < endpoint_direct_tls_.size()) {
    direct_tls_ = endpoint_direct_tls_[connected_endpoint()];
  }
  if (direct_tls_) {
    // XEP-0368: TLS at once (SNI = the partner's domain, ALPN xmpp-server from the context);
    // the stream starts when the handshake is done.
    on_start_tls();
    if (!closing()) timer_.start_at(now() + handshake_timeout_ms_);
    return;
  }
  stream_.start(now());
  rearm();
}

void S2sSession::on_plaintext(std::string_view bytes) {
  stream_.feed(bytes, now());
  rearm();
}

void S2sSession::on_tls_established() {
  const tls::Session* tls = tls_session();
  const std::string alpn = tls->alpn();
  log_.info(
      "TLS established (", direct_tls_ ? "direct TLS" : "STARTTLS", "): ", tls->version(), " ",
      tls->cipher(), alpn.empty() ? "" : ", ALPN ", alpn, ", peer certificate ",
      tls->peer().present ? (tls->peer().chain_verified ? "verified" : "not verified") : "absent");
  if (direct_tls_ && stream_.state() == xmpp::S2sStream::State::idle) {
    stream_.start_with_tls(now());
  } else {
    stream_.tls_established(now());
  }
  rearm();
}

void S2sSession::on_closed(const Error* reason) {
  connection_closed_ = true;
  timer_.stop();
  if (dial_) dial_->cancel();
  if (reason != nullptr) {
    log_.info("connection closed: ", reason->detail);
  } else {
    log_.debug("connection closed");
  }
  router_.session_closed(*this, reason);
}

void S2sSession::send_stanza(const xml::Element& stanza) {
  stream_.send_stanza(stanza, now());
  rearm();
}

void S2sSession::set_reading(bool on) {
  if (on) {
    resume_reading();
  } else {
    pause_reading();
  }
}

void S2sSession::on_write_backlog(bool above) { router_.session_backlog(*this, above); }

void S2sSession::send_verify(const xmpp::DialbackRequest& request) {
  stream_.send_verify(request, now());
}

void S2sSession::complete_dialback(std::string_view remote_domain, std::string_view local_domain,
                                   bool valid) {
  stream_.complete_dialback(remote_domain, local_domain, valid, now());
  rearm();
}

void S2sSession::end(const xmpp::StreamFailure* failure) {
  if (stream_.state() == xmpp::S2sStream::State::closed) {
    close();
    return;
  }
  stream_.close(failure);
}

std::string S2sSession::describe() const {
  return log::cat(
      log_name(inbound(), id_, remote_domain().empty() ? "?" : remote_domain()), " <-> ",
      local_domain(), authenticated() ? " authenticated by " : " not authenticated",
      authenticated() ? xmpp::to_string(stream_.auth_of(local_domain(), remote_domain())) : "",
      stream_.tls_active() ? (direct_tls_ ? ", direct TLS" : ", TLS") : "", ", peer ",
      peer_address());
}

void S2sSession::on_send(std::string_view bytes) {
  if (connection_closed_) return;
  write(std::string(bytes));
}

void S2sSession::on_start_tls() {
  bool out = !inbound();
  Status st = start_tls(tls_, out ? net::TlsRole::client : net::TlsRole::server,
                        out ? stream_.remote_domain() : std::string());
  if (!st.ok()) {
    log_.warn("cannot start TLS: ", st.error().detail);
    abort(st.error());
  }
}

void S2sSession::on_stanza(xml::Element&& stanza, std::string_view from_domain,
                           std::string_view to_domain, xmpp::PeerAuth how) {
  router_.partner_stanza(*this, std::move(stanza), to_domain, from_domain, how);
}

void S2sSession::on_stanza_refused(xml::Element&& stanza, std::string_view from_domain,
                                   std::string_view to_domain, xmpp::StanzaError condition) {
  router_.partner_stanza_refused(stanza, to_domain, from_domain, condition);
}

void S2sSession::on_dialback_request(const xmpp::DialbackRequest& request) {
  log_.info("dialback key from ", request.remote_domain, " for ", request.local_domain,
            ": verifying with the authoritative server");
  router_.dialback_request(*this, request);
}

void S2sSession::on_verify_result(std::string_view stream_id, std::string_view remote_domain,
                                  std::string_view local_domain, bool valid) {
  router_.verify_result(stream_id, remote_domain, local_domain, valid);
}

void S2sSession::on_authenticated(std::string_view local_domain, std::string_view remote_domain,
                                  xmpp::PeerAuth how) {
  // Name the direction the pair may carry stanzas: inbound partner -> us, outbound us -> partner.
  if (inbound()) {
    log_.info("authenticated ", remote_domain, " -> ", local_domain, " by ", xmpp::to_string(how));
  } else {
    log_.info("authenticated ", local_domain, " -> ", remote_domain, " by ", xmpp::to_string(how));
  }
  router_.authenticated(*this, local_domain, remote_domain);
}

void S2sSession::on_ready_for_verify() { router_.outbound_ready(*this); }

bool S2sSession::peer_certificate_authenticates(std::string_view remote_domain) {
  const tls::Session* tls = tls_session();
  if (tls == nullptr) return false;
  const tls::PeerIdentity& peer = tls->peer();
  tls::CertFault fault = tls::xmpp_domain_fault(peer, remote_domain);
  if (fault == tls::CertFault::none) {
    log_.info("certificate of ", remote_domain, " is valid: offering SASL EXTERNAL and dialback");
    return true;
  }
  std::string detail;
  if (fault == tls::CertFault::misnamed) {
    detail = "it names";
    for (const std::string& n : peer.dns_ids) detail += " DNS:" + n;
    for (const std::string& n : peer.srv_ids) detail += " SRV:" + n;
    for (const std::string& n : peer.xmpp_addrs) detail += " XmppAddr:" + n;
    if (peer.dns_ids.empty() && peer.srv_ids.empty() && peer.xmpp_addrs.empty()) {
      detail += " CN:" + peer.common_name;
    }
  } else if (fault == tls::CertFault::absent) {
    detail = "no certificate presented";
  } else {
    detail = peer.verify_error;
  }
  log_.warn("certificate of ", remote_domain, " refused for SASL EXTERNAL: ", tls::to_string(fault),
            " (", detail, "); offering dialback only");
  return false;
}

void S2sSession::on_sasl_failure(std::string_view condition, bool sent_by_us) {
  if (sent_by_us) {
    log_.warn("SASL EXTERNAL from ", remote_domain().empty() ? "?" : remote_domain(),
              " refused: ", condition);
  } else {
    log_.warn("SASL EXTERNAL refused by ", remote_domain(), ": ", condition,
              "; falling back to dialback");
  }
}

void S2sSession::on_closed(const xmpp::StreamFailure* failure) {
  if (failure != nullptr) {
    log_.info("stream closed: ", xmpp::to_string(failure->condition),
              failure->text.empty() ? "" : ": ", failure->text);
  } else {
    log_.info("stream closed");
  }
  // Flushes what the machine wrote (our close tag), then closes the socket.
  close();
}

}  // namespace xf::edge
