// What survives a relay connection: the numbered data frames one end sent and the peer has not
// acknowledged yet, and what it received from the peer. A Link (one connection) works on a
// Session; when the connection breaks, the next Link to the same peer resumes it, so that no
// frame is lost and none is handled twice (docs/architecture.md, "Lossless relay").
//
// Sending: every data frame is kept, encoded, until the peer acknowledges it; on a new link the
// frames the peer says it has not received are written again with their old numbers. Receiving:
// a frame is *received* when it arrives (a repeated number is a duplicate and is dropped) and
// *completed* when the application has taken responsibility for it (delivered it, queued it in a
// store of its own, or answered it with a bounce frame). The acknowledgement covers the longest
// run of completed numbers: a frame is never acknowledged before it is safe.
//
// Each process incarnation has a random token. A peer with a new token restarted: it remembers
// nothing, so everything unacknowledged goes to it again and numbering from it starts afresh.
// Verdict frames (delivered, bounce) name the frame they answer by token and number, so a
// verdict about a previous incarnation's frame is recognised as such.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "common/core/clock.h"
#include "common/core/result.h"
#include "common/relay/messages.h"

namespace xf::relay {

struct SessionLimits {
  // What one end holds for a peer that does not acknowledge (link down, peer slow). Beyond
  // either bound a new frame is refused and its sender answered with an error.
  std::size_t max_frames = 100000;
  std::size_t max_bytes = 256u * 1024 * 1024;
  // How long a frame may wait while no link to the peer is up before it is given up.
  Millis max_age_ms = 30000;
};

// Identifies a received frame across reconnects: the sending incarnation and its number.
struct Receipt {
  std::uint64_t peer_token = 0;
  std::uint64_t seq = 0;
  bool operator==(const Receipt&) const = default;
};

class Session {
 public:
  struct Stored {
    std::uint64_t seq = 0;
    FrameType type = FrameType::stanza;
    Millis queued_at = 0;
    std::string frame;  // The whole encoded frame, header included.
    // The frame's message, decoded again (for a frame given up: whom to tell).
    Result<Message> message() const;
  };

  Session(std::uint64_t token, SessionLimits limits);

  std::uint64_t token() const { return token_; }
  const SessionLimits& limits() const { return limits_; }

  // ---- sending ----
  // Numbers, encodes and keeps a data frame. Fails (limit_exceeded) when the payload exceeds
  // max_payload or the session holds max_frames or max_bytes already.
  Result<const Stored*> queue(const Message& message, Millis now, std::uint32_t max_payload);
  // The peer has everything up to seq; false when seq was never sent.
  bool acked(std::uint64_t seq);
  // The oldest number the peer may still need (next_seq when nothing waits).
  std::uint64_t first_unacked() const;
  std::uint64_t last_sent() const { return next_seq_ - 1; }
  const std::deque<Stored>& unacked() const { return unacked_; }
  std::size_t unacked_bytes() const { return unacked_bytes_; }
  // Removes and returns the frames queued before now - max_age (call while no link is up).
  std::vector<Stored> expire(Millis now);
  // When the oldest frame will be too old (kNoDeadline when none waits).
  Millis next_expiry() const;

  // ---- receiving ----
  // A link to the peer is established: its token and the first number it will send. A new
  // token resets what we received; returns true when the peer restarted.
  bool peer_hello(std::uint64_t peer_token, std::uint64_t peer_first_seq);
  std::uint64_t peer_token() const { return peer_token_; }
  // Highest number received from the current peer incarnation.
  std::uint64_t highest_received() const { return highest_received_; }
  enum class Arrival { fresh, duplicate, gap };
  // A data frame with number seq arrived.
  Arrival receive(std::uint64_t seq);
  // The application is done with a received frame; a receipt of an earlier incarnation, or one
  // completed already, is ignored.
  void complete(Receipt receipt);
  Receipt receipt(std::uint64_t seq) const { return Receipt{peer_token_, seq}; }
  // Everything up to here is completed: what the next ack frame says.
  std::uint64_t ack_point() const { return ack_point_; }
  std::uint64_t duplicates() const { return duplicates_; }

  // Link bookkeeping: a new link attaches and any older one stops using the session.
  std::uint64_t attach() { return ++generation_; }
  std::uint64_t generation() const { return generation_; }
  // The ack point last sent to the peer (to send an ack only when it moved).
  std::uint64_t ack_sent = 0;

 private:
  std::uint64_t token_;
  SessionLimits limits_;
  std::uint64_t next_seq_ = 1;
  std::deque<Stored> unacked_;
  std::size_t unacked_bytes_ = 0;

  std::uint64_t peer_token_ = 0;
  std::uint64_t highest_received_ = 0;
  std::uint64_t ack_point_ = 0;
  // done_[i] tells whether frame ack_point_ + 1 + i is completed.
  std::deque<bool> done_;
  std::uint64_t duplicates_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace xf::relay
