// libFuzzer target: relay frames from an untrusted peer. Arbitrary bytes go through the frame
// decoder (split in two at a point taken from the input, so that incremental decoding is
// exercised), every complete frame through the payload decoder, and the same bytes through an
// edge-side Link, which must never crash and must end closed or quiet.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/relay/frame_decoder.h"
#include "common/relay/link.h"
#include "common/relay/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xf::relay;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::size_t split = size == 0 ? 0 : data[0] % (size + 1);

  // Small payload limit so that the limit check is reachable.
  FrameDecoder decoder(64 * 1024);
  std::vector<Frame> frames;
  if (decoder.feed(bytes.substr(0, split), frames).ok()) {
    (void)decoder.feed(bytes.substr(split), frames);
  }
  for (const Frame& frame : frames) {
    auto message = decode_payload(frame.type, frame.payload);
    if (message.ok()) {
      // Re-encoding a decoded message gives back the same payload.
      if (encode_payload(*message) != frame.payload) __builtin_trap();
    }
  }

  // The edge side of a link: first a valid hello so that data frames get past the handshake.
  LinkConfig config;
  config.role = Role::edge;
  config.node_name = "edge";
  Link link(config);
  link.start(0);
  std::string hello;
  append_message(hello, Hello{kLinkProtocolVersion, kLinkProtocolVersion, Role::gateway, "gw"}, 0);
  (void)link.feed(hello, 1);
  (void)link.feed(bytes.substr(0, split), 2);
  (void)link.feed(bytes.substr(split), 3);
  (void)link.on_timer(100000);
  std::string out;
  link.take_output(out);
  return 0;
}
