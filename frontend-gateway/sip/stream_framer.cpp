#include "frontend-gateway/sip/stream_framer.h"

#include "frontend-gateway/sip/sip_syntax.h"

namespace xf::sip {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

struct LengthScan {
  FrameError error = FrameError::none;
  std::size_t length = 0;
};

// Finds Content-Length (or its compact form "l") in a header block. Every occurrence must agree.
LengthScan scan_content_length(std::string_view headers, std::size_t max_body) {
  LengthScan out;
  bool found = false;
  std::size_t pos = headers.find('\n');  // Skip the start line.
  while (pos != std::string_view::npos && pos + 1 < headers.size()) {
    const std::size_t line_start = pos + 1;
    pos = headers.find('\n', line_start);
    std::string_view line = headers.substr(
        line_start, pos == std::string_view::npos ? std::string_view::npos : pos - line_start);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, colon));
    if (!iequals(name, "content-length") && !iequals(name, "l")) continue;
    const std::string_view value = trim(line.substr(colon + 1));
    if (value.empty() || value.size() > 12) {
      out.error = value.empty() ? FrameError::bad_content_length : FrameError::body_too_large;
      for (char c : value) {
        if (c < '0' || c > '9') out.error = FrameError::bad_content_length;
      }
      return out;
    }
    std::size_t n = 0;
    for (char c : value) {
      if (c < '0' || c > '9') return {FrameError::bad_content_length, 0};
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    if (found && n != out.length) return {FrameError::bad_content_length, 0};
    found = true;
    out.length = n;
  }
  if (!found) return {FrameError::missing_content_length, 0};
  if (out.length > max_body) return {FrameError::body_too_large, 0};
  return out;
}

}  // namespace

const char* to_string(FrameError error) {
  switch (error) {
    case FrameError::none: return "none";
    case FrameError::header_too_large: return "header block too large";
    case FrameError::body_too_large: return "body too large";
    case FrameError::missing_content_length: return "missing Content-Length";
    case FrameError::bad_content_length: return "bad Content-Length";
  }
  return "unknown";
}

int sip_status_for(FrameError error) {
  switch (error) {
    case FrameError::header_too_large: return 513;
    case FrameError::body_too_large: return 413;
    case FrameError::none:
    case FrameError::missing_content_length:
    case FrameError::bad_content_length: return 400;
  }
  return 400;
}

StreamFramer::StreamFramer(FramerLimits limits) : limits_(limits) {}

bool StreamFramer::feed(std::string_view bytes) {
  if (error_ != FrameError::none) return false;
  compact();
  buffer_.append(bytes);
  return true;
}

void StreamFramer::compact() {
  // Drop framed bytes once they are the larger part, so appends stay amortised O(n).
  if (start_ > 0 && start_ * 2 >= buffer_.size()) {
    buffer_.erase(0, start_);
    scan_ -= start_;
    start_ = 0;
  }
}

std::optional<Frame> StreamFramer::next() {
  if (error_ != FrameError::none) return std::nullopt;
  // Keep-alives between messages: "\r\n\r\n" is a ping, a lone "\r\n" (a pong) is skipped.
  while (start_ < buffer_.size() && (buffer_[start_] == '\r' || buffer_[start_] == '\n')) {
    if (buffer_.compare(start_, 4, "\r\n\r\n") == 0) {
      start_ += 4;
      scan_ = start_;
      return Frame{Frame::Kind::ping, {}};
    }
    if (buffer_.compare(start_, 2, "\r\n") == 0) {
      if (start_ + 2 == buffer_.size()) return std::nullopt;  // Maybe half of a ping.
      if (start_ + 3 == buffer_.size() && buffer_[start_ + 2] == '\r') return std::nullopt;
      start_ += 2;
    } else if (buffer_[start_] == '\r' && start_ + 1 == buffer_.size()) {
      return std::nullopt;
    } else {
      start_ += 1;  // A stray LF or CR: tolerated like a keep-alive.
    }
    scan_ = start_;
  }
  if (start_ >= buffer_.size()) return std::nullopt;

  if (scan_ < start_) scan_ = start_;
  // Resume 3 bytes back so that a CRLFCRLF split across feeds is still found.
  const std::size_t from = scan_ >= start_ + 3 ? scan_ - 3 : start_;
  const std::size_t end = buffer_.find("\r\n\r\n", from);
  if (end == std::string::npos) {
    scan_ = buffer_.size();
    if (buffer_.size() - start_ > limits_.max_header_bytes) {
      error_ = FrameError::header_too_large;
    }
    return std::nullopt;
  }
  const std::size_t header_len = end + 4 - start_;
  if (header_len > limits_.max_header_bytes) {
    error_ = FrameError::header_too_large;
    return std::nullopt;
  }
  const LengthScan length = scan_content_length(
      std::string_view(buffer_).substr(start_, header_len), limits_.max_body_bytes);
  if (length.error != FrameError::none) {
    error_ = length.error;
    return std::nullopt;
  }
  scan_ = end;  // Headers are complete; only the body is missing.
  if (buffer_.size() - start_ < header_len + length.length) return std::nullopt;
  Frame frame{Frame::Kind::message, buffer_.substr(start_, header_len + length.length)};
  start_ += header_len + length.length;
  scan_ = start_;
  return frame;
}

}  // namespace xf::sip
