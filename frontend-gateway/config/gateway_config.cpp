#include "frontend-gateway/config/gateway_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <set>
#include <string_view>

#include "common/config/config_reader.h"
#include "common/config/json_file.h"
#include "common/xmpp/jid.h"

namespace xf::gw {
namespace {

using config::ConfigSection;

// A bare domain, prepared; reports an error and returns "" otherwise.
std::string read_domain(ConfigSection& s, std::string_view key, std::string value) {
  if (value.empty()) return value;
  auto jid = xmpp::Jid::parse(value);
  if (!jid.ok() || !jid->local().empty() || !jid->resource().empty()) {
    s.error(key, "must be a domain name");
    return {};
  }
  return jid->domain();
}

Requirement read_requirement(ConfigSection& s, std::string_view key, Requirement fallback) {
  return s.choice(key, fallback,
                  {{"required", Requirement::required},
                   {"optional", Requirement::optional},
                   {"not_supported", Requirement::not_supported}});
}

// A key whose other values need the partner policy the gateway does not push to the edges yet:
// only the value that describes what the edges do today is accepted, so that no setting is
// taken and then ignored.
void only_current(ConfigSection s, const char* key, bool is_current, std::string_view what) {
  if (!is_current) s.error(key, "not implemented yet: " + std::string(what));
}

Partner read_partner(ConfigSection p) {
  Partner out;
  out.domain = read_domain(p, "domain", p.required_string("domain"));
  for (const std::string& d : p.string_array("additional_domains")) {
    std::string prepared = read_domain(p, "additional_domains", d);
    if (!prepared.empty()) out.additional_domains.push_back(prepared);
  }
  out.partner_type = p.choice("partner_type", PartnerType::federated,
                              {{"federated", PartnerType::federated},
                               {"public_verified", PartnerType::public_verified},
                               {"public_unverified", PartnerType::public_unverified}});
  out.tls = read_requirement(p, "tls", Requirement::required);
  out.sasl = read_requirement(p, "sasl", Requirement::optional);
  out.dialback = p.boolean("dialback", true);
  out.keepalive = p.boolean("keepalive", true);
  out.connection_limit = p.integer("connection_limit", Partner{}.connection_limit, 1, 100000);
  out.proxy_fqdn = p.string("proxy_fqdn", "");
  out.description = p.string("description", "");
  only_current(p, "tls", out.tls == Requirement::required,
               "the edge requires STARTTLS of every partner; only \"required\"");
  only_current(p, "sasl", out.sasl != Requirement::required,
               "the edge offers no SASL EXTERNAL yet and authenticates partners by dialback; "
               "\"optional\" or \"not_supported\"");
  only_current(p, "dialback", out.dialback,
               "the edge authenticates every partner by dialback; only true");
  only_current(p, "keepalive", out.keepalive,
               "the edge sends keep-alives on every stream (edge.json s2s.keepalive_interval_s); "
               "only true");
  only_current(p, "connection_limit", out.connection_limit == Partner{}.connection_limit,
               "no per-partner limit; the edge limits connections per address "
               "(edge.json s2s.partner_connection_limit); only 20");
  only_current(p, "proxy_fqdn", out.proxy_fqdn.empty(),
               "no static routes; the edge finds partners by DNS; only \"\"");
  // Cross-field checks last: combinations no stream could satisfy.
  if (out.sasl == Requirement::required && out.tls == Requirement::not_supported) {
    p.error("sasl", "cannot be required when tls is not_supported (SASL EXTERNAL needs TLS)");
  }
  if (out.sasl == Requirement::not_supported && !out.dialback) {
    p.error("dialback", "must be true when sasl is not_supported (no way to authenticate)");
  }
  return out;
}

void read_relay(ConfigSection s, RelaySettings& o) {
  for (ConfigSection e : s.required_object_array("edges")) {
    EdgeEndpoint ep;
    ep.host = e.required_string("host");
    ep.port = static_cast<std::uint16_t>(e.integer("port", 23456, 1, 65535));
    ep.name = e.required_string("name");
    o.edges.push_back(std::move(ep));
  }
  if (s.has("edges") && o.edges.empty()) s.error("edges", "must list at least one edge");
  config::read_relay_link(s, o);
  o.reconnect_min_ms = s.integer("reconnect_min_ms", o.reconnect_min_ms, 10, 600000);
  o.reconnect_max_ms = s.integer("reconnect_max_ms", o.reconnect_max_ms, 10, 3600000);
  o.high_water_bytes = s.integer("high_water_bytes", o.high_water_bytes, 65536, 1LL << 30);
  if (o.reconnect_max_ms < o.reconnect_min_ms) {
    s.error("reconnect_max_ms", "must not be below reconnect_min_ms");
  }
}

SipTransportKind read_sip_transport(ConfigSection& s) {
  return s.choice("transport", SipTransportKind::tcp,
                  {{"tcp", SipTransportKind::tcp}, {"tls", SipTransportKind::tls}});
}

bool is_ip_literal(const std::string& host) {
  in6_addr scratch{};
  return inet_pton(AF_INET, host.c_str(), &scratch) == 1 ||
         inet_pton(AF_INET6, host.c_str(), &scratch) == 1;
}

// Reads sip.tls after both transports, so the cross-field checks see them.
void read_sip_tls(ConfigSection t, SipSettings& o) {
  o.tls.ca_file = t.string("ca_file", "");
  o.tls.server_name = read_domain(t, "server_name", t.string("server_name", ""));
  o.tls.certificate = t.string("certificate", "");
  o.tls.private_key = t.string("private_key", "");
  if (o.tls.certificate.empty() != o.tls.private_key.empty()) {
    t.error(o.tls.certificate.empty() ? "certificate" : "private_key",
            "certificate and private_key go together");
  }
  if (o.listen_transport == SipTransportKind::tls && o.tls.certificate.empty()) {
    t.error("certificate", "is required when /sip/listen/transport is tls");
  }
  // A certificate names the proxy by DNS name; an address cannot be checked against it.
  if (o.next_hop_transport == SipTransportKind::tls && o.tls.server_name.empty() &&
      is_ip_literal(o.next_hop_host)) {
    t.error("server_name",
            "is required when /sip/next_hop/transport is tls and next_hop.host is an IP address");
  }
}

void read_sip(ConfigSection s, SipSettings& o) {
  ConfigSection listen = s.object("listen");
  o.listen_address = listen.string("address", "0.0.0.0");
  o.listen_port = static_cast<std::uint16_t>(listen.integer("port", 5060, 1, 65535));
  o.listen_transport = read_sip_transport(listen);
  ConfigSection hop = s.required_object("next_hop");
  o.next_hop_host = hop.required_string("host");
  o.next_hop_port = static_cast<std::uint16_t>(hop.integer("port", 5060, 1, 65535));
  o.next_hop_transport = read_sip_transport(hop);
  read_sip_tls(s.object("tls"), o);
  o.t1_ms = s.integer("t1_ms", o.t1_ms, 50, 10000);
  o.max_message_bytes = s.integer("max_message_bytes", o.max_message_bytes, 4096, 1 << 24);
  o.max_pending_requests = s.integer("max_pending_requests", o.max_pending_requests, 1, 1000000);
  o.max_transactions = s.integer("max_transactions", o.max_transactions, 2, 1000000);
  // Left out, the mark follows smaller caps down (a file that lowered max_pending_requests
  // stays valid); given, it must fit below both.
  const bool high_given = s.has("high_water_transactions");
  if (!high_given) {
    o.high_water_transactions = std::max<std::int64_t>(
        1,
        std::min({o.high_water_transactions, o.max_transactions / 2, o.max_pending_requests / 2}));
  }
  o.high_water_transactions =
      s.integer("high_water_transactions", o.high_water_transactions, 1, 1000000);
  o.high_water_bytes = s.integer("high_water_bytes", o.high_water_bytes, 65536, 1LL << 30);
  // What is read after reading stopped (a read buffer per connection) must still fit.
  if (high_given && o.high_water_transactions > o.max_transactions / 2) {
    s.error("high_water_transactions", "must be at most half of max_transactions");
  }
  if (high_given && o.high_water_transactions > o.max_pending_requests / 2) {
    s.error("high_water_transactions", "must be at most half of max_pending_requests");
  }
  o.delivery_grace_ms = s.integer("delivery_grace_ms", o.delivery_grace_ms, 0, 10000);
  // The held request must still be answered before the sender's own Timer F (64*T1) fires.
  if (o.delivery_grace_ms >= 64 * o.t1_ms) {
    s.error("delivery_grace_ms", "must be below 64*t1_ms (the SIP sender's transaction timeout)");
  }
}

void read_gateway(ConfigSection s, GatewaySettings& o) {
  o.connection_limit = s.integer("connection_limit", o.connection_limit, 1, 1000000);
  o.partner_connection_limit =
      s.integer("partner_connection_limit", o.partner_connection_limit, 1, 100000);
  o.keepalive_interval_s = s.integer("keepalive_interval_s", o.keepalive_interval_s, 0, 86400);
  o.stream_establishment_timeout_s =
      s.integer("stream_establishment_timeout_s", o.stream_establishment_timeout_s, 1, 3600);
  o.stream_inactivity_timeout_s =
      s.integer("stream_inactivity_timeout_s", o.stream_inactivity_timeout_s, 10, 86400);
  // The edges do not receive these from the gateway yet; each edge takes its own from edge.json.
  const GatewaySettings defaults;
  constexpr std::string_view kOnEdge =
      "the edge takes this from its own edge.json (s2s.*); only the default";
  only_current(s, "connection_limit", o.connection_limit == defaults.connection_limit, kOnEdge);
  only_current(s, "partner_connection_limit",
               o.partner_connection_limit == defaults.partner_connection_limit, kOnEdge);
  only_current(s, "keepalive_interval_s", o.keepalive_interval_s == defaults.keepalive_interval_s,
               kOnEdge);
  only_current(s, "stream_establishment_timeout_s",
               o.stream_establishment_timeout_s == defaults.stream_establishment_timeout_s,
               kOnEdge);
  only_current(s, "stream_inactivity_timeout_s",
               o.stream_inactivity_timeout_s == defaults.stream_inactivity_timeout_s, kOnEdge);
  o.subscription_refresh_interval_s = s.integer("subscription_refresh_interval_s",
                                                o.subscription_refresh_interval_s, 60, 7 * 86400);
  o.log_message_bodies = s.boolean("log_message_bodies", false);
  o.unlisted_domains =
      s.choice("unlisted_domains", UnlistedPolicy::deny,
               {{"deny", UnlistedPolicy::deny},
                {"allow_public_unverified", UnlistedPolicy::allow_public_unverified}});
}

}  // namespace

std::string_view via_transport(SipTransportKind kind) {
  return kind == SipTransportKind::tls ? "TLS" : "TCP";
}

std::string_view uri_transport(SipTransportKind kind) {
  return kind == SipTransportKind::tls ? "tls" : "tcp";
}

std::string_view to_string(PartnerType type) {
  switch (type) {
    case PartnerType::federated: return "federated";
    case PartnerType::public_verified: return "public_verified";
    case PartnerType::public_unverified: return "public_unverified";
  }
  return "?";
}

std::string_view to_string(Requirement requirement) {
  switch (requirement) {
    case Requirement::required: return "required";
    case Requirement::optional: return "optional";
    case Requirement::not_supported: return "not_supported";
  }
  return "?";
}

bool GatewayConfig::is_local(std::string_view domain) const {
  for (const std::string& d : local_domains) {
    if (d == domain) return true;
  }
  return false;
}

const Partner* GatewayConfig::find_partner(std::string_view domain) const {
  for (const Partner& p : partners) {
    if (p.domain == domain) return &p;
    for (const std::string& d : p.additional_domains) {
      if (d == domain) return &p;
    }
  }
  return nullptr;
}

Result<GatewayConfig> load_gateway_config(const std::string& path) {
  auto doc = config::load_json_file(path);
  if (!doc.ok()) return fail(doc.error());
  config::ConfigReader reader(*doc);
  ConfigSection root = reader.root();
  GatewayConfig cfg;
  cfg.log_level = config::read_log_level(root);
  cfg.node_name = root.string("node_name", "gateway");
  for (const std::string& d : root.required_string_array("local_domains")) {
    std::string prepared = read_domain(root, "local_domains", d);
    if (!prepared.empty()) cfg.local_domains.push_back(prepared);
  }
  if (root.has("local_domains") && cfg.local_domains.empty()) {
    root.error("local_domains", "must list at least one domain");
  }
  read_relay(root.required_object("relay"), cfg.relay);
  read_sip(root.required_object("sip"), cfg.sip);
  read_gateway(root.object("gateway"), cfg.gateway);
  ConfigSection store = root.object("store");
  cfg.store.path = store.string("path", cfg.store.path);
  if (cfg.store.path.empty()) store.error("path", "must name the state database file");
  std::vector<ConfigSection> partners = root.object_array("partners");
  std::set<std::string> seen;
  for (ConfigSection& p : partners) {
    Partner partner = read_partner(p);
    for (const std::string& d : partner.additional_domains) {
      if (!seen.insert(d).second) p.error("additional_domains", "domain " + d + " is listed twice");
    }
    if (!partner.domain.empty() && !seen.insert(partner.domain).second) {
      p.error("domain", "domain " + partner.domain + " is listed twice");
    }
    if (!partner.domain.empty() && cfg.is_local(partner.domain)) {
      p.error("domain", "is one of local_domains");
    }
    cfg.partners.push_back(std::move(partner));
  }
  if (Status st = reader.finish(); !st.ok()) return fail(st.error());
  return cfg;
}

}  // namespace xf::gw
