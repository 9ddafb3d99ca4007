// Answering a SIP request: the one way every part of the gateway does it. The response goes
// through the request's server transaction (so a retransmitted request gets the same answer)
// and back on the connection the request came on (RFC 3261 §18.2.2).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/core/clock.h"
#include "common/core/log.h"
#include "frontend-gateway/sip/sip_message.h"
#include "frontend-gateway/sip/transaction_layer.h"
#include "frontend-gateway/core/sip_port.h"

namespace xf::gw {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The response to `request` with our To tag and extra headers.
Result<sip::SipMessage> build_response(const sip::SipMessage& request, int status,
                                       std::string_view to_tag, const HeaderList& headers = {});

// Sends a built response (or logs why there is none to send).
void send_response(sip::TransactionLayer& txn, SipPort& sip, Millis now, const Logger& log,
                   std::uint64_t connection, Result<sip::SipMessage> response);

}  // namespace xf::gw
