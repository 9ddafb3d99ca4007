// Frames SIP messages out of a stream transport (RFC 3261 §18.3): the header block ends at the
// first empty line, and Content-Length, mandatory on streams, gives the body size. CRLFs between
// messages are keep-alives (RFC 5626 §3.5.1): a double CRLF is a ping the caller answers with a
// single CRLF pong. Sans-IO: bytes in, frames out. After an error the stream is unusable and the
// caller closes the connection (after a best-effort 400/413/513 if it can still address one).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace xf::sip {

struct FramerLimits {
  // Header block, start line included. 16 KiB holds any sane request with a long Route set;
  // libosip2's own default message bound is 8000 bytes.
  std::size_t max_header_bytes = 16 * 1024;
  // Body. Page-mode IM bodies are small (RFC 3428 §8 advises 1300 bytes), PIDF documents with
  // many tuples stay well under this.
  std::size_t max_body_bytes = 64 * 1024;
};

enum class FrameError {
  none,
  header_too_large,        // No end of headers within max_header_bytes (answer 513).
  body_too_large,          // Content-Length above max_body_bytes (answer 413).
  missing_content_length,  // A stream message without Content-Length (answer 400).
  bad_content_length,      // Content-Length is not a number, or two differ (answer 400).
};

const char* to_string(FrameError error);
// The SIP status a caller may send before closing: 513, 413 or 400.
int sip_status_for(FrameError error);

struct Frame {
  enum class Kind {
    message,  // bytes holds one complete SIP message.
    ping,     // A CRLFCRLF keep-alive; answer with "\r\n".
  };
  Kind kind = Kind::message;
  std::string bytes;
};

class StreamFramer {
 public:
  explicit StreamFramer(FramerLimits limits = {});

  // Appends bytes from the stream. Returns false once the stream is broken (see error()).
  bool feed(std::string_view bytes);

  // The next complete frame, or nullopt when more bytes are needed (or after an error).
  std::optional<Frame> next();

  FrameError error() const { return error_; }
  // Bytes held that do not yet form a frame.
  std::size_t buffered() const { return buffer_.size() - start_; }

 private:
  void compact();

  FramerLimits limits_;
  std::string buffer_;
  std::size_t start_ = 0;  // Offset of the first byte not yet framed.
  std::size_t scan_ = 0;   // Where the search for the end of headers resumes.
  FrameError error_ = FrameError::none;
};

}  // namespace xf::sip
