#include "frontend-gateway/store/records.h"

#include <string>

namespace xf::store {

const char* to_string(SubscriptionState value) {
  switch (value) {
    case SubscriptionState::pending: return "pending";
    case SubscriptionState::active: return "active";
    case SubscriptionState::terminated: return "terminated";
  }
  return "?";
}

const char* to_string(XmppSubscriptionState value) {
  switch (value) {
    case XmppSubscriptionState::none: return "none";
    case XmppSubscriptionState::pending: return "pending";
    case XmppSubscriptionState::subscribed: return "subscribed";
  }
  return "?";
}

const char* to_string(AuthorizationDecision value) {
  switch (value) {
    case AuthorizationDecision::pending: return "pending";
    case AuthorizationDecision::allowed: return "allowed";
    case AuthorizationDecision::denied: return "denied";
  }
  return "?";
}

std::optional<SubscriptionState> subscription_state_from(std::string_view text) {
  if (text == "pending") return SubscriptionState::pending;
  if (text == "active") return SubscriptionState::active;
  if (text == "terminated") return SubscriptionState::terminated;
  return std::nullopt;
}

std::optional<XmppSubscriptionState> xmpp_subscription_state_from(std::string_view text) {
  if (text == "none") return XmppSubscriptionState::none;
  if (text == "pending") return XmppSubscriptionState::pending;
  if (text == "subscribed") return XmppSubscriptionState::subscribed;
  return std::nullopt;
}

std::optional<AuthorizationDecision> authorization_decision_from(std::string_view text) {
  if (text == "pending") return AuthorizationDecision::pending;
  if (text == "allowed") return AuthorizationDecision::allowed;
  if (text == "denied") return AuthorizationDecision::denied;
  return std::nullopt;
}

namespace {

// Values that end up in SIP header lines must never hold a line break or NUL: a stored value
// is trusted later, so this is the last place to stop a header injection.
bool has_line_break(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

Status check_text(std::string_view field, std::string_view text, std::size_t max_bytes,
                  bool required) {
  if (required && text.empty()) {
    return fail(Errc::invalid_argument, std::string(field) + " is empty");
  }
  if (text.size() > max_bytes) {
    return fail(Errc::limit_exceeded,
                std::string(field) + " is longer than " + std::to_string(max_bytes) + " bytes");
  }
  if (has_line_break(text)) {
    return fail(Errc::invalid_argument, std::string(field) + " holds CR, LF or NUL");
  }
  return {};
}

Status check_address(std::string_view field, std::string_view text) {
  return check_text(field, text, kMaxAddressBytes, true);
}

// A subscription may be stored before its first SUBSCRIBE has a Call-ID (e.g. while waiting for
// the next hop), so every dialog field may be empty.
Status check_dialog(const DialogState& dialog) {
  if (auto s = check_text("call_id", dialog.call_id, kMaxTokenBytes, false); !s) return s;
  if (auto s = check_text("local_tag", dialog.local_tag, kMaxTokenBytes, false); !s) return s;
  if (auto s = check_text("remote_tag", dialog.remote_tag, kMaxTokenBytes, false); !s) return s;
  if (auto s = check_text("remote_target", dialog.remote_target, kMaxAddressBytes, false); !s) {
    return s;
  }
  if (dialog.route_set.size() > kMaxRouteSetEntries) {
    return fail(Errc::limit_exceeded,
                "route_set has more than " + std::to_string(kMaxRouteSetEntries) + " entries");
  }
  for (const auto& route : dialog.route_set) {
    if (auto s = check_text("route_set entry", route, kMaxAddressBytes, true); !s) return s;
  }
  return {};
}

}  // namespace

Status validate(const XmppToSipSubscription& record) {
  if (auto s = check_address("watcher_jid", record.watcher_jid); !s) return s;
  if (auto s = check_address("sip_uri", record.sip_uri); !s) return s;
  return check_dialog(record.dialog);
}

Status validate(const SipToXmppSubscription& record) {
  if (auto s = check_address("watcher_uri", record.watcher_uri); !s) return s;
  if (auto s = check_address("partner_jid", record.partner_jid); !s) return s;
  return check_dialog(record.dialog);
}

Status validate(const Authorization& record) {
  if (auto s = check_address("internal_uri", record.internal_uri); !s) return s;
  return check_address("partner_jid", record.partner_jid);
}

Status validate(const PresenceRecord& record) {
  if (auto s = check_address("entity", record.entity); !s) return s;
  if (auto s = check_text("resource", record.resource, kMaxAddressBytes, false); !s) return s;
  if (auto s = check_text("content_type", record.content_type, kMaxContentTypeBytes, true); !s) {
    return s;
  }
  if (record.document.size() > kMaxPresenceDocumentBytes) {
    return fail(Errc::limit_exceeded, "presence document is longer than " +
                                          std::to_string(kMaxPresenceDocumentBytes) + " bytes");
  }
  return {};
}

}  // namespace xf::store
