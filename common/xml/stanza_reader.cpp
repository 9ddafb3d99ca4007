#include "common/xml/stanza_reader.h"

#include <string>

namespace xf::xml {

StanzaReader::StanzaReader(std::string_view default_ns, StreamParser::Limits limits)
    : parser_(*this, limits) {
  header_ = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='";
  escape_attr(default_ns, header_);
  header_ += "' version='1.0'>";
  open();
}

StanzaReader::~StanzaReader() = default;

void StanzaReader::open() {
  parser_.reset();
  // The synthetic header is well-formed by construction; it cannot fail.
  (void)parser_.feed(header_);
}

void StanzaReader::on_element(Element&& element) {
  ++count_;
  if (count_ == 1) element_.emplace(std::move(element));
}

Result<Element, xmpp::StreamFailure> StanzaReader::read(std::string_view xml) {
  element_.reset();
  count_ = 0;
  auto fed = parser_.feed(xml);
  if (!fed.ok()) {
    open();
    return fail(fed.error());
  }
  if (count_ != 1 || !element_) {
    // Either nothing complete (truncated) or several elements in one string.
    open();
    return fail(xmpp::StreamFailure{xmpp::StreamError::bad_format,
                                    count_ == 0 ? "incomplete stanza" : "more than one stanza"});
  }
  return std::move(*element_);
}

}  // namespace xf::xml
