// The pieces of the gateway core that its services (IM, presence) act through. They are shared
// so that tokens, SIP requests, SIP answers and stanzas each leave by one way; the Gateway owns
// them all and outlives the services.
#pragma once

#include <string>
#include <string_view>

#include "common/core/token_source.h"
#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/core/gateway_clock.h"
#include "frontend-gateway/core/partner_policy.h"
#include "frontend-gateway/core/relay_sender.h"
#include "frontend-gateway/core/sip_client.h"
#include "frontend-gateway/core/sip_contact.h"
#include "frontend-gateway/core/sip_responder.h"
#include "frontend-gateway/sip/transaction_layer.h"

namespace xf::gw {

struct GatewayParts {
  const GatewayConfig& config;
  GatewayClock& clock;
  TokenSource& tokens;
  const PartnerPolicy& policy;
  sip::TransactionLayer& txn;
  SipClient& sip;
  SipResponder& responder;
  RelaySender& relay;

  // The gateway's Contact URI for the dialogs it creates (sip_contact.h).
  std::string contact(std::string_view user = {}) const {
    return contact_uri(config.sip, sip.next_hop_sent_by(), user);
  }
  // A Call-ID for a request the gateway starts: prefix, 64 random bits, "@" node name.
  std::string new_call_id(std::string_view prefix = {}) const {
    return std::string(prefix) + tokens.hex() + "@" + config.node_name;
  }
};

}  // namespace xf::gw
