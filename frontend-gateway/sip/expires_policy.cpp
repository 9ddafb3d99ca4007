#include "frontend-gateway/sip/expires_policy.h"

#include <string>

#include "frontend-gateway/sip/header_params.h"

namespace xf::sip {

Status ExpiresPolicy::validate() const {
  if (min_expires == 0 || min_expires > default_expires || default_expires > max_expires) {
    return fail(Errc::invalid_argument,
                "expires policy needs 0 < min_expires <= default_expires <= max_expires");
  }
  return {};
}

ExpiresDecision ExpiresPolicy::decide(const SipMessage& subscribe) const {
  const auto value = subscribe.header("Expires");
  if (!value) return decide(std::nullopt);
  return decide(std::optional<std::string_view>(*value));
}

ExpiresDecision ExpiresPolicy::decide(std::optional<std::string_view> expires_header) const {
  ExpiresDecision out;
  if (!expires_header) {
    out.expires = default_expires;
    return out;
  }
  const auto asked = parse_delta_seconds(*expires_header);
  if (!asked) {
    out.kind = ExpiresDecision::Kind::malformed;
    return out;
  }
  if (*asked == 0) {
    out.kind = ExpiresDecision::Kind::fetch;
    return out;
  }
  if (*asked < min_expires) {
    out.kind = ExpiresDecision::Kind::too_brief;
    out.expires = min_expires;
    return out;
  }
  out.expires = *asked < max_expires ? *asked : max_expires;
  return out;
}

Status ExpiresPolicy::add_min_expires(SipMessage& response) const {
  return response.set_header("Min-Expires", std::to_string(min_expires));
}

std::optional<std::uint32_t> min_expires_of(const SipMessage& response) {
  const auto value = response.header("Min-Expires");
  if (!value) return std::nullopt;
  return parse_delta_seconds(*value);
}

Millis refresh_deadline(Millis now, std::uint32_t granted) {
  constexpr std::uint32_t kEarly = 600;
  const std::uint32_t after = granted > 2 * kEarly ? granted - kEarly : granted / 2;
  return now + static_cast<Millis>(after) * 1000;
}

}  // namespace xf::sip
