#include "common/net/tls_connection.h"

namespace xf::net {

TlsConnection::TlsConnection(uv_loop_t* loop, std::string log_name, ConnectionLimits limits)
    : Connection(loop, std::move(log_name), limits) {}

Status TlsConnection::start_tls(std::shared_ptr<tls::Context> context, TlsRole role,
                                const std::string& sni) {
  if (tls_ != nullptr) return fail(Errc::invalid_argument, "TLS is already active");
  if (closing()) return fail(Errc::invalid_argument, "connection is closing");
  auto session = role == TlsRole::client ? tls::Session::client(std::move(context), sni)
                                         : tls::Session::server(std::move(context));
  if (!session) return fail(session.error());
  Status started = (*session)->start();
  if (!started) return started;
  tls_ = std::move(*session);
  send_tls_output();
  return {};
}

void TlsConnection::write(std::string bytes) {
  if (closing() || bytes.empty()) return;
  if (tls_ == nullptr) {
    Connection::write(std::move(bytes));
    return;
  }
  Status written = tls_->write(bytes);
  if (!written) {
    tls_failed(written.error());
    return;
  }
  send_tls_output();
}

void TlsConnection::close() {
  if (closing()) return;
  if (tls_ != nullptr && tls_->handshake_done() && !tls_->peer_closed()) {
    tls_->shutdown();
    send_tls_output();
  }
  close_gracefully();
}

void TlsConnection::on_read(std::string_view bytes) {
  if (tls_ == nullptr) {
    on_plaintext(bytes);
    return;
  }
  Status fed = tls_->feed(bytes);
  // Handshake replies and alerts go out before anything else happens.
  send_tls_output();
  if (!fed) {
    tls_failed(fed.error());
    return;
  }
  if (closing()) return;
  if (!established_notified_ && tls_->handshake_done()) {
    established_notified_ = true;
    // The peer's Finished was the last thing it sent; with no session ticket to carry our ACK,
    // a peer using Nagle would hold its first application data until our delayed ACK.
    acknowledge_now();
    log_.debug("TLS established: ", tls_->version(), " ", tls_->cipher());
    on_tls_established();
    if (closing()) return;
  }
  plain_.clear();
  Status read = tls_->read(plain_);
  if (!plain_.empty()) {
    on_plaintext(plain_);
    if (closing()) return;
  }
  if (!read) {
    tls_failed(read.error());
    return;
  }
  if (tls_->peer_closed()) close();
}

void TlsConnection::send_tls_output() {
  if (tls_ == nullptr || !tls_->has_output()) return;
  cipher_.clear();
  tls_->take_output(cipher_);
  Connection::write(std::move(cipher_));
  cipher_ = std::string();
}

// The alert the session produced is already queued: flush it, then close with the reason.
void TlsConnection::tls_failed(const Error& error) {
  log_.debug("TLS failed: ", error.detail);
  close_with(error);
}

}  // namespace xf::net
