// One server-to-server connection with a partner: the socket, TLS and the s2s stream machine.
// Inbound sessions are accepted on the s2s port; outbound ones are dialled for the router, one
// per (local domain, remote domain) pair. The session only moves bytes and timer ticks; what a
// stanza or a dialback request means is the router's business.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/net/timer.h"
#include "common/net/tls_connection.h"
#include "common/tls/tls_context.h"
#include "common/xmpp/s2s_stream.h"
#include "edge-proxy/edge_config.h"
#include "edge-proxy/s2s_dialer.h"
#include "edge-proxy/s2s_port.h"

namespace xf::edge {

class Router;

// The stream machine's settings for one direction, from the edge configuration.
xmpp::S2sStream::Settings s2s_stream_settings(const EdgeConfig& config, xmpp::S2sStream::Role role);

class S2sSession final : public net::TlsConnection,
                         public S2sPort,
                         private xmpp::S2sStream::Events {
 public:
  // tls: the server context for inbound sessions; for outbound, the client context that
  // presents local_domain's certificate (SASL EXTERNAL needs it). direct_tls: accepted on a
  // direct TLS (XEP-0368) listener, so the TLS handshake comes before the stream.
  static S2sSession* make_inbound(uv_loop_t* loop, Router& router, const EdgeConfig& config,
                                  std::shared_ptr<tls::Context> tls, std::uint64_t id,
                                  bool direct_tls = false);
  static S2sSession* make_outbound(uv_loop_t* loop, Router& router, const EdgeConfig& config,
                                   std::shared_ptr<tls::Context> tls, std::uint64_t id,
                                   std::string local_domain, std::string remote_domain);

  // Outbound: finds the partner's addresses (route, SRV or A/AAAA) and connects to them in
  // order, with direct TLS where the target says so. A discovery failure closes the session
  // like a connect failure.
  void dial(S2sDialer& dialer);

  // S2sPort
  std::uint64_t id() const override { return id_; }
  bool inbound() const override { return stream_.role() == xmpp::S2sStream::Role::inbound; }
  std::string peer_ip() const override;
  const std::string& stream_id() const override { return stream_.stream_id(); }
  const std::string& local_domain() const override { return stream_.local_domain(); }
  const std::string& remote_domain() const override { return stream_.remote_domain(); }
  bool is_authenticated(std::string_view local_domain,
                        std::string_view remote_domain) const override {
    return stream_.is_authenticated(local_domain, remote_domain);
  }
  bool authenticated() const override { return stream_.authenticated(); }
  bool ready_for_verify() const override { return stream_.ready_for_verify(); }
  void send_stanza(const xml::Element& stanza) override;
  void send_verify(const xmpp::DialbackRequest& request) override;
  void complete_dialback(std::string_view remote_domain, std::string_view local_domain,
                         bool valid) override;
  void set_reading(bool on) override;
  void end(const xmpp::StreamFailure* failure) override;
  std::string describe() const override;

 private:
  S2sSession(uv_loop_t* loop, Router& router, xmpp::S2sStream::Settings settings,
             std::shared_ptr<tls::Context> tls, std::uint64_t id);
  ~S2sSession() override = default;

  // net::TlsConnection
  void on_connected() override;
  void on_plaintext(std::string_view bytes) override;
  void on_tls_established() override;
  void on_closed(const Error* reason) override;
  void on_write_backlog(bool above) override;

  // xmpp::S2sStream::Events
  void on_send(std::string_view bytes) override;
  void on_start_tls() override;
  void on_stanza(xml::Element&& stanza, std::string_view from_domain, std::string_view to_domain,
                 xmpp::PeerAuth how) override;
  void on_stanza_refused(xml::Element&& stanza, std::string_view from_domain,
                         std::string_view to_domain, xmpp::StanzaError condition) override;
  void on_dialback_request(const xmpp::DialbackRequest& request) override;
  void on_verify_result(std::string_view stream_id, std::string_view remote_domain,
                        std::string_view local_domain, bool valid) override;
  void on_authenticated(std::string_view local_domain, std::string_view remote_domain,
                        xmpp::PeerAuth how) override;
  void on_ready_for_verify() override;
  bool peer_certificate_authenticates(std::string_view remote_domain) override;
  void on_sasl_failure(std::string_view condition, bool sent_by_us) override;
  void on_closed(const xmpp::StreamFailure* failure) override;

  void rearm();
  // Direct TLS: the handshake runs before the stream starts, so the stream's timers do not
  // cover it yet; this bounds it by the stream's establishment time.
  void on_timer();

  Router& router_;
  std::uint64_t id_;
  std::shared_ptr<tls::Context> tls_;
  xmpp::S2sStream stream_;
  net::Timer timer_;
  std::unique_ptr<S2sDialer::Dial> dial_;
  // Outbound: per endpoint handed to the connection, whether it is a direct TLS one.
  std::vector<bool> endpoint_direct_tls_;
  // This connection runs direct TLS (XEP-0368): TLS from the first byte, no STARTTLS.
  bool direct_tls_ = false;
  Millis handshake_timeout_ms_ = 0;
  bool connection_closed_ = false;
};

}  // namespace xf::edge
