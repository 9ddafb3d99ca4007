#include "common/relay/link.h"

#include <algorithm>

namespace xf::relay {

const char* to_string(CloseCause cause) {
  switch (cause) {
    case CloseCause::local: return "local";
    case CloseCause::superseded: return "superseded";
    case CloseCause::peer_closed: return "peer-closed";
    case CloseCause::protocol_error: return "protocol-error";
    case CloseCause::version_mismatch: return "version-mismatch";
    case CloseCause::hello_timeout: return "hello-timeout";
    case CloseCause::dead_peer: return "dead-peer";
  }
  return "unknown";
}

namespace {

// The token of a session that lives and dies with its link (no resumption is possible).
constexpr std::uint64_t kPrivateSessionToken = 1;

}  // namespace

Link::Link(LinkConfig config) : config_(std::move(config)), decoder_(config_.max_payload_bytes) {
  if (config_.session == nullptr && !config_.session_for) {
    own_session_ = std::make_unique<Session>(kPrivateSessionToken, SessionLimits{});
    session_ = own_session_.get();
  }
}

void Link::attach(Session* session) {
  session_ = session;
  generation_ = session_->attach();
}

void Link::start(Millis now) {
  if (state_ != State::idle) return;
  state_ = State::handshaking;
  now_ = now;
  last_received_ = now;
  hello_deadline_ = now + config_.hello_timeout_ms;
  if (config_.role == Role::gateway) {
    if (config_.session != nullptr) attach(config_.session);
    Hello hello{config_.min_version, config_.max_version, config_.role, config_.node_name};
    hello.token = session_->token();
    hello.first_seq = session_->first_unacked();
    hello.known_peer_token = session_->peer_token();
    hello.acked = session_->ack_point();
    session_->ack_sent = session_->ack_point();
    append_message(output_, hello, 0);
  }
}

bool Link::superseded(std::vector<LinkEvent>& events) {
  if (session_ == nullptr || generation_ == 0 || session_->generation() == generation_) {
    return false;
  }
  end(CloseCause::superseded, "a newer link to the same peer took over", events);
  return true;
}

std::vector<LinkEvent> Link::feed(std::string_view bytes, Millis now) {
  std::vector<LinkEvent> events;
  if (state_ == State::closed || state_ == State::idle) return events;
  now_ = now;
  if (superseded(events)) return events;
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
      if (!session_->acked(seq)) {
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
  if (config_.session_for) {
    Session* session = config_.session_for(hello.node_name);
    if (session == nullptr) {
      end(CloseCause::protocol_error, "no relay session for gateway " + hello.node_name, events);
      return;
    }
    attach(session);
  }
  session_->peer_hello(hello.token, hello.first_seq);
  // The gateway's ack point counts only if it is about this incarnation.
  if (hello.known_peer_token == session_->token() && !session_->acked(hello.acked)) {
    end(CloseCause::protocol_error,
        "peer claims frame " + std::to_string(hello.acked) + " that was never sent", events);
    return;
  }
  HelloAck ack{high, config_.node_name};
  ack.token = session_->token();
  ack.first_seq = session_->first_unacked();
  ack.acked = session_->ack_point();
  session_->ack_sent = session_->ack_point();
  append_message(output_, ack, 0);
  established_now(hello.node_name, high, hello.role, events);
  resend();
}

void Link::resend() {
  for (const Session::Stored& stored : session_->unacked()) output_.append(stored.frame);
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
  session_->peer_hello(ack.token, ack.first_seq);
  if (!session_->acked(ack.acked)) {
    end(CloseCause::protocol_error,
        "peer claims frame " + std::to_string(ack.acked) + " that was never sent", events);
    return;
  }
  established_now(ack.node_name, ack.version, Role::edge, events);
  resend();
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
  auto message = decode_payload(frame.type, frame.payload);
  if (!message) {
    end(CloseCause::protocol_error, message.error().detail, events);
    return;
  }
  switch (session_->receive(frame.seq)) {
    case Session::Arrival::duplicate: ++duplicates_dropped_; return;
    case Session::Arrival::gap:
      end(CloseCause::protocol_error,
          "sequence gap: expected " + std::to_string(session_->highest_received() + 1) + ", got " +
              std::to_string(frame.seq),
          events);
      return;
    case Session::Arrival::fresh: break;
  }
  const Receipt receipt = session_->receipt(frame.seq);
  // Only a stanza waits for the application; anything else is done once it is reported.
  if (frame.type != FrameType::stanza) session_->complete(receipt);
  switch (frame.type) {
    case FrameType::stanza:
      events.emplace_back(
          StanzaReceived{frame.seq, std::get<StanzaMsg>(std::move(*message)), receipt});
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
  now_ = std::max(now_, now);
  if (state_ != State::closed && superseded(events)) return events;
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
  if (session_->generation() != generation_) {
    return fail(Errc::protocol_error, "relay link was superseded");
  }
  auto stored = session_->queue(message, now_, config_.max_payload_bytes);
  if (!stored) return fail(stored.error());
  output_.append((*stored)->frame);
  return (*stored)->seq;
}

Result<std::uint64_t> Link::send_stanza(const RoutingFacts& facts, std::string_view xml) {
  return send_data(StanzaMsg{facts, std::string(xml)});
}

Result<std::uint64_t> Link::send_bounce(Receipt ref, xmpp::StanzaError condition,
                                        const RoutingFacts& facts, std::string_view xml) {
  return send_data(BounceMsg{ref.seq, condition, facts, std::string(xml), ref.peer_token});
}

Result<std::uint64_t> Link::send_delivered(Receipt ref) {
  return send_data(DeliveredMsg{ref.seq, ref.peer_token});
}

Result<std::uint64_t> Link::send_policy(std::string_view json) {
  return send_data(PolicyMsg{std::string(json)});
}

Result<std::uint64_t> Link::send_reachability(std::string_view remote_domain, bool up) {
  return send_data(ReachabilityMsg{std::string(remote_domain), up});
}

void Link::send_ack() {
  if (state_ != State::established || session_->generation() != generation_) return;
  if (session_->ack_point() <= session_->ack_sent) return;
  session_->ack_sent = session_->ack_point();
  append_message(output_, AckMsg{session_->ack_point()}, 0);
}

void Link::complete(Receipt receipt) {
  session_->complete(receipt);
  send_ack();
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
