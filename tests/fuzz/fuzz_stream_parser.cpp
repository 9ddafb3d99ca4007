// Fuzzes the XMPP stream parser: any bytes, fed in chunks whose size the first input byte picks.
// Besides memory errors it checks that every delivered element survives serialize + parse
// unchanged, and that nothing is delivered after a failure.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/xml/element.h"
#include "common/xml/stream_parser.h"

namespace {

using xf::xml::Element;
using xf::xml::StreamHeader;
using xf::xml::StreamParser;

[[noreturn]] void crash(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz_stream_parser: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

// Collects the single element of a re-parsed stream.
class Collector : public StreamParser::Handler {
 public:
  void on_stream_open(const StreamHeader&) override {}
  void on_element(Element&& element) override {
    ++count;
    last = std::move(element);
  }
  void on_stream_close() override {}
  int count = 0;
  Element last;
};

void check_round_trip(const Element& element, const std::string& content_ns) {
  std::string written = xf::xml::to_string(element, content_ns);
  std::string doc = "<stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='";
  xf::xml::escape_attr(content_ns, doc);
  doc += "'>";
  doc += written;
  Collector collector;
  StreamParser::Limits limits;
  limits.max_stanza_bytes = std::size_t{1} << 30;  // Escaping may make the copy larger.
  StreamParser parser(collector, limits);
  auto result = parser.feed(doc);
  if (!result.ok()) crash("serialized element does not parse", doc + " -> " + result.error().text);
  if (collector.count != 1) crash("serialized element did not come back", doc);
  if (!(collector.last == element)) crash("serialized element differs after re-parse", doc);
}

// Checks each event; optionally resets from inside the callback at a stream restart point
// (<proceed/>, <success/>) or stops after some element, as sessions do.
class Checker : public StreamParser::Handler {
 public:
  void on_stream_open(const StreamHeader& header) override {
    if (quiet) crash("event after failure or stop", "open");
    content_ns = header.content_ns;
  }
  void on_element(Element&& element) override {
    if (quiet) crash("event after failure or stop", element.name());
    check_round_trip(element, content_ns);
    ++elements;
    if (reset_at_restart && (element.name() == "proceed" || element.name() == "success")) {
      parser->reset();
      quiet = true;
      reset_requested = true;
    } else if (stop_after != 0 && elements == stop_after) {
      parser->stop();
      quiet = true;
    }
  }
  void on_stream_close() override {
    if (quiet) crash("event after failure or stop", "close");
  }

  StreamParser* parser = nullptr;
  bool reset_at_restart = false;
  int stop_after = 0;
  bool quiet = false;  // No event may arrive now.
  bool failed = false;
  bool reset_requested = false;
  int elements = 0;
  std::string content_ns;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // Byte 0 picks the chunk size (0: whole input), byte 1 the session behaviour.
  std::size_t chunk = data[0] == 0 ? size : data[0];
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  // Small limits so that the size and depth checks are reached too.
  StreamParser::Limits limits;
  limits.max_stanza_bytes = 4096;
  limits.max_depth = 16;
  Checker checker;
  StreamParser parser(checker, limits);
  checker.parser = &parser;
  checker.reset_at_restart = (data[1] & 1) != 0;
  checker.stop_after = (data[1] >> 1) & 3;
  while (!input.empty()) {
    auto result = parser.feed(input.substr(0, chunk));
    input.remove_prefix(std::min(chunk, input.size()));
    if (checker.reset_requested) {
      // The parser starts over when feed() returns: a fresh stream, nothing failed.
      if (parser.stream_open()) crash("stream open right after reset", "");
      checker.reset_requested = checker.quiet = checker.failed = false;
      continue;
    }
    if (!result.ok()) {
      if (checker.failed) crash("failure reported twice", result.error().text);
      checker.failed = checker.quiet = true;
    }
  }
  parser.reset();
  return 0;
}
