// Incremental relay frame decoder: bytes in any split, complete frames out. It holds at most one
// partial frame (header + payload up to the payload limit), and a length above the limit is an
// error as soon as the header is complete, before any payload is buffered.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"
#include "common/relay/frame.h"

namespace xf::relay {

class FrameDecoder {
 public:
  explicit FrameDecoder(std::uint32_t max_payload = kDefaultMaxPayloadBytes)
      : max_payload_(max_payload) {}

  // Consumes all of bytes, appending every frame it completes to out. After an error the
  // decoder stays failed (the link must be closed): later calls return the same error.
  Status feed(std::string_view bytes, std::vector<Frame>& out);

  bool failed() const { return failed_; }
  // Bytes of the frame in progress (0 between frames).
  std::size_t buffered() const { return header_fill_ + current_.payload.size(); }
  std::uint32_t max_payload() const { return max_payload_; }

 private:
  std::uint32_t max_payload_;
  char header_[kHeaderBytes] = {};
  std::size_t header_fill_ = 0;
  bool in_payload_ = false;
  std::uint32_t payload_length_ = 0;
  Frame current_;
  bool failed_ = false;
  Error error_;
};

}  // namespace xf::relay
