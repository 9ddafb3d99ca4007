// TLS configuration shared by many connections (an SSL_CTX). BoringSSL, TLS 1.2 and 1.3 only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/core/result.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace xf::tls {

struct CertKey {
  std::string domain;     // The name this certificate serves (chosen by SNI on a server).
  std::string cert_file;  // PEM: leaf first, then intermediates.
  std::string key_file;   // PEM private key.
};

// How a peer's certificate is treated.
enum class PeerVerify {
  none,      // Do not ask for / do not check the peer certificate.
  optional,  // Ask for it; the handshake succeeds whatever it is, and the session reports
             // whether the chain verified (s2s: fall back to dialback when it does not).
  required,  // The handshake fails unless the peer presents a certificate that chains to the
             // trust anchors (relay link).
};

struct ContextConfig {
  bool server = false;
  // Certificates. A server picks one by SNI (exact domain, else the first); a client presents
  // the first, if any.
  std::vector<CertKey> certs;
  // PEM bundle of trust anchors; empty means the system store (/etc/ssl/certs).
  std::string ca_file;
  PeerVerify verify = PeerVerify::optional;
  // ALPN protocol ids offered (client) or accepted (server), e.g. "xmpp-server".
  std::vector<std::string> alpn;
  // Server: a client that offers ALPN ids, none of them ours, is refused with the
  // no_application_protocol alert (RFC 7301 §3.2) instead of getting no ALPN answer. A client
  // that offers no ALPN at all is accepted either way.
  bool alpn_strict = false;
};

class Context {
 public:
  static Result<std::shared_ptr<Context>> create(const ContextConfig& config);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  SSL_CTX* native() const { return ctx_; }
  const ContextConfig& config() const { return config_; }

  struct Impl;  // Per-domain certificate contexts, used by the SNI callback.
  Impl* impl() const { return impl_.get(); }

 private:
  Context() = default;
  SSL_CTX* ctx_ = nullptr;
  ContextConfig config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xf::tls
