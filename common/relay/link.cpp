#include "common/relay/link.h"

#include <algorithm>

namespace xf::relay {

const char* to_string(CloseCause cause) {
  switch (cause) {
    case CloseCause::local: return "local";
    case CloseCause::peer_closed: return "peer-closed";
    case CloseCause::protocol_error: return "protocol-error";
    case CloseCause::version_mismatch: return "version-mismatch";
    case CloseCause::hello_timeout: return "hello-timeout";
    case CloseCause::dead_peer: return "dead-peer";
  }
  return "unknown";
}

Link::Link(LinkConfig config) : config_(std::move(config)), decoder_(config_.max_payload_bytes) {}

void Link::start(Millis now) {
  if (state_ != State::idle) return;
  state_ = State::handshaking;
  last_received_ = now;
  hello_deadline_ = now + config_.hello_timeout_ms;
  if (config_.role == Role::gateway) {
    append_message(output_,
                   Hello{config_.min_version, config_.max_version, config_.role, config_.node_name},
                   0);
  }
}

std::vector<LinkEvent> Link::feed(std::string_view bytes, Millis now) {
  std::vector<LinkEvent> events;
  if (state_ == State::closed || state_ == State::idle) return events;
  frames_.clear();
  Status decoded = decoder_.feed(bytes, frames_);
  // Frames completed before a framing error are still handled, in order.
  for (Frame& frame : frames_) {
    if (state_ == State::closed) break;
    last_received_ = now;
    handle_frame(frame, now, events);
  }
  frames_.clear();
  if (!decoded && state_ != State::closed) {
    end(CloseCause::protocol_error, decoded.error().detail, events);
  }
  return events;
}

void Link::handle_frame(Frame& frame, Millis now, std::vector<LinkEvent>& events) {
  if (is_data_frame(frame.type)) {
    handle_data(frame, events);
    return;
  }
  auto message = decode_payload(frame.type, frame.payload);
  if (!message) {
    end(CloseCause::protocol_error, message.error().detail, events);
    return;
  }
  switch (frame.type) {
    case FrameType::hello: handle_hello(std::get<Hello>(*message), events); return;
    case FrameType::hello_ack: handle_hello_ack(std::get<HelloAck>(*message), events); return;
    case FrameType::close:
      end(CloseCause::peer_closed, std::get<CloseMsg>(*message).reason, events);
      return;
    default: break;
  }
  if (state_ != State::established) {
    end(CloseCause::protocol_error,
        std::string(to_string(frame.type)) + " frame before the handshake completed", events);
    return;
  }
  switch (frame.type) {
    case FrameType::heartbeat:
      append_message(output_, HeartbeatAck{std::get<Heartbeat>(*message).token}, 0);
      return;
    case FrameType::heartbeat_ack: {
      auto token = static_cast<Millis>(std::get<HeartbeatAck>(*message).token);
      if (token >= 0 && token <= now) rtt_ = now - token;
      return;
    }
    case FrameType::ack: {
      std::uint64_t seq = std::get<AckMsg>(*message).seq;
      if (seq > last_sent_seq()) {
        end(CloseCause::protocol_error,
            "ack for sequence " + std::to_string(seq) + " that was never sent", events);
        return;
      }
      peer_acked_ = std::max(peer_acked_, seq);
      events.emplace_back(AckReceived{seq});
      return;
    }
    default: end(CloseCause::protocol_error, "unexpected frame type", events); return;
  }
}

void Link::handle_hello(const Hello& hello, std::vector<LinkEvent>& events) {
  if (config_.role != Role::edge || state_ != State::handshaking) {
    end(CloseCause::protocol_error, "unexpected hello", events);
    return;
  }
  if (hello.role != Role::gateway) {
    end(CloseCause::protocol_error,
        std::string("peer claims role ") + to_string(hello.role) + ", expected gateway", events);
    return;
  }
  std::uint16_t high = std::min(hello.max_version, config_.max_version);
  std::uint16_t low = std::max(hello.min_version, config_.min_version);
  if (hello.min_version > hello.max_version || high < low) {
    end(CloseCause::version_mismatch,
        "no common link protocol version: peer offers " + std::to_string(hello.min_version) + ".." +
            std::to_string(hello.max_version) + ", we support " +
            std::to_string(config_.min_version) + ".." + std::to_string(config_.max_version),
        events);
    return;
  }
  append_message(output_, HelloAck{high, config_.node_name}, 0);
  established_now(hello.node_name, high, hello.role, events);
}

void Link::handle_hello_ack(const HelloAck& ack, std::vector<LinkEvent>& events) {
  if (config_.role != Role::gateway || state_ != State::handshaking) {
    end(CloseCause::protocol_error, "unexpected hello_ack", events);
    return;
  }
  if (ack.version < config_.min_version || ack.version > config_.max_version) {
    end(CloseCause::version_mismatch,
        "peer chose link protocol version " + std::to_string(ack.version) +
            " that we did not offer",
        events);
    return;
  }
  established_now(ack.node_name, ack.version, Role::edge, events);
}

void Link::established_now(std::string peer_name, std::uint16_t version, Role peer_role,
                           std::vector<LinkEvent>& events) {
  state_ = State::established;
  peer_name_ = std::move(peer_name);
  version_ = version;
  hello_deadline_ = kNoDeadline;
  next_heartbeat_ = last_received_ + config_.heartbeat_interval_ms;
  events.emplace_back(LinkEstablished{peer_name_, version_, peer_role});
}

void Link::handle_data(Frame& frame, std::vector<LinkEvent>& events) {
  if (state_ != State::established) {
    end(CloseCause::protocol_error,
        std::string(to_string(frame.type)) + " frame before the handshake completed", events);
    return;
  }
  if (frame.seq == 0) {
    end(CloseCause::protocol_error, "data frame without a sequence number", events);
    return;
  }
  if (frame.seq <= highest_received_) {
    ++duplicates_dropped_;
    return;
  }
  if (frame.seq != highest_received_ + 1) {
    end(CloseCause::protocol_error,
        "sequence gap: expected " + std::to_string(highest_received_ + 1) + ", got " +
            std::to_string(frame.seq),
        events);
    return;
  }
  auto message = decode_payload(frame.type, frame.payload);
  if (!message) {
    end(CloseCause::protocol_error, message.error().detail, events);
    return;
  }
  highest_received_ = frame.seq;
  switch (frame.type) {
    case FrameType::stanza:
      events.emplace_back(StanzaReceived{frame.seq, std::get<StanzaMsg>(std::move(*message))});
      break;
    case FrameType::bounce:
      events.emplace_back(BounceReceived{frame.seq, std::get<BounceMsg>(std::move(*message))});
      break;
    case FrameType::policy:
      events.emplace_back(PolicyReceived{frame.seq, std::get<PolicyMsg>(std::move(*message))});
      break;
    case FrameType::reachability:
      events.emplace_back(
          ReachabilityReceived{frame.seq, std::get<ReachabilityMsg>(std::move(*message))});
      break;
    case FrameType::delivered:
      events.emplace_back(DeliveredReceived{frame.seq, std::get<DeliveredMsg>(*message)});
      break;
    default: break;
  }
}

std::vector<LinkEvent> Link::on_timer(Millis now) {
  std::vector<LinkEvent> events;
  if (state_ == State::handshaking && now >= hello_deadline_) {
    end(CloseCause::hello_timeout, "relay handshake timed out", events);
    return events;
  }
  if (state_ != State::established) return events;
  if (now - last_received_ >= config_.dead_peer_timeout_ms) {
    end(CloseCause::dead_peer,
        "nothing received for " + std::to_string(now - last_received_) + " ms", events);
    return events;
  }
  if (now >= next_heartbeat_) {
    append_message(output_, Heartbeat{static_cast<std::uint64_t>(now)}, 0);
    next_heartbeat_ = now + config_.heartbeat_interval_ms;
  }
  return events;
}

Millis Link::next_deadline() const {
  switch (state_) {
    case State::handshaking: return hello_deadline_;
    case State::established:
      return std::min(next_heartbeat_, last_received_ + config_.dead_peer_timeout_ms);
    default: return kNoDeadline;
  }
}

Result<std::uint64_t> Link::send_data(const Message& message) {
  if (state_ != State::established) {
    return fail(Errc::protocol_error, "relay link is not established");
  }
  std::string payload = encode_payload(message);
  if (payload.size() > config_.max_payload_bytes) {
    return fail(Errc::limit_exceeded, "relay payload of " + std::to_string(payload.size()) +
                                          " bytes exceeds the frame limit");
  }
  std::uint64_t seq = next_seq_++;
  append_frame(output_, frame_type(message), seq, payload);
  return seq;
}

Result<std::uint64_t> Link::send_stanza(const RoutingFacts& facts, std::string_view xml) {
  return send_data(StanzaMsg{facts, std::string(xml)});
}

Result<std::uint64_t> Link::send_bounce(std::uint64_t ref_seq, xmpp::StanzaError condition,
                                        const RoutingFacts& facts, std::string_view xml) {
  return send_data(BounceMsg{ref_seq, condition, facts, std::string(xml)});
}

Result<std::uint64_t> Link::send_delivered(std::uint64_t ref_seq) {
  return send_data(DeliveredMsg{ref_seq});
}

Result<std::uint64_t> Link::send_policy(std::string_view json) {
  return send_data(PolicyMsg{std::string(json)});
}

Result<std::uint64_t> Link::send_reachability(std::string_view remote_domain, bool up) {
  return send_data(ReachabilityMsg{std::string(remote_domain), up});
}

Status Link::send_ack() {
  if (state_ != State::established) {
    return fail(Errc::protocol_error, "relay link is not established");
  }
  append_message(output_, AckMsg{highest_received_}, 0);
  return {};
}

void Link::close(std::string_view reason) {
  if (state_ == State::closed) return;
  std::vector<LinkEvent> ignored;
  end(CloseCause::local, std::string(reason), ignored);
}

void Link::end(CloseCause cause, std::string reason, std::vector<LinkEvent>& events) {
  if (state_ == State::closed) return;
  // Tell the peer why, unless it is the one that closed.
  if (cause != CloseCause::peer_closed && state_ != State::idle) {
    append_message(output_, CloseMsg{reason}, 0);
  }
  state_ = State::closed;
  hello_deadline_ = kNoDeadline;
  next_heartbeat_ = kNoDeadline;
  if (cause != CloseCause::local) events.emplace_back(LinkClosed{cause, std::move(reason)});
}

void Link::take_output(std::string& out) {
  out.append(output_);
  output_.clear();
}

}  // namespace xf::relay
