// The Event and Allow-Events headers of SIP events (RFC 6665 §8.2.1, §8.2.2):
// "Event: presence;id=42", "Allow-Events: presence, presence.winfo".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::sip {

struct EventHeader {
  std::string package;                 // "presence".
  std::vector<std::string> templates;  // "winfo" in "presence.winfo".
  std::string id;                      // The id parameter; empty when absent.

  // parse_error for an empty event type or one that is not token-nodot parts joined by '.'.
  static Result<EventHeader> parse(std::string_view value);
  // The Event header (or its compact form "o"); not_found when absent. A SUBSCRIBE or NOTIFY
  // without one is answered 400; a package the gateway does not serve, 489 Bad Event.
  static Result<EventHeader> of(const SipMessage& message);

  // "presence" or "presence.winfo".
  std::string event_type() const;
  // "presence;id=42". invalid_argument when a part is not a token.
  Result<std::string> to_string() const;
  // RFC 6665 §8.2.1: same event type (byte-exact) and same id, or neither has one.
  bool matches(const EventHeader& other) const;
};

// The event types listed by Allow-Events headers, in order (empty when absent).
std::vector<std::string> allow_events(const SipMessage& message);
// "presence, message-summary"; invalid_argument when a type is not a token.
Result<std::string> build_allow_events(const std::vector<std::string>& event_types);

}  // namespace xf::sip
