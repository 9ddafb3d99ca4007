#include "common/xmpp/stream_error.h"

#include <array>
#include <utility>

namespace xf::xmpp {
namespace {

// Indexed by the enum value, so the order must match the declaration in stream_error.h.
constexpr std::array<std::string_view, 25> kStreamErrorNames = {
    "bad-format",
    "bad-namespace-prefix",
    "conflict",
    "connection-timeout",
    "host-gone",
    "host-unknown",
    "improper-addressing",
    "internal-server-error",
    "invalid-from",
    "invalid-namespace",
    "invalid-xml",
    "not-authorized",
    "not-well-formed",
    "policy-violation",
    "remote-connection-failed",
    "reset",
    "resource-constraint",
    "restricted-xml",
    "see-other-host",
    "system-shutdown",
    "undefined-condition",
    "unsupported-encoding",
    "unsupported-feature",
    "unsupported-stanza-type",
    "unsupported-version",
};
static_assert(static_cast<std::size_t>(StreamError::unsupported_version) + 1 ==
              kStreamErrorNames.size());

struct StanzaErrorInfo {
  std::string_view name;
  std::string_view type;  // RFC 6120 §8.3.3 suggested default type.
};

constexpr std::array<StanzaErrorInfo, 22> kStanzaErrors = {{
    {"bad-request", "modify"},
    {"conflict", "cancel"},
    {"feature-not-implemented", "cancel"},
    {"forbidden", "auth"},
    {"gone", "cancel"},
    {"internal-server-error", "cancel"},
    {"item-not-found", "cancel"},
    {"jid-malformed", "modify"},
    {"not-acceptable", "modify"},
    {"not-allowed", "cancel"},
    {"not-authorized", "auth"},
    {"policy-violation", "modify"},
    {"recipient-unavailable", "wait"},
    {"redirect", "modify"},
    {"registration-required", "auth"},
    {"remote-server-not-found", "cancel"},
    {"remote-server-timeout", "wait"},
    {"resource-constraint", "wait"},
    {"service-unavailable", "cancel"},
    {"subscription-required", "auth"},
    {"undefined-condition", "cancel"},
    {"unexpected-request", "wait"},
}};
static_assert(static_cast<std::size_t>(StanzaError::unexpected_request) + 1 ==
              kStanzaErrors.size());

}  // namespace

std::string_view to_string(StreamError condition) {
  auto index = static_cast<std::size_t>(condition);
  return index < kStreamErrorNames.size() ? kStreamErrorNames[index] : "undefined-condition";
}

std::string_view to_string(StanzaError condition) {
  auto index = static_cast<std::size_t>(condition);
  return index < kStanzaErrors.size() ? kStanzaErrors[index].name : "undefined-condition";
}

std::optional<StreamError> parse_stream_error(std::string_view name) {
  for (std::size_t i = 0; i < kStreamErrorNames.size(); ++i) {
    if (kStreamErrorNames[i] == name) return static_cast<StreamError>(i);
  }
  return std::nullopt;
}

std::optional<StanzaError> parse_stanza_error(std::string_view name) {
  for (std::size_t i = 0; i < kStanzaErrors.size(); ++i) {
    if (kStanzaErrors[i].name == name) return static_cast<StanzaError>(i);
  }
  return std::nullopt;
}

std::string_view default_error_type(StanzaError condition) {
  auto index = static_cast<std::size_t>(condition);
  return index < kStanzaErrors.size() ? kStanzaErrors[index].type : "cancel";
}

}  // namespace xf::xmpp
