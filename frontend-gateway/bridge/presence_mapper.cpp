#include "frontend-gateway/bridge/presence_mapper.h"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>
#include <vector>

#include "common/xmpp/stream_error.h"
#include "frontend-gateway/bridge/address_map.h"
#include "frontend-gateway/bridge/xml_text.h"
#include "frontend-gateway/sip/sip_syntax.h"

namespace xf::bridge {

namespace {

using xmpp::StanzaError;

Unexpected<StanzaFailure> refuse(StanzaError condition, std::string text) {
  return fail(StanzaFailure{condition, std::move(text)});
}

struct KindName {
  PresenceKind kind;
  std::string_view type;
};

constexpr std::array<KindName, 8> kKindNames{{
    {PresenceKind::available, ""},
    {PresenceKind::unavailable, "unavailable"},
    {PresenceKind::subscribe, "subscribe"},
    {PresenceKind::subscribed, "subscribed"},
    {PresenceKind::unsubscribe, "unsubscribe"},
    {PresenceKind::unsubscribed, "unsubscribed"},
    {PresenceKind::probe, "probe"},
    {PresenceKind::error, "error"},
}};

// Availability below "available", in the order RFC 6121 lists <show/> values; a larger value
// is less available.
enum class Show { none = 0, away = 1, xa = 2, dnd = 3 };

Show show_for_activity(Activity activity) {
  switch (activity) {
    case Activity::away: return Show::away;
    case Activity::vacation:
    case Activity::holiday:
    case Activity::permanent_absence:
    case Activity::sleeping:
    case Activity::travel: return Show::xa;
    case Activity::busy:
    case Activity::on_the_phone:
    case Activity::meeting:
    case Activity::appointment:
    case Activity::presentation:
    case Activity::performance: return Show::dnd;
    default: return Show::none;
  }
}

Show show_for_activities(const Activities& activities) {
  Show show = Show::none;
  for (Activity a : activities.items) show = std::max(show, show_for_activity(a));
  return show;
}

const Activities& effective_activities(const PresenceDoc& doc, const Tuple& tuple) {
  static const Activities kNone;
  if (!tuple.activities.empty()) return tuple.activities;
  return doc.person ? doc.person->activities : kNone;
}

int basic_rank(const Tuple& tuple) {
  if (!tuple.basic) return 1;
  return *tuple.basic == Basic::open ? 0 : 2;
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

// RFC 6121 §4.7.2.3: an integer from -128 to +127.
std::optional<int> parse_priority(std::string_view text) {
  text = trim(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || text.size() > 3) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  value = negative ? -value : value;
  if (value < -128 || value > 127) return std::nullopt;
  return value;
}

int qvalue_for_priority(int priority) { return priority <= 0 ? 0 : (priority * 1000 + 63) / 127; }

int priority_for_qvalue(int thousandths) {
  return (std::clamp(thousandths, 0, 1000) * 127 + 500) / 1000;
}

std::string pres_uri(const std::string& sip_uri) {
  const std::size_t colon = sip_uri.find(':');
  return "pres:" + sip_uri.substr(colon == std::string::npos ? 0 : colon + 1);
}

const std::vector<Note>& notes_for(const PresenceDoc& doc, const Tuple* tuple) {
  if (tuple != nullptr && !tuple->notes.empty()) return tuple->notes;
  if (doc.person && !doc.person->notes.empty()) return doc.person->notes;
  return doc.notes;
}

}  // namespace

PresenceKind classify_presence(const xml::Element& presence) {
  const std::string_view type = presence.attr("type");
  for (const KindName& entry : kKindNames) {
    if (entry.type == type) return entry.kind;
  }
  return PresenceKind::unknown;
}

std::string_view to_string(PresenceKind kind) {
  for (const KindName& entry : kKindNames) {
    if (entry.kind == kind) return entry.type.empty() ? "available" : entry.type;
  }
  return "unknown";
}

xml::Element make_subscription_presence(SubscriptionType type, const xmpp::Jid& from,
                                        const xmpp::Jid& to, std::string_view id) {
  static constexpr std::array<std::string_view, 5> kTypes{"subscribe", "subscribed", "unsubscribe",
                                                          "unsubscribed", "probe"};
  xml::Element presence("presence", std::string(xmpp::kServerNs));
  presence.set_attr("type", std::string(kTypes[static_cast<std::size_t>(type)]));
  presence.set_attr("from", from.to_string());
  presence.set_attr("to", to.to_string());
  if (!id.empty()) presence.set_attr("id", std::string(id));
  return presence;
}

std::string tuple_id_for_resource(std::string_view resource) {
  if (resource.empty()) return "xmpp";
  // A tuple id is an XML ID: '_' stands in for '%', which an ID cannot hold.
  std::string out = "xmpp-";
  sip::percent_encode(resource, ".-", out, '_');
  return out;
}

const Tuple* most_available_tuple(const PresenceDoc& doc) {
  const Tuple* best = nullptr;
  std::tuple<int, int, int> best_key{};
  for (const Tuple& t : doc.tuples) {
    // Smaller is better; ties keep the earlier tuple.
    std::tuple<int, int, int> key{
        basic_rank(t), static_cast<int>(show_for_activities(effective_activities(doc, t))),
        -t.priority.value_or(0)};
    if (best == nullptr || key < best_key) {
      best = &t;
      best_key = key;
    }
  }
  return best;
}

PresenceMapper::PresenceMapper(PresenceMapperLimits limits, Logger log)
    : limits_(limits), log_(std::move(log)) {}

Result<PresenceDoc, StanzaFailure> PresenceMapper::to_pidf(const xml::Element& presence) const {
  const PresenceKind kind = classify_presence(presence);
  if (kind != PresenceKind::available && kind != PresenceKind::unavailable) {
    return refuse(StanzaError::bad_request,
                  "presence of type '" + std::string(to_string(kind)) + "' carries no state");
  }
  auto from = xmpp::Jid::parse(presence.attr("from"));
  if (!from || from->empty()) {
    return refuse(StanzaError::jid_malformed, "presence without a valid sender address");
  }
  auto bare_uri = sip_uri_for_jid(from->bare());
  if (!bare_uri) return refuse(StanzaError::jid_malformed, bare_uri.error().detail);
  auto contact = sip_uri_for_jid(*from, SipUriOptions{"sip", !from->is_bare()});
  if (!contact) return refuse(StanzaError::jid_malformed, contact.error().detail);

  const std::string& ns = presence.xmlns();
  PresenceDoc doc;
  doc.entity = pres_uri(*bare_uri);
  Tuple tuple;
  tuple.id = tuple_id_for_resource(from->resource());
  tuple.basic = kind == PresenceKind::available ? Basic::open : Basic::closed;
  tuple.contact = std::move(contact.value());

  const std::string_view stanza_lang = presence.attr("xml:lang");
  for (const xml::Element* c : presence.children()) {
    if (c->name() != "status" || c->xmlns() != ns) continue;
    if (tuple.notes.size() >= limits_.max_statuses) {
      log_.debug("more than ", limits_.max_statuses, " <status/> elements; the rest dropped");
      break;
    }
    const std::string raw = c->text();
    // Surrounding whitespace carries nothing (and PIDF readers trim it); an empty status
    // says nothing.
    const std::string_view text = trim(utf8_prefix(trim(raw), limits_.max_status_bytes));
    if (text.empty()) continue;
    const std::string_view own_lang = c->attr("xml:lang");
    tuple.notes.push_back(
        Note{std::string(text), std::string(own_lang.empty() ? stanza_lang : own_lang)});
  }

  if (kind == PresenceKind::available) {
    if (const xml::Element* show = presence.child("show", ns)) {
      const std::string raw = show->text();
      const std::string_view value = trim(raw);
      std::optional<Activity> activity;
      if (value == "away" || value == "xa") {
        activity = Activity::away;
      } else if (value == "dnd") {
        activity = Activity::busy;
      } else if (value != "chat") {
        return refuse(StanzaError::bad_request,
                      "<show/> value '" + std::string(utf8_prefix(value, 32)) + "'");
      }
      if (activity) {
        doc.person.emplace();
        doc.person->id = "person";
        doc.person->activities.add(*activity);
      }
    }
    if (const xml::Element* priority = presence.child("priority", ns)) {
      auto value = parse_priority(priority->text());
      if (!value) return refuse(StanzaError::bad_request, "<priority/> is not in -128..127");
      tuple.priority = qvalue_for_priority(*value);
    }
  }
  doc.tuples.push_back(std::move(tuple));
  return doc;
}

xml::Element PresenceMapper::to_xmpp(const PresenceDoc& doc, const xmpp::Jid& from,
                                     const xmpp::Jid& to) const {
  const std::string ns(xmpp::kServerNs);
  xml::Element presence("presence", ns);
  presence.set_attr("from", from.to_string());
  presence.set_attr("to", to.to_string());

  const Tuple* best = most_available_tuple(doc);
  const bool open = best != nullptr && best->basic == Basic::open;
  if (!open) presence.set_attr("type", "unavailable");

  if (open) {
    switch (show_for_activities(effective_activities(doc, *best))) {
      case Show::none: break;
      case Show::away: presence.add_child("show", ns).add_text("away"); break;
      case Show::xa: presence.add_child("show", ns).add_text("xa"); break;
      case Show::dnd: presence.add_child("show", ns).add_text("dnd"); break;
    }
  }

  std::vector<std::string_view> langs;
  std::size_t statuses = 0;
  for (const Note& note : notes_for(doc, best)) {
    if (note.text.empty()) continue;
    if (std::find(langs.begin(), langs.end(), note.lang) != langs.end()) continue;
    if (statuses == limits_.max_statuses) {
      log_.debug("more than ", limits_.max_statuses, " notes; the rest dropped");
      break;
    }
    langs.push_back(note.lang);
    ++statuses;
    xml::Element& status = presence.add_child("status", ns);
    if (!note.lang.empty()) status.set_attr("xml:lang", note.lang);
    status.add_text(std::string(utf8_prefix(note.text, limits_.max_status_bytes)));
  }

  if (open && best->priority) {
    presence.add_child("priority", ns)
        .add_text(std::to_string(priority_for_qvalue(*best->priority)));
  }
  return presence;
}

}  // namespace xf::bridge
