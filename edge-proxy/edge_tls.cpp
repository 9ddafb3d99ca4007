#include "edge-proxy/edge_tls.h"

#include "common/net/relay_channel.h"

namespace xf::edge {

Result<EdgeTls> load_edge_tls(const EdgeConfig& config) {
  EdgeTls tls;
  {
    // The trust anchors alone first, so that a bad bundle is named by its key.
    tls::ContextConfig anchors;
    anchors.ca_file = config.s2s.trust_anchors;
    anchors.verify = tls::PeerVerify::optional;
    auto a = tls::Context::create(anchors);
    if (!a.ok()) {
      return fail(a.error().code, "/s2s/trust_anchors: " + a.error().detail);
    }
  }
  tls::ContextConfig server;
  server.server = true;
  for (const HostedDomain& h : config.hosted_domains) {
    server.certs.push_back({h.domain, h.certificate, h.private_key});
  }
  server.ca_file = config.s2s.trust_anchors;
  // Partners without a certificate we trust still authenticate by dialback (XEP-0220).
  server.verify = tls::PeerVerify::optional;
  // XEP-0368: ALPN `xmpp-server` on direct TLS; Prosody offers it on STARTTLS too. A client
  // offering only other protocols is not an XMPP server: no_application_protocol. The client
  // contexts below copy this list and offer it.
  server.alpn = {"xmpp-server"};
  server.alpn_strict = true;
  auto s = tls::Context::create(server);
  if (!s.ok()) return fail(s.error());
  tls.s2s_server = *s;

  for (const HostedDomain& h : config.hosted_domains) {
    tls::ContextConfig client = server;
    client.server = false;
    client.certs = {{h.domain, h.certificate, h.private_key}};
    auto c = tls::Context::create(client);
    if (!c.ok()) return fail(c.error());
    tls.s2s_clients[h.domain] = *c;
  }

  auto r = net::RelayChannel::make_tls(config.relay, relay::Role::edge, "relay");
  if (!r.ok()) return fail(r.error());
  tls.relay = *r;
  return tls;
}

}  // namespace xf::edge
