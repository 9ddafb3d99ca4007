#include "frontend-gateway/bridge/pidf.h"

#include <algorithm>
#include <array>
#include <utility>

#include "common/xml/stanza_reader.h"
#include "common/xml/stream_parser.h"

namespace xf::bridge {

namespace {

struct ActivityName {
  Activity activity;
  std::string_view name;
};

constexpr std::array<ActivityName, 27> kActivityNames{{
    {Activity::appointment, "appointment"},
    {Activity::away, "away"},
    {Activity::breakfast, "breakfast"},
    {Activity::busy, "busy"},
    {Activity::dinner, "dinner"},
    {Activity::holiday, "holiday"},
    {Activity::in_transit, "in-transit"},
    {Activity::looking_for_work, "looking-for-work"},
    {Activity::lunch, "lunch"},
    {Activity::meal, "meal"},
    {Activity::meeting, "meeting"},
    {Activity::on_the_phone, "on-the-phone"},
    {Activity::other, "other"},
    {Activity::performance, "performance"},
    {Activity::permanent_absence, "permanent-absence"},
    {Activity::playing, "playing"},
    {Activity::presentation, "presentation"},
    {Activity::shopping, "shopping"},
    {Activity::sleeping, "sleeping"},
    {Activity::spectator, "spectator"},
    {Activity::steering, "steering"},
    {Activity::travel, "travel"},
    {Activity::tv, "tv"},
    {Activity::unknown, "unknown"},
    {Activity::vacation, "vacation"},
    {Activity::working, "working"},
    {Activity::worship, "worship"},
}};

constexpr std::string_view kXmlSpace = " \t\r\n";

std::string_view trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(kXmlSpace);
  if (begin == std::string_view::npos) return {};
  const std::size_t end = text.find_last_not_of(kXmlSpace);
  return text.substr(begin, end - begin + 1);
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

Unexpected<Error> refuse(std::string detail) { return fail(Errc::parse_error, std::move(detail)); }
Unexpected<Error> too_much(std::string detail) {
  return fail(Errc::limit_exceeded, std::move(detail));
}

// The XML declaration's pseudo-attributes (XML 1.0 §2.8): version (1.x), encoding (UTF-8 is the
// only one accepted, as on XMPP streams), standalone. Anything else there is an error.
Status check_xml_declaration(std::string_view decl) {
  std::string_view rest = decl;
  bool has_version = false;
  while (true) {
    rest = trim(rest);
    if (rest.empty()) break;
    const std::size_t eq = rest.find('=');
    if (eq == std::string_view::npos) return refuse("malformed XML declaration");
    const std::string_view name = trim(rest.substr(0, eq));
    rest = trim(rest.substr(eq + 1));
    if (rest.empty() || (rest[0] != '"' && rest[0] != '\'')) {
      return refuse("malformed XML declaration");
    }
    const std::size_t close = rest.find(rest[0], 1);
    if (close == std::string_view::npos) return refuse("malformed XML declaration");
    const std::string_view value = rest.substr(1, close - 1);
    rest.remove_prefix(close + 1);
    if (name == "version") {
      if (!value.starts_with("1.")) return refuse("XML version " + std::string(value));
      has_version = true;
    } else if (name == "encoding") {
      if (!equals_ignore_case(value, "UTF-8") && !equals_ignore_case(value, "UTF8")) {
        return refuse("document encoding " + std::string(value) + " is not UTF-8");
      }
    } else if (name != "standalone") {
      return refuse("unknown item '" + std::string(name) + "' in the XML declaration");
    }
  }
  if (!has_version) return refuse("XML declaration without version");
  return {};
}

Result<std::string> note_text(const xml::Element& element, const PidfLimits& limits) {
  const std::string raw = element.text();
  const std::string_view text = trim(raw);
  if (text.size() > limits.max_note_bytes) {
    return too_much("note longer than " + std::to_string(limits.max_note_bytes) + " bytes");
  }
  return std::string(text);
}

Status add_note(std::vector<Note>& notes, const xml::Element& element, const PidfLimits& limits) {
  if (notes.size() >= limits.max_notes) {
    return too_much("more than " + std::to_string(limits.max_notes) + " notes in one place");
  }
  auto text = note_text(element, limits);
  if (!text) return fail(text.error());
  notes.push_back(Note{std::move(text.value()), std::string(element.attr("xml:lang"))});
  return {};
}

// RFC 4480 form: <rpid:activities><rpid:away/><rpid:other>text</rpid:other></rpid:activities>.
// Draft form: <es:activities><es:activity>away</es:activity></es:activities>. Unknown names
// and elements of other namespaces (private activities) are skipped.
Status add_activities(Activities& out, const xml::Element& activities, const PidfLimits& limits) {
  const bool draft = activities.xmlns() == kRpidStatusNs;
  for (const xml::Element* item : activities.children()) {
    if (item->xmlns() != activities.xmlns()) continue;
    std::optional<Activity> activity;
    if (draft) {
      if (item->name() == "activity") activity = parse_activity(trim(item->text()));
    } else {
      activity = parse_activity(item->name());
    }
    if (!activity) continue;
    if (*activity == Activity::other && !draft) {
      auto text = note_text(*item, limits);
      if (!text) return fail(text.error());
      if (out.other_text.empty()) out.other_text = std::move(text.value());
    }
    out.add(*activity);
  }
  return {};
}

bool is_activities(const xml::Element& element) {
  return element.name() == "activities" &&
         (element.xmlns() == kRpidNs || element.xmlns() == kRpidStatusNs);
}

// RFC 3863 qvalue: "0", "0.d", "0.dd", "0.ddd", "1", "1.0", "1.00", "1.000".
std::optional<int> parse_qvalue(std::string_view text) {
  text = trim(text);
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  const int whole = text[0] - '0';
  int fraction = 0;
  if (text.size() > 1) {
    if (text[1] != '.' || text.size() > 5) return std::nullopt;
    int scale = 100;
    for (char c : text.substr(2)) {
      if (c < '0' || c > '9') return std::nullopt;
      fraction += (c - '0') * scale;
      scale /= 10;
    }
  }
  if (whole == 1 && fraction != 0) return std::nullopt;
  return whole * 1000 + fraction;
}

std::string format_qvalue(int thousandths) {
  thousandths = std::clamp(thousandths, 0, 1000);
  if (thousandths == 1000) return "1";
  if (thousandths == 0) return "0";
  std::string out = "0.";
  out += static_cast<char>('0' + thousandths / 100);
  out += static_cast<char>('0' + thousandths / 10 % 10);
  out += static_cast<char>('0' + thousandths % 10);
  while (out.back() == '0') out.pop_back();
  return out;
}

Status parse_status(Tuple& tuple, const xml::Element& status, const PidfLimits& limits) {
  for (const xml::Element* c : status.children()) {
    if (c->is("basic", kPidfNs)) {
      const std::string raw = c->text();
      const std::string_view value = trim(raw);
      if (value == "open") {
        tuple.basic = Basic::open;
      } else if (value == "closed") {
        tuple.basic = Basic::closed;
      } else {
        return refuse("<basic> is '" + std::string(value.substr(0, 32)) + "', not open or closed");
      }
    } else if (is_activities(*c)) {
      if (auto s = add_activities(tuple.activities, *c, limits); !s) return s;
    }
  }
  return {};
}

Result<Tuple> parse_tuple(const xml::Element& element, const PidfLimits& limits) {
  Tuple tuple;
  tuple.id = element.attr("id");
  std::optional<int> priority;
  for (const xml::Element* c : element.children()) {
    if (c->is("status", kPidfNs)) {
      if (auto s = parse_status(tuple, *c, limits); !s) return fail(s.error());
    } else if (c->is("contact", kPidfNs)) {
      tuple.contact = trim(c->text());
      // An unreadable priority is advisory data gone wrong, not a reason to drop the presence.
      priority = parse_qvalue(c->attr("priority"));
    } else if (c->is("note", kPidfNs)) {
      if (auto s = add_note(tuple.notes, *c, limits); !s) return fail(s.error());
    } else if (c->is("timestamp", kPidfNs)) {
      tuple.timestamp = trim(c->text());
    } else if (is_activities(*c)) {
      if (auto s = add_activities(tuple.activities, *c, limits); !s) return fail(s.error());
    }
  }
  if (!tuple.contact.empty()) tuple.priority = priority;
  return tuple;
}

Status merge_person(Person& person, const xml::Element& element, const PidfLimits& limits) {
  if (person.id.empty()) person.id = element.attr("id");
  for (const xml::Element* c : element.children()) {
    if (is_activities(*c)) {
      if (auto s = add_activities(person.activities, *c, limits); !s) return s;
    } else if (c->name() == "note" && (c->xmlns() == kPidfDataModelNs || c->xmlns() == kPidfNs)) {
      if (auto s = add_note(person.notes, *c, limits); !s) return s;
    }
  }
  return {};
}

void append_attr(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  xml::escape_attr(value, out);
  out += '"';
}

void append_text_element(std::string& out, std::string_view name, std::string_view text,
                         std::string_view lang = {}) {
  out += '<';
  out += name;
  if (!lang.empty()) append_attr(out, "xml:lang", lang);
  if (text.empty()) {
    out += "/>";
    return;
  }
  out += '>';
  xml::escape_text(text, out);
  out += "</";
  out += name;
  out += '>';
}

void append_notes(std::string& out, std::string_view name, const std::vector<Note>& notes) {
  for (const Note& note : notes) append_text_element(out, name, note.text, note.lang);
}

void append_activities(std::string& out, const Activities& activities) {
  if (activities.empty()) return;
  out += "<rpid:activities>";
  for (Activity a : activities.items) {
    const std::string name = "rpid:" + std::string(to_string(a));
    append_text_element(out, name, a == Activity::other ? activities.other_text : "");
  }
  out += "</rpid:activities>";
}

}  // namespace

std::string_view to_string(Activity activity) {
  for (const ActivityName& entry : kActivityNames) {
    if (entry.activity == activity) return entry.name;
  }
  return "unknown";
}

std::optional<Activity> parse_activity(std::string_view name) {
  for (const ActivityName& entry : kActivityNames) {
    if (entry.name == name) return entry.activity;
  }
  return std::nullopt;
}

bool Activities::has(Activity activity) const {
  return std::find(items.begin(), items.end(), activity) != items.end();
}

void Activities::add(Activity activity) {
  if (!has(activity)) items.push_back(activity);
}

Result<xml::Element> parse_xml_document(std::string_view xml, std::size_t max_bytes,
                                        std::size_t max_depth) {
  if (xml.size() > max_bytes) {
    return too_much("document of " + std::to_string(xml.size()) + " bytes, limit " +
                    std::to_string(max_bytes));
  }
  std::string_view rest = xml;
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);
  // Some SIP stacks put a line break before the declaration; tolerate leading whitespace.
  rest = rest.substr(std::min(rest.size(), rest.find_first_not_of(kXmlSpace)));
  if (rest.starts_with("<?xml") && rest.size() > 5 &&
      (kXmlSpace.find(rest[5]) != std::string_view::npos || rest[5] == '?')) {
    const std::size_t end = rest.find("?>");
    if (end == std::string_view::npos) return refuse("unterminated XML declaration");
    if (auto s = check_xml_declaration(rest.substr(5, end - 5)); !s) return fail(s.error());
    rest.remove_prefix(end + 2);
  }
  const std::size_t first = rest.find_first_not_of(kXmlSpace);
  if (first == std::string_view::npos) return refuse("no root element");
  if (rest.substr(first).starts_with("<!DOCTYPE")) {
    return refuse("restricted XML: document type declarations (DTDs) are refused");
  }
  // The stream parser already enforces restricted XML, UTF-8 and the size and depth limits;
  // a private reader with no default namespace makes it read a standalone document.
  xml::StanzaReader reader("", xml::StreamParser::Limits{max_bytes, max_depth});
  auto element = reader.read(rest);
  if (!element) {
    const xmpp::StreamFailure& failure = element.error();
    switch (failure.condition) {
      case xmpp::StreamError::policy_violation: return too_much(failure.text);
      case xmpp::StreamError::restricted_xml: return refuse("restricted XML: " + failure.text);
      case xmpp::StreamError::bad_format:
        return refuse(failure.text == "incomplete stanza"      ? "truncated document"
                      : failure.text == "more than one stanza" ? "more than one root element"
                                                               : failure.text);
      default: return refuse("not well-formed XML: " + failure.text);
    }
  }
  return std::move(element.value());
}

Result<PresenceDoc> parse_pidf(std::string_view xml, const PidfLimits& limits) {
  auto root = parse_xml_document(xml, limits.max_document_bytes, limits.max_depth);
  if (!root) return fail(root.error());
  if (!root->is("presence", kPidfNs)) {
    return refuse("root element <" + root->name() + "> in namespace '" + root->xmlns() +
                  "' is not PIDF <presence>");
  }
  PresenceDoc doc;
  // RFC 3863 requires entity; the subscription already says whose presence this is, so a
  // missing one costs nothing and is tolerated.
  doc.entity = root->attr("entity");
  for (const xml::Element* c : root->children()) {
    if (c->is("tuple", kPidfNs)) {
      if (doc.tuples.size() >= limits.max_tuples) {
        return too_much("more than " + std::to_string(limits.max_tuples) + " tuples");
      }
      auto tuple = parse_tuple(*c, limits);
      if (!tuple) return fail(tuple.error());
      doc.tuples.push_back(std::move(tuple.value()));
    } else if (c->is("note", kPidfNs)) {
      if (auto s = add_note(doc.notes, *c, limits); !s) return fail(s.error());
    } else if (c->name() == "person" && (c->xmlns() == kPidfDataModelNs || c->xmlns() == kRpidNs)) {
      if (!doc.person) doc.person.emplace();
      if (auto s = merge_person(*doc.person, *c, limits); !s) return fail(s.error());
    } else if (is_activities(*c)) {
      if (!doc.person) doc.person.emplace();
      if (auto s = add_activities(doc.person->activities, *c, limits); !s) return fail(s.error());
    }
  }
  return doc;
}

std::string build_pidf(const PresenceDoc& doc) {
  bool uses_rpid = doc.person && !doc.person->activities.empty();
  for (const Tuple& t : doc.tuples) uses_rpid = uses_rpid || !t.activities.empty();

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence";
  append_attr(out, "xmlns", kPidfNs);
  if (doc.person) append_attr(out, "xmlns:dm", kPidfDataModelNs);
  if (uses_rpid) append_attr(out, "xmlns:rpid", kRpidNs);
  append_attr(out, "entity", doc.entity);
  out += '>';
  for (std::size_t i = 0; i < doc.tuples.size(); ++i) {
    const Tuple& t = doc.tuples[i];
    out += "<tuple";
    append_attr(out, "id", t.id.empty() ? "t" + std::to_string(i + 1) : t.id);
    out += "><status>";
    if (t.basic) {
      append_text_element(out, "basic", *t.basic == Basic::open ? "open" : "closed");
    }
    out += "</status>";
    append_activities(out, t.activities);
    if (!t.contact.empty()) {
      out += "<contact";
      if (t.priority) append_attr(out, "priority", format_qvalue(*t.priority));
      out += '>';
      xml::escape_text(t.contact, out);
      out += "</contact>";
    }
    append_notes(out, "note", t.notes);
    if (!t.timestamp.empty()) append_text_element(out, "timestamp", t.timestamp);
    out += "</tuple>";
  }
  append_notes(out, "note", doc.notes);
  if (doc.person) {
    out += "<dm:person";
    // RFC 4479 requires an id; "p" stands in when the model has none.
    append_attr(out, "id", doc.person->id.empty() ? "p" : doc.person->id);
    out += '>';
    append_activities(out, doc.person->activities);
    append_notes(out, "dm:note", doc.person->notes);
    out += "</dm:person>";
  }
  out += "</presence>";
  return out;
}

}  // namespace xf::bridge
