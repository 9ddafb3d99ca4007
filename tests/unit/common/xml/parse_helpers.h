// Drives a StreamParser over one input fed whole, byte by byte and split at every point, and
// records what the handler saw, so that each test states its expectations once.
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/xml/element.h"
#include "common/xml/stream_parser.h"

namespace xf::xml::test {

inline constexpr std::string_view kHeader =
    "<?xml version='1.0'?>"
    "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
    "xmlns:db='jabber:server:dialback' to='example.org' from='partner.example' id='s2s-1' "
    "version='1.0' xml:lang='en'>";

// What one run produced: events in order ("open ...", a serialized element, "close") and the
// failure that ended it, if any.
struct Outcome {
  std::vector<std::string> events;
  std::vector<Element> elements;
  std::optional<StreamHeader> header;
  std::optional<xmpp::StreamFailure> failure;
  bool ignored_after_failure = true;  // feed() after the failure returned ok with no events.
};

class Recorder : public StreamParser::Handler {
 public:
  explicit Recorder(Outcome& out) : out_(out) {}
  void on_stream_open(const StreamHeader& h) override {
    out_.header = h;
    content_ns_ = h.content_ns;
    out_.events.push_back("open to=" + h.to + " from=" + h.from + " id=" + h.id +
                          " version=" + h.version + " lang=" + h.lang + " ns=" + h.content_ns +
                          " db=" + (h.declares_dialback ? "1" : "0"));
    if (on_open) on_open();
  }
  void on_element(Element&& element) override {
    out_.events.push_back(to_string(element, content_ns_));
    out_.elements.push_back(std::move(element));
    if (on_elem) on_elem(out_.elements.back());
  }
  void on_stream_close() override { out_.events.push_back("close"); }

  std::function<void()> on_open;
  std::function<void(const Element&)> on_elem;

 private:
  Outcome& out_;
  std::string content_ns_;
};

// Feeds the pieces of input between the cut offsets (sorted, within the input).
inline Outcome run_pieces(std::string_view input, const std::vector<std::size_t>& cuts,
                          StreamParser::Limits limits = {}) {
  Outcome out;
  Recorder recorder(out);
  StreamParser parser(recorder, limits);
  std::size_t begin = 0;
  auto feed = [&](std::string_view piece) {
    auto result = parser.feed(piece);
    if (!result.ok()) out.failure = result.error();
  };
  for (std::size_t cut : cuts) {
    if (out.failure) break;
    feed(input.substr(begin, cut - begin));
    begin = cut;
  }
  if (!out.failure) feed(input.substr(begin));
  if (out.failure) {
    std::size_t events = out.events.size();
    auto again = parser.feed("<message/>");
    out.ignored_after_failure = again.ok() && out.events.size() == events;
  }
  return out;
}

inline Outcome run_whole(std::string_view input, StreamParser::Limits limits = {}) {
  return run_pieces(input, {}, limits);
}

// Calls check for the input fed whole, byte by byte, and split in two at every offset.
inline void for_all_splits(std::string_view input, const std::function<void(const Outcome&)>& check,
                           StreamParser::Limits limits = {}) {
  {
    INFO("fed whole");
    check(run_whole(input, limits));
  }
  {
    INFO("fed byte by byte");
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
    check(run_pieces(input, cuts, limits));
  }
  for (std::size_t i = 1; i < input.size(); ++i) {
    INFO("split at " << i << ": [" << input.substr(0, i) << "] [" << input.substr(i) << "]");
    check(run_pieces(input, {i}, limits));
  }
}

// The common case: every way of feeding gives exactly these events and this failure.
inline void expect_all_splits(std::string_view input, const std::vector<std::string>& events,
                              std::optional<xmpp::StreamError> failure = std::nullopt,
                              StreamParser::Limits limits = {}) {
  INFO("input: " << input);
  for_all_splits(
      input,
      [&](const Outcome& out) {
        CHECK(out.events == events);
        if (failure) {
          REQUIRE(out.failure.has_value());
          CHECK(xmpp::to_string(out.failure->condition) == xmpp::to_string(*failure));
          CHECK(out.ignored_after_failure);
        } else {
          INFO("failure: " << (out.failure ? out.failure->text : ""));
          CHECK_FALSE(out.failure.has_value());
        }
      },
      limits);
}

}  // namespace xf::xml::test
