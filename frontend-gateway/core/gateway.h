// The gateway core: XMPP stanzas from the relay links in, SIP requests to the next hop out, and
// the reverse. It sees neither sockets nor the loop: the relay, the SIP transport and the clock
// are ports (GatewayRuntime wires the real ones; unit tests fakes), and it reports its next
// deadline through the clock port.
//
// Backpressure instead of refusals: every resource is throttled at its source. Client
// transactions (XMPP -> SIP requests) and the next hop's queue above their high water marks
// stop the reading of the relay links; server transactions and MESSAGEs waiting for the edge
// (SIP -> XMPP) and the relay links' queues stop the reading of the SIP connections requests
// come in on. Reading starts again below the low marks (half of high). The next hop's
// connection, which carries the answers that end client transactions, is always read, and so
// are relay links for SIP -> XMPP verdicts unless XMPP -> SIP is what is congested.
//
// The Gateway is the dispatcher. Partner stanzas are checked against the authenticated domain
// and the partner policy, then go to IM (ImService) or presence (PresenceService); iq get/set is
// answered service-unavailable, since RFC 6120 §8.2.3 says an iq must be answered. SIP requests
// go to IM or presence by method; OPTIONS is answered here and other methods get 405. The
// pieces both services act through (GatewayParts) are owned here: one token source, one
// transaction layer, one SIP client, one responder, one relay sender and one partner policy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/core/clock.h"
#include "common/core/log.h"
#include "common/core/token_source.h"
#include "common/xml/stanza_reader.h"
#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/core/gateway_clock.h"
#include "frontend-gateway/core/gateway_parts.h"
#include "frontend-gateway/core/partner_policy.h"
#include "frontend-gateway/core/relay_port.h"
#include "frontend-gateway/core/relay_sender.h"
#include "frontend-gateway/core/sip_client.h"
#include "frontend-gateway/core/sip_port.h"
#include "frontend-gateway/core/sip_responder.h"
#include "frontend-gateway/im/im_service.h"
#include "frontend-gateway/presence/presence_service.h"
#include "frontend-gateway/sip/transaction_layer.h"
#include "frontend-gateway/store/state_store.h"

namespace xf::gw {

class Gateway final : public RelayEvents, public SipEvents {
 public:
  // Methods the gateway answers itself (Allow header of 405 and of the OPTIONS answer).
  static constexpr std::string_view kAllow =
      "MESSAGE, OPTIONS, SUBSCRIBE, NOTIFY, INVITE, ACK, BYE, CANCEL";

  // seed makes tags, Call-IDs and branches reproducible in tests; 0 draws one. The store (the
  // state kept across restarts) must outlive the core.
  Gateway(const GatewayConfig& config, RelayPort& relay, SipPort& sip, GatewayClock& clock,
          store::StateStore& store, std::uint64_t seed = 0);
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // How often reading stopped, for the operator's status log.
  struct FlowCounters {
    std::uint64_t relay_pauses = 0;  // The relay links stopped being read (XMPP -> SIP full).
    std::uint64_t sip_pauses = 0;    // The SIP connections stopped being read (SIP -> XMPP full).
  };

  // RelayEvents.
  void on_relay_event(std::size_t link, relay::LinkEvent&& event) override;
  void on_relay_link_down(std::size_t link) override;
  void on_relay_backlog() override;
  // SipEvents.
  void on_sip_message(std::uint64_t connection, sip::SipMessage&& message) override;
  void on_next_hop_up() override;
  void on_next_hop_down(const Error* reason) override;
  void on_sip_backlog() override;

  // Fires due deadlines: pending SIP requests (408, or 202 when their delivery grace window
  // ends), SIP transactions (Timer F), sessions and subscriptions.
  void on_timer();
  Millis next_deadline() const;

  // Shutdown: answers what waits while the connections can still carry the answers (ImService)
  // and keeps subscriptions in the store for the next start (PresenceService).
  void shutdown();

  store::StateStore& store() { return store_; }
  const ImService& im() const { return im_; }
  const sip::TransactionLayer& transactions() const { return txn_; }
  const PresenceService& presence() const { return presence_; }
  const SipClient& sip_client() const { return sip_client_; }
  const FlowCounters& flow() const { return flow_; }
  bool relay_paused() const { return relay_paused_; }
  bool sip_paused() const { return sip_paused_; }

 private:
  // True when a SIP transaction now carries the stanza and completes it later (ImService).
  bool partner_stanza(relay::StanzaMsg&& msg, const InboundRef& inbound);
  void sip_request(std::uint64_t connection, sip::SipMessage&& request);
  void rearm();
  // Stops or restarts reading the relay links and the SIP connections (backpressure).
  void update_flow();

  const GatewayConfig& config_;
  store::StateStore& store_;
  RelayPort& relay_;
  SipPort& sip_;
  GatewayClock& clock_;
  Logger log_{"gateway"};
  TokenSource tokens_;
  PartnerPolicy policy_;
  sip::TransactionLayer txn_;
  SipResponder responder_;
  SipClient sip_client_;
  RelaySender relay_sender_;
  ImService im_;
  PresenceService presence_;
  xml::StanzaReader reader_;
  bool stopped_ = false;
  bool relay_paused_ = false;
  bool sip_paused_ = false;
  FlowCounters flow_;
};

}  // namespace xf::gw
