#include "frontend-gateway/sip/invite_server_transaction.h"

#include <utility>

namespace xf::sip {

namespace {
const std::string kNothing;
}  // namespace

InviteServerTransaction::InviteServerTransaction(Millis now, const TransactionTimers& timers)
    : timers_(timers), deadline_(now + timers.timeout()) {}

bool InviteServerTransaction::may_send(int status_code) const {
  switch (state_) {
    case State::proceeding: return true;
    case State::accepted: return status_code >= 200 && status_code <= 299;
    case State::completed:
    case State::confirmed:
    case State::terminated: return false;
  }
  return false;
}

void InviteServerTransaction::on_response_sent(int status_code, std::string bytes, Millis now) {
  if (state_ != State::proceeding) return;  // A resent 2xx in Accepted changes nothing.
  last_response_ = std::move(bytes);
  if (status_code < 200) return;
  // Timer L (2xx, RFC 6026) and Timer H (3xx-6xx) are both 64*T1.
  state_ = status_code <= 299 ? State::accepted : State::completed;
  deadline_ = now + timers_.timeout();
}

const std::string& InviteServerTransaction::resend() const {
  if (state_ == State::proceeding || state_ == State::completed) return last_response_;
  return kNothing;
}

InviteServerTransaction::AckVerdict InviteServerTransaction::on_ack() {
  if (state_ == State::accepted) return AckVerdict::pass_to_tu;
  if (state_ == State::completed) state_ = State::confirmed;
  return AckVerdict::absorb;
}

bool InviteServerTransaction::on_timer(Millis now) {
  if (state_ == State::terminated || now < deadline_) return false;
  ack_missing_ = state_ == State::completed;
  state_ = State::terminated;
  return true;
}

}  // namespace xf::sip
