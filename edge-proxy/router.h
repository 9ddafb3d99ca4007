// The edge's switchboard. It knows every s2s session and every gateway link, and decides where
// each stanza goes: partner stanzas (already checked by the stream machine) to a gateway,
// gateway stanzas to the outbound stream of their (local, remote) domain pair, dialback
// verification requests to the authoritative server and its answers back. Nothing is dropped:
// a stanza that cannot go on is reported back to whoever sent it (a bounce frame to the
// gateway, an error stanza to the partner).
//
// Backpressure instead of bounces: when every gateway link's queue is above its high water
// mark, the router stops reading the inbound partner streams (TCP flow control then slows the
// partners) and starts again once a link fell to its low water mark; when a partner stream's
// queue is above its mark, it stops reading the gateway links (the gateways then stop reading
// SIP) until the stream drained to its low mark. Hard bounds stay behind both (a stanza beyond
// relay.max_queue_bytes or s2s.outbound_queue_limit still bounces).
//
// The router is sans-IO: it sees sessions and links only through S2sPort and GatewayPort, and
// asks an S2sFactory for new outbound sessions. EdgeRuntime connects it to sockets.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/core/log.h"
#include "common/core/result.h"
#include "common/relay/link.h"
#include "common/relay/session.h"
#include "common/xml/stanza_reader.h"
#include "common/xmpp/s2s_stream.h"
#include "edge-proxy/edge_config.h"
#include "edge-proxy/gateway_port.h"
#include "edge-proxy/s2s_port.h"

namespace xf::edge {

class Router {
 public:
  // What went through, for the operator's status log (no log line per stanza).
  struct Counters {
    std::uint64_t to_gateways = 0;          // Partner stanzas relayed to a gateway.
    std::uint64_t bounced_to_partners = 0;  // Partner stanzas (and refusals) bounced back.
    std::uint64_t to_partners = 0;          // Gateway stanzas written to partner streams.
    std::uint64_t bounced_to_gateways = 0;  // Gateway stanzas reported as bounced.
    std::uint64_t partner_pauses = 0;       // Times partner streams stopped being read.
    std::uint64_t gateway_pauses = 0;       // Times gateway links stopped being read.
  };

  // The loop's time, and a call that makes the owner re-read next_deadline().
  struct Timekeeper {
    std::function<Millis()> now;
    std::function<void()> deadline_changed;
  };

  // token: this edge incarnation's relay session token (random per start).
  Router(const EdgeConfig& config, S2sFactory& factory, Timekeeper time, std::uint64_t token);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  const EdgeConfig& config() const { return config_; }
  const Counters& counters() const { return counters_; }
  // True while the partner streams (or the gateway links) are not read (backpressure).
  bool partners_paused() const { return partners_paused_; }
  bool gateways_paused() const { return gateways_paused_; }

  // ---- s2s sessions ----
  // May one more inbound connection be accepted? Not over connection_limit or after shutdown.
  bool may_accept_inbound() const;
  // An accepted inbound session; the router knows it until session_closed.
  void session_opened(S2sPort& session);
  // Once the inbound peer's address is known: nullopt admits it, else the stream error to
  // refuse it with (partner_connection_limit).
  std::optional<xmpp::StreamFailure> admit_inbound(const S2sPort& session) const;
  // A stanza the stream authenticated, for (local, remote), and how the pair was authenticated.
  void partner_stanza(S2sPort& session, xml::Element&& stanza, std::string_view local_domain,
                      std::string_view remote_domain, xmpp::PeerAuth auth);
  // A stanza from an authenticated pair that the stream refused (a malformed address): it is
  // bounced to its sender with the condition, and the stream stays up.
  void partner_stanza_refused(const xml::Element& stanza, std::string_view local_domain,
                              std::string_view remote_domain, xmpp::StanzaError condition);
  void dialback_request(S2sPort& inbound, const xmpp::DialbackRequest& request);
  void verify_result(std::string_view stream_id, std::string_view remote_domain,
                     std::string_view local_domain, bool valid);
  void authenticated(S2sPort& session, std::string_view local_domain,
                     std::string_view remote_domain);
  void outbound_ready(S2sPort& session);
  // The session's connection is closing (reason: why, null when orderly); drop it.
  void session_closed(S2sPort& session, const Error* reason);
  // The session's outbound queue passed its high water mark (above) or fell to its low one.
  void session_backlog(S2sPort& session, bool above);

  // ---- gateway links ----
  // May one more gateway link be accepted? Not after shutdown.
  bool may_accept_gateway() const { return !shutting_down_; }
  // A new link, still handshaking; the router knows it until gateway_closed.
  void gateway_opened(GatewayPort& gateway);
  void on_link_event(GatewayPort& gateway, relay::LinkEvent&& event);
  void gateway_closed(GatewayPort& gateway, const Error* reason);
  // The session of the gateway that names itself node_name in its hello, made on first use. It
  // outlives the gateway's links: while none is up, partner stanzas wait in it (bounded by
  // count, bytes and age) for the gateway to come back.
  relay::Session* gateway_session(const std::string& node_name);
  // When the oldest stanza held for a gateway whose link is down must be given up.
  Millis next_deadline() const;
  // Bounces the held stanzas that are too old (remote-server-timeout).
  void on_timer(Millis now);
  // The link's outbound queue passed its high water mark (above) or fell to its low one.
  void gateway_backlog(GatewayPort& gateway, bool above);

  // Daemon shutdown: ends every stream with system-shutdown and opens nothing new. Closing the
  // gateway links is the runtime's job (they carry the close frame).
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
    std::string gateway;     // Node name of the gateway it came from; "" = an error we made.
    relay::Receipt receipt;  // Its frame in that gateway's session.
  };
  struct PendingVerify {
    std::uint64_t inbound = 0;  // Session id of the stream that asked.
    xmpp::DialbackRequest request;
  };
  struct Outbound {
    S2sPort* session = nullptr;
    std::deque<Queued> queue;
    std::vector<PendingVerify> verifies;
  };
  struct Gateway {
    GatewayPort* port = nullptr;
    bool up = false;
    bool backlogged = false;  // Its queue is between the high and the low water mark.
    std::string node;         // The session it carries, once up.
  };
  struct GatewaySession {
    std::unique_ptr<relay::Session> session;
    GatewayPort* port = nullptr;  // The link carrying it now; null while none is up.
    Millis down_since = 0;
  };

  Outbound& outbound_for(const std::string& local, const std::string& remote);
  void route_outbound(Queued queued, const std::string& local, const std::string& remote);
  void gateway_stanza(const std::string& node, relay::StanzaReceived&& received);
  // A data frame to a gateway: on its link when one is up, else kept in its session.
  Result<std::uint64_t> send_to(GatewaySession& gateway, const relay::Message& message);
  // The gateway's frame is done with: acknowledged on its link, or when one comes up.
  void complete(GatewaySession& gateway, relay::Receipt receipt);
  // Delivered when condition is empty, else bounced with it.
  void report(const Queued& queued, std::optional<xmpp::StanzaError> condition);
  // The error reply goes from local to remote; an address of the original that is not a valid
  // JID is replaced by that domain.
  void bounce_to_partner(const xml::Element& stanza, xmpp::StanzaError condition,
                         std::string_view text, std::string_view local, std::string_view remote);
  GatewaySession* pick_gateway();
  // A link stopped carrying its session: the session keeps its frames for the gateway.
  void link_down(Gateway& link);
  // Stops or restarts reading partner streams and gateway links after any change of backlog,
  // link or session.
  void update_flow();
  S2sPort* find_session(std::uint64_t id) const;

  const EdgeConfig& config_;
  S2sFactory& factory_;
  std::map<std::uint64_t, S2sPort*> sessions_;  // Every live s2s session by id.
  std::map<Pair, Outbound> outbound_;
  std::map<std::uint64_t, Gateway> gateways_;               // By link id.
  std::map<std::string, GatewaySession> gateway_sessions_;  // By gateway node name.
  Timekeeper time_;
  std::uint64_t token_;
  std::uint64_t round_robin_ = 0;
  std::set<std::uint64_t> backlogged_sessions_;  // Partner streams above their high water.
  bool partners_paused_ = false;
  bool gateways_paused_ = false;
  Counters counters_;
  xml::StanzaReader reader_;
  std::string scratch_;
  Logger log_{"router"};
  bool shutting_down_ = false;
};

}  // namespace xf::edge
