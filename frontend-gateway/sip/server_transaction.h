// Server transaction (RFC 3261 §17.2.2 for non-INVITE). It absorbs retransmitted requests by
// resending the last response. On reliable transports RFC 3261 ends it at once after the final
// response (Timer J = 0), but proxies and odd clients do resend over TCP, so it lingers for
// 64*T1 in Completed to answer them, as Timer J does on UDP. A transaction whose transaction user
// never answers is abandoned after 64*T1 so that it cannot leak.
#pragma once

#include <string>

#include "common/core/clock.h"
#include "frontend-gateway/sip/transaction_timers.h"

namespace xf::sip {

class ServerTransaction {
 public:
  enum class State { trying, proceeding, completed, terminated };

  ServerTransaction(Millis now, const TransactionTimers& timers);

  // Records a response the transaction user sends (bytes as written to the wire).
  void on_response_sent(int status_code, std::string bytes, Millis now);
  // The bytes to resend for a retransmitted request ("" while nothing was sent yet).
  const std::string& last_response() const { return last_response_; }
  // True when the linger or abandon deadline passed; the transaction is then terminated.
  bool on_timer(Millis now);

  State state() const { return state_; }
  Millis deadline() const { return state_ == State::terminated ? kNoDeadline : deadline_; }

 private:
  TransactionTimers timers_;
  State state_ = State::trying;
  std::string last_response_;
  Millis deadline_;
};

}  // namespace xf::sip
