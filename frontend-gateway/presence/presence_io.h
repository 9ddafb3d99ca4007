// The presence service's side of the gateway's ports: SIP requests through the SIP client with
// the reason each was sent, SIP responses through the responder, stanzas to the relay, tokens,
// clocks and the gateway's own Contact. It holds no presence state; PresenceSubscriber and
// PresenceNotifier do.
#pragma once

#include <cstddef>
#include <cstdint>
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
#include "frontend-gateway/core/relay_sender.h"
#include "frontend-gateway/core/sip_client.h"
#include "frontend-gateway/core/sip_responder.h"
#include "frontend-gateway/sip/sip_message.h"
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
  // Outcomes of the requests sent through send_request() go to `owner`, which hands them back
  // to take_outcome(). Everything referenced must outlive this object.
  // The edge's verdicts on stanzas sent with send_stanza() go to relay_owner.
  PresenceIo(const GatewayConfig& config, RelaySender& relay, RelaySender::Owner& relay_owner,
             SipClient& client, SipClient::Owner& owner, SipResponder& responder,
             GatewayClock& clock, TokenSource& tokens);

  Millis now() const { return clock_.now(); }
  store::UnixMillis wall_now() const { return clock_.wall_now(); }
  // 64 random bits in hex: tags and Call-ID parts.
  std::string token() { return tokens_.hex(); }
  std::string new_call_id();
  // The gateway's Contact URI: its SIP listener, reachable by the proxy.
  std::string contact() const;

  // Sends a request through the SIP client; while the next-hop connection opens it waits, and
  // it keeps waiting when that connection cannot be opened (presence upkeep may go late).
  Status send_request(sip::SipMessage request, PresenceRequest why);
  // The presence view of a SIP outcome; nullopt for a ticket that is not one of ours.
  std::optional<PresenceOutcome> take_outcome(SipOutcome&& outcome);

  // Answers a request through its server transaction.
  void respond(std::uint64_t connection, const sip::SipMessage& request, int status,
               std::string_view to_tag = {}, const sip::SipMessage::HeaderList& headers = {}) {
    responder_.respond(connection, request, status, to_tag, headers);
  }
  void respond_with(std::uint64_t connection, Result<sip::SipMessage> response) {
    responder_.send(connection, std::move(response));
  }

  // A stanza to a partner: from the internal domain `local` to the partner domain `remote`;
  // the edge's verdict on it comes back to the relay owner.
  Result<RelayRef> send_stanza(const xml::Element& stanza, std::string_view local,
                               std::string_view remote) {
    return relay_.send(stanza, local, remote, &relay_owner_);
  }
  // The same when nobody waits for the edge's verdict (the relay sender logs a failure).
  void relay(const xml::Element& stanza, std::string_view local, std::string_view remote) {
    (void)relay_.send(stanza, local, remote);
  }
  bool relay_up() const { return relay_.any_link_up(); }

  std::size_t unanswered() const { return requests_.size(); }
  // Forgets the requests without an outcome (shutdown); returns how many.
  std::size_t clear();

 private:
  const GatewayConfig& config_;
  RelaySender& relay_;
  RelaySender::Owner& relay_owner_;
  SipClient& client_;
  SipClient::Owner& owner_;
  SipResponder& responder_;
  GatewayClock& clock_;
  TokenSource& tokens_;
  Logger log_{"presence"};
  std::map<std::uint64_t, PresenceRequest> requests_;  // By SipClient ticket.
};

}  // namespace xf::gw
