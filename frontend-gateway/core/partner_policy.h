// Who may exchange instant messages with whom through the gateway: the partner list and the
// unlisted-domain policy of the configuration, applied to one message at a time. The gateway is
// the trusted side (docs/architecture.md), so it checks every stanza even though the edge
// checks too.
#pragma once

#include <string_view>

#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/store/state_store.h"

namespace xf::gw {

enum class PolicyVerdict {
  allow,             // Deliver.
  not_local,         // The internal side's domain is not one of local_domains.
  not_partner,       // The remote domain is not listed and unlisted domains are denied (or it
                     // is one of our own domains, which never federates with itself).
  consent_required,  // A public_unverified partner (or an unlisted domain treated as one): its
                     // users reach an internal user only once that user added them (see
                     // inbound_stanza); until then their stanzas are refused.
};

const char* to_string(PolicyVerdict verdict);

class PartnerPolicy {
 public:
  // Keeps a reference: the config must outlive the policy (both live as long as the daemon).
  explicit PartnerPolicy(const GatewayConfig& config) : config_(config) {}

  // A partner user writes to an internal user (XMPP -> SIP).
  PolicyVerdict inbound_im(std::string_view partner_domain, std::string_view local_domain) const;
  // inbound_im for one stanza: a consent_required verdict turns into allow when the internal
  // user has added the partner user (an 'allowed' authorization in the store, recorded when the
  // internal user subscribed to the partner user or accepted their subscription). JIDs as in
  // the stanza's from and to; a store failure keeps the refusal (fail closed).
  PolicyVerdict inbound_stanza(std::string_view from_jid, std::string_view to_jid,
                               std::string_view partner_domain, std::string_view local_domain,
                               store::StateStore& store) const;
  // An internal user writes to a partner user (SIP -> XMPP): the internal user chose the
  // contact, so every partner type may receive it.
  PolicyVerdict outbound_im(std::string_view local_domain, std::string_view partner_domain) const;

 private:
  // Sets type to the partner type that applies to a remote domain; false when it may not
  // federate at all.
  bool partner_type(std::string_view domain, PartnerType& type) const;

  const GatewayConfig& config_;
};

}  // namespace xf::gw
