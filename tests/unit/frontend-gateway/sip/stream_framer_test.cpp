#include "frontend-gateway/sip/stream_framer.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

using xf::sip::Frame;
using xf::sip::FrameError;
using xf::sip::FramerLimits;
using xf::sip::StreamFramer;

const std::string kFirst =
    "MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\n"
    "To: <sip:b@x>\r\nCall-ID: 1\r\nCSeq: 1 MESSAGE\r\nContent-Length: 5\r\n\r\nhello";
const std::string kSecond =
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK2\r\nFrom: <sip:a@x>;tag=1\r\n"
    "To: <sip:b@x>;tag=2\r\nCall-ID: 2\r\nCSeq: 2 MESSAGE\r\nl: 0\r\n\r\n";

// What a framer makes of a stream delivered in the given pieces: "P" for a ping, else the frame.
std::vector<std::string> run(const std::vector<std::string>& pieces, FramerLimits limits = {},
                             FrameError* error = nullptr) {
  StreamFramer framer(limits);
  std::vector<std::string> out;
  for (const auto& piece : pieces) {
    framer.feed(piece);
    while (auto frame = framer.next()) {
      out.push_back(frame->kind == Frame::Kind::ping ? "P" : frame->bytes);
    }
  }
  if (error != nullptr) *error = framer.error();
  return out;
}

}  // namespace

TEST_CASE("StreamFramer frames messages and keep-alives at every split point", "[unit][sip]") {
  // A pong (lone CRLF) before the first message, a ping between the two.
  const std::string stream = "\r\n" + kFirst + "\r\n\r\n" + kSecond;
  const std::vector<std::string> expected = {kFirst, "P", kSecond};
  CHECK(run({stream}) == expected);
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    INFO("split at " << split);
    CHECK(run({stream.substr(0, split), stream.substr(split)}) == expected);
  }
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  CHECK(run(bytes) == expected);
}

TEST_CASE("StreamFramer waits for the whole body", "[unit][sip]") {
  StreamFramer framer;
  framer.feed(kFirst.substr(0, kFirst.size() - 1));
  CHECK_FALSE(framer.next().has_value());
  CHECK(framer.error() == FrameError::none);
  framer.feed("o");
  auto frame = framer.next();
  REQUIRE(frame.has_value());
  CHECK(frame->bytes == kFirst);
  CHECK(framer.buffered() == 0);
}

TEST_CASE("StreamFramer enforces its header limit", "[unit][sip]") {
  FramerLimits limits;
  limits.max_header_bytes = 64;
  FrameError error = FrameError::none;
  // Header block never ends: refused once more than the limit is buffered.
  const std::string endless = "MESSAGE sip:b@x SIP/2.0\r\nX-Pad: " + std::string(100, 'a');
  for (std::size_t split = 0; split <= endless.size(); split += 7) {
    CHECK(run({endless.substr(0, split), endless.substr(split)}, limits, &error).empty());
    CHECK(error == FrameError::header_too_large);
  }
  // A complete but too long header block.
  CHECK(run({kFirst}, limits, &error).empty());
  CHECK(error == FrameError::header_too_large);
  CHECK(xf::sip::sip_status_for(FrameError::header_too_large) == 513);
  // Exactly at the limit is fine.
  const std::string head = "OPTIONS sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n";
  limits.max_header_bytes = head.size();
  CHECK(run({head}, limits, &error) == std::vector<std::string>{head});
  CHECK(error == FrameError::none);
}

TEST_CASE("StreamFramer enforces its body limit and needs Content-Length", "[unit][sip]") {
  FramerLimits limits;
  limits.max_body_bytes = 4;
  FrameError error = FrameError::none;
  CHECK(run({kFirst}, limits, &error).empty());
  CHECK(error == FrameError::body_too_large);
  CHECK(xf::sip::sip_status_for(error) == 413);

  CHECK(
      run({"OPTIONS sip:x SIP/2.0\r\nContent-Length: 99999999999999\r\n\r\n"}, {}, &error).empty());
  CHECK(error == FrameError::body_too_large);

  CHECK(run({"OPTIONS sip:x SIP/2.0\r\nVia: x\r\n\r\n"}, {}, &error).empty());
  CHECK(error == FrameError::missing_content_length);
  CHECK(xf::sip::sip_status_for(error) == 400);

  CHECK(run({"OPTIONS sip:x SIP/2.0\r\nContent-Length: 1x\r\n\r\n"}, {}, &error).empty());
  CHECK(error == FrameError::bad_content_length);

  CHECK(run({"OPTIONS sip:x SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab"}, {}, &error).empty());
  CHECK(error == FrameError::bad_content_length);

  // After an error the framer stays broken.
  StreamFramer framer(limits);
  framer.feed(kFirst);
  CHECK_FALSE(framer.next().has_value());
  CHECK_FALSE(framer.feed(kSecond));
  CHECK_FALSE(framer.next().has_value());
}
