// What the gateway keeps across restarts, behind an interface: the embedded SQLite store is the
// default, and a server database (PostgreSQL) shared by a pool of gateways can implement the same
// calls later. Records and their bounds are in records.h.
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

#include <cstddef>
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
  // Pending or active subscriptions with expires_at <= before, soonest first, at most `limit`:
  // the caller passes now + its refresh margin and sends a refresh SUBSCRIBE for each.
  virtual Result<std::vector<XmppToSipSubscription>> list_xmpp_to_sip_due(UnixMillis before,
                                                                          std::size_t limit) = 0;
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
  // Pending or active subscriptions to this partner user, ordered by watcher: where a presence
  // stanza from the partner fans out to as NOTIFYs.
  virtual Result<std::vector<SipToXmppSubscription>> list_sip_to_xmpp_for_partner(
      std::string_view partner_jid) = 0;
  // Pending or active subscriptions with expires_at <= before, soonest first, at most `limit`:
  // the watcher did not refresh them, so the caller terminates them.
  virtual Result<std::vector<SipToXmppSubscription>> list_sip_to_xmpp_expiring(
      UnixMillis before, std::size_t limit) = 0;
  // Every pending or active subscription, ordered by key.
  virtual Result<std::vector<SipToXmppSubscription>> list_sip_to_xmpp_live() = 0;
  virtual Result<bool> delete_sip_to_xmpp(std::string_view watcher_uri,
                                          std::string_view partner_jid) = 0;

  // Removes terminated subscriptions of both directions last updated before `before`; returns
  // how many rows went.
  virtual Result<std::size_t> purge_terminated(UnixMillis before) = 0;

  // Authorizations of partner users by internal users.
  virtual Status upsert_authorization(const Authorization& record) = 0;
  virtual Result<std::optional<Authorization>> get_authorization(std::string_view internal_uri,
                                                                 std::string_view partner_jid) = 0;
  // All decisions of one internal user, ordered by partner JID.
  virtual Result<std::vector<Authorization>> list_authorizations(std::string_view internal_uri) = 0;
  virtual Result<bool> delete_authorization(std::string_view internal_uri,
                                            std::string_view partner_jid) = 0;

  // Presence cache.
  virtual Status upsert_presence(const PresenceRecord& record) = 0;
  virtual Result<std::optional<PresenceRecord>> get_presence(std::string_view entity,
                                                             std::string_view resource) = 0;
  // Every cached document of an entity, ordered by resource (the whole-entity one first).
  virtual Result<std::vector<PresenceRecord>> list_presence(std::string_view entity) = 0;
  virtual Result<bool> delete_presence(std::string_view entity, std::string_view resource) = 0;
  // Drops every document of an entity; returns how many rows went.
  virtual Result<std::size_t> delete_presence_all(std::string_view entity) = 0;

  // Live session-mode IM dialogs.
  virtual Status upsert_im_session(const ImSession& record) = 0;
  virtual Result<std::optional<ImSession>> get_im_session(std::string_view call_id) = 0;
  // The most recently updated session between these two parties (where a chat message from the
  // partner goes inside the dialog).
  virtual Result<std::optional<ImSession>> find_im_session(std::string_view internal_uri,
                                                           std::string_view partner_jid) = 0;
  // Every session, oldest first (startup: end them with BYE or resume them).
  virtual Result<std::vector<ImSession>> list_im_sessions() = 0;
  virtual Result<bool> delete_im_session(std::string_view call_id) = 0;
};

}  // namespace xf::store
