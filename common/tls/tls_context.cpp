#include "common/tls/tls_context.h"

#include <openssl/ssl.h>

#include <cstdio>
#include <cstring>
#include <utility>

#include "common/tls/identity.h"
#include "common/tls/ssl_errors.h"

namespace xf::tls {

namespace {

// TLS 1.2 suites: forward secret AEADs only. TLS 1.3 suites are fixed by BoringSSL.
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kCurves = "X25519:P-256:P-384";
// Debian's bundle of the system trust anchors.
constexpr const char* kSystemBundle = "/etc/ssl/certs/ca-certificates.crt";
// RFC 7301: a protocol id is 1..255 bytes.
constexpr std::size_t kMaxAlpnIdLength = 255;

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;

Unexpected<Error> ssl_failure(Errc code, std::string what) {
  std::string errors = take_ssl_errors();
  if (!errors.empty()) what += ": " + errors;
  return fail(code, std::move(what));
}

bool readable(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  std::fclose(f);
  return true;
}

// Loads a leaf + chain and its key into ctx and checks that they belong together.
Status load_cert_key(SSL_CTX* ctx, const CertKey& ck) {
  if (!readable(ck.cert_file)) {
    return fail(Errc::config_error, "cannot read certificate file " + ck.cert_file);
  }
  if (!readable(ck.key_file)) {
    return fail(Errc::config_error, "cannot read key file " + ck.key_file);
  }
  clear_ssl_errors();
  if (SSL_CTX_use_certificate_chain_file(ctx, ck.cert_file.c_str()) != 1) {
    return ssl_failure(Errc::config_error, "bad certificate file " + ck.cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, ck.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return ssl_failure(Errc::config_error,
                       "bad key file " + ck.key_file + " for certificate " + ck.cert_file);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return ssl_failure(Errc::config_error,
                       "key file " + ck.key_file + " does not match certificate " + ck.cert_file);
  }
  return {};
}

// Server side of RFC 7301: the first of our ids (in our order) that the client offered. A client
// offering none of them gets the no_application_protocol alert when the context is strict, else
// no ALPN answer. (A client that sends no ALPN extension never reaches this callback: XEP-0368
// clients may omit it.)
int select_alpn(SSL*, const uint8_t** out, uint8_t* out_len, const uint8_t* in, unsigned in_len,
                void* arg) {
  const auto* context = static_cast<const Context*>(arg);
  for (const std::string& ours : context->config().alpn) {
    unsigned pos = 0;
    while (pos < in_len) {
      unsigned len = in[pos];
      if (len == 0 || pos + 1 + len > in_len) break;
      const uint8_t* id = in + pos + 1;
      if (len == ours.size() && std::memcmp(id, ours.data(), len) == 0) {
        *out = id;
        *out_len = static_cast<uint8_t>(len);
        return SSL_TLSEXT_ERR_OK;
      }
      pos += 1 + len;
    }
  }
  // BoringSSL sends no_application_protocol for ALERT_FATAL here.
  if (context->config().alpn_strict) return SSL_TLSEXT_ERR_ALERT_FATAL;
  return SSL_TLSEXT_ERR_NOACK;
}

// Settings every SSL_CTX of a Context shares, including the per-domain ones that SNI switches
// to (SSL_set_SSL_CTX takes cipher and ALPN settings from the new context).
Status configure_common(SSL_CTX* ctx, const Context* owner) {
  clear_ssl_errors();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
    return ssl_failure(Errc::internal, "cannot set TLS versions");
  }
  if (SSL_CTX_set_strict_cipher_list(ctx, kCipherList) != 1) {
    return ssl_failure(Errc::internal, "cannot set cipher list");
  }
  if (SSL_CTX_set1_curves_list(ctx, kCurves) != 1) {
    return ssl_failure(Errc::internal, "cannot set curves");
  }
  // Idle s2s streams are the common case; freeing record buffers between reads saves ~10 KB each.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  // No resumption: peer identity and verification are worked out on every full handshake, and
  // s2s streams are long-lived, so resumption would save little and complicate identity.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  if (owner->config().server && !owner->config().alpn.empty()) {
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, const_cast<Context*>(owner));
  }
  return {};
}

Result<std::string> alpn_wire(const std::vector<std::string>& ids) {
  std::string wire;
  for (const std::string& id : ids) {
    if (id.empty() || id.size() > kMaxAlpnIdLength) {
      return fail(Errc::config_error, "ALPN id must be 1..255 bytes: '" + id + "'");
    }
    wire += static_cast<char>(id.size());
    wire += id;
  }
  return wire;
}

Status load_trust_anchors(SSL_CTX* ctx, const std::string& ca_file) {
  clear_ssl_errors();
  if (!ca_file.empty()) {
    if (!readable(ca_file)) return fail(Errc::config_error, "cannot read CA file " + ca_file);
    if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
      return ssl_failure(Errc::config_error, "bad CA file " + ca_file);
    }
    return {};
  }
  if (readable(kSystemBundle)) {
    if (SSL_CTX_load_verify_locations(ctx, kSystemBundle, nullptr) != 1) {
      return ssl_failure(Errc::config_error, std::string("bad system CA bundle ") + kSystemBundle);
    }
    return {};
  }
  if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return ssl_failure(Errc::config_error, "cannot load the system trust store");
  }
  return {};
}

}  // namespace

struct Context::Impl {
  // One entry per configured certificate, in config order. Entry 0 is served by the main
  // SSL_CTX itself, so its ctx is null.
  struct Domain {
    std::string name;
    CtxPtr ctx;
  };
  std::vector<Domain> domains;

  // Picks the certificate for the client's SNI name: exact domain, else the first.
  static int on_servername(SSL* ssl, int*, void* arg) {
    const auto* impl = static_cast<const Impl*>(arg);
    const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name == nullptr) return SSL_TLSEXT_ERR_OK;
    for (const Domain& d : impl->domains) {
      if (!domain_equals(d.name, name)) continue;
      if (d.ctx != nullptr) SSL_set_SSL_CTX(ssl, d.ctx.get());
      break;
    }
    return SSL_TLSEXT_ERR_OK;
  }
};

Context::~Context() { SSL_CTX_free(ctx_); }

Result<std::shared_ptr<Context>> Context::create(const ContextConfig& config) {
  if (config.server && config.certs.empty()) {
    return fail(Errc::config_error, "a TLS server needs at least one certificate");
  }
  Result<std::string> wire = alpn_wire(config.alpn);
  if (!wire) return fail(wire.error());
  std::shared_ptr<Context> context(new Context());
  context->config_ = config;
  context->impl_ = std::make_unique<Impl>();
  context->ctx_ = SSL_CTX_new(TLS_method());
  if (context->ctx_ == nullptr) return ssl_failure(Errc::internal, "SSL_CTX_new failed");
  SSL_CTX* ctx = context->ctx_;

  if (Status st = configure_common(ctx, context.get()); !st) return fail(st.error());
  if (!config.certs.empty()) {
    if (Status st = load_cert_key(ctx, config.certs.front()); !st) return fail(st.error());
  }
  if (config.verify != PeerVerify::none) {
    if (Status st = load_trust_anchors(ctx, config.ca_file); !st) return fail(st.error());
  }

  if (config.server) {
    context->impl_->domains.push_back({config.certs.front().domain, nullptr});
    for (std::size_t i = 1; i < config.certs.size(); ++i) {
      CtxPtr domain_ctx(SSL_CTX_new(TLS_method()));
      if (domain_ctx == nullptr) return ssl_failure(Errc::internal, "SSL_CTX_new failed");
      if (Status st = configure_common(domain_ctx.get(), context.get()); !st) {
        return fail(st.error());
      }
      if (Status st = load_cert_key(domain_ctx.get(), config.certs[i]); !st) {
        return fail(st.error());
      }
      context->impl_->domains.push_back({config.certs[i].domain, std::move(domain_ctx)});
    }
    SSL_CTX_set_tlsext_servername_callback(ctx, &Impl::on_servername);
    SSL_CTX_set_tlsext_servername_arg(ctx, context->impl_.get());
  } else if (!wire->empty()) {
    // Note the inverted convention: zero is success here.
    if (SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const uint8_t*>(wire->data()),
                                static_cast<unsigned>(wire->size())) != 0) {
      return ssl_failure(Errc::config_error, "cannot set ALPN list");
    }
  }
  return context;
}

}  // namespace xf::tls
