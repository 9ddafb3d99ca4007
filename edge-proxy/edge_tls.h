// The edge's TLS contexts, built once from the configuration: loading them is also how
// --check-config proves that the certificates and keys are usable.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/core/result.h"
#include "common/tls/tls_context.h"
#include "edge-proxy/edge_config.h"

namespace xf::edge {

struct EdgeTls {
  std::shared_ptr<tls::Context> s2s_server;  // Inbound s2s: a certificate per hosted domain.
  // Outbound s2s, one per hosted domain: each presents that domain's certificate, so that a
  // partner can authenticate the domain with SASL EXTERNAL (XEP-0178).
  std::map<std::string, std::shared_ptr<tls::Context>> s2s_clients;
  std::shared_ptr<tls::Context> relay;  // The relay link's server side (mutual TLS).
};

Result<EdgeTls> load_edge_tls(const EdgeConfig& config);

}  // namespace xf::edge
