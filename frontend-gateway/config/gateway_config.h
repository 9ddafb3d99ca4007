// The frontend gateway's configuration: parsed from JSON, validated, then frozen (nothing changes
// it after validation). The gateway is the trusted side and owns the federated-partner list
// (docs/architecture.md). The edges do not receive it yet: each edge refuses unverified
// domains by its own configuration.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/shared_sections.h"
#include "common/core/result.h"

namespace xf::gw {

// Lync's PartnerType: how much a partner's users may do before an internal user has added them.
enum class PartnerType {
  federated,          // IM and subscription requests reach internal users directly.
  public_verified,    // Subscription requests need the internal user's consent.
  public_unverified,  // Nothing reaches an internal user until that user added the contact.
};

// Whether a stream feature is demanded of the partner.
enum class Requirement { required, optional, not_supported };

std::string_view to_string(PartnerType type);
std::string_view to_string(Requirement requirement);

struct Partner {
  std::string domain;
  std::vector<std::string> additional_domains;
  PartnerType partner_type = PartnerType::federated;
  Requirement tls = Requirement::required;
  Requirement sasl = Requirement::optional;
  bool dialback = true;
  bool keepalive = true;
  std::int64_t connection_limit = 20;
  std::string proxy_fqdn;  // Static route instead of SRV/A lookup ("" = look up DNS).
  std::string description;
};

// What happens to a domain with no partner entry.
enum class UnlistedPolicy {
  deny,                     // Refused: policy-violation / 403.
  allow_public_unverified,  // Treated as a public_unverified partner.
};

struct EdgeEndpoint {
  std::string host;
  std::uint16_t port = 23456;
  std::string name;  // The name the edge's certificate must carry.
};

// The relay link's certificate, CA and timers (shared with the edge), plus the edges to dial.
struct RelaySettings : config::RelayLinkConfig {
  std::vector<EdgeEndpoint> edges;
  // Reconnect backoff: doubles from min to max, with jitter.
  std::int64_t reconnect_min_ms = 500;
  std::int64_t reconnect_max_ms = 30000;
  // Bytes queued towards an edge at which the gateway stops reading SIP connections, resuming
  // at half of it (backpressure: the SIP proxy's writes then wait in TCP). 1 MiB is a few
  // thousand stanzas, enough to keep the edge busy between two reads.
  std::int64_t high_water_bytes = 1024 * 1024;
};

enum class SipTransportKind {
  tcp,  // SIP over TCP (RFC 3261 §18).
  tls,  // SIP over TLS 1.2+ (RFC 3261 §26.2.1; Via transport TLS, transport=tls in URIs).
};

// The Via transport token ("TCP", "TLS") and the URI transport parameter ("tcp", "tls").
std::string_view via_transport(SipTransportKind kind);
std::string_view uri_transport(SipTransportKind kind);

// TLS to the next hop and on the listener (used when either transport is tls).
struct SipTlsSettings {
  // PEM trust anchors for the proxy's certificate; "" = the system store.
  std::string ca_file;
  // The name the proxy's certificate must carry, also sent as SNI; "" = next_hop.host.
  std::string server_name;
  // Our certificate: presented to the proxy when it asks (mutual TLS) and served by a TLS
  // listener (required then).
  std::string certificate;
  std::string private_key;
};

struct SipSettings {
  std::string listen_address = "0.0.0.0";
  std::uint16_t listen_port = 5060;
  SipTransportKind listen_transport = SipTransportKind::tcp;
  std::string next_hop_host;
  std::uint16_t next_hop_port = 5060;
  SipTransportKind next_hop_transport = SipTransportKind::tcp;
  SipTlsSettings tls;
  // The name the next hop's certificate is checked against: tls.server_name or the host.
  const std::string& next_hop_tls_name() const {
    return tls.server_name.empty() ? next_hop_host : tls.server_name;
  }
  // RFC 3261 T1; non-INVITE transactions time out after 64*T1 (Timer F).
  std::int64_t t1_ms = 500;
  // A SIP message larger than this (headers + body) closes the connection with an error.
  std::int64_t max_message_bytes = 65536;
  // Requests waiting for the edge's verdict (or in their delivery grace window) before
  // answering 503. Sized like max_transactions: each MESSAGE waits here for as long as its
  // server transaction lives.
  std::int64_t max_pending_requests = 32768;
  // Live SIP transactions (client plus server) before a new one is refused (503, or
  // resource-constraint for a partner's message). At 50,000 MESSAGEs/s a server transaction
  // lives its edge round trip plus delivery_grace_ms (~0.25 s: 12,500 open at once) and a
  // client one a SIP round trip; backpressure (high_water_transactions) keeps the count below
  // half of this, so the cap is only met when peers stop answering. Each costs a few KB.
  std::int64_t max_transactions = 32768;
  // Transactions of one direction in progress at which the gateway stops reading their source,
  // resuming at half of it: client transactions (XMPP -> SIP) stop the relay links, server
  // transactions and MESSAGEs waiting for the edge (SIP -> XMPP) stop the SIP connections.
  // 16384 is above what 50,000 MESSAGEs/s keep open, so a healthy flow is never slowed.
  std::int64_t high_water_transactions = 16384;
  // Bytes queued towards the SIP next hop at which the gateway stops reading the relay links,
  // resuming at half of it; 1 MiB is a few thousand requests.
  std::int64_t high_water_bytes = 1024 * 1024;
  // How long a MESSAGE the edge reported Delivered (written to the partner's stream) is held
  // before its 202. The 2xx only says the gateway accepted the message (RFC 3428 §7,
  // docs/mapping.md), but a partner server that refuses it at once (unknown user: an error stanza
  // right back) can turn into a real SIP error only while the transaction is open. The price
  // is this much latency on every MESSAGE and as many requests held as arrive in the window.
  // It must end well before T1 (500 ms): a client whose hop is UDP retransmits a MESSAGE
  // unanswered after T1 (RFC 3261 §17.1.2.2), and RFC 4320 rules out a 100 to calm it. 200 ms
  // leaves room for the proxy hops and still covers a partner's immediate answer over a
  // continental s2s link. 0 answers 202 on Delivered, and a later error stanza is only logged.
  std::int64_t delivery_grace_ms = 200;
};

// Gateway-wide settings (Lync's Set-CsXmppGatewayConfiguration); the stream ones go to edges.
struct GatewaySettings {
  std::int64_t connection_limit = 1000;
  std::int64_t partner_connection_limit = 20;
  std::int64_t keepalive_interval_s = 300;
  std::int64_t stream_establishment_timeout_s = 60;
  std::int64_t stream_inactivity_timeout_s = 600;
  std::int64_t subscription_refresh_interval_s = 28800;
  bool log_message_bodies = false;
  UnlistedPolicy unlisted_domains = UnlistedPolicy::deny;
};

// Where the gateway keeps subscriptions, authorizations and the presence cache (SQLite, WAL).
struct StoreSettings {
  std::string path = "/var/lib/xmppfed/gateway.sqlite";  // ":memory:" keeps nothing (tests).
};

struct GatewayConfig {
  std::string log_level = "info";
  std::string node_name = "gateway";
  std::vector<std::string> local_domains;  // Internal SIP domains = hosted XMPP domains.
  RelaySettings relay;
  SipSettings sip;
  GatewaySettings gateway;
  StoreSettings store;
  std::vector<Partner> partners;

  bool is_local(std::string_view domain) const;
  // The partner entry that covers a domain (its domain or one of its additional domains).
  const Partner* find_partner(std::string_view domain) const;
};

Result<GatewayConfig> load_gateway_config(const std::string& path);

}  // namespace xf::gw
