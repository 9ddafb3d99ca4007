// One end of the relay link as a sans-IO state machine: bytes and `now` in, events and bytes
// out, next deadline exposed. The owner (a net::Connection) feeds what it reads, writes what
// take_output() returns, calls on_timer() at next_deadline(), and closes the socket once the
// link reports LinkClosed (after writing the remaining output, which holds our close frame).
//
// Handshake: the gateway (which dials) sends hello{min,max version, name, role, session}; the
// edge picks the highest version both support and answers hello_ack{version, name, session}, or
// sends close with a reason when there is none. Data frames (stanza, bounce, delivered, policy,
// reachability) are numbered per direction and kept in a relay::Session that outlives the link:
// the hellos say what each side received, and the frames the peer lacks are written again on
// the new link with their old numbers. A repeated number is dropped as a duplicate, a gap is a
// protocol error. Acks carry the receiver's completion point (Session::ack_point). Heartbeats go
// out every heartbeat interval once the link is up; a peer silent for the dead-peer timeout is
// reported dead.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/core/clock.h"
#include "common/core/result.h"
#include "common/relay/frame_decoder.h"
#include "common/relay/messages.h"
#include "common/relay/session.h"

namespace xf::relay {

// The link protocol version this code speaks (negotiated in hello; distinct from the frame
// format version in every header).
// Version 2 resumes sessions across connections (tokens and positions in the hellos).
inline constexpr std::uint16_t kLinkProtocolVersion = 2;

// Short enough that a dead edge is noticed well before partner stanzas time out (30 s).
inline constexpr Millis kDefaultHeartbeatIntervalMs = 10000;
// Three missed heartbeats: one lost or late heartbeat never kills a healthy link.
inline constexpr Millis kDefaultDeadPeerTimeoutMs = 30000;

struct LinkConfig {
  Role role = Role::gateway;
  std::string node_name;
  std::uint16_t min_version = kLinkProtocolVersion;
  std::uint16_t max_version = kLinkProtocolVersion;
  // Both daemons are on a LAN: a peer that cannot finish the handshake in 10 s is broken.
  Millis hello_timeout_ms = 10000;
  Millis heartbeat_interval_ms = kDefaultHeartbeatIntervalMs;
  Millis dead_peer_timeout_ms = kDefaultDeadPeerTimeoutMs;
  std::uint32_t max_payload_bytes = kDefaultMaxPayloadBytes;
  // The session the link resumes. The gateway names it before start(); the edge learns the
  // peer's name from its hello and asks session_for (null: the link is refused). With neither,
  // the link keeps a session of its own that ends with it.
  Session* session = nullptr;
  std::function<Session*(const std::string& peer_name)> session_for;
};

// Why a link ended.
enum class CloseCause {
  local,             // This side called close().
  superseded,        // A newer link to the same peer took over the session.
  peer_closed,       // The peer sent a close frame (its reason is in LinkClosed::reason).
  protocol_error,    // The peer broke the framing or the link protocol.
  version_mismatch,  // No common protocol version (or the peer picked one we did not offer).
  hello_timeout,     // The handshake did not complete in time.
  dead_peer,         // Nothing was received for the dead-peer timeout.
};
const char* to_string(CloseCause cause);

struct LinkEstablished {
  std::string peer_name;
  std::uint16_t version = 0;
  Role peer_role = Role::edge;
};
// A stanza frame; the application completes its receipt (Session::complete) once it has taken
// responsibility for it, and only then is it acknowledged. Other data frames are completed on
// arrival.
struct StanzaReceived {
  std::uint64_t seq = 0;
  StanzaMsg stanza;
  Receipt receipt;
};
struct BounceReceived {
  std::uint64_t seq = 0;
  BounceMsg bounce;
};
struct PolicyReceived {
  std::uint64_t seq = 0;
  PolicyMsg policy;
};
struct ReachabilityReceived {
  std::uint64_t seq = 0;
  ReachabilityMsg reachability;
};
struct DeliveredReceived {
  std::uint64_t seq = 0;
  DeliveredMsg delivered;
};
struct AckReceived {
  std::uint64_t seq = 0;  // The peer has everything up to and including this number.
};
// The last event of a link; nothing follows it.
struct LinkClosed {
  CloseCause cause = CloseCause::local;
  std::string reason;
};

using LinkEvent = std::variant<LinkEstablished, StanzaReceived, BounceReceived, PolicyReceived,
                               ReachabilityReceived, AckReceived, DeliveredReceived, LinkClosed>;

class Link {
 public:
  enum class State {
    idle,         // Constructed, start() not called yet.
    handshaking,  // Waiting for hello (edge) or hello_ack (gateway).
    established,  // Data flows.
    closed,       // Done; only take_output() is still useful.
  };

  explicit Link(LinkConfig config);

  // Arms the hello timeout; the gateway also queues its hello.
  void start(Millis now);
  // Bytes read from the peer.
  std::vector<LinkEvent> feed(std::string_view bytes, Millis now);
  // Heartbeats, dead-peer detection and the hello timeout; call at next_deadline().
  std::vector<LinkEvent> on_timer(Millis now);
  Millis next_deadline() const;

  // Any data message (stanza, bounce, delivered, policy, reachability).
  Result<std::uint64_t> send(const Message& message) { return send_data(message); }
  // Data frames; each returns the sequence number it used. They fail unless established, and
  // with limit_exceeded when the payload would exceed max_payload_bytes.
  Result<std::uint64_t> send_stanza(const RoutingFacts& facts, std::string_view xml);
  // Edge -> gateway: what became of the stanza in the gateway's frame ref_seq.
  Result<std::uint64_t> send_bounce(Receipt ref, xmpp::StanzaError condition,
                                    const RoutingFacts& facts, std::string_view xml);
  Result<std::uint64_t> send_delivered(Receipt ref);
  Result<std::uint64_t> send_policy(std::string_view json);
  Result<std::uint64_t> send_reachability(std::string_view remote_domain, bool up);
  // Acknowledges everything completed so far, when that moved since the last ack.
  void send_ack();
  // Completes a received stanza (see StanzaReceived) and acknowledges what that allows.
  void complete(Receipt receipt);
  // Queues a close frame and ends the link. Idempotent; no event is reported for it.
  void close(std::string_view reason);

  // Appends the bytes to write to the peer, and forgets them.
  void take_output(std::string& out);
  bool has_output() const { return !output_.empty(); }

  State state() const { return state_; }
  bool established() const { return state_ == State::established; }
  bool closed() const { return state_ == State::closed; }
  const LinkConfig& config() const { return config_; }
  const std::string& peer_name() const { return peer_name_; }
  std::uint16_t version() const { return version_; }
  Session& session() { return *session_; }
  const Session& session() const { return *session_; }
  // The edge's link has no session until the gateway's hello names it.
  bool has_session() const { return session_ != nullptr; }
  std::uint64_t last_sent_seq() const { return session_ ? session_->last_sent() : 0; }
  std::uint64_t highest_received() const { return session_ ? session_->highest_received() : 0; }
  std::uint64_t peer_acked() const { return peer_acked_; }
  std::uint64_t duplicates_dropped() const { return duplicates_dropped_; }
  // Round trip of the last answered heartbeat, -1 before the first.
  Millis rtt() const { return rtt_; }

 private:
  void handle_frame(Frame& frame, Millis now, std::vector<LinkEvent>& events);
  void handle_hello(const Hello& hello, std::vector<LinkEvent>& events);
  void handle_hello_ack(const HelloAck& ack, std::vector<LinkEvent>& events);
  void handle_data(Frame& frame, std::vector<LinkEvent>& events);
  void attach(Session* session);
  // The frames the peer lacks, again, after the hellos settled what it has.
  void resend();
  bool superseded(std::vector<LinkEvent>& events);
  void established_now(std::string peer_name, std::uint16_t version, Role peer_role,
                       std::vector<LinkEvent>& events);
  Result<std::uint64_t> send_data(const Message& message);
  void end(CloseCause cause, std::string reason, std::vector<LinkEvent>& events);

  LinkConfig config_;
  FrameDecoder decoder_;
  State state_ = State::idle;
  std::string output_;
  std::string peer_name_;
  std::uint16_t version_ = 0;
  std::unique_ptr<Session> own_session_;
  Session* session_ = nullptr;
  std::uint64_t generation_ = 0;
  Millis now_ = 0;  // The latest time fed in; frames are stamped with it.
  std::uint64_t peer_acked_ = 0;
  std::uint64_t duplicates_dropped_ = 0;
  Millis hello_deadline_ = kNoDeadline;
  Millis next_heartbeat_ = kNoDeadline;
  Millis last_received_ = 0;
  Millis rtt_ = -1;
  std::vector<Frame> frames_;  // Scratch for feed(), kept to reuse its capacity.
};

}  // namespace xf::relay
