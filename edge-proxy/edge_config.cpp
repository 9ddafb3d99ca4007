#include "edge-proxy/edge_config.h"

#include "common/config/config_reader.h"
#include "common/config/json_file.h"
#include "common/xmpp/jid.h"

namespace xf::edge {
namespace {

ListenAddress read_listen(config::ConfigSection s, std::int64_t default_port) {
  ListenAddress l;
  l.address = s.string("address", "0.0.0.0");
  l.port = static_cast<std::uint16_t>(s.integer("port", default_port, 1, 65535));
  return l;
}

void read_hosted(config::ConfigSection root, EdgeConfig& cfg) {
  for (config::ConfigSection d : root.required_object_array("hosted_domains")) {
    HostedDomain h;
    std::string name = d.required_string("domain");
    auto jid = xmpp::Jid::parse(name);
    if (!name.empty() && (!jid.ok() || !jid->local().empty() || !jid->resource().empty())) {
      d.error("domain", "must be a domain name");
    } else if (jid.ok()) {
      name = jid->domain();
    }
    h.domain = name;
    h.certificate = d.required_string("certificate");
    h.private_key = d.required_string("private_key");
    cfg.hosted_domains.push_back(std::move(h));
  }
}

void read_s2s(config::ConfigSection s, S2sSettings& o) {
  for (config::ConfigSection l : s.object_array("listen")) o.listen.push_back(read_listen(l, 5269));
  if (!s.has("listen")) o.listen.push_back({"0.0.0.0", 5269});
  for (config::ConfigSection l : s.object_array("direct_tls_listen")) {
    o.direct_tls_listen.push_back(read_listen(l, kDirectTlsPort));
  }
  for (std::size_t i = 0; i < o.direct_tls_listen.size(); ++i) {
    const ListenAddress& d = o.direct_tls_listen[i];
    for (const ListenAddress& l : o.listen) {
      if (l.address == d.address && l.port == d.port) {
        s.member_error("direct_tls_listen", std::to_string(i),
                       "is also a STARTTLS listen address; one port cannot serve both");
      }
    }
  }
  // An empty secret still gives keys, but anyone can compute them (XEP-0185 §4): refuse it
  // rather than run a dialback that proves nothing.
  if (auto secret = s.optional_string("dialback_secret")) {
    o.dialback_secret = std::move(*secret);
    if (o.dialback_secret.size() < 16) {
      s.error("dialback_secret",
              "must be at least 16 characters (e.g. `openssl rand -hex 32`), the same on every "
              "edge of a pool");
    }
  } else if (!s.has("dialback_secret")) {
    s.required_string("dialback_secret");  // Reports the missing key.
  }
  o.trust_anchors = s.string("trust_anchors", "");
  o.max_stanza_bytes = s.integer("max_stanza_bytes", o.max_stanza_bytes, 10000, 16 << 20);
  o.stream_establishment_timeout_s =
      s.integer("stream_establishment_timeout_s", o.stream_establishment_timeout_s, 1, 3600);
  o.stream_inactivity_timeout_s =
      s.integer("stream_inactivity_timeout_s", o.stream_inactivity_timeout_s, 10, 86400);
  o.keepalive_interval_s = s.integer("keepalive_interval_s", o.keepalive_interval_s, 0, 86400);
  o.connection_limit = s.integer("connection_limit", o.connection_limit, 1, 1'000'000);
  o.partner_connection_limit =
      s.integer("partner_connection_limit", o.partner_connection_limit, 1, 100'000);
  o.outbound_queue_limit = s.integer("outbound_queue_limit", o.outbound_queue_limit, 1, 1'000'000);
  o.connect_timeout_s = s.integer("connect_timeout_s", o.connect_timeout_s, 1, 600);
  o.high_water_bytes = s.integer("high_water_bytes", o.high_water_bytes, 65536, 1LL << 30);
  o.default_port = s.integer("default_port", o.default_port, 1, 65535);
  if (o.keepalive_interval_s != 0 && o.keepalive_interval_s >= o.stream_inactivity_timeout_s) {
    s.error("keepalive_interval_s", "must be below stream_inactivity_timeout_s");
  }
}

void read_discovery(config::ConfigSection s, const EdgeConfig& cfg, S2sSettings& o) {
  for (const auto& [name, target] : s.string_map("routes")) {
    auto jid = xmpp::Jid::parse(name);
    if (!jid.ok() || !jid->local().empty() || !jid->resource().empty()) {
      s.member_error("routes", name, "the key must be a partner domain");
      continue;
    }
    if (cfg.is_hosted(jid->domain())) {
      s.member_error("routes", name, "is a hosted domain, not a partner");
      continue;
    }
    // "xmpps://host[:port]": direct TLS (XEP-0368), 5270 unless given.
    constexpr std::string_view kDirectTlsScheme = "xmpps://";
    const bool direct_tls = std::string_view(target).starts_with(kDirectTlsScheme);
    auto hp = direct_tls
                  ? dns::parse_host_port(std::string_view(target).substr(kDirectTlsScheme.size()),
                                         kDirectTlsPort)
                  : dns::parse_host_port(target, static_cast<std::uint16_t>(o.default_port));
    if (!hp.ok()) {
      s.member_error("routes", name, "\"" + target + "\" " + hp.error().detail);
      continue;
    }
    S2sRoute route;
    static_cast<dns::HostPort&>(route) = *hp;
    route.direct_tls = direct_tls;
    if (!o.routes.emplace(jid->domain(), route).second) {
      s.member_error("routes", name, "names the same domain as another route");
    }
  }
  std::vector<std::string> servers = s.string_array("dns_servers");
  for (std::size_t i = 0; i < servers.size(); ++i) {
    // Port 53 unless given (RFC 1035 §4.2).
    auto hp = dns::parse_host_port(servers[i], 53);
    if (hp.ok() && !hp->numeric) {
      s.member_error("dns_servers", std::to_string(i), "must be an IP address, not a host name");
    } else if (!hp.ok()) {
      s.member_error("dns_servers", std::to_string(i),
                     "\"" + servers[i] + "\" " + hp.error().detail);
    } else {
      o.dns_servers.push_back(*hp);
    }
  }
  o.dns_cache_entries = s.integer("dns_cache_entries", o.dns_cache_entries, 0, 1'000'000);
}

void read_relay(config::ConfigSection s, RelaySettings& o) {
  o.listen = read_listen(s.object("listen"), 23456);
  config::read_relay_link(s, o);
  o.allowed_peers = s.required_string_array("allowed_peers");
  if (s.has("allowed_peers") && o.allowed_peers.empty()) {
    s.error("allowed_peers", "must name at least one gateway");
  }
  o.high_water_bytes = s.integer("high_water_bytes", o.high_water_bytes, 65536, 1LL << 30);
  o.max_queue_bytes = s.integer("max_queue_bytes", o.max_queue_bytes, 65536, 1LL << 32);
  if (o.high_water_bytes >= o.max_queue_bytes) {
    s.error("high_water_bytes", "must be below max_queue_bytes");
  }
}

}  // namespace

bool EdgeConfig::is_hosted(std::string_view domain) const {
  for (const HostedDomain& h : hosted_domains) {
    if (h.domain == domain) return true;
  }
  return false;
}

Result<EdgeConfig> load_edge_config(const std::string& path) {
  auto doc = config::load_json_file(path);
  if (!doc.ok()) return fail(doc.error());
  config::ConfigReader reader(*doc);
  config::ConfigSection root = reader.root();
  EdgeConfig cfg;
  cfg.log_level = config::read_log_level(root);
  read_hosted(root, cfg);
  config::ConfigSection s2s = root.required_object("s2s");
  read_s2s(s2s, cfg.s2s);
  read_discovery(s2s, cfg, cfg.s2s);
  read_relay(root.required_object("relay"), cfg.relay);
  if (Status st = reader.finish(); !st.ok()) return fail(st.error());
  return cfg;
}

}  // namespace xf::edge
