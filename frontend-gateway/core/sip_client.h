// The gateway's one way to send a SIP request and learn how it ended. IM and presence hand it a
// request built by their own rules; it adds our Via, starts the client transaction, writes the
// request to the next hop (holding it in a bounded queue while that connection opens) and gives
// the final outcome back to the owner that sent it, found by its client transaction (Via branch
// and CSeq method) and the ticket the owner was given.
//
// A request that cannot be written, or whose connection closes before the answer, fails at once
// with a transport error (RFC 3261 §8.1.3.1 counts it as 503) instead of waiting for Timer F:
// the answer can come back only on the connection the request left by, so waiting 64*T1 would
// only delay the same verdict, and the XMPP sender behind an IM would wait for nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/core/clock.h"
#include "common/core/log.h"
#include "common/core/result.h"
#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/core/gateway_clock.h"
#include "frontend-gateway/core/sip_port.h"
#include "frontend-gateway/sip/sip_message.h"
#include "frontend-gateway/sip/transaction_layer.h"

namespace xf::gw {

// How a request the gateway sent ended.
struct SipOutcome {
  enum class Kind {
    response,         // A final response arrived; status is its code.
    timeout,          // No final response within 64*T1 (Timer F); status 408.
    not_sent,         // The request never reached the next hop (error says why); status 503.
    connection_lost,  // Sent, then the next-hop connection closed before an answer; status 503.
  };
  Kind kind = Kind::timeout;
  std::uint64_t ticket = 0;                 // As send() returned it.
  sip::SipMessage request;                  // As the owner built it, without our Via.
  std::optional<sip::SipMessage> response;  // The final response for Kind::response.
  int status = 408;
  // For not_sent: io_error when the next hop could not be reached or written, limit_exceeded
  // when too many transactions are open, another code when the request could not be completed.
  Error error;
};

class SipClient {
 public:
  // Max-Forwards of the requests the gateway originates (RFC 3261 §8.1.1.6).
  static constexpr int kMaxForwards = 70;

  // Who sent a request: its outcome goes back there and nowhere else.
  class Owner {
   public:
    virtual ~Owner() = default;
    // Exactly one outcome per request send() accepted (unless clear() forgot it), never from
    // inside send(), so an owner may send while its own state is half updated.
    virtual void on_sip_outcome(SipOutcome&& outcome) = 0;
  };

  // What becomes of a request waiting for the next-hop connection when it cannot be opened.
  enum class IfHopDown {
    fail,  // Its outcome is not_sent at once: somebody waits for the answer (an XMPP sender).
    wait,  // It waits for the next connection: state upkeep that may go late (presence).
  };

  // max_waiting bounds the requests held while the next-hop connection opens. The settings,
  // the port, the layer and the clock must outlive the client.
  SipClient(const SipSettings& settings, std::size_t max_waiting, SipPort& port,
            sip::TransactionLayer& txn, GatewayClock& clock);
  SipClient(const SipClient&) = delete;
  SipClient& operator=(const SipClient&) = delete;

  // Sends the request, or holds it until the next-hop connection opens (asking the transport to
  // open it). Returns the ticket its outcome will carry; fails (limit_exceeded) only when the
  // queue of waiting requests is full, and then the request is not taken.
  Result<std::uint64_t> send(Owner& owner, sip::SipMessage request, IfHopDown if_hop_down);

  // The transaction layer's news about a client transaction: final answers go to their owner.
  void on_client_event(sip::ClientEvent&& event);
  void on_next_hop_up();
  // Waiting requests fail or keep waiting (IfHopDown); requests in flight fail.
  void on_next_hop_down(const Error* reason);

  // Requests that failed to go out get their outcome here, so that no outcome is delivered from
  // inside send(); next_deadline() asks for this turn at once.
  void on_timer();
  Millis next_deadline() const;

  // Forgets every request without an outcome (shutdown): their owners answer for them.
  void clear();

  // The sent-by of the open next-hop connection (for a Contact), nullopt while it is not open.
  std::optional<std::string> next_hop_sent_by() const { return port_.next_hop_sent_by(); }
  std::size_t in_flight() const { return in_flight_.size(); }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct Entry {
    Owner* owner = nullptr;
    std::uint64_t ticket = 0;
    sip::SipMessage request;
    IfHopDown if_hop_down = IfHopDown::fail;
  };

  // Via, client transaction, write. A failure queues a not_sent outcome for on_timer().
  void start(Entry&& entry, const std::string& sent_by);
  static void deliver(Entry&& entry, SipOutcome::Kind kind, int status, Error error,
                      std::optional<sip::SipMessage> response = std::nullopt);

  const SipSettings& settings_;
  std::size_t max_waiting_;
  SipPort& port_;
  sip::TransactionLayer& txn_;
  GatewayClock& clock_;
  Logger log_{"sip-client"};
  std::uint64_t last_ticket_ = 0;
  std::deque<Entry> waiting_;                    // For the next-hop connection, in send() order.
  std::map<std::string, Entry> in_flight_;       // By client transaction id.
  std::vector<std::pair<Entry, Error>> failed_;  // Not sent; outcome due at the next on_timer().
  Millis failed_at_ = kNoDeadline;
};

}  // namespace xf::gw
