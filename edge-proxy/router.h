// The edge's switchboard. It knows every s2s session and every gateway link, and decides where
// each stanza goes: partner stanzas (already checked by the stream machine) to a gateway,
// gateway stanzas to the outbound stream of their (local, remote) domain pair, dialback
// verification requests to the authoritative server and its answers back. Nothing is dropped:
// a stanza that cannot go on is reported back to whoever sent it (a bounce frame to the
// gateway, an error stanza to the partner).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/net/relay_channel.h"
#include "common/tls/tls_context.h"
#include "common/xml/stanza_reader.h"
#include "common/xmpp/s2s_stream.h"
#include "edge-proxy/edge_config.h"

namespace xf::edge {

class S2sSession;

class Router final : public net::RelayChannel::Handler {
 public:
  Router(uv_loop_t* loop, const EdgeConfig& config);
  ~Router() override;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Loads certificates and builds the TLS contexts.
  Status init();

  // Listener factories (nullptr refuses the socket, e.g. over the connection limit).
  net::Connection* accept_s2s();
  net::Connection* accept_relay();

  // For sessions.
  xmpp::S2sStream::Settings stream_settings(xmpp::S2sStream::Role role) const;
  std::uint64_t next_session_id() { return ++last_session_id_; }
  const std::shared_ptr<tls::Context>& server_tls() const { return s2s_server_tls_; }
  const std::shared_ptr<tls::Context>& client_tls() const { return s2s_client_tls_; }
  bool admit_inbound(S2sSession& session);
  void partner_stanza(S2sSession& session, xml::Element&& stanza, std::string_view local_domain,
                      std::string_view remote_domain, xmpp::PeerAuth auth);
  void dialback_request(S2sSession& inbound, const xmpp::DialbackRequest& request);
  void verify_result(std::string_view stream_id, std::string_view remote_domain,
                     std::string_view local_domain, bool valid);
  void authenticated(S2sSession& session, std::string_view local_domain,
                     std::string_view remote_domain);
  void outbound_ready(S2sSession& session);
  void session_closed(S2sSession& session, const Error* reason);

  // net::RelayChannel::Handler
  void on_link_event(net::RelayChannel& channel, relay::LinkEvent&& event) override;
  void on_channel_closed(net::RelayChannel& channel, const Error* reason) override;

  // Closes every stream and link (daemon shutdown).
  void shutdown();

  // One log line per gateway link and per s2s session, for operators (SIGUSR1).
  void log_status() const;

  std::size_t gateway_count() const { return gateways_.size(); }
  std::size_t session_count() const { return sessions_.size(); }

 private:
  using Pair = std::pair<std::string, std::string>;  // (local domain, remote domain)

  // A stanza waiting for its outbound stream; origin says whom to tell how it went.
  struct Queued {
    xml::Element stanza;
    std::uint64_t gateway = 0;  // Link id the stanza came from; 0 = an error we generated.
    std::uint64_t seq = 0;      // Its frame sequence number on that link.
  };
  struct PendingVerify {
    std::uint64_t inbound = 0;  // Session id of the stream that asked.
    xmpp::DialbackRequest request;
  };
  struct Outbound {
    S2sSession* session = nullptr;
    std::deque<Queued> queue;
    std::vector<PendingVerify> verifies;
  };
  struct Gateway {
    net::RelayChannel* channel = nullptr;
    bool up = false;
  };

  Outbound& outbound_for(const std::string& local, const std::string& remote);
  void route_outbound(Queued queued, const std::string& local, const std::string& remote);
  void gateway_stanza(std::uint64_t gateway, std::uint64_t seq, relay::StanzaMsg&& msg);
  // Delivered when condition is empty, else bounced with it.
  void report(const Queued& queued, std::optional<xmpp::StanzaError> condition);
  void bounce_to_partner(const xml::Element& stanza, xmpp::StanzaError condition,
                         std::string_view text);
  net::RelayChannel* pick_gateway();
  S2sSession* find_session(std::uint64_t id) const;

  uv_loop_t* loop_;
  const EdgeConfig& config_;
  std::shared_ptr<tls::Context> s2s_server_tls_;
  std::shared_ptr<tls::Context> s2s_client_tls_;
  std::shared_ptr<tls::Context> relay_tls_;
  std::uint64_t last_session_id_ = 0;
  std::map<std::uint64_t, S2sSession*> sessions_;  // Every live s2s session by id.
  std::map<Pair, Outbound> outbound_;
  std::map<std::uint64_t, Gateway> gateways_;  // By link id.
  std::map<net::RelayChannel*, std::uint64_t> gateway_ids_;
  std::uint64_t last_gateway_id_ = 0;
  std::uint64_t round_robin_ = 0;
  xml::StanzaReader reader_;
  std::string scratch_;
  Logger log_{"router"};
  bool shutting_down_ = false;
};

}  // namespace xf::edge
