// Presence between partner XMPP users and internal SIP users (RFC 8048): the gateway core hands
// it presence stanzas that passed the partner policy, SUBSCRIBE and NOTIFY requests, the
// outcomes of the requests it sent, and relay verdicts; it keeps every subscription in the
// state store. PresenceSubscriber does XMPP -> SIP (the gateway subscribes for partner users),
// PresenceNotifier SIP -> XMPP (the gateway notifies internal watchers).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/core/log.h"
#include "common/relay/messages.h"
#include "common/xml/element.h"
#include "frontend-gateway/bridge/presence_mapper.h"
#include "frontend-gateway/core/gateway_clock.h"
#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/presence/presence_cache.h"
#include "frontend-gateway/presence/presence_io.h"
#include "frontend-gateway/presence/presence_notifier.h"
#include "frontend-gateway/presence/presence_subscriber.h"
#include "frontend-gateway/core/relay_sender.h"
#include "frontend-gateway/core/sip_client.h"
#include "frontend-gateway/core/sip_responder.h"
#include "frontend-gateway/store/state_store.h"

namespace xf::gw {

class PresenceService final : private SipClient::Owner, private RelaySender::Owner {
 public:
  // Reads the stored subscriptions and arms their timers; sends nothing until on_timer().
  PresenceService(const GatewayConfig& config, RelaySender& relay, SipClient& client,
                  SipResponder& responder, GatewayClock& clock, store::StateStore& store,
                  TokenSource& tokens);
  PresenceService(const PresenceService&) = delete;
  PresenceService& operator=(const PresenceService&) = delete;

  // A partner <presence/> to an internal user that passed the partner policy.
  void on_partner_presence(const xml::Element& presence, const relay::RoutingFacts& facts);
  // A new SUBSCRIBE or NOTIFY server transaction; answered here.
  void on_sip_request(std::uint64_t connection, const sip::SipMessage& request);

  void on_timer(Millis now);
  Millis next_deadline() const;
  void shutdown();

  const PresenceSubscriber& subscriber() const { return subscriber_; }
  const PresenceNotifier& notifier() const { return notifier_; }
  const PresenceIo& io() const { return io_; }

 private:
  // SipClient::Owner: to the subscriber or the notifier, by why the request was sent.
  void on_sip_outcome(SipOutcome&& outcome) override;
  // RelaySender::Owner: the edge's verdicts on the subscribe stanzas the notifier sent.
  void on_delivered(RelayRef ref) override;
  void on_bounced(RelayRef ref, std::string_view condition) override;

  RelaySender& relay_;
  PresenceIo io_;
  PresenceCache cache_;
  PresenceSubscriber subscriber_;
  PresenceNotifier notifier_;
  bridge::PresenceMapper mapper_;
  Logger log_{"presence"};
};

}  // namespace xf::gw
