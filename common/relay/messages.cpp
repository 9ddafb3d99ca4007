#include "common/relay/messages.h"

#include <optional>

#include "common/relay/wire.h"

namespace xf::relay {

const char* to_string(Role role) {
  switch (role) {
    case Role::edge: return "edge";
    case Role::gateway: return "gateway";
  }
  return "unknown";
}

const char* to_string(Direction direction) {
  switch (direction) {
    case Direction::inbound: return "inbound";
    case Direction::outbound: return "outbound";
  }
  return "unknown";
}

namespace {

void put_facts(std::string& out, const RoutingFacts& f) {
  wire::put_string(out, f.local_domain);
  wire::put_string(out, f.remote_domain);
  wire::put_u8(out, static_cast<std::uint8_t>(f.direction));
  wire::put_u8(out, static_cast<std::uint8_t>(f.auth));
  wire::put_string(out, f.stream_id);
}

// Range checks happen here so that no out-of-range value is ever cast to an enum.
bool read_facts(wire::Reader& r, RoutingFacts& f) {
  f.local_domain = r.string();
  f.remote_domain = r.string();
  std::uint8_t direction = r.u8();
  std::uint8_t auth = r.u8();
  f.stream_id = r.string();
  if (!r.ok()) return false;
  if (direction != static_cast<std::uint8_t>(Direction::inbound) &&
      direction != static_cast<std::uint8_t>(Direction::outbound)) {
    return false;
  }
  if (auth > static_cast<std::uint8_t>(PartnerAuth::tls_verified)) return false;
  f.direction = static_cast<Direction>(direction);
  f.auth = static_cast<PartnerAuth>(auth);
  return true;
}

struct Encoder {
  std::string& out;
  void operator()(const Hello& m) {
    wire::put_u16(out, m.min_version);
    wire::put_u16(out, m.max_version);
    wire::put_u8(out, static_cast<std::uint8_t>(m.role));
    wire::put_string(out, m.node_name);
    wire::put_u64(out, m.token);
    wire::put_u64(out, m.first_seq);
    wire::put_u64(out, m.known_peer_token);
    wire::put_u64(out, m.acked);
  }
  void operator()(const HelloAck& m) {
    wire::put_u16(out, m.version);
    wire::put_string(out, m.node_name);
    wire::put_u64(out, m.token);
    wire::put_u64(out, m.first_seq);
    wire::put_u64(out, m.acked);
  }
  void operator()(const Heartbeat& m) { wire::put_u64(out, m.token); }
  void operator()(const HeartbeatAck& m) { wire::put_u64(out, m.token); }
  void operator()(const StanzaMsg& m) {
    put_facts(out, m.facts);
    wire::put_string(out, m.xml);
  }
  void operator()(const BounceMsg& m) {
    wire::put_u64(out, m.ref_token);
    wire::put_u64(out, m.ref_seq);
    wire::put_string(out, xmpp::to_string(m.condition));
    put_facts(out, m.facts);
    wire::put_string(out, m.xml);
  }
  void operator()(const PolicyMsg& m) { wire::put_string(out, m.json); }
  void operator()(const ReachabilityMsg& m) {
    wire::put_string(out, m.remote_domain);
    wire::put_u8(out, m.up ? 1 : 0);
  }
  void operator()(const AckMsg& m) { wire::put_u64(out, m.seq); }
  void operator()(const CloseMsg& m) { wire::put_string(out, m.reason); }
  void operator()(const DeliveredMsg& m) {
    wire::put_u64(out, m.ref_token);
    wire::put_u64(out, m.ref_seq);
  }
};

struct TypeOf {
  FrameType operator()(const Hello&) const { return FrameType::hello; }
  FrameType operator()(const HelloAck&) const { return FrameType::hello_ack; }
  FrameType operator()(const Heartbeat&) const { return FrameType::heartbeat; }
  FrameType operator()(const HeartbeatAck&) const { return FrameType::heartbeat_ack; }
  FrameType operator()(const StanzaMsg&) const { return FrameType::stanza; }
  FrameType operator()(const BounceMsg&) const { return FrameType::bounce; }
  FrameType operator()(const PolicyMsg&) const { return FrameType::policy; }
  FrameType operator()(const ReachabilityMsg&) const { return FrameType::reachability; }
  FrameType operator()(const AckMsg&) const { return FrameType::ack; }
  FrameType operator()(const CloseMsg&) const { return FrameType::close; }
  FrameType operator()(const DeliveredMsg&) const { return FrameType::delivered; }
};

Unexpected<Error> bad_payload(FrameType type) {
  return fail(Errc::parse_error,
              std::string("relay frame: malformed ") + to_string(type) + " payload");
}

}  // namespace

FrameType frame_type(const Message& message) { return std::visit(TypeOf{}, message); }

std::string encode_payload(const Message& message) {
  std::string out;
  std::visit(Encoder{out}, message);
  return out;
}

void append_message(std::string& out, const Message& message, std::uint64_t seq) {
  append_frame(out, frame_type(message), seq, encode_payload(message));
}

Result<Message> decode_payload(FrameType type, std::string_view payload) {
  wire::Reader r(payload);
  Message message;
  bool valid = true;
  switch (type) {
    case FrameType::hello: {
      Hello m;
      m.min_version = r.u16();
      m.max_version = r.u16();
      std::uint8_t role = r.u8();
      m.node_name = r.string();
      m.token = r.u64();
      m.first_seq = r.u64();
      m.known_peer_token = r.u64();
      m.acked = r.u64();
      valid = role == static_cast<std::uint8_t>(Role::edge) ||
              role == static_cast<std::uint8_t>(Role::gateway);
      if (valid) m.role = static_cast<Role>(role);
      message = std::move(m);
      break;
    }
    case FrameType::hello_ack: {
      HelloAck m;
      m.version = r.u16();
      m.node_name = r.string();
      m.token = r.u64();
      m.first_seq = r.u64();
      m.acked = r.u64();
      message = std::move(m);
      break;
    }
    case FrameType::heartbeat: message = Heartbeat{r.u64()}; break;
    case FrameType::heartbeat_ack: message = HeartbeatAck{r.u64()}; break;
    case FrameType::stanza: {
      StanzaMsg m;
      valid = read_facts(r, m.facts);
      m.xml = r.string();
      message = std::move(m);
      break;
    }
    case FrameType::bounce: {
      BounceMsg m;
      m.ref_token = r.u64();
      m.ref_seq = r.u64();
      std::optional<xmpp::StanzaError> condition = xmpp::parse_stanza_error(r.string());
      valid = read_facts(r, m.facts) && condition.has_value();
      if (condition) m.condition = *condition;
      m.xml = r.string();
      message = std::move(m);
      break;
    }
    case FrameType::policy: message = PolicyMsg{r.string()}; break;
    case FrameType::reachability: {
      ReachabilityMsg m;
      m.remote_domain = r.string();
      std::uint8_t up = r.u8();
      valid = up <= 1;
      m.up = up == 1;
      message = std::move(m);
      break;
    }
    case FrameType::ack: message = AckMsg{r.u64()}; break;
    case FrameType::close: message = CloseMsg{r.string()}; break;
    case FrameType::delivered: {
      DeliveredMsg m;
      m.ref_token = r.u64();
      m.ref_seq = r.u64();
      message = m;
      break;
    }
    default: valid = false;
  }
  if (!valid || !r.ok() || !r.at_end()) return bad_payload(type);
  return message;
}

}  // namespace xf::relay
