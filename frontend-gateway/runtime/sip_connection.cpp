#include "frontend-gateway/runtime/sip_connection.h"

#include "common/tls/identity.h"
#include "frontend-gateway/runtime/sip_transport.h"

namespace xf::gw {

bool sip_peer_matches(const tls::PeerIdentity& peer, std::string_view host) {
  return tls::certificate_names_host(peer, host);
}

SipConnection* SipConnection::make(uv_loop_t* loop, SipTransport& owner, std::uint64_t id,
                                   sip::FramerLimits limits, bool outbound, SipConnectionTls tls) {
  return new SipConnection(loop, owner, id, limits, outbound, std::move(tls));
}

SipConnection::SipConnection(uv_loop_t* loop, SipTransport& owner, std::uint64_t id,
                             sip::FramerLimits limits, bool outbound, SipConnectionTls tls)
    : net::TlsConnection(loop, log::cat("sip-conn ", id)),
      owner_(owner),
      id_(id),
      outbound_(outbound),
      tls_config_(std::move(tls)),
      framer_(limits),
      handshake_timer_(*this, [this] {
        log_.warn("TLS handshake not finished after ", kSipTlsHandshakeTimeoutMs, " ms");
        abort(make_error(Errc::timeout, "TLS handshake timed out"));
      }) {}

void SipConnection::on_connected() {
  log_.set_object(log::cat("sip-conn ", id_, " ", peer_address()));
  log_.debug(outbound_ ? "connected (next hop) from " : "accepted on ", local_address());
  if (tls_config_.context == nullptr) {
    owner_.connection_open(*this);
    return;
  }
  Status started =
      start_tls(tls_config_.context, outbound_ ? net::TlsRole::client : net::TlsRole::server,
                outbound_ ? tls_config_.peer_name : std::string());
  if (!started.ok()) {
    log_.warn("cannot start TLS: ", started.error().detail);
    abort(started.error());
    return;
  }
  handshake_timer_.start(kSipTlsHandshakeTimeoutMs);
}

void SipConnection::on_tls_established() {
  handshake_timer_.stop();
  const tls::Session& session = *tls_session();
  if (outbound_) {
    // The context demands a chain to the trust anchors (PeerVerify::required); the name is
    // ours to check (RFC 5922 §7.2: the proxy's certificate must name the host we asked for).
    const tls::PeerIdentity& peer = session.peer();
    if (!peer.present || !peer.chain_verified) {
      log_.warn("refusing the next hop: its certificate did not verify",
                peer.verify_error.empty() ? std::string() : ": " + peer.verify_error);
      abort(make_error(Errc::tls_error, "next hop certificate did not verify"));
      return;
    }
    if (!sip_peer_matches(peer, tls_config_.peer_name)) {
      std::string names;
      for (const std::string& dns : peer.dns_ids) names += (names.empty() ? "" : ", ") + dns;
      if (names.empty()) names = "CN=" + peer.common_name;
      log_.warn("refusing the next hop: its certificate names ", names, ", not ",
                tls_config_.peer_name);
      abort(
          make_error(Errc::policy, "next hop certificate does not name " + tls_config_.peer_name));
      return;
    }
    log_.info("TLS with the next hop ", tls_config_.peer_name, " verified (", session.version(),
              " ", session.cipher(), ")");
  } else {
    log_.debug("TLS accepted (", session.version(), " ", session.cipher(), ")");
  }
  owner_.connection_open(*this);
}

void SipConnection::on_plaintext(std::string_view bytes) {
  framer_.feed(bytes);
  while (!closing()) {
    std::optional<sip::Frame> frame = framer_.next();
    if (!frame) break;
    if (frame->kind == sip::Frame::Kind::ping) {
      write("\r\n");
      continue;
    }
    auto message = sip::SipMessage::parse(frame->bytes);
    if (!message.ok()) {
      // The frame boundaries are intact, so the stream goes on; without the mandatory headers
      // there is nothing a response could be addressed with.
      log_.warn("unparsable SIP message (", frame->bytes.size(),
                " bytes) dropped: ", message.error().detail);
      continue;
    }
    owner_.message_received(*this, std::move(message.value()));
  }
  if (framer_.error() != sip::FrameError::none && !closing()) {
    // The framer keeps no complete header block after such an error, so the status it maps to
    // (sip_status_for) cannot be addressed to the request; the proxy sees the connection end.
    log_.warn("SIP framing error: ", sip::to_string(framer_.error()), " (would answer ",
              sip::sip_status_for(framer_.error()), "): closing");
    abort(make_error(Errc::protocol_error, sip::to_string(framer_.error())));
  }
}

void SipConnection::on_write_backlog(bool /*above*/) { owner_.connection_backlog(*this); }

void SipConnection::on_closed(const Error* reason) {
  if (reason != nullptr && tls_config_.context != nullptr && !tls_established()) {
    log_.warn("closed before TLS was established: ", reason->detail);
  }
  owner_.connection_closed(*this, reason);
}

}  // namespace xf::gw
