// Parses stanzas that arrive one by one as standalone XML text (the relay link carries each
// stanza as its own string). One long-lived stream parser is reused for every stanza, inside a
// synthetic stream opened once, so reading a stanza costs no parser set-up.
#pragma once

#include <optional>
#include <string_view>

#include "common/core/result.h"
#include "common/xml/element.h"
#include "common/xml/stream_parser.h"
#include "common/xmpp/stream_error.h"

namespace xf::xml {

class StanzaReader : private StreamParser::Handler {
 public:
  // default_ns: the namespace an unqualified top-level element gets ("jabber:server").
  explicit StanzaReader(std::string_view default_ns = "jabber:server",
                        StreamParser::Limits limits = {});
  ~StanzaReader() override;

  // Exactly one complete element, or the stream error that describes what is wrong with it.
  Result<Element, xmpp::StreamFailure> read(std::string_view xml);

 private:
  void on_stream_open(const StreamHeader&) override {}
  void on_element(Element&& element) override;
  void on_stream_close() override {}
  void open();

  std::string header_;
  StreamParser parser_;
  std::optional<Element> element_;
  int count_ = 0;
};

}  // namespace xf::xml
