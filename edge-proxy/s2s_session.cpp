#include "edge-proxy/s2s_session.h"

#include "edge-proxy/router.h"

namespace xf::edge {
namespace {

std::string log_name(bool inbound, std::uint64_t id, std::string_view remote) {
  return log::cat(inbound ? "s2s-in " : "s2s-out ", std::hex, id, std::dec,
                  remote.empty() ? "" : " ", remote);
}

}  // namespace

S2sSession* S2sSession::make_inbound(uv_loop_t* loop, Router& router) {
  xmpp::S2sStream::Settings settings = router.stream_settings(xmpp::S2sStream::Role::inbound);
  return new S2sSession(loop, router, std::move(settings), router.next_session_id());
}

S2sSession* S2sSession::make_outbound(uv_loop_t* loop, Router& router, std::string local_domain,
                                      std::string remote_domain) {
  xmpp::S2sStream::Settings settings = router.stream_settings(xmpp::S2sStream::Role::outbound);
  settings.local_domain = std::move(local_domain);
  settings.remote_domain = std::move(remote_domain);
  return new S2sSession(loop, router, std::move(settings), router.next_session_id());
}

S2sSession::S2sSession(uv_loop_t* loop, Router& router, xmpp::S2sStream::Settings settings,
                       std::uint64_t id)
    : net::TlsConnection(loop, log_name(settings.role == xmpp::S2sStream::Role::inbound, id,
                                        settings.remote_domain)),
      router_(router),
      id_(id),
      stream_(std::move(settings), *this),
      timer_(*this, [this] {
        stream_.on_timer(now());
        rearm();
      }) {}

std::string S2sSession::peer_ip() const {
  const std::string& addr = peer_address();
  auto colon = addr.rfind(':');
  std::string ip = colon == std::string::npos ? addr : addr.substr(0, colon);
  if (ip.size() > 2 && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
  return ip;
}

void S2sSession::rearm() {
  if (connection_closed_ || closing()) return;
  timer_.start_at(stream_.next_deadline());
}

void S2sSession::on_connected() {
  log_.info("connected ", peer_address());
  if (inbound() && !router_.admit_inbound(*this)) return;
  stream_.start(now());
  rearm();
}

void S2sSession::on_plaintext(std::string_view bytes) {
  stream_.feed(bytes, now());
  rearm();
}

void S2sSession::on_tls_established() {
  const tls::Session* tls = tls_session();
  log_.info("TLS established: ", tls->version(), " ", tls->cipher(), ", peer certificate ",
            tls->peer().present ? (tls->peer().chain_verified ? "verified" : "not verified")
                                : "absent");
  stream_.tls_established(now());
  rearm();
}

void S2sSession::on_closed(const Error* reason) {
  connection_closed_ = true;
  timer_.stop();
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

void S2sSession::send_verify(const xmpp::DialbackRequest& request) {
  stream_.send_verify(request, now());
}

void S2sSession::complete_dialback(std::string_view remote_domain,
                                   std::string_view local_domain, bool valid) {
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

void S2sSession::on_send(std::string_view bytes) {
  if (connection_closed_) return;
  write(std::string(bytes));
}

void S2sSession::on_start_tls() {
  bool out = !inbound();
  Status st = start_tls(out ? router_.client_tls() : router_.server_tls(),
                        out ? net::TlsRole::client : net::TlsRole::server,
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
