#include "common/xmpp/stanza_error_reply.h"

#include <string>

namespace xf::xmpp {

bool may_bounce(const xml::Element& stanza) { return stanza.attr("type") != "error"; }

xml::Element make_error_reply(const xml::Element& stanza, StanzaError condition,
                              std::string_view text) {
  xml::Element reply(stanza);
  std::string from(stanza.attr("from"));
  std::string to(stanza.attr("to"));
  reply.remove_attr("from");
  reply.remove_attr("to");
  if (!to.empty()) reply.set_attr("from", to);
  if (!from.empty()) reply.set_attr("to", from);
  reply.set_attr("type", "error");
  reply.remove_children("error");
  xml::Element& error = reply.add_child("error", stanza.xmlns());
  error.set_attr("type", std::string(default_error_type(condition)));
  error.add_child(std::string(to_string(condition)), std::string(kStanzaErrorNs));
  if (!text.empty()) {
    xml::Element& t = error.add_child("text", std::string(kStanzaErrorNs));
    t.set_attr("xml:lang", "en");
    t.add_text(std::string(text));
  }
  return reply;
}

std::string error_condition(const xml::Element& stanza) {
  const xml::Element* error = stanza.child("error");
  if (error == nullptr) return {};
  for (const xml::Element* c : error->children()) {
    if (c->xmlns() == kStanzaErrorNs && c->name() != "text") return c->name();
  }
  return {};
}

}  // namespace xf::xmpp
