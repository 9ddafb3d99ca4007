// Relay link framing: every message between gateway and edge is one frame. All integers are in
// network byte order.
//
//   offset size field
//   0      2    magic 'X' 'F'
//   2      1    frame format version (kFrameVersion)
//   3      1    type (FrameType)
//   4      2    flags (none defined yet; carried through unchanged)
//   6      2    reserved, must be zero
//   8      4    payload length (at most the decoder's max_payload, kDefaultMaxPayloadBytes)
//   12     8    sequence number: per direction, from 1, +1 per data-bearing frame; 0 on control
//                frames
//   20     ...  payload (layout per type, see messages.h)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/core/result.h"

namespace xf::relay {

inline constexpr std::uint8_t kMagic0 = 'X';
inline constexpr std::uint8_t kMagic1 = 'F';
inline constexpr std::uint8_t kFrameVersion = 1;
inline constexpr std::size_t kHeaderBytes = 20;
// Large enough for any stanza an edge accepts (its own limit is far lower) plus routing facts,
// small enough that a corrupt length cannot make either side allocate much.
inline constexpr std::uint32_t kDefaultMaxPayloadBytes = 1024 * 1024;

enum class FrameType : std::uint8_t {
  hello = 1,          // Initiator (gateway) offers a version range, names itself and its role.
  hello_ack = 2,      // Responder (edge) picks the version and names itself.
  heartbeat = 3,      // Liveness probe, echoed by heartbeat_ack.
  heartbeat_ack = 4,  // Answer to a heartbeat, echoing its token.
  stanza = 5,         // A stanza with its routing facts (data).
  bounce = 6,         // A stanza that could not be delivered, with the condition (data).
  policy = 7,         // Partner policy as JSON text, gateway to edge (data).
  reachability = 8,   // A remote domain became reachable or unreachable (data).
  ack = 9,            // Highest data sequence number received so far.
  close = 10,         // The sender closes the link; payload says why.
  delivered = 11,     // A stanza frame's stanza went out on an authenticated partner stream (data).
};

const char* to_string(FrameType type);
bool is_known_frame_type(std::uint8_t value);
// Data frames carry a sequence number and are acknowledged; control frames carry 0.
bool is_data_frame(FrameType type);

struct FrameHeader {
  FrameType type = FrameType::heartbeat;
  std::uint16_t flags = 0;
  std::uint32_t length = 0;
  std::uint64_t seq = 0;
};

struct Frame {
  FrameType type = FrameType::heartbeat;
  std::uint16_t flags = 0;
  std::uint64_t seq = 0;
  std::string payload;
};

// Appends one encoded frame to out.
void append_frame(std::string& out, FrameType type, std::uint64_t seq, std::string_view payload,
                  std::uint16_t flags = 0);
std::string encode_frame(const Frame& frame);

// Parses and checks a header from exactly kHeaderBytes bytes: magic, version, known type,
// reserved bits, and length against max_payload (before anything is allocated for it).
Result<FrameHeader> parse_header(std::string_view bytes, std::uint32_t max_payload);

}  // namespace xf::relay
