#include "frontend-gateway/bridge/is_composing.h"

#include <array>
#include <utility>

#include "frontend-gateway/bridge/pidf.h"

namespace xf::bridge {

namespace {

struct StateName {
  ChatState state;
  std::string_view name;
};

constexpr std::array<StateName, 5> kChatStateNames{{
    {ChatState::active, "active"},
    {ChatState::composing, "composing"},
    {ChatState::paused, "paused"},
    {ChatState::inactive, "inactive"},
    {ChatState::gone, "gone"},
}};

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

Unexpected<Error> refuse(std::string detail) { return fail(Errc::parse_error, std::move(detail)); }

// xs:positiveInteger, bounded so that it fits an int.
std::optional<int> parse_seconds(std::string_view text, int max) {
  text = trim(text);
  if (text.empty() || text.size() > 9) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value <= 0 || value > max) return std::nullopt;
  return value;
}

void append_element(std::string& out, std::string_view name, std::string_view text) {
  out += '<';
  out += name;
  out += '>';
  xml::escape_text(text, out);
  out += "</";
  out += name;
  out += '>';
}

}  // namespace

Result<IsComposing> parse_is_composing(std::string_view xml, const IsComposingLimits& limits) {
  auto root = parse_xml_document(xml, limits.max_document_bytes, limits.max_depth);
  if (!root) return fail(root.error());
  if (!root->is("isComposing", kIsComposingNs)) {
    return refuse("root element <" + root->name() + "> in namespace '" + root->xmlns() +
                  "' is not <isComposing>");
  }
  IsComposing doc;
  const xml::Element* state = root->child("state", kIsComposingNs);
  if (state == nullptr) return refuse("<isComposing> without <state>");
  const std::string raw = state->text();
  const std::string_view value = trim(raw);
  if (value == "active") {
    doc.state = ComposingState::active;
  } else if (value == "idle") {
    doc.state = ComposingState::idle;
  } else {
    return refuse("<state> is '" + std::string(value.substr(0, 32)) + "', not active or idle");
  }
  if (const xml::Element* e = root->child("lastactive", kIsComposingNs)) {
    doc.last_active = trim(e->text());
  }
  if (const xml::Element* e = root->child("contenttype", kIsComposingNs)) {
    doc.content_type = trim(e->text());
  }
  if (const xml::Element* e = root->child("refresh", kIsComposingNs)) {
    doc.refresh = parse_seconds(e->text(), limits.max_refresh_seconds);
    if (!doc.refresh) {
      return refuse("<refresh> is not a number of seconds from 1 to " +
                    std::to_string(limits.max_refresh_seconds));
    }
  }
  return doc;
}

std::string build_is_composing(const IsComposing& doc) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<isComposing xmlns=\"";
  xml::escape_attr(kIsComposingNs, out);
  out += "\">";
  append_element(out, "state", doc.state == ComposingState::active ? "active" : "idle");
  if (!doc.last_active.empty()) append_element(out, "lastactive", doc.last_active);
  if (!doc.content_type.empty()) append_element(out, "contenttype", doc.content_type);
  if (doc.refresh) append_element(out, "refresh", std::to_string(*doc.refresh));
  out += "</isComposing>";
  return out;
}

std::string_view to_string(ChatState state) {
  for (const StateName& entry : kChatStateNames) {
    if (entry.state == state) return entry.name;
  }
  return "active";
}

std::optional<ChatState> parse_chat_state(std::string_view name) {
  for (const StateName& entry : kChatStateNames) {
    if (entry.name == name) return entry.state;
  }
  return std::nullopt;
}

std::optional<ChatState> chat_state_of(const xml::Element& message) {
  for (const xml::Element* c : message.children()) {
    if (c->xmlns() != kChatStatesNs) continue;
    if (auto state = parse_chat_state(c->name())) return state;
  }
  return std::nullopt;
}

xml::Element chat_state_element(ChatState state) {
  return xml::Element(std::string(to_string(state)), std::string(kChatStatesNs));
}

IsComposing is_composing_for_chat_state(ChatState state) {
  IsComposing doc;
  if (state == ChatState::composing) {
    doc.state = ComposingState::active;
    doc.refresh = kComposingRefreshSeconds;
  } else {
    doc.state = ComposingState::idle;
  }
  return doc;
}

ChatState chat_state_for_is_composing(const IsComposing& doc) {
  return doc.state == ComposingState::active ? ChatState::composing : ChatState::paused;
}

}  // namespace xf::bridge
