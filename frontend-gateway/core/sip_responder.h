// Answering a SIP request: the one way every part of the gateway does it. The response goes
// through the request's server transaction (so a retransmitted request gets the same answer)
// and back on the connection the request came on (RFC 3261 §18.2.2).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/core/log.h"
#include "common/core/result.h"
#include "frontend-gateway/core/gateway_clock.h"
#include "frontend-gateway/core/sip_port.h"
#include "frontend-gateway/sip/sip_message.h"
#include "frontend-gateway/sip/transaction_layer.h"

namespace xf::gw {

class SipResponder {
 public:
  // Keeps references: the layer and the ports must outlive the responder.
  SipResponder(sip::TransactionLayer& txn, SipPort& port, GatewayClock& clock);

  // The response with this status (standard reason phrase), our To tag and extra headers.
  void respond(std::uint64_t connection, const sip::SipMessage& request, int status,
               std::string_view to_tag = {}, const sip::SipMessage::HeaderList& headers = {});
  // A response built by the caller, or why none could be built (logged).
  void send(std::uint64_t connection, Result<sip::SipMessage> response);
  // For a request the transaction layer refused a server transaction: written directly, so a
  // retransmission is answered again rather than from a transaction.
  void respond_stateless(std::uint64_t connection, const sip::SipMessage& request, int status,
                         std::string_view to_tag);

 private:
  sip::TransactionLayer& txn_;
  SipPort& port_;
  GatewayClock& clock_;
  Logger log_{"sip-answer"};
};

}  // namespace xf::gw
