#include "common/relay/frame.h"

#include "common/relay/wire.h"

namespace xf::relay {

const char* to_string(FrameType type) {
  switch (type) {
    case FrameType::hello: return "hello";
    case FrameType::hello_ack: return "hello_ack";
    case FrameType::heartbeat: return "heartbeat";
    case FrameType::heartbeat_ack: return "heartbeat_ack";
    case FrameType::stanza: return "stanza";
    case FrameType::bounce: return "bounce";
    case FrameType::policy: return "policy";
    case FrameType::reachability: return "reachability";
    case FrameType::ack: return "ack";
    case FrameType::close: return "close";
    case FrameType::delivered: return "delivered";
  }
  return "unknown";
}

bool is_known_frame_type(std::uint8_t value) {
  return value >= static_cast<std::uint8_t>(FrameType::hello) &&
         value <= static_cast<std::uint8_t>(FrameType::delivered);
}

bool is_data_frame(FrameType type) {
  switch (type) {
    case FrameType::stanza:
    case FrameType::bounce:
    case FrameType::policy:
    case FrameType::reachability:
    case FrameType::delivered: return true;
    default: return false;
  }
}

void append_frame(std::string& out, FrameType type, std::uint64_t seq, std::string_view payload,
                  std::uint16_t flags) {
  out.reserve(out.size() + kHeaderBytes + payload.size());
  wire::put_u8(out, kMagic0);
  wire::put_u8(out, kMagic1);
  wire::put_u8(out, kFrameVersion);
  wire::put_u8(out, static_cast<std::uint8_t>(type));
  wire::put_u16(out, flags);
  wire::put_u16(out, 0);
  wire::put_u32(out, static_cast<std::uint32_t>(payload.size()));
  wire::put_u64(out, seq);
  out.append(payload);
}

std::string encode_frame(const Frame& frame) {
  std::string out;
  append_frame(out, frame.type, frame.seq, frame.payload, frame.flags);
  return out;
}

Result<FrameHeader> parse_header(std::string_view bytes, std::uint32_t max_payload) {
  if (bytes.size() != kHeaderBytes) {
    return fail(Errc::internal, "relay frame header needs exactly 20 bytes");
  }
  wire::Reader r(bytes);
  std::uint8_t m0 = r.u8();
  std::uint8_t m1 = r.u8();
  if (m0 != kMagic0 || m1 != kMagic1) return fail(Errc::parse_error, "relay frame: bad magic");
  std::uint8_t version = r.u8();
  if (version != kFrameVersion) {
    return fail(Errc::parse_error,
                "relay frame: unsupported frame version " + std::to_string(version));
  }
  std::uint8_t type = r.u8();
  if (!is_known_frame_type(type)) {
    return fail(Errc::parse_error, "relay frame: unknown type " + std::to_string(type));
  }
  FrameHeader h;
  h.type = static_cast<FrameType>(type);
  h.flags = r.u16();
  if (r.u16() != 0) return fail(Errc::parse_error, "relay frame: reserved bits set");
  h.length = r.u32();
  h.seq = r.u64();
  if (h.length > max_payload) {
    return fail(Errc::limit_exceeded, "relay frame: payload of " + std::to_string(h.length) +
                                          " bytes exceeds the limit of " +
                                          std::to_string(max_payload));
  }
  return h;
}

}  // namespace xf::relay
