// The presence service's side of the gateway's ports: SIP requests to the next hop (queued while
// its connection opens) with the reason each was sent, SIP responses through the shared
// transaction layer, stanzas to the relay, tokens, clocks and the gateway's own Contact. It
// holds no presence state; PresenceSubscriber and PresenceNotifier do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/core/log.h"
#include "common/core/result.h"
#include "common/core/token_source.h"
#include "common/xml/element.h"
#include "frontend-gateway/core/gateway_clock.h"
#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/core/relay_port.h"
#include "frontend-gateway/sip/sip_message.h"
#include "frontend-gateway/sip/transaction_layer.h"
#include "frontend-gateway/core/sip_port.h"
#include "frontend-gateway/store/records.h"

namespace xf::gw {

// Why the presence service sent a SIP request: what its final response means.
struct PresenceRequest {
  enum class Kind {
    subscribe,    // Initial SUBSCRIBE for a partner watcher (XMPP -> SIP).
    refresh,      // Refresh SUBSCRIBE inside an established subscription dialog.
    unsubscribe,  // SUBSCRIBE Expires: 0 ending a subscription.
    fetch,        // One-shot SUBSCRIBE Expires: 0 answering a probe.
    notify,       // NOTIFY to an internal watcher (SIP -> XMPP).
  };
  Kind kind = Kind::subscribe;
  std::string watcher;  // Partner bare JID (XMPP -> SIP) or the watcher's SIP URI (SIP -> XMPP).
  std::string target;   // Internal user's SIP URI (XMPP -> SIP) or partner bare JID (SIP -> XMPP).
};

const char* to_string(PresenceRequest::Kind kind);

// The final answer to one of our requests.
struct PresenceOutcome {
  PresenceRequest why;
  sip::SipMessage request;                 // As sent (without our Via).
  std::optional<sip::SipMessage> response; // nullopt: no answer within 64*T1.
  int status = 408;                        // The response's status, 408 for a timeout.
};

class PresenceIo {
 public:
  PresenceIo(const GatewayConfig& config, RelayPort& relay, SipPort& sip,
             sip::TransactionLayer& txn, GatewayClock& clock, TokenSource& tokens);

  Millis now() const { return clock_.now(); }
  store::UnixMillis wall_now() const { return clock_.wall_now(); }
  // 64 random bits in hex: tags and Call-ID parts.
  std::string token() { return tokens_.hex(); }
  std::string new_call_id();
  // The gateway's Contact URI: its SIP listener, reachable by the proxy.
  std::string contact();

  // Sends a request to the next hop, adding our Via; while the next-hop connection opens it
  // waits in a bounded queue. Its final answer comes back through on_client_event().
  Status send_request(sip::SipMessage request, PresenceRequest why);
  void on_next_hop_up();
  // The outcome of a final answer to one of our requests; nullopt for a provisional response
  // or a transaction that is not ours.
  std::optional<PresenceOutcome> on_client_event(sip::ClientEvent&& event);

  // Answers a request through its server transaction.
  void respond(std::uint64_t connection, const sip::SipMessage& request, int status,
               std::string_view to_tag = {},
               const std::vector<std::pair<std::string, std::string>>& headers = {});
  void respond_with(std::uint64_t connection, Result<sip::SipMessage> response);

  // A stanza to a partner: from the internal domain `local` to the partner domain `remote`.
  Result<RelayRef> send_stanza(const xml::Element& stanza, std::string_view local,
                               std::string_view remote);
  // The same when nobody waits for the edge's verdict (send_stanza has logged a failure).
  void relay(const xml::Element& stanza, std::string_view local, std::string_view remote) {
    if (!send_stanza(stanza, local, remote).ok()) return;
  }
  bool relay_up() const { return relay_.any_link_up(); }

  std::size_t in_flight() const { return in_flight_.size(); }
  std::size_t waiting() const { return waiting_.size(); }
  // Drops what still waits for the next hop (shutdown); returns how many went.
  std::size_t drop_waiting();

 private:
  struct Outgoing {
    sip::SipMessage request;
    PresenceRequest why;
  };
  Status start(Outgoing&& out, const std::string& sent_by);

  const GatewayConfig& config_;
  RelayPort& relay_;
  SipPort& sip_;
  sip::TransactionLayer& txn_;
  GatewayClock& clock_;
  TokenSource& tokens_;
  Logger log_{"presence"};
  std::map<std::string, Outgoing> in_flight_;  // By client transaction id.
  std::deque<Outgoing> waiting_;               // For the next-hop connection.
  std::string scratch_;
};

}  // namespace xf::gw
