// Non-INVITE client transaction on a reliable transport (RFC 3261 §17.1.2, figure 6). The request
// is sent once; provisional responses move it to Proceeding; the first final response ends it
// (Timer K is zero on reliable transports); Timer F (64*T1) without a final response times out.
#pragma once

#include <string>

#include "common/core/clock.h"
#include "frontend-gateway/sip/transaction_timers.h"

namespace xf::sip {

class ClientTransaction {
 public:
  enum class State { trying, proceeding, terminated };
  // What a response means to the transaction user.
  enum class Event {
    provisional,  // 1xx: pass up; the transaction keeps waiting.
    final,        // 2xx-6xx: pass up; the transaction is over.
    absorbed,     // After the end (a duplicate): drop.
  };

  ClientTransaction(std::string method, Millis now, const TransactionTimers& timers);

  Event on_response(int status_code);
  // True when Timer F fired at `now`; the transaction is then terminated.
  bool on_timer(Millis now);

  State state() const { return state_; }
  const std::string& method() const { return method_; }
  Millis deadline() const { return state_ == State::terminated ? kNoDeadline : timer_f_; }

 private:
  std::string method_;
  State state_ = State::trying;
  Millis timer_f_;
};

}  // namespace xf::sip
