#include "common/relay/session.h"

#include <algorithm>

namespace xf::relay {

Result<Message> Session::Stored::message() const {
  return decode_payload(type, std::string_view(frame).substr(kHeaderBytes));
}

Session::Session(std::uint64_t token, SessionLimits limits) : token_(token), limits_(limits) {}

Result<const Session::Stored*> Session::queue(const Message& message, Millis now,
                                              std::uint32_t max_payload) {
  std::string payload = encode_payload(message);
  if (payload.size() > max_payload) {
    return fail(Errc::limit_exceeded, "relay payload of " + std::to_string(payload.size()) +
                                          " bytes exceeds the frame limit");
  }
  if (unacked_.size() >= limits_.max_frames ||
      unacked_bytes_ + payload.size() > limits_.max_bytes) {
    return fail(Errc::limit_exceeded, "the relay holds " + std::to_string(unacked_.size()) +
                                          " unacknowledged frames (" +
                                          std::to_string(unacked_bytes_) + " bytes)");
  }
  Stored stored{next_seq_++, frame_type(message), now, std::string()};
  append_frame(stored.frame, stored.type, stored.seq, payload);
  unacked_bytes_ += stored.frame.size();
  unacked_.push_back(std::move(stored));
  return &unacked_.back();
}

bool Session::acked(std::uint64_t seq) {
  if (seq >= next_seq_) return false;
  while (!unacked_.empty() && unacked_.front().seq <= seq) {
    unacked_bytes_ -= unacked_.front().frame.size();
    unacked_.pop_front();
  }
  return true;
}

std::uint64_t Session::first_unacked() const {
  return unacked_.empty() ? next_seq_ : unacked_.front().seq;
}

std::vector<Session::Stored> Session::expire(Millis now) {
  std::vector<Stored> out;
  while (!unacked_.empty() && now - unacked_.front().queued_at >= limits_.max_age_ms) {
    unacked_bytes_ -= unacked_.front().frame.size();
    out.push_back(std::move(unacked_.front()));
    unacked_.pop_front();
  }
  return out;
}

Millis Session::next_expiry() const {
  return unacked_.empty() ? kNoDeadline : unacked_.front().queued_at + limits_.max_age_ms;
}

bool Session::peer_hello(std::uint64_t peer_token, std::uint64_t peer_first_seq) {
  if (peer_token == peer_token_) return false;
  peer_token_ = peer_token;
  highest_received_ = peer_first_seq == 0 ? 0 : peer_first_seq - 1;
  ack_point_ = highest_received_;
  ack_sent = highest_received_;
  done_.clear();
  return true;
}

Session::Arrival Session::receive(std::uint64_t seq) {
  if (seq <= highest_received_) {
    ++duplicates_;
    return Arrival::duplicate;
  }
  if (seq != highest_received_ + 1) return Arrival::gap;
  highest_received_ = seq;
  done_.push_back(false);
  return Arrival::fresh;
}

void Session::complete(Receipt receipt) {
  if (receipt.peer_token != peer_token_ || receipt.seq <= ack_point_ ||
      receipt.seq > highest_received_) {
    return;
  }
  done_[receipt.seq - ack_point_ - 1] = true;
  while (!done_.empty() && done_.front()) {
    done_.pop_front();
    ++ack_point_;
  }
}

}  // namespace xf::relay
