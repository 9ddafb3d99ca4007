// Presence between partner XMPP users and internal SIP users (RFC 8048): the gateway core hands
// it presence stanzas that passed the partner policy and SUBSCRIBE and NOTIFY requests; it keeps
// every subscription in the state store. PresenceSubscriber does XMPP -> SIP (the gateway
// subscribes for partner users), PresenceNotifier SIP -> XMPP (the gateway notifies internal
// watchers); each gets the outcomes of its own SIP requests and relay stanzas.
#pragma once

#include <cstdint>

#include "common/core/log.h"
#include "common/relay/messages.h"
#include "common/xml/element.h"
#include "frontend-gateway/bridge/presence_mapper.h"
#include "frontend-gateway/core/gateway_parts.h"
#include "frontend-gateway/presence/presence_cache.h"
#include "frontend-gateway/presence/presence_notifier.h"
#include "frontend-gateway/presence/presence_subscriber.h"
#include "frontend-gateway/store/state_store.h"

namespace xf::gw {

class PresenceService {
 public:
  // Reads the stored subscriptions and arms their timers; sends nothing until on_timer(). The
  // parts and the store must outlive the service.
  PresenceService(const GatewayParts& parts, store::StateStore& store);
  PresenceService(const PresenceService&) = delete;
  PresenceService& operator=(const PresenceService&) = delete;

  // A partner <presence/> to an internal user that passed the partner policy.
  void on_partner_presence(const xml::Element& presence, const relay::RoutingFacts& facts);
  // A new SUBSCRIBE or NOTIFY server transaction; answered here.
  void on_sip_request(std::uint64_t connection, const sip::SipMessage& request);
  // An internal user sent a new out-of-dialog request (they are online).
  void on_user_seen(std::string_view sip_uri) { subscriber_.on_user_seen(sip_uri); }

  void on_timer(Millis now);
  Millis next_deadline() const;
  void shutdown();

  const PresenceSubscriber& subscriber() const { return subscriber_; }
  const PresenceNotifier& notifier() const { return notifier_; }

 private:
  GatewayParts parts_;
  PresenceCache cache_;
  PresenceSubscriber subscriber_;
  PresenceNotifier notifier_;
  bridge::PresenceMapper mapper_;
  Logger log_{"presence"};
};

}  // namespace xf::gw
