// The gateway core: XMPP stanzas from the relay links in, SIP requests to the next hop out, and
// the reverse, with the bridge mappers and one SIP transaction layer. It sees neither sockets nor
// the loop: the relay, the SIP transport and the clock are ports (GatewayRuntime wires the real
// ones; unit tests fakes), and it reports its next deadline through the clock port.
//
// Issue 2 scope: page-mode IM both ways (RFC 7572, RFC 3428) with errors mapped by RFC 7247 §8.
// A MESSAGE the edge delivered is answered 202 after sip.delivery_grace_ms, unless the partner's
// server sends an error stanza for it first, which becomes the SIP response (PendingRequests).
// Presence (RFC 8048: presence stanzas, SUBSCRIBE, NOTIFY) goes to PresenceService, which keeps
// its state in the store. Session-mode IM (INVITE, ACK, BYE, MESSAGE in a dialog) goes to
// ImSessions and chat states to ImMapper (im_sessions.h, im_mapper.h). iq get/set is answered
// service-unavailable (RFC 6120 §8.2.3 says an iq must be answered); other SIP methods get 405.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/core/clock.h"
#include "common/core/log.h"
#include "common/core/token_source.h"
#include "common/xml/element.h"
#include "common/xml/stanza_reader.h"
#include "frontend-gateway/bridge/message_mapper.h"
#include "frontend-gateway/core/gateway_clock.h"
#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/im/im_mapper.h"
#include "frontend-gateway/im/im_sessions.h"
#include "frontend-gateway/core/partner_policy.h"
#include "frontend-gateway/im/pending_requests.h"
#include "frontend-gateway/presence/presence_service.h"
#include "frontend-gateway/core/relay_port.h"
#include "frontend-gateway/core/relay_sender.h"
#include "frontend-gateway/core/sip_client.h"
#include "frontend-gateway/core/sip_responder.h"
#include "frontend-gateway/sip/transaction_layer.h"
#include "frontend-gateway/core/sip_port.h"
#include "frontend-gateway/store/state_store.h"

namespace xf::gw {

class Gateway final : public RelayEvents,
                      public SipEvents,
                      private SipClient::Owner,
                      private RelaySender::Owner {
 public:
  // Methods the gateway answers itself (Allow header of 405 and of the OPTIONS answer).
  static constexpr std::string_view kAllow =
      "MESSAGE, OPTIONS, SUBSCRIBE, NOTIFY, INVITE, ACK, BYE, CANCEL";
  // Max-Forwards of the requests the gateway originates (RFC 3261 §8.1.1.6).
  static constexpr int kMaxForwards = 70;

  // seed makes tags, Call-IDs and branches reproducible in tests; 0 draws one. The store (the
  // state kept across restarts) must outlive the core.
  Gateway(const GatewayConfig& config, RelayPort& relay, SipPort& sip, GatewayClock& clock,
          store::StateStore& store, std::uint64_t seed = 0);
  // The same with a private in-memory store: nothing survives the core (unit tests).
  Gateway(const GatewayConfig& config, RelayPort& relay, SipPort& sip, GatewayClock& clock,
          std::uint64_t seed = 0);
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // RelayEvents.
  void on_relay_event(std::size_t link, relay::LinkEvent&& event) override;
  void on_relay_link_down(std::size_t link) override;
  // SipEvents.
  void on_sip_message(std::uint64_t connection, sip::SipMessage&& message) override;
  void on_next_hop_up() override;
  void on_next_hop_down(const Error* reason) override;

  // Fires due deadlines: pending SIP requests (408, or 202 when their delivery grace window
  // ends) and SIP transactions (Timer F).
  void on_timer();
  Millis next_deadline() const;

  // Shutdown: answers every pending SIP request 503 (202 when the edge delivered it already)
  // and every XMPP message still waiting for SIP with service-unavailable, while the
  // connections can still carry the answers.
  void shutdown();

  std::size_t pending_count() const { return pending_.size(); }
  std::size_t in_flight_count() const { return sip_client_.in_flight(); }
  std::size_t waiting_count() const { return sip_client_.waiting(); }
  store::StateStore& store() { return store_; }
  const PresenceService& presence() const { return presence_; }
  const ImSessions& im_sessions() const { return sessions_; }

 private:
  // An XMPP message on its way to SIP: the original stanza (for an error reply) and the facts
  // it arrived with (the reply leaves by the same domains).
  struct OutboundIm {
    xml::Element stanza;
    relay::RoutingFacts facts;
    bridge::SipImRequest request;
  };

  Gateway(const GatewayConfig& config, RelayPort& relay, SipPort& sip, GatewayClock& clock,
          std::unique_ptr<store::StateStore> owned, store::StateStore* store, std::uint64_t seed);

  // XMPP -> SIP.
  void partner_stanza(relay::StanzaMsg&& msg);
  void partner_message(xml::Element&& message, const relay::RoutingFacts& facts);
  void send_request(OutboundIm&& im);
  // SipClient::Owner: how a MESSAGE (or a BYE) we sent ended.
  void on_sip_outcome(SipOutcome&& outcome) override;

  // SIP -> XMPP.
  void sip_request(std::uint64_t connection, sip::SipMessage&& request);
  void sip_message(std::uint64_t connection, sip::SipMessage&& request);
  void verdict(RelayRef ref, int status, std::string_view why);
  // RelaySender::Owner, for the stanzas SIP MESSAGEs became. Delivered: 202 now, or after the
  // delivery grace window (sip.delivery_grace_ms); bounced: the mapped SIP error.
  void on_delivered(RelayRef ref) override;
  void on_bounced(RelayRef ref, std::string_view condition) override;
  // An error stanza from a partner: answers the SIP MESSAGE it refers to (same id, addresses
  // reversed) with the mapped status while that request is open; false when none is.
  bool partner_refused(const xml::Element& error);
  // Session-mode IM (im_sessions.h): CANCEL, and requests the gateway sends inside a dialog.
  void sip_cancel(std::uint64_t connection, const sip::SipMessage& request,
                  const std::string& match_id, const std::string& to_tag);
  void send_in_dialog(sip::SipMessage&& request);

  void rearm();

  // Set only by the constructor without a store; store_ refers to it then.
  std::unique_ptr<store::StateStore> owned_store_;
  const GatewayConfig& config_;
  store::StateStore& store_;
  SipPort& sip_;
  GatewayClock& clock_;
  Logger log_{"gateway"};
  // The one source of tags, Call-IDs and branches for IM, presence and the transaction layer.
  TokenSource tokens_;
  PartnerPolicy policy_;
  ImMapper mapper_;
  ImSessions sessions_;  // Session-mode IM (INVITE dialogs).
  sip::TransactionLayer txn_;
  SipResponder responder_;
  SipClient sip_client_;
  RelaySender relay_sender_;
  PresenceService presence_;
  PendingRequests pending_;
  xml::StanzaReader reader_;
  // SipClient ticket -> the XMPP message its MESSAGE carries, until its outcome.
  std::map<std::uint64_t, OutboundIm> sip_requests_;
  bool stopped_ = false;
};

}  // namespace xf::gw
