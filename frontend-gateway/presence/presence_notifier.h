// SIP -> XMPP presence (RFC 8048 §5, RFC 6665, RFC 3856): an internal SIP watcher watches a
// partner user, and the gateway is the notifier on the partner user's behalf.
//
//   SUBSCRIBE (new dialog)        policy and Expires checked; dialog stored; 202 with Expires;
//                                 NOTIFY pending at once (RFC 6665 §4.2.1); <presence
//                                 type='subscribe'> to the partner user (this also records that
//                                 the internal user added the contact)
//   'subscribed'                  NOTIFY active with the cached presence (PIDF)
//   available / unavailable       NOTIFY with PIDF (basic, note, RPID activities), at most one
//                                 per second per subscription; changes in between coalesce
//   'unsubscribed', presence      NOTIFY terminated;reason=rejected (deactivated when it was
//     error, edge bounce           active; noresource for item-not-found), subscription deleted
//   SUBSCRIBE in the dialog       refresh: 200 with Expires and a NOTIFY; Expires: 0: NOTIFY
//                                 terminated;reason=timeout, the dialog ends, the XMPP
//                                 subscription stays (a SIP client unsubscribes at every logout)
//   no refresh in time, NOTIFY    NOTIFY terminated;reason=timeout, the dialog ends, the XMPP
//     answered 481/408/503         subscription stays
//
// A subscription whose SIP dialog ended while the partner user's answer is kept is "dormant": a
// stored row in state terminated that remembers the XMPP subscription, so the watcher's next
// SUBSCRIBE is active at once and the partner user's roster is left alone. Only the partner
// user's 'unsubscribed' or an error ends the XMPP side.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/core/deadline_set.h"
#include "common/core/log.h"
#include "common/xmpp/jid.h"
#include "frontend-gateway/bridge/presence_mapper.h"
#include "frontend-gateway/core/gateway_parts.h"
#include "frontend-gateway/presence/presence_cache.h"
#include "frontend-gateway/presence/presence_requests.h"
#include "frontend-gateway/sip/dialog.h"
#include "frontend-gateway/sip/expires_policy.h"
#include "frontend-gateway/sip/subscription_state.h"
#include "frontend-gateway/store/state_store.h"

namespace xf::gw {

class PresenceNotifier final : private PresenceRequests::Handler, private RelaySender::Owner {
 public:
  // NOTIFYs to one subscription are at most this often (RFC 3856 §6.5 asks for a rate limit;
  // one a second keeps a flapping XMPP client from flooding SIP clients).
  static constexpr Millis kMinNotifyIntervalMs = 1000;
  // Our subscribe stanzas still in the edge's hands: a bounce ends the SIP subscription. Each
  // is answered within the relay's timeout; the bound only guards against a silent edge.
  static constexpr std::size_t kMaxSubscribeRefs = 10000;

  // The parts, the store and the cache must outlive the notifier.
  PresenceNotifier(const GatewayParts& parts, store::StateStore& store, PresenceCache& cache);

  // Re-arms the expiry of every live subscription in the store (start-up).
  void load();

  // A SUBSCRIBE from the SIP side (new or in a dialog); answered here.
  void on_subscribe(std::uint64_t connection, const sip::SipMessage& subscribe);

  // Partner stanzas addressed to an internal user (the watcher).
  void on_subscribed(const xmpp::Jid& partner, const xmpp::Jid& watcher);
  void on_unsubscribed(const xmpp::Jid& partner, const xmpp::Jid& watcher);
  void on_presence(const xmpp::Jid& partner, const xmpp::Jid& watcher,
                   const bridge::PresenceDoc& doc);
  // A presence error from the partner, or an edge bounce of our subscribe.
  void on_error(const xmpp::Jid& partner, const xmpp::Jid& watcher, std::string_view condition);
  void on_timer(Millis now);
  Millis next_deadline() const;

  std::size_t armed_expiries() const { return expiries_.size(); }
  std::size_t waiting_subscribes() const { return subscribe_refs_.size(); }
  // Forgets the NOTIFYs without an answer (shutdown); returns how many there were.
  std::size_t forget_requests() { return requests_.clear(); }

 private:
  // PresenceRequests::Handler: how a NOTIFY we sent ended.
  void on_outcome(PresenceOutcome&& outcome) override;
  // RelaySender::Owner, for our subscribe stanzas: delivered leaves nothing to wait for; a
  // bounce ends the SIP subscription.
  void on_delivered(RelayRef ref) override { subscribe_refs_.erase(ref); }
  void on_bounced(RelayRef ref, xmpp::StanzaError condition) override;

  struct Rate {
    Millis last = 0;     // When the last NOTIFY went.
    bool dirty = false;  // A change waits for the interval to pass.
  };

  static std::string key(const std::string& watcher_uri, const std::string& partner_jid);
  void new_subscription(std::uint64_t connection, const sip::SipMessage& subscribe);
  void in_dialog(std::uint64_t connection, const sip::SipMessage& subscribe);
  void fetch(std::uint64_t connection, const sip::SipMessage& subscribe,
             const std::string& watcher_uri, const std::string& partner_jid);
  Result<sip::Dialog> dialog_of(const store::SipToXmppSubscription& record);
  // Sends a NOTIFY in the subscription's dialog; with_state adds the partner's PIDF.
  void notify(store::SipToXmppSubscription& record, const sip::SubscriptionState& state,
              bool with_state);
  // NOTIFY with the current state, or later when one went less than a second ago.
  void notify_state(store::SipToXmppSubscription& record);
  // What a terminated SIP subscription leaves behind.
  enum class Afterwards {
    forget,        // Nothing: the XMPP subscription is over too (refused, revoked, an error).
    keep_dormant,  // The XMPP subscription, when the partner user has answered or may still.
  };
  void terminate(store::SipToXmppSubscription record, sip::TerminationReason reason,
                 std::string_view why, Afterwards afterwards = Afterwards::forget);
  // The stored row of a watcher and partner user, live or dormant.
  std::optional<store::SipToXmppSubscription> find_any(const xmpp::Jid& partner,
                                                       const xmpp::Jid& watcher);
  // Ends the SIP side without a NOTIFY (the watcher is gone); keeps the XMPP side dormant.
  void lapse(store::SipToXmppSubscription record, std::string_view why);
  std::uint32_t seconds_left(const store::SipToXmppSubscription& record) const;
  void save(const store::SipToXmppSubscription& record);
  void erase(const std::string& watcher_uri, const std::string& partner_jid);
  void arm_expiry(const store::SipToXmppSubscription& record);
  std::optional<store::SipToXmppSubscription> find(const xmpp::Jid& partner,
                                                   const xmpp::Jid& watcher);
  void send_to_partner(bridge::SubscriptionType type, const std::string& watcher_uri,
                       const std::string& partner_jid, store::SipToXmppSubscription* record);

  GatewayParts parts_;
  store::StateStore& store_;
  PresenceCache& cache_;
  PresenceRequests requests_;
  sip::ExpiresPolicy expires_;
  Logger log_{"presence-in"};
  DeadlineSet<std::string> expiries_;     // By key(): when the watcher's subscription lapses.
  DeadlineSet<std::string> rate_timers_;  // By key(): when a coalesced NOTIFY may go.
  std::map<std::string, Rate> rates_;
  // Our subscribe stanzas still in the edge's hands (kMaxSubscribeRefs), by reference.
  std::map<RelayRef, std::string> subscribe_refs_;
};

}  // namespace xf::gw
