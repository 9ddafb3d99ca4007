// The transaction layer of RFC 3261 §17 for reliable transports, sans-IO. It matches responses
// to client transactions by top Via branch + CSeq method (§17.1.3) and requests to server
// transactions by branch + sent-by + method (§17.2.3), generates branch ids, and reports its next
// deadline. Only non-INVITE client transactions exist so far; INVITE requests get an
// InviteServerTransaction (RFC 3261 §17.2.1 with RFC 6026): it absorbs retransmissions and the
// ACK of a non-2xx final response, and hands ACKs for a 2xx to the transaction user.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/core/clock.h"
#include "common/core/deadline_set.h"
#include "common/core/log.h"
#include "common/core/result.h"
#include "common/core/token_source.h"
#include "frontend-gateway/sip/client_transaction.h"
#include "frontend-gateway/sip/invite_server_transaction.h"
#include "frontend-gateway/sip/server_transaction.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::sip {

struct TransactionConfig {
  TransactionTimers timers;
  // Live client plus server transactions (sip.max_transactions, whose comment sizes it). Over
  // TCP and TLS a non-INVITE transaction lives only until its final response, so this bounds
  // the requests in progress at once, not a rate; each holds at most one response.
  std::size_t max_transactions = 32768;
};

// A client transaction's news for the transaction user.
struct ClientEvent {
  enum class Kind {
    provisional,     // A 1xx arrived; response is set.
    final_response,  // A final response arrived; response is set; the transaction is over.
    timeout,         // Timer F fired; treat as a 408 (RFC 3261 §8.1.3.1).
  };
  Kind kind = Kind::timeout;
  std::string id;  // As returned by start_client().
  std::optional<SipMessage> response;
};

// What the layer made of an incoming request.
struct ServerMatch {
  enum class Kind {
    new_request,     // Pass to the transaction user; answer it with send_response().
    retransmission,  // Absorbed; write `resend` to the transport when it is not empty.
    ack,             // An ACK with no transaction (for a 2xx): the transaction user's business.
    rejected,        // Not acceptable (see error); answer 400, or 503 for limit_exceeded.
  };
  Kind kind = Kind::rejected;
  std::string id;      // Server transaction id for new_request.
  std::string resend;  // Last response bytes for retransmission.
  Error error;         // Why it was rejected.
};

class TransactionLayer {
 public:
  // RFC 3261 §8.1.1.7: branch ids start with this magic cookie.
  static constexpr std::string_view kMagicCookie = "z9hG4bK";

  // Branch ids come from the core's one token source, which must outlive the layer (a seeded
  // source makes them reproducible in tests).
  TransactionLayer(TransactionConfig config, TokenSource& tokens);

  // A fresh branch id: the magic cookie plus 64 random bits in hex.
  std::string new_branch();

  // Starts a client transaction for a request the caller is about to send. The request must
  // carry a top Via with a branch from new_branch() and a CSeq. Returns the transaction id.
  Result<std::string> start_client(const SipMessage& request, Millis now);
  // Matches a response to a client transaction; nullopt for a stray response (drop it).
  std::optional<ClientEvent> on_response(SipMessage response, Millis now);

  ServerMatch on_request(const SipMessage& request, Millis now);
  // Serializes a response for the server transaction it answers and records it for
  // retransmissions. Returns the bytes to write.
  Result<std::string> send_response(const SipMessage& response, Millis now);

  // Fires due timers; returns the client transactions that timed out.
  std::vector<ClientEvent> on_timer(Millis now);
  Millis next_deadline() const;

  std::size_t client_count() const { return clients_.size(); }
  std::size_t server_count() const { return servers_.size() + invites_.size(); }
  // State of the INVITE server transaction with this id, nullopt when there is none (tests and
  // diagnostics).
  std::optional<InviteServerTransaction::State> invite_state(const std::string& id) const;
  const TransactionConfig& config() const { return config_; }

 private:
  TransactionConfig config_;
  TokenSource& tokens_;
  Logger log_{"sip-txn"};
  std::map<std::string, ClientTransaction> clients_;
  std::map<std::string, ServerTransaction> servers_;
  // INVITE server transactions; their keys end in "|INVITE" and never collide with servers_.
  std::map<std::string, InviteServerTransaction> invites_;
  // Every live transaction's deadline, by (is-client, key).
  DeadlineSet<std::pair<bool, std::string>> deadlines_;
};

}  // namespace xf::sip
