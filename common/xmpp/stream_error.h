// RFC 6120 stream error conditions (§4.9.3) and stanza error conditions (§8.3.3).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xf::xmpp {

inline constexpr std::string_view kStreamsNs = "http://etherx.jabber.org/streams";
inline constexpr std::string_view kStreamErrorNs = "urn:ietf:params:xml:ns:xmpp-streams";
inline constexpr std::string_view kStanzaErrorNs = "urn:ietf:params:xml:ns:xmpp-stanzas";
inline constexpr std::string_view kServerNs = "jabber:server";
inline constexpr std::string_view kClientNs = "jabber:client";
inline constexpr std::string_view kDialbackNs = "jabber:server:dialback";
inline constexpr std::string_view kTlsNs = "urn:ietf:params:xml:ns:xmpp-tls";
inline constexpr std::string_view kSaslNs = "urn:ietf:params:xml:ns:xmpp-sasl";

enum class StreamError {
  bad_format,
  bad_namespace_prefix,
  conflict,
  connection_timeout,
  host_gone,
  host_unknown,
  improper_addressing,
  internal_server_error,
  invalid_from,
  invalid_namespace,
  invalid_xml,
  not_authorized,
  not_well_formed,
  policy_violation,
  remote_connection_failed,
  reset,
  resource_constraint,
  restricted_xml,
  see_other_host,
  system_shutdown,
  undefined_condition,
  unsupported_encoding,
  unsupported_feature,
  unsupported_stanza_type,
  unsupported_version,
};

enum class StanzaError {
  bad_request,
  conflict,
  feature_not_implemented,
  forbidden,
  gone,
  internal_server_error,
  item_not_found,
  jid_malformed,
  not_acceptable,
  not_allowed,
  not_authorized,
  policy_violation,
  recipient_unavailable,
  redirect,
  registration_required,
  remote_server_not_found,
  remote_server_timeout,
  resource_constraint,
  service_unavailable,
  subscription_required,
  undefined_condition,
  unexpected_request,
};

// Element name of the condition, e.g. "not-well-formed".
std::string_view to_string(StreamError condition);
std::string_view to_string(StanzaError condition);
std::optional<StreamError> parse_stream_error(std::string_view name);
std::optional<StanzaError> parse_stanza_error(std::string_view name);
// RFC 6120 §8.3.2 default error type for a condition: "cancel", "modify", "auth", "wait".
std::string_view default_error_type(StanzaError condition);

// A stream-level failure: the condition to send and a human-readable reason for logs/<text/>.
struct StreamFailure {
  StreamError condition = StreamError::undefined_condition;
  std::string text;
};

}  // namespace xf::xmpp
