// Payloads of relay frames and their compact binary encoding (no JSON on the hot path).
// Strings are a u32 length then the bytes; enums are one byte; integers are big-endian.
//
//   hello         u16 min_version, u16 max_version, u8 role, string node_name, u64 token,
//                 u64 first_seq, u64 known_peer_token, u64 acked
//   hello_ack     u16 version, string node_name, u64 token, u64 first_seq, u64 acked
//   heartbeat     u64 token (the sender's clock; echoed back)
//   heartbeat_ack u64 token
//   stanza        facts, string xml
//   bounce        u64 ref_token, u64 ref_seq, string condition (an RFC 6120 stanza error name),
//   facts,
//                 string xml
//   delivered     u64 ref_token, u64 ref_seq
//   policy        string json
//   reachability  string remote_domain, u8 up (0 | 1)
//   ack           u64 ack point: every frame up to this number is completed
//   close         string reason
//   facts         string local_domain, string remote_domain, u8 direction, u8 auth
//                 (xmpp::PeerAuth), string stream_id
// A payload with bytes left over, an out-of-range enum or an unknown condition name is a parse
// error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/core/result.h"
#include "common/relay/frame.h"
#include "common/xmpp/s2s_stream.h"
#include "common/xmpp/stream_error.h"

namespace xf::relay {

// Which daemon one end of the link is. The gateway dials and speaks first.
enum class Role : std::uint8_t {
  edge = 1,     // The DMZ edge proxy (accepts the link).
  gateway = 2,  // The internal frontend gateway (dials the link).
};

enum class Direction : std::uint8_t {
  inbound = 1,   // From a partner server towards the internal SIP side.
  outbound = 2,  // From the internal SIP side towards a partner server.
};

// How the partner's stream was authenticated: the s2s stream's own enum, so that what the
// stream reports reaches the gateway unchanged.
using PartnerAuth = xmpp::PeerAuth;

const char* to_string(Role role);
const char* to_string(Direction direction);

// Where a stanza comes from and goes to, as the edge established it.
struct RoutingFacts {
  std::string local_domain;   // A hosted (internal SIP) domain.
  std::string remote_domain;  // The partner's domain.
  Direction direction = Direction::inbound;
  PartnerAuth auth = PartnerAuth::none;
  std::string stream_id;  // The partner stream the stanza arrived on or leaves by.
  bool operator==(const RoutingFacts&) const = default;
};

// The hellos also resume the sessions (relay::Session): each side's incarnation token, the
// oldest frame number it will (re)send, and its ack point for the peer incarnation it knows.
struct Hello {
  std::uint16_t min_version = 0;
  std::uint16_t max_version = 0;
  Role role = Role::gateway;
  std::string node_name;
  std::uint64_t token = 0;
  std::uint64_t first_seq = 1;
  std::uint64_t known_peer_token = 0;  // The edge incarnation the gateway last spoke to.
  std::uint64_t acked = 0;             // What it completed of that incarnation (ack point).
  bool operator==(const Hello&) const = default;
};
struct HelloAck {
  std::uint16_t version = 0;
  std::string node_name;
  std::uint64_t token = 0;
  std::uint64_t first_seq = 1;
  std::uint64_t acked = 0;  // What it completed of the gateway's incarnation (ack point).
  bool operator==(const HelloAck&) const = default;
};
struct Heartbeat {
  std::uint64_t token = 0;
  bool operator==(const Heartbeat&) const = default;
};
struct HeartbeatAck {
  std::uint64_t token = 0;
  bool operator==(const HeartbeatAck&) const = default;
};
struct StanzaMsg {
  RoutingFacts facts;
  std::string xml;
  bool operator==(const StanzaMsg&) const = default;
};
struct BounceMsg {
  std::uint64_t ref_seq = 0;  // The stanza frame this answers (0: not a relayed stanza).
  xmpp::StanzaError condition = xmpp::StanzaError::undefined_condition;
  RoutingFacts facts;
  std::string xml;              // The stanza that could not be delivered.
  std::uint64_t ref_token = 0;  // The incarnation that sent frame ref_seq.
  bool operator==(const BounceMsg&) const = default;
};
struct PolicyMsg {
  std::string json;
  bool operator==(const PolicyMsg&) const = default;
};
struct ReachabilityMsg {
  std::string remote_domain;
  bool up = false;
  bool operator==(const ReachabilityMsg&) const = default;
};
// The edge wrote the stanza of frame ref_seq to an authenticated partner stream.
struct DeliveredMsg {
  std::uint64_t ref_seq = 0;
  std::uint64_t ref_token = 0;  // The incarnation that sent frame ref_seq.
  bool operator==(const DeliveredMsg&) const = default;
};

struct AckMsg {
  std::uint64_t seq = 0;
  bool operator==(const AckMsg&) const = default;
};
struct CloseMsg {
  std::string reason;
  bool operator==(const CloseMsg&) const = default;
};

using Message = std::variant<Hello, HelloAck, Heartbeat, HeartbeatAck, StanzaMsg, BounceMsg,
                             PolicyMsg, ReachabilityMsg, AckMsg, CloseMsg, DeliveredMsg>;

FrameType frame_type(const Message& message);
// The payload bytes of a message.
std::string encode_payload(const Message& message);
// Decodes a frame's payload according to its type.
Result<Message> decode_payload(FrameType type, std::string_view payload);
// A whole frame (header + payload) for a message.
void append_message(std::string& out, const Message& message, std::uint64_t seq);

}  // namespace xf::relay
