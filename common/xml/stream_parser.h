// Sans-IO parser for one direction of an XMPP stream (RFC 6120 §4), on libxml2's push SAX2
// parser. Bytes go in through feed(); the stream header, each top-level child of the stream
// (stanzas and stream-level elements such as <features/>, <starttls/>, <db:result/>) and the
// stream close come out through the Handler. Restricted XML (RFC 6120 §11.1: DTDs, entity
// declarations and references other than the five predefined, processing instructions,
// comments) is refused with <restricted-xml/>; malformed XML with <not-well-formed/>; a
// top-level element larger than max_stanza_bytes with <policy-violation/>.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/core/result.h"
#include "common/xml/element.h"
#include "common/xmpp/stream_error.h"

namespace xf::xml {

// The attributes of <stream:stream>.
struct StreamHeader {
  std::string to;
  std::string from;
  std::string id;
  std::string version;             // "" when absent (pre-RFC 3920 peer).
  std::string lang;                // xml:lang
  std::string content_ns;          // Default namespace: "jabber:server", "jabber:client", ...
  bool declares_dialback = false;  // xmlns:db='jabber:server:dialback' was declared.
};

class StreamParser {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void on_stream_open(const StreamHeader& header) = 0;
    // A complete top-level child of the stream. Its xmlns() is resolved (jabber:server etc.).
    virtual void on_element(Element&& element) = 0;
    virtual void on_stream_close() = 0;
  };

  struct Limits {
    // RFC 6120 §13.12 forbids a limit below 10000 bytes; 65536 matches common servers.
    std::size_t max_stanza_bytes = 65536;
    // Nesting depth inside one stanza; deeper trees are refused as policy-violation.
    std::size_t max_depth = 64;
  };

  StreamParser(Handler& handler, Limits limits);
  ~StreamParser();
  StreamParser(const StreamParser&) = delete;
  StreamParser& operator=(const StreamParser&) = delete;

  // Parses bytes and calls the handler for each complete event. After a failure the parser
  // ignores further input until reset(). Handlers must not call reset() or destroy the parser
  // from inside a callback; they record what to do and act after feed() returns. Once a handler
  // has called stop(), the rest of the current chunk produces no further callbacks.
  Result<void, xmpp::StreamFailure> feed(std::string_view bytes);

  // Starts over for a new stream (after STARTTLS or SASL success): the next bytes must be a
  // fresh stream header.
  void reset();
  // Stops delivering events for the rest of the current feed() (e.g. the session is closing).
  // The bytes after the stop point are dropped, so the parser then ignores input until reset():
  // whatever follows belongs to a new stream or to nothing.
  void stop();

  bool stream_open() const;
  const Limits& limits() const { return limits_; }

 private:
  struct Impl;
  Handler& handler_;
  Limits limits_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xf::xml
