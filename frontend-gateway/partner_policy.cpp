#include "frontend-gateway/partner_policy.h"

namespace xf::gw {

const char* to_string(PolicyVerdict verdict) {
  switch (verdict) {
    case PolicyVerdict::allow:
      return "allowed";
    case PolicyVerdict::not_local:
      return "not one of our domains";
    case PolicyVerdict::not_partner:
      return "not a federated partner domain";
    case PolicyVerdict::consent_required:
      return "partner users need the internal user's consent";
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

PolicyVerdict PartnerPolicy::outbound_im(std::string_view local_domain,
                                         std::string_view partner_domain) const {
  if (!config_.is_local(local_domain)) return PolicyVerdict::not_local;
  PartnerType type = PartnerType::federated;
  if (!partner_type(partner_domain, type)) return PolicyVerdict::not_partner;
  return PolicyVerdict::allow;
}

}  // namespace xf::gw
