// PIDF presence documents (RFC 3863, application/pidf+xml) with the parts of the data model
// (RFC 4479) and RPID (RFC 4480) that the XMPP mapping needs: tuples with basic open/closed,
// contact and priority, notes with xml:lang, and RPID activities.
//
// Parsing is namespace-aware and tolerant of what real clients send: RPID <activities> are
// read from <dm:person> (the RFC 4479 place), directly from <tuple> or its <status> (older
// clients), and in the pre-RFC 4480 rpid-status form (<es:activities><es:activity>away...).
// Unknown extension elements are ignored. What is refused, with a detail that says why: bytes
// that are not one well-formed UTF-8 XML document, restricted XML (a DTD, entity declarations
// or references beyond the predefined five, processing instructions other than the XML
// declaration, comments), a document larger or deeper than the limits, a root that is not
// PIDF <presence>, a <basic> other than open/closed, and more tuples or notes than the limits.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"
#include "common/xml/element.h"

namespace xf::bridge {

inline constexpr std::string_view kPidfNs = "urn:ietf:params:xml:ns:pidf";
inline constexpr std::string_view kPidfDataModelNs = "urn:ietf:params:xml:ns:pidf:data-model";
inline constexpr std::string_view kRpidNs = "urn:ietf:params:xml:ns:pidf:rpid";
// The draft-era RPID namespace (CounterPath and other older clients): activities as text.
inline constexpr std::string_view kRpidStatusNs = "urn:ietf:params:xml:ns:pidf:status:rpid-status";
inline constexpr std::string_view kPidfContentType = "application/pidf+xml";

enum class Basic {
  open,    // The tuple can receive communication.
  closed,  // The tuple cannot.
};

// RFC 4480 §3.2 activities, one per element name (in_transit is <in-transit/> and so on).
enum class Activity {
  appointment,
  away,
  breakfast,
  busy,
  dinner,
  holiday,
  in_transit,
  looking_for_work,
  lunch,
  meal,
  meeting,
  on_the_phone,
  other,  // <other>text</other>: the text is in Activities::other_text.
  performance,
  permanent_absence,
  playing,
  presentation,
  shopping,
  sleeping,
  spectator,
  steering,
  travel,
  tv,
  unknown,
  vacation,
  working,
  worship,
};

// RPID element name of an activity ("on-the-phone"), and back.
std::string_view to_string(Activity activity);
std::optional<Activity> parse_activity(std::string_view name);

struct Activities {
  std::vector<Activity> items;  // Document order, no duplicates.
  std::string other_text;       // Text of <other/>, when items holds Activity::other.

  bool empty() const { return items.empty(); }
  bool has(Activity activity) const;
  // Appends unless already present.
  void add(Activity activity);
  friend bool operator==(const Activities&, const Activities&) = default;
};

struct Note {
  std::string text;
  std::string lang;  // xml:lang, "" when absent (also not inherited from an ancestor).
  friend bool operator==(const Note&, const Note&) = default;
};

struct Tuple {
  std::string id;
  std::optional<Basic> basic;  // Absent when <status> has no <basic/>.
  std::string contact;         // Contact URI, "" when none.
  // Contact priority in thousandths (RFC 3863 qvalue "0.5" -> 500), 0..1000. Kept only with a
  // contact, since PIDF carries it as an attribute of <contact/>; a value that is not a qvalue
  // is dropped (it is advisory, not worth refusing the presence over).
  std::optional<int> priority;
  std::vector<Note> notes;
  Activities activities;  // RPID placed in the tuple (not the RFC 4479 place, but common).
  std::string timestamp;  // "" when none; kept verbatim.
  friend bool operator==(const Tuple&, const Tuple&) = default;
};

// The RFC 4479 <dm:person>; several in one document are merged into one.
struct Person {
  std::string id;
  Activities activities;
  std::vector<Note> notes;
  friend bool operator==(const Person&, const Person&) = default;
};

struct PresenceDoc {
  std::string entity;  // The presentity, "pres:" or "sip:" URI.
  std::vector<Tuple> tuples;
  std::vector<Note> notes;       // Notes directly under <presence>.
  std::optional<Person> person;  // Also set by RPID <activities> directly under <presence>.
  friend bool operator==(const PresenceDoc&, const PresenceDoc&) = default;
};

struct PidfLimits {
  // Whole document; the SIP framer's body limit (64 KiB) bounds a NOTIFY body anyway, and
  // Lync's richest documents stay far below it.
  std::size_t max_document_bytes = 64 * 1024;
  // Element nesting; PIDF with RPID is five levels deep, extensions add a few.
  std::size_t max_depth = 32;
  // One tuple per device or service; no real presentity has more.
  std::size_t max_tuples = 64;
  // Notes in one place (presence, tuple, person), one per language in practice.
  std::size_t max_notes = 16;
  // One note's text; a status line, not a letter.
  std::size_t max_note_bytes = 4096;
};

// Parses an application/pidf+xml body. Errors: limit_exceeded for size, depth and count
// limits, parse_error for everything else; the detail names the problem.
Result<PresenceDoc> parse_pidf(std::string_view xml, const PidfLimits& limits = {});

// Writes a complete document with the XML declaration, PIDF as the default namespace and the
// dm: and rpid: prefixes declared on the root when used. Order follows the schemas: tuples
// (status, RPID activities, contact, notes, timestamp), presence notes, then the person
// (activities, notes). Text and attribute values are escaped; text must be XML text already
// (whatever parse_pidf or an XML stanza gave). A tuple without an id gets "t<index>".
std::string build_pidf(const PresenceDoc& doc);

// Parses one standalone XML document (optional XML declaration, UTF-8 only, one root element)
// with the restricted-XML rules of the XMPP stream parser: no DTD, no entity declarations or
// references beyond the predefined five, no processing instructions, no comments. Shared by
// the PIDF and isComposing readers.
Result<xml::Element> parse_xml_document(std::string_view xml, std::size_t max_bytes,
                                        std::size_t max_depth);

}  // namespace xf::bridge
