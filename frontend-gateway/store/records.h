// The gateway's persistent state as plain records, shared by every StateStore implementation.
//
// Keys are the canonical text forms the bridge produces: a bare JID ("user@domain") or a SIP URI
// without parameters ("sip:user@domain"). The store compares them byte for byte, so callers must
// hand in the same canonical form every time. Times are wall-clock unix milliseconds supplied by
// the caller (the store never reads a clock), because they must survive a restart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"

namespace xf::store {

// Wall-clock time in milliseconds since the unix epoch (not the monotonic xf::Millis).
using UnixMillis = std::int64_t;

// Bounds on what a record may hold; a write beyond them fails with limit_exceeded.
// A URI or JID longer than 2 KiB is not a real address (JIDs cap at 3 x 1023 bytes of parts, but
// ours are bare and SIP proxies commonly cap a header line well below that).
inline constexpr std::size_t kMaxAddressBytes = 2048;
// Call-IDs and tags are short tokens in practice (tens of bytes); 256 leaves room for any UA.
inline constexpr std::size_t kMaxTokenBytes = 256;
// Record-Route sets longer than 16 hops do not occur between a gateway and its proxy.
inline constexpr std::size_t kMaxRouteSetEntries = 16;
// A PIDF document with a handful of tuples, notes and RPID is a few KiB; 64 KiB bounds abuse.
inline constexpr std::size_t kMaxPresenceDocumentBytes = 64 * 1024;
// "application/pidf+xml;charset=UTF-8" and its kin fit easily.
inline constexpr std::size_t kMaxContentTypeBytes = 256;

// State of a SIP subscription (RFC 6665 Subscription-State values).
enum class SubscriptionState {
  pending,     // Sent or received, not yet authorized.
  active,      // Authorized; NOTIFYs carry presence.
  terminated,  // Over; kept only until the caller deletes it.
};

// State of the XMPP presence subscription that mirrors a SIP one (RFC 6121 §3).
enum class XmppSubscriptionState {
  none,        // No subscribe sent to the partner yet.
  pending,     // Subscribe sent, no answer yet.
  subscribed,  // The partner answered subscribed.
};

// An internal user's decision about a partner user (for public_unverified partners).
enum class AuthorizationDecision {
  pending,  // The partner asked; the internal user has not decided.
  allowed,  // The internal user added the contact; requests may reach them.
  denied,   // The internal user refused; requests are answered with an error.
};

const char* to_string(SubscriptionState value);
const char* to_string(XmppSubscriptionState value);
const char* to_string(AuthorizationDecision value);
std::optional<SubscriptionState> subscription_state_from(std::string_view text);
std::optional<XmppSubscriptionState> xmpp_subscription_state_from(std::string_view text);
std::optional<AuthorizationDecision> authorization_decision_from(std::string_view text);

// The part of a SIP dialog (RFC 3261 §12) both sides of a subscription need to continue it.
struct DialogState {
  std::string call_id;
  std::string local_tag;               // Our tag.
  std::string remote_tag;              // The peer's tag; empty until its first response or request.
  std::string remote_target;           // The peer's Contact URI: the Request-URI to use.
  std::vector<std::string> route_set;  // Record-Route entries in the order to put in Route.

  bool operator==(const DialogState&) const = default;
};

// A partner XMPP user watches an internal SIP user: the gateway is the SIP subscriber (UAC).
struct XmppToSipSubscription {
  std::string watcher_jid;  // Key: bare JID of the partner user.
  std::string sip_uri;      // Key: the internal user's SIP URI.
  SubscriptionState state = SubscriptionState::pending;
  DialogState dialog;
  std::uint32_t local_cseq = 0;  // CSeq of our last SUBSCRIBE in the dialog.
  UnixMillis expires_at = 0;     // When the SIP subscription lapses unless refreshed.
  UnixMillis last_refresh = 0;   // When the last SUBSCRIBE (initial or refresh) went out.
  UnixMillis created_at = 0;     // Kept from the first write of this key.
  UnixMillis updated_at = 0;

  bool operator==(const XmppToSipSubscription&) const = default;
};

// An internal SIP watcher watches a partner XMPP user: the gateway is the notifier (UAS).
struct SipToXmppSubscription {
  std::string watcher_uri;  // Key: the internal watcher's SIP URI.
  std::string partner_jid;  // Key: bare JID of the partner user.
  SubscriptionState state = SubscriptionState::pending;
  DialogState dialog;             // local_tag is ours (we answered the SUBSCRIBE).
  std::uint32_t remote_cseq = 0;  // CSeq of the watcher's last SUBSCRIBE.
  std::uint32_t notify_cseq = 0;  // CSeq of our last NOTIFY.
  UnixMillis expires_at = 0;      // When the watcher's subscription lapses.
  XmppSubscriptionState xmpp_state = XmppSubscriptionState::none;
  UnixMillis created_at = 0;  // Kept from the first write of this key.
  UnixMillis updated_at = 0;

  bool operator==(const SipToXmppSubscription&) const = default;
};

struct Authorization {
  std::string internal_uri;  // Key: the internal user's SIP URI.
  std::string partner_jid;   // Key: bare JID of the partner user.
  AuthorizationDecision decision = AuthorizationDecision::pending;
  UnixMillis created_at = 0;  // Kept from the first write of this key.
  UnixMillis updated_at = 0;

  bool operator==(const Authorization&) const = default;
};

// The last presence document seen for one entity (and optionally one resource or tuple).
struct PresenceRecord {
  std::string entity;        // Key: bare JID or SIP URI.
  std::string resource;      // Key: XMPP resource or PIDF tuple id; empty for the whole entity.
  std::string content_type;  // e.g. "application/pidf+xml".
  std::string document;
  UnixMillis updated_at = 0;

  bool operator==(const PresenceRecord&) const = default;
};

// Bounds and syntax checks every implementation applies before writing; errors are
// invalid_argument (empty key, CR/LF in a value) or limit_exceeded (a bound above).
Status validate(const XmppToSipSubscription& record);
Status validate(const SipToXmppSubscription& record);
Status validate(const Authorization& record);
Status validate(const PresenceRecord& record);

}  // namespace xf::store
