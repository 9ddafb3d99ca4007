// One server-to-server connection with a partner: the socket, TLS and the s2s stream machine.
// Inbound sessions are accepted on the s2s port; outbound ones are dialled by the router, one
// per (local domain, remote domain) pair. The session only moves bytes and timer ticks; what a
// stanza or a dialback request means is the router's business.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/net/timer.h"
#include "common/net/tls_connection.h"
#include "common/xmpp/s2s_stream.h"

namespace xf::edge {

class Router;

class S2sSession final : public net::TlsConnection, private xmpp::S2sStream::Events {
 public:
  static S2sSession* make_inbound(uv_loop_t* loop, Router& router);
  static S2sSession* make_outbound(uv_loop_t* loop, Router& router, std::string local_domain,
                                   std::string remote_domain);

  std::uint64_t id() const { return id_; }
  bool inbound() const { return stream_.role() == xmpp::S2sStream::Role::inbound; }
  xmpp::S2sStream& stream() { return stream_; }
  const xmpp::S2sStream& stream() const { return stream_; }
  // The peer's IP address without the port (for per-partner connection limits).
  std::string peer_ip() const;

  void send_stanza(const xml::Element& stanza);
  void send_verify(const xmpp::DialbackRequest& request);
  void complete_dialback(std::string_view remote_domain, std::string_view local_domain,
                         bool valid);
  // Ends the stream with a stream error (or cleanly when failure is null), then the socket.
  void end(const xmpp::StreamFailure* failure);

 private:
  S2sSession(uv_loop_t* loop, Router& router, xmpp::S2sStream::Settings settings,
             std::uint64_t id);
  ~S2sSession() override = default;

  // net::TlsConnection
  void on_connected() override;
  void on_plaintext(std::string_view bytes) override;
  void on_tls_established() override;
  void on_closed(const Error* reason) override;

  // xmpp::S2sStream::Events
  void on_send(std::string_view bytes) override;
  void on_start_tls() override;
  void on_stanza(xml::Element&& stanza, std::string_view from_domain, std::string_view to_domain,
                 xmpp::PeerAuth how) override;
  void on_dialback_request(const xmpp::DialbackRequest& request) override;
  void on_verify_result(std::string_view stream_id, std::string_view remote_domain,
                        std::string_view local_domain, bool valid) override;
  void on_authenticated(std::string_view local_domain, std::string_view remote_domain,
                        xmpp::PeerAuth how) override;
  void on_ready_for_verify() override;
  void on_closed(const xmpp::StreamFailure* failure) override;

  void rearm();

  Router& router_;
  std::uint64_t id_;
  xmpp::S2sStream stream_;
  net::Timer timer_;
  bool connection_closed_ = false;
};

}  // namespace xf::edge
