// What the gateway keeps across restarts, behind an interface; sqlite_store.h implements it on an
// embedded SQLite database. Records and their bounds are in records.h.
//
// Semantics common to every call:
// - upsert_* writes the whole record under its key: it inserts a new row, or replaces every
//   field of the existing one except created_at, which keeps the value of the first write.
//   Records are validated first (records.h validate()); invalid ones are refused, nothing written.
// - get_* returns nullopt when the key is absent; an error only when the store failed.
// - delete_* returns whether a row was there.
// - Lists are ordered (stated per call) so that callers and tests see stable results.
// - Failures of the storage itself are Errc::io_error with the database's own message.
// Implementations need not be thread-safe: the gateway calls them from its loop thread.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/core/result.h"
#include "frontend-gateway/store/records.h"

namespace xf::store {

class StateStore {
 public:
  virtual ~StateStore() = default;

  // XMPP -> SIP subscriptions (we are the SIP subscriber).
  virtual Status upsert_xmpp_to_sip(const XmppToSipSubscription& record) = 0;
  virtual Result<std::optional<XmppToSipSubscription>> get_xmpp_to_sip(
      std::string_view watcher_jid, std::string_view sip_uri) = 0;
  // The subscription whose dialog has this Call-ID (to match an incoming NOTIFY).
  virtual Result<std::optional<XmppToSipSubscription>> find_xmpp_to_sip_by_call_id(
      std::string_view call_id) = 0;
  // Every pending or active subscription, ordered by key (startup: rebuild dialogs, timers).
  virtual Result<std::vector<XmppToSipSubscription>> list_xmpp_to_sip_live() = 0;
  virtual Result<bool> delete_xmpp_to_sip(std::string_view watcher_jid,
                                          std::string_view sip_uri) = 0;

  // SIP -> XMPP subscriptions (we are the notifier).
  virtual Status upsert_sip_to_xmpp(const SipToXmppSubscription& record) = 0;
  virtual Result<std::optional<SipToXmppSubscription>> get_sip_to_xmpp(
      std::string_view watcher_uri, std::string_view partner_jid) = 0;
  // The subscription whose dialog has this Call-ID (to match a refresh or un-SUBSCRIBE).
  virtual Result<std::optional<SipToXmppSubscription>> find_sip_to_xmpp_by_call_id(
      std::string_view call_id) = 0;
  // Every pending or active subscription, ordered by key.
  virtual Result<std::vector<SipToXmppSubscription>> list_sip_to_xmpp_live() = 0;
  virtual Result<bool> delete_sip_to_xmpp(std::string_view watcher_uri,
                                          std::string_view partner_jid) = 0;

  // Authorizations of partner users by internal users.
  virtual Status upsert_authorization(const Authorization& record) = 0;
  virtual Result<std::optional<Authorization>> get_authorization(std::string_view internal_uri,
                                                                 std::string_view partner_jid) = 0;

  // Presence cache.
  virtual Status upsert_presence(const PresenceRecord& record) = 0;
  virtual Result<std::optional<PresenceRecord>> get_presence(std::string_view entity,
                                                             std::string_view resource) = 0;
  // Every cached document of an entity, ordered by resource (the whole-entity one first).
  virtual Result<std::vector<PresenceRecord>> list_presence(std::string_view entity) = 0;
};

}  // namespace xf::store
