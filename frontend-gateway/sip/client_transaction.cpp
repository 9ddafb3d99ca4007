#include "frontend-gateway/sip/client_transaction.h"

#include <utility>

namespace xf::sip {

ClientTransaction::ClientTransaction(std::string method, Millis now,
                                     const TransactionTimers& timers)
    : method_(std::move(method)), timer_f_(now + timers.timeout()) {}

ClientTransaction::Event ClientTransaction::on_response(int status_code) {
  if (state_ == State::terminated) return Event::absorbed;
  if (status_code < 200) {
    state_ = State::proceeding;
    return Event::provisional;
  }
  state_ = State::terminated;
  return Event::final;
}

bool ClientTransaction::on_timer(Millis now) {
  if (state_ == State::terminated || now < timer_f_) return false;
  state_ = State::terminated;
  return true;
}

}  // namespace xf::sip
