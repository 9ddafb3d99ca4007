#include "frontend-gateway/sip/subscription_state.h"

#include <array>
#include <utility>

#include "frontend-gateway/sip/header_params.h"
#include "frontend-gateway/sip/sip_syntax.h"

namespace xf::sip {

namespace {

constexpr std::array<std::pair<TerminationReason, const char*>, 7> kReasons = {{
    {TerminationReason::deactivated, "deactivated"},
    {TerminationReason::probation, "probation"},
    {TerminationReason::rejected, "rejected"},
    {TerminationReason::timeout, "timeout"},
    {TerminationReason::giveup, "giveup"},
    {TerminationReason::noresource, "noresource"},
    {TerminationReason::invariant, "invariant"},
}};

}  // namespace

const char* to_string(SubState state) {
  switch (state) {
    case SubState::active: return "active";
    case SubState::pending: return "pending";
    case SubState::terminated: return "terminated";
    case SubState::extension: return "extension";
  }
  return "extension";
}

const char* to_string(TerminationReason reason) {
  for (const auto& [value, text] : kReasons) {
    if (value == reason) return text;
  }
  return "";
}

SubscriptionState SubscriptionState::active(std::uint32_t expires) {
  SubscriptionState s;
  s.state = SubState::active;
  s.expires = expires;
  return s;
}

SubscriptionState SubscriptionState::pending(std::uint32_t expires) {
  SubscriptionState s;
  s.state = SubState::pending;
  s.expires = expires;
  return s;
}

SubscriptionState SubscriptionState::terminated(TerminationReason reason,
                                                std::optional<std::uint32_t> retry_after) {
  SubscriptionState s;
  s.state = SubState::terminated;
  s.reason = reason;
  s.reason_text = xf::sip::to_string(reason);
  s.retry_after = retry_after;
  return s;
}

Result<SubscriptionState> SubscriptionState::parse(std::string_view value) {
  auto parsed = HeaderValue::parse(value);
  if (!parsed) return fail(parsed.error());
  SubscriptionState s;
  const std::string head = ascii_lower(parsed->head);
  if (!is_token(head)) return fail(Errc::parse_error, "substate is not a token");
  if (head == "active") {
    s.state = SubState::active;
  } else if (head == "pending") {
    s.state = SubState::pending;
  } else if (head == "terminated") {
    s.state = SubState::terminated;
  } else {
    s.state = SubState::extension;
    s.extension_state = head;
  }
  if (auto e = parsed->param("expires")) {
    s.expires = parse_delta_seconds(*e);
    if (!s.expires) return fail(Errc::parse_error, "Subscription-State expires is not a number");
  }
  if (auto r = parsed->param("retry-after")) {
    s.retry_after = parse_delta_seconds(*r);
    if (!s.retry_after) return fail(Errc::parse_error, "retry-after is not a number");
  }
  if (auto r = parsed->param("reason")) {
    s.reason_text = ascii_lower(*r);
    s.reason = TerminationReason::other;
    for (const auto& [reason, text] : kReasons) {
      if (s.reason_text == text) s.reason = reason;
    }
  }
  return s;
}

Result<SubscriptionState> SubscriptionState::of(const SipMessage& notify) {
  auto value = notify.header("Subscription-State");
  if (!value) return fail(Errc::not_found, "NOTIFY has no Subscription-State");
  return parse(*value);
}

Result<std::string> SubscriptionState::to_string() const {
  std::string out;
  if (state == SubState::extension) {
    if (!is_token(extension_state)) {
      return fail(Errc::invalid_argument, "extension substate is not a token");
    }
    out = extension_state;
  } else {
    out = xf::sip::to_string(state);
  }
  if (reason != TerminationReason::none) {
    const std::string text =
        reason == TerminationReason::other ? reason_text : xf::sip::to_string(reason);
    if (!is_token(text)) return fail(Errc::invalid_argument, "reason is not a token");
    out += ";reason=" + text;
  }
  if (expires) out += ";expires=" + std::to_string(*expires);
  if (retry_after) out += ";retry-after=" + std::to_string(*retry_after);
  return out;
}

RetryAdvice SubscriptionState::retry_advice() const {
  switch (reason) {
    case TerminationReason::deactivated:
    case TerminationReason::timeout: return RetryAdvice::now;
    case TerminationReason::rejected:
    case TerminationReason::noresource:
    case TerminationReason::invariant: return RetryAdvice::never;
    case TerminationReason::probation:
    case TerminationReason::giveup:
    case TerminationReason::none:
    case TerminationReason::other: return RetryAdvice::later;
  }
  return RetryAdvice::later;
}

}  // namespace xf::sip
