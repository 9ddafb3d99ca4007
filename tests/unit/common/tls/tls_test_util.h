// Helpers for TLS unit tests: certificate paths and an in-memory "network" between two sessions.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/tls/tls_context.h"
#include "common/tls/tls_session.h"

namespace tls_test {

inline std::string data_path(const std::string& name) {
  return std::string(XMPPFED_TEST_DATA) + "/tls/" + name;
}

// tests/data/tls/<base>.pem + <base>.key, served for domain.
inline xf::tls::CertKey cert(const std::string& domain, const std::string& base) {
  return {domain, data_path(base + ".pem"), data_path(base + ".key")};
}

inline std::shared_ptr<xf::tls::Context> make_context(const xf::tls::ContextConfig& config) {
  auto ctx = xf::tls::Context::create(config);
  if (!ctx) throw std::runtime_error("context: " + ctx.error().detail);
  return std::move(ctx).value();
}

// The outcome of moving bytes between two sessions until both are quiet.
struct Exchange {
  xf::Status client;
  xf::Status server;
  bool ok() const { return client.ok() && server.ok(); }
};

// Feeds one side's output to the other, `chunk` bytes per feed() call, until neither has output
// or one side fails. A failed side's final output (its alert) is still delivered.
inline Exchange exchange(xf::tls::Session& client, xf::tls::Session& server,
                         std::size_t chunk = std::numeric_limits<std::size_t>::max()) {
  Exchange result;
  auto deliver = [chunk](xf::tls::Session& from, xf::tls::Session& to, xf::Status& to_status) {
    std::string bytes;
    from.take_output(bytes);
    std::string_view rest = bytes;
    while (!rest.empty() && to_status.ok()) {
      std::size_t n = rest.size() < chunk ? rest.size() : chunk;
      to_status = to.feed(rest.substr(0, n));
      rest.remove_prefix(n);
    }
    return !bytes.empty();
  };
  for (int round = 0; round < 1000; ++round) {
    bool moved = false;
    if (result.server.ok()) moved |= deliver(client, server, result.server);
    if (result.client.ok()) moved |= deliver(server, client, result.client);
    if (!moved) break;
  }
  return result;
}

struct Pair {
  std::unique_ptr<xf::tls::Session> client;
  std::unique_ptr<xf::tls::Session> server;
};

inline Pair make_pair(const std::shared_ptr<xf::tls::Context>& client_ctx,
                      const std::shared_ptr<xf::tls::Context>& server_ctx, const std::string& sni) {
  auto client = xf::tls::Session::client(client_ctx, sni);
  auto server = xf::tls::Session::server(server_ctx);
  if (!client || !server) throw std::runtime_error("cannot create sessions");
  Pair pair{std::move(client).value(), std::move(server).value()};
  if (!pair.client->start()) throw std::runtime_error("client start failed");
  return pair;
}

}  // namespace tls_test
