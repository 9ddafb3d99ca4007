#include "frontend-gateway/sip_connection.h"

#include "frontend-gateway/sip_transport.h"

namespace xf::gw {

SipConnection* SipConnection::make(uv_loop_t* loop, SipTransport& owner, std::uint64_t id,
                                   sip::FramerLimits limits, bool outbound) {
  return new SipConnection(loop, owner, id, limits, outbound);
}

SipConnection::SipConnection(uv_loop_t* loop, SipTransport& owner, std::uint64_t id,
                             sip::FramerLimits limits, bool outbound)
    : net::Connection(loop, log::cat("sip-conn ", id)),
      owner_(owner),
      id_(id),
      outbound_(outbound),
      framer_(limits) {}

void SipConnection::on_connected() {
  log_.set_object(log::cat("sip-conn ", id_, " ", peer_address()));
  log_.debug(outbound_ ? "connected (next hop) from " : "accepted on ", local_address());
  owner_.connection_open(*this);
}

void SipConnection::on_read(std::string_view bytes) {
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

void SipConnection::on_closed(const Error* reason) {
  owner_.connection_closed(*this, reason);
}

}  // namespace xf::gw
