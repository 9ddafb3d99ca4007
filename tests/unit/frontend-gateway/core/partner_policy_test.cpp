#include "frontend-gateway/core/partner_policy.h"

#include <catch2/catch.hpp>

using xf::gw::GatewayConfig;
using xf::gw::Partner;
using xf::gw::PartnerPolicy;
using xf::gw::PartnerType;
using xf::gw::PolicyVerdict;
using xf::gw::UnlistedPolicy;

namespace {

GatewayConfig config() {
  GatewayConfig c;
  c.local_domains = {"sip.example"};
  Partner federated;
  federated.domain = "xmpp.example";
  federated.additional_domains = {"chat.xmpp.example"};
  Partner unverified;
  unverified.domain = "public.example";
  unverified.partner_type = PartnerType::public_unverified;
  Partner verified;
  verified.domain = "verified.example";
  verified.partner_type = PartnerType::public_verified;
  c.partners = {federated, unverified, verified};
  return c;
}

}  // namespace

TEST_CASE("partner messages reach local users only from allowed partners", "[unit][gateway]") {
  GatewayConfig c = config();
  PartnerPolicy policy(c);
  CHECK(policy.inbound_im("xmpp.example", "sip.example") == PolicyVerdict::allow);
  CHECK(policy.inbound_im("chat.xmpp.example", "sip.example") == PolicyVerdict::allow);
  CHECK(policy.inbound_im("verified.example", "sip.example") == PolicyVerdict::allow);
  CHECK(policy.inbound_im("public.example", "sip.example") == PolicyVerdict::consent_required);
  CHECK(policy.inbound_im("stranger.example", "sip.example") == PolicyVerdict::not_partner);
  CHECK(policy.inbound_im("xmpp.example", "other.example") == PolicyVerdict::not_local);
  CHECK(policy.inbound_im("sip.example", "sip.example") == PolicyVerdict::not_partner);
  CHECK(policy.inbound_im("", "sip.example") == PolicyVerdict::not_partner);
}

TEST_CASE("local users may write to every partner type", "[unit][gateway]") {
  GatewayConfig c = config();
  PartnerPolicy policy(c);
  CHECK(policy.outbound_im("sip.example", "xmpp.example") == PolicyVerdict::allow);
  CHECK(policy.outbound_im("sip.example", "public.example") == PolicyVerdict::allow);
  CHECK(policy.outbound_im("sip.example", "stranger.example") == PolicyVerdict::not_partner);
  CHECK(policy.outbound_im("other.example", "xmpp.example") == PolicyVerdict::not_local);
  CHECK(policy.outbound_im("sip.example", "sip.example") == PolicyVerdict::not_partner);
}

TEST_CASE("unlisted domains follow the unlisted policy", "[unit][gateway]") {
  GatewayConfig c = config();
  c.gateway.unlisted_domains = UnlistedPolicy::allow_public_unverified;
  PartnerPolicy policy(c);
  CHECK(policy.outbound_im("sip.example", "stranger.example") == PolicyVerdict::allow);
  // Treated as public_unverified: nothing reaches a user who has not added the contact.
  CHECK(policy.inbound_im("stranger.example", "sip.example") == PolicyVerdict::consent_required);
  CHECK(policy.outbound_im("sip.example", "sip.example") == PolicyVerdict::not_partner);
}
