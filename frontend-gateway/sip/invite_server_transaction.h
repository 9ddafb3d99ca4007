// INVITE server transaction on a reliable transport (RFC 3261 §17.2.1 as updated by RFC 6026
// §7.1, figure 7). Retransmitted INVITEs are absorbed: before the final response by resending the
// last provisional one, after a 3xx-6xx by resending it, after a 2xx silently (Accepted: the
// 2xx is the transaction user's to resend, which TCP and TLS make unnecessary). The ACK of a
// 3xx-6xx ends in the transaction; an ACK that reaches it in Accepted goes to the transaction
// user, as every ACK for a 2xx must. Timer I is zero on reliable transports, but Confirmed
// lingers until Timer H would have fired so that duplicate ACKs forwarded by a proxy are still
// absorbed; Timer L (64*T1) ends Accepted. A transaction the transaction user never answers is
// abandoned after 64*T1 so that it cannot leak.
#pragma once

#include <string>

#include "common/core/clock.h"
#include "frontend-gateway/sip/transaction_timers.h"

namespace xf::sip {

class InviteServerTransaction {
 public:
  enum class State { proceeding, completed, confirmed, accepted, terminated };
  enum class AckVerdict {
    absorb,      // The ACK of a 3xx-6xx, or a duplicate: drop it.
    pass_to_tu,  // An ACK in Accepted: it acknowledges the 2xx and belongs to the dialog.
  };

  InviteServerTransaction(Millis now, const TransactionTimers& timers);

  // False when the response may not be sent in this state (a second final response; a 2xx
  // after Accepted is allowed: RFC 6026 lets the transaction user resend its 2xx).
  bool may_send(int status_code) const;
  // Records a response the transaction user sends (bytes as written to the wire).
  void on_response_sent(int status_code, std::string bytes, Millis now);
  // The bytes to resend for a retransmitted INVITE ("" to absorb it silently).
  const std::string& resend() const;
  AckVerdict on_ack();
  // True when Timer H, Timer L or the abandon deadline passed; the transaction is then
  // terminated.
  bool on_timer(Millis now);

  State state() const { return state_; }
  // True when Timer H fired before any ACK came (RFC 3261 §17.2.1: a transport failure).
  bool ack_missing() const { return ack_missing_; }
  const std::string& last_response() const { return last_response_; }
  Millis deadline() const { return state_ == State::terminated ? kNoDeadline : deadline_; }

 private:
  TransactionTimers timers_;
  State state_ = State::proceeding;
  std::string last_response_;
  Millis deadline_;
  bool ack_missing_ = false;
};

}  // namespace xf::sip
