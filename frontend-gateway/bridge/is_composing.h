// Message composition indications: RFC 3994 isComposing documents (SIP side,
// application/im-iscomposing+xml) and XEP-0085 chat states (XMPP side), and the mapping.
//
// XMPP -> SIP:
//   <composing/>                          state active, refresh kComposingRefreshSeconds
//   <paused/>, <active/>, <inactive/>,    state idle
//   <gone/>
// SIP -> XMPP:
//   state active                          <composing/>
//   state idle                            <paused/>: RFC 3994 idle means the user stopped
//                                         composing without sending (a sent message ends
//                                         the active state by itself), which is exactly
//                                         XEP-0085's "paused"; <active/> would claim the user
//                                         is paying attention, which idle does not say.
// Body-less messages only: a message with a <body/> is an IM and its chat state is implied.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/core/result.h"
#include "common/xml/element.h"

namespace xf::bridge {

inline constexpr std::string_view kIsComposingNs = "urn:ietf:params:xml:ns:im-iscomposing";
inline constexpr std::string_view kIsComposingContentType = "application/im-iscomposing+xml";
inline constexpr std::string_view kChatStatesNs = "http://jabber.org/protocol/chatstates";

// RFC 3994 §3.2 lets the composer choose the refresh interval, 60 seconds at the least; the
// smallest value lets the SIP side drop a stale "typing" soonest if the XMPP client goes away
// without a <paused/> (XEP-0085 clients send one after about 30 s anyway).
inline constexpr int kComposingRefreshSeconds = 60;

enum class ComposingState {
  active,  // The user is composing.
  idle,    // The user is not composing.
};

struct IsComposing {
  ComposingState state = ComposingState::idle;
  std::string last_active;     // <lastactive/> (RFC 3339 date-time), "" when absent; verbatim.
  std::string content_type;    // <contenttype/>, "" when absent.
  std::optional<int> refresh;  // <refresh/> in seconds, positive.
  friend bool operator==(const IsComposing&, const IsComposing&) = default;
};

struct IsComposingLimits {
  // A full document with every optional element is about 300 bytes; 4 KiB leaves room for
  // extensions and pretty-printing while keeping hostile input small.
  std::size_t max_document_bytes = 4096;
  std::size_t max_depth = 8;
  // A day; RFC 3994 composers refresh every minute or two.
  int max_refresh_seconds = 86400;
};

// Errors: limit_exceeded for size and depth, parse_error for the rest (not isComposing, no
// or unknown <state/>, a <refresh/> that is not a positive integer up to the limit).
Result<IsComposing> parse_is_composing(std::string_view xml, const IsComposingLimits& limits = {});

// A complete document with the XML declaration; elements in the RFC 3994 schema order
// (state, lastactive, contenttype, refresh), optional ones only when set.
std::string build_is_composing(const IsComposing& doc);

// XEP-0085 chat states.
enum class ChatState { active, composing, paused, inactive, gone };

std::string_view to_string(ChatState state);
std::optional<ChatState> parse_chat_state(std::string_view name);

// The first chat-state child of a <message/>, if any.
std::optional<ChatState> chat_state_of(const xml::Element& message);
// <composing xmlns='http://jabber.org/protocol/chatstates'/> etc.
xml::Element chat_state_element(ChatState state);

// The mapping in the table above.
IsComposing is_composing_for_chat_state(ChatState state);
ChatState chat_state_for_is_composing(const IsComposing& doc);

}  // namespace xf::bridge
