// PIDF and isComposing documents on arbitrary bytes (both parsers see every input). Invariants
// checked:
// - a document that parses builds to text that parses again to the same model (ids the
//   builder has to invent for a tuple or person without one aside), and building that model
//   again gives the same text;
// - an isComposing document that parses builds to text that parses to the same model;
// - the PIDF -> XMPP mapping of any parsed document yields a <presence/> with a valid type;
// - an XMPP <presence/> that maps to PIDF builds to text that parses to the same model.
// Links xmppfed_gw_core (frontend-gateway/bridge) besides xmppfed_proto.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/xml/element.h"
#include "common/xml/stanza_reader.h"
#include "common/xmpp/jid.h"
#include "frontend-gateway/bridge/is_composing.h"
#include "frontend-gateway/bridge/pidf.h"
#include "frontend-gateway/bridge/presence_mapper.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

// Small limits so that the fuzzer reaches them quickly.
xf::bridge::PidfLimits input_limits() {
  xf::bridge::PidfLimits limits;
  limits.max_document_bytes = 16 * 1024;
  limits.max_tuples = 8;
  limits.max_notes = 4;
  limits.max_note_bytes = 512;
  return limits;
}

// Built text may be larger than its input (escaping, invented ids), never deeper or fuller.
xf::bridge::PidfLimits rebuild_limits() {
  xf::bridge::PidfLimits limits = input_limits();
  limits.max_document_bytes = 1024 * 1024;
  return limits;
}

// The model with the ids build_pidf writes where the model has none.
xf::bridge::PresenceDoc with_invented_ids(xf::bridge::PresenceDoc doc) {
  for (std::size_t i = 0; i < doc.tuples.size(); ++i) {
    if (doc.tuples[i].id.empty()) doc.tuples[i].id = "t" + std::to_string(i + 1);
  }
  if (doc.person && doc.person->id.empty()) doc.person->id = "p";
  return doc;
}

void check_pidf(std::string_view in) {
  auto doc = xf::bridge::parse_pidf(in, input_limits());
  if (!doc) return;
  const std::string built = xf::bridge::build_pidf(*doc);
  auto again = xf::bridge::parse_pidf(built, rebuild_limits());
  check(again.ok());
  check(*again == with_invented_ids(*doc));
  check(xf::bridge::build_pidf(*again) == built);

  static const auto from = xf::xmpp::Jid::parse("juliet@sip.example.com");
  static const auto to = xf::xmpp::Jid::parse("romeo@partner.example/orchard");
  check(from.ok() && to.ok());
  const xf::xml::Element presence = xf::bridge::PresenceMapper().to_xmpp(*doc, *from, *to);
  const std::string_view type = presence.attr("type");
  check(type.empty() || type == "unavailable");
  check(type.empty() == (xf::bridge::most_available_tuple(*doc) != nullptr &&
                         xf::bridge::most_available_tuple(*doc)->basic == xf::bridge::Basic::open));
}

// XMPP -> PIDF: whatever to_pidf makes of a presence stanza builds to a document that parses
// back to the same model.
void check_presence_stanza(std::string_view in) {
  static xf::xml::StanzaReader reader("jabber:server", {16 * 1024, 16});
  auto stanza = reader.read(in);
  if (!stanza || stanza->name() != "presence") return;
  auto doc = xf::bridge::PresenceMapper().to_pidf(*stanza);
  if (!doc) return;
  xf::bridge::PidfLimits limits;
  limits.max_document_bytes = 1024 * 1024;
  auto again = xf::bridge::parse_pidf(xf::bridge::build_pidf(*doc), limits);
  check(again.ok());
  check(*again == *doc);
}

void check_is_composing(std::string_view in) {
  auto doc = xf::bridge::parse_is_composing(in);
  if (!doc) return;
  auto again = xf::bridge::parse_is_composing(xf::bridge::build_is_composing(*doc),
                                              xf::bridge::IsComposingLimits{1024 * 1024, 8, 86400});
  check(again.ok());
  check(*again == *doc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_pidf(in);
  check_is_composing(in);
  check_presence_stanza(in);
  return 0;
}
