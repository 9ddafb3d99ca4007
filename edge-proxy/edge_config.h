// The edge proxy's configuration: parsed from JSON, validated, then frozen (nothing changes it
// after validation). Every bound is a named key with a default; deploy/edge.example.json shows them
// all.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/config/shared_sections.h"
#include "common/core/result.h"
#include "common/dns/host_port.h"

namespace xf::edge {

struct ListenAddress {
  std::string address;
  std::uint16_t port = 0;
};

// A hosted domain: an internal SIP domain this edge serves on the XMPP side.
struct HostedDomain {
  std::string domain;
  std::string certificate;  // PEM chain presented for this domain (chosen by SNI).
  std::string private_key;
};

// A static route to a partner: where its s2s service is, and whether TLS starts there at once
// (XEP-0368 direct TLS, configured as "xmpps://host[:port]") or by STARTTLS ("host[:port]").
struct S2sRoute : dns::HostPort {
  bool direct_tls = false;
};

// The default port of direct TLS addresses: XEP-0368 assigns none (SRV names the port); 5270 is
// the one servers use by convention (Prosody's s2s_direct_tls_ports examples, ejabberd's docs).
inline constexpr std::uint16_t kDirectTlsPort = 5270;

struct S2sSettings {
  std::vector<ListenAddress> listen;  // STARTTLS port, 5269 by default.
  // Direct TLS (XEP-0368) listeners: TLS from the first byte, ALPN xmpp-server. None unless
  // configured: partners only come here through an _xmpps-server SRV record that the operator
  // publishes, so the port opens together with that record, never by an upgrade alone.
  std::vector<ListenAddress> direct_tls_listen;
  // XEP-0185 secret: every edge of a pool needs the same one so that any can verify a key.
  std::string dialback_secret;
  // Trust anchors for partner certificates; "" means the system store.
  std::string trust_anchors;
  // RFC 6120 §13.12 floor is 10000 bytes; 65536 matches what public servers accept.
  std::int64_t max_stanza_bytes = 65536;
  std::int64_t stream_establishment_timeout_s = 60;
  std::int64_t stream_inactivity_timeout_s = 600;
  std::int64_t keepalive_interval_s = 300;
  // Connections in total (inbound + outbound); beyond it new inbound ones are refused.
  std::int64_t connection_limit = 1000;
  // Inbound connections from one peer address.
  std::int64_t partner_connection_limit = 20;
  // Stanzas waiting for one outbound stream to come up; beyond it they bounce.
  std::int64_t outbound_queue_limit = 1000;
  // Bytes written to one partner stream and not yet taken by its socket at which the edge
  // stops reading the gateway links that feed it (resuming at half of it): 1 MiB is some
  // thousands of stanzas, far more than a partner that keeps up ever has waiting, and little
  // memory per stream.
  std::int64_t high_water_bytes = 1024 * 1024;
  // Time to connect (TCP + TLS + dialback) to a partner before queued stanzas bounce.
  std::int64_t connect_timeout_s = 30;
  // Default port when a partner is reached by its A/AAAA records (no SRV records).
  std::int64_t default_port = 5269;
  // Static routes: partner domain -> where its s2s service is, instead of what DNS says (no
  // SRV lookup for that domain). A host name is still resolved (A/AAAA).
  std::map<std::string, S2sRoute> routes;
  // DNS servers for partner discovery, as "ip" or "ip:port" ("[v6]:port"); empty means the
  // system's /etc/resolv.conf.
  std::vector<dns::HostPort> dns_servers;
  // Answers kept until their TTL runs out (SRV sets and address lists); 1000 covers the
  // partners of a large deployment several times over, and 0 turns the cache off.
  std::int64_t dns_cache_entries = 1000;
};

// The relay link's certificate, CA and timers (shared with the gateway), plus the edge's own.
struct RelaySettings : config::RelayLinkConfig {
  ListenAddress listen;                    // 23456 by default; gateways dial it.
  std::vector<std::string> allowed_peers;  // Names a gateway certificate must carry.
  // Bytes queued towards one gateway at which the edge stops reading the partner streams that
  // feed it, resuming at half of it (backpressure: TCP flow control then slows the partners).
  // 1 MiB is a few thousand stanzas: enough to keep a gateway busy between two reads.
  std::int64_t high_water_bytes = 1024 * 1024;
  // The hard bound behind it: what partner streams read after reading stopped (at most one
  // read buffer each) still fits; a stanza beyond it bounces (resource-constraint).
  std::int64_t max_queue_bytes = 8 * 1024 * 1024;
};

struct EdgeConfig {
  std::string log_level = "info";
  std::vector<HostedDomain> hosted_domains;
  S2sSettings s2s;
  RelaySettings relay;

  bool is_hosted(std::string_view domain) const;
};

// Loads, validates and freezes a config file; errors name the JSON pointer of each problem.
Result<EdgeConfig> load_edge_config(const std::string& path);

}  // namespace xf::edge
