#include "frontend-gateway/sip/server_transaction.h"

#include <utility>

namespace xf::sip {

ServerTransaction::ServerTransaction(Millis now, const TransactionTimers& timers)
    : deadline_(now + timers.timeout()) {}

void ServerTransaction::on_response_sent(int status_code, std::string bytes) {
  if (state_ == State::terminated) return;
  if (status_code >= 200) {
    state_ = State::terminated;
    last_response_.clear();
    return;
  }
  last_response_ = std::move(bytes);
  state_ = State::proceeding;
}

bool ServerTransaction::on_timer(Millis now) {
  if (state_ == State::terminated || now < deadline_) return false;
  state_ = State::terminated;
  return true;
}

}  // namespace xf::sip
