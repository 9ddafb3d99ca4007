#include "common/relay/frame_decoder.h"

#include <algorithm>

namespace xf::relay {

Status FrameDecoder::feed(std::string_view bytes, std::vector<Frame>& out) {
  if (failed_) return fail(error_);
  while (!bytes.empty()) {
    if (!in_payload_) {
      std::size_t n = std::min(bytes.size(), kHeaderBytes - header_fill_);
      std::copy_n(bytes.data(), n, header_ + header_fill_);
      header_fill_ += n;
      bytes.remove_prefix(n);
      if (header_fill_ < kHeaderBytes) break;
      auto header = parse_header(std::string_view(header_, kHeaderBytes), max_payload_);
      if (!header) {
        failed_ = true;
        error_ = header.error();
        return fail(error_);
      }
      current_ = Frame{header->type, header->flags, header->seq, {}};
      current_.payload.reserve(header->length);
      payload_length_ = header->length;
      in_payload_ = true;
    }
    std::size_t n = std::min<std::size_t>(bytes.size(), payload_length_ - current_.payload.size());
    current_.payload.append(bytes.data(), n);
    bytes.remove_prefix(n);
    if (current_.payload.size() == payload_length_) {
      out.push_back(std::move(current_));
      current_ = Frame{};
      header_fill_ = 0;
      in_payload_ = false;
    }
  }
  return {};
}

}  // namespace xf::relay
