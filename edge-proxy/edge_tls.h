// The edge's TLS contexts, built once from the configuration: loading them is also how
// --check-config proves that the certificates and keys are usable.
#pragma once

#include <memory>

#include "common/core/result.h"
#include "common/tls/tls_context.h"
#include "edge-proxy/edge_config.h"

namespace xf::edge {

struct EdgeTls {
  std::shared_ptr<tls::Context> s2s_server;  // Inbound s2s: a certificate per hosted domain.
  std::shared_ptr<tls::Context> s2s_client;  // Outbound s2s: the same certificates.
  std::shared_ptr<tls::Context> relay;       // The relay link's server side (mutual TLS).
};

Result<EdgeTls> load_edge_tls(const EdgeConfig& config);

}  // namespace xf::edge
