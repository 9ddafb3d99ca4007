// Non-INVITE server transaction on a reliable transport (RFC 3261 §17.2.2). Until the final
// response it absorbs a repeated request by resending the last provisional response. The final
// response ends it at once: Timer J is zero on TCP and TLS, where a client never retransmits a
// non-INVITE request (§17.1.2.2), so nothing lingers to answer one and the transaction's slot is
// free for the next request. A transaction whose transaction user never answers is abandoned
// after 64*T1 so that it cannot leak.
#pragma once

#include <string>

#include "common/core/clock.h"
#include "frontend-gateway/sip/transaction_timers.h"

namespace xf::sip {

class ServerTransaction {
 public:
  enum class State { trying, proceeding, terminated };

  ServerTransaction(Millis now, const TransactionTimers& timers);

  // Records a response the transaction user sends (bytes as written to the wire). A final
  // response terminates the transaction.
  void on_response_sent(int status_code, std::string bytes);
  // The bytes to resend for a repeated request ("" while nothing was sent yet).
  const std::string& last_response() const { return last_response_; }
  // True when the abandon deadline passed; the transaction is then terminated.
  bool on_timer(Millis now);

  State state() const { return state_; }
  Millis deadline() const { return state_ == State::terminated ? kNoDeadline : deadline_; }

 private:
  State state_ = State::trying;
  std::string last_response_;
  Millis deadline_;
};

}  // namespace xf::sip
