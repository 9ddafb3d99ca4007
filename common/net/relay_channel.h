// The relay link on a socket: a TLS connection (mutual authentication with the internal CA)
// carrying a relay::Link. The gateway dials (client); the edge accepts (server). After the
// handshake the peer certificate must verify and name one of the expected peers, or the
// channel closes before a single frame is read.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/config/shared_sections.h"
#include "common/net/timer.h"
#include "common/net/tls_connection.h"
#include "common/relay/link.h"

namespace xf::net {

class RelayChannel final : public TlsConnection {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    // Every link event, in order; LinkEstablished first, LinkClosed last.
    virtual void on_link_event(RelayChannel& channel, relay::LinkEvent&& event) = 0;
    // The socket is gone (after LinkClosed, or without it when the connection failed). The
    // channel is deleted soon after: drop every pointer to it here.
    virtual void on_channel_closed(RelayChannel& channel, const Error* reason) = 0;
    // The channel's outbound queue crossed a watermark (Connection::set_write_watermarks):
    // above at high water, !above once it fell to low water. Backpressure: the handler stops
    // reading what feeds the channel in between.
    virtual void on_channel_backlog(RelayChannel& /*channel*/, bool /*above*/) {}
  };

  struct Settings {
    relay::LinkConfig link;
    std::shared_ptr<tls::Context> tls;  // PeerVerify::required, our certificate, internal CA.
    // Names the peer certificate must carry one of (tls::certificate_names_host).
    std::vector<std::string> expected_peers;
  };

  // The relay link's mutual-TLS context for one end (the edge serves, the gateway dials): our
  // certificate under cert_name, the internal CA as the only trust anchor, and a peer
  // certificate required. Fails with config_error on unusable files.
  static Result<std::shared_ptr<tls::Context>> make_tls(const config::RelayLinkConfig& config,
                                                        relay::Role role, std::string cert_name);
  // Channel settings from the relay-link config: the link timers, this end's role and node
  // name, the context from make_tls and the names the peer's certificate may carry.
  static Settings settings_for(const config::RelayLinkConfig& config, relay::Role role,
                               std::string node_name, std::shared_ptr<tls::Context> tls,
                               std::vector<std::string> expected_peers);

  // A channel for an accepted socket (edge) or one to connect() (gateway).
  static RelayChannel* make(uv_loop_t* loop, Handler& handler, Settings settings,
                            std::string log_name);

  relay::Link& link() { return link_; }
  const relay::Link& link() const { return link_; }
  // The peer name its certificate proved (empty until TLS is up).
  const std::string& peer_identity() const { return peer_identity_; }

  Result<std::uint64_t> send_stanza(const relay::RoutingFacts& facts, std::string_view xml);
  Result<std::uint64_t> send(const relay::Message& message);
  // The application took responsibility for a received stanza: acknowledged at once, or with
  // the others of the same read when called while link events are being dispatched.
  void complete(relay::Receipt receipt);
  // Writes whatever the link has queued (after calling link() senders directly).
  void flush_link() { flush(); }
  // Ends the link with a close frame, then the socket.
  void shutdown(std::string_view reason);

 private:
  RelayChannel(uv_loop_t* loop, Handler& handler, Settings settings, std::string log_name);
  ~RelayChannel() override = default;

  void on_connected() override;
  void on_plaintext(std::string_view bytes) override;
  void on_tls_established() override;
  void on_closed(const Error* reason) override;
  void on_write_backlog(bool above) override { handler_.on_channel_backlog(*this, above); }

  void dispatch(std::vector<relay::LinkEvent>&& events);
  void flush();

  Handler& handler_;
  Settings settings_;
  relay::Link link_;
  Timer timer_;
  std::string peer_identity_;
  std::string out_;  // Scratch for link output.
  bool gone_ = false;
  bool dispatching_ = false;
};

}  // namespace xf::net
