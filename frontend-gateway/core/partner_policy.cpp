#include "frontend-gateway/core/partner_policy.h"

#include "common/xmpp/jid.h"
#include "frontend-gateway/bridge/address_map.h"

namespace xf::gw {

const char* to_string(PolicyVerdict verdict) {
  switch (verdict) {
    case PolicyVerdict::allow: return "allowed";
    case PolicyVerdict::not_local: return "not one of our domains";
    case PolicyVerdict::not_partner: return "not a federated partner domain";
    case PolicyVerdict::consent_required: return "partner users need the internal user's consent";
  }
  return "?";
}

bool PartnerPolicy::partner_type(std::string_view domain, PartnerType& type) const {
  if (domain.empty() || config_.is_local(domain)) return false;
  if (const Partner* partner = config_.find_partner(domain)) {
    type = partner->partner_type;
    return true;
  }
  if (config_.gateway.unlisted_domains == UnlistedPolicy::allow_public_unverified) {
    type = PartnerType::public_unverified;
    return true;
  }
  return false;
}

PolicyVerdict PartnerPolicy::inbound_im(std::string_view partner_domain,
                                        std::string_view local_domain) const {
  if (!config_.is_local(local_domain)) return PolicyVerdict::not_local;
  PartnerType type = PartnerType::federated;
  if (!partner_type(partner_domain, type)) return PolicyVerdict::not_partner;
  if (type == PartnerType::public_unverified) return PolicyVerdict::consent_required;
  return PolicyVerdict::allow;
}

PolicyVerdict PartnerPolicy::inbound_stanza(std::string_view from_jid, std::string_view to_jid,
                                            std::string_view partner_domain,
                                            std::string_view local_domain,
                                            store::StateStore& store) const {
  const PolicyVerdict verdict = inbound_im(partner_domain, local_domain);
  if (verdict != PolicyVerdict::consent_required) return verdict;
  auto from = xmpp::Jid::parse(from_jid);
  auto to = xmpp::Jid::parse(to_jid);
  if (!from.ok() || !to.ok()) return verdict;
  auto internal_uri = bridge::sip_uri_for_jid(to->bare());
  if (!internal_uri.ok()) return verdict;
  auto auth = store.get_authorization(*internal_uri, from->bare_string());
  if (auth.ok() && auth->has_value() &&
      (*auth)->decision == store::AuthorizationDecision::allowed) {
    return PolicyVerdict::allow;
  }
  return verdict;
}

PolicyVerdict PartnerPolicy::outbound_im(std::string_view local_domain,
                                         std::string_view partner_domain) const {
  if (!config_.is_local(local_domain)) return PolicyVerdict::not_local;
  PartnerType type = PartnerType::federated;
  if (!partner_type(partner_domain, type)) return PolicyVerdict::not_partner;
  return PolicyVerdict::allow;
}

}  // namespace xf::gw
