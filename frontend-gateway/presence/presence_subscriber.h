// XMPP -> SIP presence (RFC 8048 §4, RFC 6665, RFC 3856): a partner user watches an internal
// user, and the gateway is the SIP subscriber on the partner user's behalf.
//
//   <presence type='subscribe'>    SUBSCRIBE (Event: presence, Accept: PIDF, Expires: the
//                                  configured refresh interval) as a new dialog; stored pending
//   2xx                            dialog established (stored); refresh armed from expires_at;
//                                  no NOTIFY within 64*T1 of it (Timer N, RFC 6665 §4.1.2.4):
//                                  failed, as below
//   NOTIFY active                  'subscribed' the first time, then the mapped presence
//   NOTIFY pending                 nothing yet
//   NOTIFY terminated, or a final  before the user accepted the watcher: 'unsubscribed', the
//     error to the SUBSCRIBE        subscription deleted. Once accepted, only rejected,
//     or Timer N                    noresource, invariant, 403, 489 and 603 end it that way;
//                                  deactivated/timeout subscribe again at once, anything else
//                                  (a logout, an offline user) is a lapse: 'unavailable', the
//                                  XMPP subscription kept, SUBSCRIBE again after retry-after or
//                                  a backoff from 30 s to 30 min
//   <presence type='unsubscribe'>  SUBSCRIBE Expires: 0 in the dialog
//   <presence type='probe'>        the cached document, or a one-shot SUBSCRIBE Expires: 0
// Every subscription lives in the store, so a restarted gateway re-arms its refreshes (load()).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/core/deadline_set.h"
#include "common/core/log.h"
#include "common/xmpp/jid.h"
#include "frontend-gateway/bridge/presence_mapper.h"
#include "frontend-gateway/core/gateway_parts.h"
#include "frontend-gateway/presence/presence_cache.h"
#include "frontend-gateway/presence/presence_requests.h"
#include "frontend-gateway/sip/dialog.h"
#include "frontend-gateway/store/state_store.h"

namespace xf::gw {

class PresenceSubscriber final : private PresenceRequests::Handler {
 public:
  // The parts, the store and the cache must outlive the subscriber.
  PresenceSubscriber(const GatewayParts& parts, store::StateStore& store, PresenceCache& cache);

  // Re-arms the refresh of every live subscription in the store (start-up).
  void load();

  void on_subscribe(const xmpp::Jid& watcher, const xmpp::Jid& user);
  void on_unsubscribe(const xmpp::Jid& watcher, const xmpp::Jid& user);
  // The internal user sent a request of their own (a client that logged in again): the lapsed
  // subscriptions to them are renewed now instead of at the end of their backoff.
  void on_user_seen(std::string_view sip_uri);
  void on_probe(const xmpp::Jid& prober, const xmpp::Jid& user);

  // A NOTIFY from the SIP side: answered here (481 when it belongs to no subscription).
  void on_notify(std::uint64_t connection, const sip::SipMessage& notify);

  void on_timer(Millis now);
  Millis next_deadline() const;

  std::size_t armed_refreshes() const { return refreshes_.size(); }
  std::size_t fetches() const { return fetches_.size(); }
  std::size_t lapsed_count() const {
    std::size_t n = 0;
    for (const auto& [uri, keys] : lapsed_) n += keys.size();
    return n;
  }
  // Forgets the SUBSCRIBEs without an answer (shutdown); returns how many there were.
  std::size_t forget_requests() { return requests_.clear(); }

 private:
  // PresenceRequests::Handler: how a SUBSCRIBE we sent ended.
  void on_outcome(PresenceOutcome&& outcome) override;

  // A probe waiting for the NOTIFY of its one-shot SUBSCRIBE.
  struct Fetch {
    std::string prober;   // The probing JID, as the probe named it.
    std::string sip_uri;  // Internal user.
    std::string local_tag;
    Millis expires = 0;
  };

  static std::string key(const std::string& watcher, const std::string& sip_uri);
  // The stored subscription of a key(), unless it is gone or terminated.
  std::optional<store::XmppToSipSubscription> live(const std::string& k);
  void subscribe(store::XmppToSipSubscription record);
  void refresh(store::XmppToSipSubscription record);
  void arm_refresh(const store::XmppToSipSubscription& record);
  Result<sip::Dialog> dialog_of(const store::XmppToSipSubscription& record);
  Status add_subscribe_headers(sip::SipMessage& request, std::uint32_t expires);
  void subscribe_outcome(PresenceOutcome&& outcome);
  void notify_fetch(std::uint64_t connection, const sip::SipMessage& notify, const Fetch& fetch);
  void apply_notify(const sip::SipMessage& notify, store::XmppToSipSubscription record);
  // Ends a subscription toward the partner: 'unsubscribed', record deleted.
  void end(const store::XmppToSipSubscription& record, std::string_view why);
  // The SIP side of an accepted subscription ended: 'unavailable' to the watcher (once), the
  // record kept without a dialog, a new SUBSCRIBE armed after retry_after_s or the backoff.
  void lapse(store::XmppToSipSubscription record, std::string_view why,
             std::optional<std::uint32_t> retry_after_s);
  void save(const store::XmppToSipSubscription& record);
  void erase(const std::string& watcher, const std::string& sip_uri);
  void send_presence_of(const std::string& sip_uri, const bridge::PresenceDoc& doc,
                        const std::string& to);
  void send_subscription(bridge::SubscriptionType type, const std::string& sip_uri,
                         const std::string& watcher);

  GatewayParts parts_;
  store::StateStore& store_;
  PresenceCache& cache_;
  PresenceRequests requests_;
  bridge::PresenceMapper mapper_;
  Logger log_{"presence-out"};
  DeadlineSet<std::string> refreshes_;  // By key(): when to refresh.
  // By key(): Timer N of an initial SUBSCRIBE answered 2xx, until its first NOTIFY. Not kept
  // across a restart: load() subscribes again, which arms it anew.
  DeadlineSet<std::string> awaiting_notify_;
  std::map<std::string, Fetch> fetches_;  // By Call-ID.
  // Two "subscribe again at once" terminations this close together are paced like a failure,
  // so a notifier that ends every subscription it accepts does not get a SUBSCRIBE loop.
  static constexpr Millis kImmediateRetrySpacing = 60 * 1000;
  // A lapsed subscription is renewed on a sign of life of its user at most this soon after
  // its last failure.
  static constexpr Millis kUserSeenSpacing = 5 * 1000;
  // By key(): pacing of the attempts to renew a lapsed subscription; reset by an active NOTIFY.
  struct Retry {
    int failures = 0;                                 // Lapses since the last active NOTIFY.
    Millis last_lapse = 0;                            // When the last one happened.
    Millis last_immediate = -kImmediateRetrySpacing;  // The last "subscribe again at once".
  };
  std::map<std::string, Retry> retries_;
  // The keys of lapsed subscriptions by internal user (failures > 0 in retries_).
  std::map<std::string, std::set<std::string>, std::less<>> lapsed_;
  void forget_lapse(const std::string& k);
};

}  // namespace xf::gw
