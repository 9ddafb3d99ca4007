#include "common/tls/tls_session.h"

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/tls/ssl_errors.h"

namespace xf::tls {

namespace {

// Plaintext written before the handshake completes. The owner's outbound queue limit is the
// real bound; this only stops a caller that never lets the handshake finish.
constexpr std::size_t kMaxPendingPlaintext = 4 * 1024 * 1024;
// SSL_write takes an int; larger writes go in pieces.
constexpr std::size_t kWriteChunk = 1024 * 1024;
// One TLS record's worth of plaintext per SSL_read.
constexpr std::size_t kReadChunk = 16 * 1024;
// A memory BIO keeps its largest-ever buffer; after a burst bigger than this it is replaced so
// that an idle session holds no large buffer (the point of SSL_MODE_RELEASE_BUFFERS).
constexpr std::size_t kBioShrinkThreshold = 64 * 1024;
// Certificates after the leaf that are considered when building the chain.
constexpr int kMaxPeerChain = 10;
// Longest subjectAltName / CN value kept; a domain is at most 253 bytes plus a service label.
constexpr int kMaxNameLength = 512;

constexpr const char* kOidXmppAddr = "1.3.6.1.5.5.7.8.5";  // id-on-xmppAddr, RFC 6120
constexpr const char* kOidSrvName = "1.3.6.1.5.5.7.8.7";   // id-on-dnsSRV, RFC 4985

int session_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

BIO* new_memory_bio() {
  BIO* bio = BIO_new(BIO_s_mem());
  // An empty BIO means "no data yet" (retry), not end of stream.
  if (bio != nullptr) BIO_set_mem_eof_return(bio, -1);
  return bio;
}

struct ChainCheck {
  bool ok = false;
  std::string error;
  uint8_t alert = SSL_AD_BAD_CERTIFICATE;
  CertFault fault = CertFault::invalid;
};

CertFault fault_for(long verify_error) {
  switch (verify_error) {
    case X509_V_ERR_CERT_HAS_EXPIRED: return CertFault::expired;
    case X509_V_ERR_CERT_NOT_YET_VALID: return CertFault::not_yet_valid;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: return CertFault::untrusted;
    default: return CertFault::invalid;
  }
}

uint8_t alert_for(long verify_error) {
  switch (verify_error) {
    case X509_V_ERR_CERT_HAS_EXPIRED: return SSL_AD_CERTIFICATE_EXPIRED;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: return SSL_AD_UNKNOWN_CA;
    default: return SSL_AD_BAD_CERTIFICATE;
  }
}

// Verifies the peer's chain (leaf first) against the trust anchors in store.
ChainCheck verify_chain(const STACK_OF(CRYPTO_BUFFER) * certs, X509_STORE* store,
                        bool peer_is_server) {
  ChainCheck check;
  if (certs == nullptr || sk_CRYPTO_BUFFER_num(certs) == 0) {
    check.error = "no certificate";
    check.alert = SSL_AD_CERTIFICATE_REQUIRED;
    check.fault = CertFault::absent;
    return check;
  }
  bssl::UniquePtr<X509> leaf(X509_parse_from_buffer(sk_CRYPTO_BUFFER_value(certs, 0)));
  bssl::UniquePtr<STACK_OF(X509)> untrusted(sk_X509_new_null());
  if (leaf == nullptr || untrusted == nullptr) {
    check.error = "unparsable certificate";
    return check;
  }
  int count = std::min(static_cast<int>(sk_CRYPTO_BUFFER_num(certs)), kMaxPeerChain + 1);
  for (int i = 1; i < count; ++i) {
    bssl::UniquePtr<X509> cert(X509_parse_from_buffer(sk_CRYPTO_BUFFER_value(certs, i)));
    if (cert == nullptr || sk_X509_push(untrusted.get(), cert.get()) == 0) {
      check.error = "unparsable certificate in chain";
      return check;
    }
    (void)cert.release();  // Now owned by the stack.
  }
  bssl::UniquePtr<X509_STORE_CTX> store_ctx(X509_STORE_CTX_new());
  if (store_ctx == nullptr ||
      X509_STORE_CTX_init(store_ctx.get(), store, leaf.get(), untrusted.get()) != 1) {
    check.error = "cannot set up verification";
    check.alert = SSL_AD_INTERNAL_ERROR;
    return check;
  }
  // A server's certificate must be fit for serverAuth. A client's is not checked for a purpose:
  // s2s peers present their server certificate as the client one, and many carry serverAuth only.
  if (peer_is_server) X509_STORE_CTX_set_default(store_ctx.get(), "ssl_server");
  if (X509_verify_cert(store_ctx.get()) == 1) {
    check.ok = true;
    check.fault = CertFault::none;
    return check;
  }
  long error = X509_STORE_CTX_get_error(store_ctx.get());
  check.error = X509_verify_cert_error_string(error);
  check.alert = alert_for(error);
  check.fault = fault_for(error);
  take_ssl_errors();  // The verify result says it all; keep the queue clean.
  return check;
}

// Text of an ASN1 string if it is a plausible name: bounded, no embedded NUL.
bool name_text(const ASN1_STRING* s, std::string& out) {
  if (s == nullptr) return false;
  int len = ASN1_STRING_length(s);
  if (len <= 0 || len > kMaxNameLength) return false;
  const auto* data = reinterpret_cast<const char*>(ASN1_STRING_get0_data(s));
  if (std::memchr(data, '\0', static_cast<std::size_t>(len)) != nullptr) return false;
  out.assign(data, static_cast<std::size_t>(len));
  return true;
}

void read_other_name(const OTHERNAME* other, PeerIdentity& id) {
  if (other == nullptr || other->type_id == nullptr || other->value == nullptr) return;
  char oid[64];
  if (OBJ_obj2txt(oid, sizeof(oid), other->type_id, 1) <= 0) return;
  const ASN1_TYPE* value = other->value;
  std::string text;
  if (std::strcmp(oid, kOidXmppAddr) == 0 && value->type == V_ASN1_UTF8STRING &&
      name_text(value->value.utf8string, text)) {
    id.xmpp_addrs.push_back(std::move(text));
  } else if (std::strcmp(oid, kOidSrvName) == 0 && value->type == V_ASN1_IA5STRING &&
             name_text(value->value.ia5string, text)) {
    id.srv_ids.push_back(std::move(text));
  }
}

// The names RFC 6125 / RFC 6120 care about; the number of names is bounded by the certificate
// size limit the TLS library enforces.
void read_names(X509* leaf, PeerIdentity& id) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf, NID_subject_alt_name, nullptr, nullptr));
  if (names != nullptr) {
    for (size_t i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
      std::string text;
      if (name->type == GEN_DNS && name_text(name->d.dNSName, text)) {
        id.dns_ids.push_back(std::move(text));
      } else if (name->type == GEN_OTHERNAME) {
        read_other_name(name->d.otherName, id);
      }
    }
    sk_GENERAL_NAME_pop_free(names, GENERAL_NAME_free);
  }
  // The most specific (last) CN.
  X509_NAME* subject = X509_get_subject_name(leaf);
  int index = -1;
  for (int next = -1; (next = X509_NAME_get_index_by_NID(subject, NID_commonName, next)) >= 0;) {
    index = next;
  }
  if (index < 0) return;
  const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, cn);
  if (len > 0 && len <= kMaxNameLength &&
      std::memchr(utf8, '\0', static_cast<std::size_t>(len)) == nullptr) {
    id.common_name.assign(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
  }
  OPENSSL_free(utf8);
}

}  // namespace

std::string_view to_string(CertFault fault) {
  switch (fault) {
    case CertFault::none: return "valid";
    case CertFault::absent: return "absent";
    case CertFault::expired: return "expired";
    case CertFault::not_yet_valid: return "not-yet-valid";
    case CertFault::untrusted: return "untrusted";
    case CertFault::invalid: return "invalid";
    case CertFault::misnamed: return "misnamed";
  }
  return "?";
}

Result<std::unique_ptr<Session>> Session::client(std::shared_ptr<Context> ctx,
                                                 const std::string& sni) {
  if (ctx == nullptr || ctx->config().server) {
    return fail(Errc::invalid_argument, "client session needs a client context");
  }
  return make(std::move(ctx), false, sni);
}

Result<std::unique_ptr<Session>> Session::server(std::shared_ptr<Context> ctx) {
  if (ctx == nullptr || !ctx->config().server) {
    return fail(Errc::invalid_argument, "server session needs a server context");
  }
  return make(std::move(ctx), true, "");
}

Result<std::unique_ptr<Session>> Session::make(std::shared_ptr<Context> ctx, bool server,
                                               const std::string& sni) {
  std::unique_ptr<Session> session(new Session());
  session->ctx_ = std::move(ctx);
  clear_ssl_errors();
  session->ssl_ = SSL_new(session->ctx_->native());
  if (session->ssl_ == nullptr) {
    return fail(Errc::tls_error, "SSL_new failed: " + take_ssl_errors());
  }
  SSL* ssl = session->ssl_;
  BIO* rbio = new_memory_bio();
  BIO* wbio = new_memory_bio();
  if (rbio == nullptr || wbio == nullptr) {
    BIO_free(rbio);
    BIO_free(wbio);
    return fail(Errc::tls_error, "cannot allocate memory BIOs");
  }
  SSL_set0_rbio(ssl, rbio);
  SSL_set0_wbio(ssl, wbio);
  SSL_set_ex_data(ssl, session_index(), session.get());

  // Verification runs here rather than inside BoringSSL's default so that "optional" can record
  // the result without failing the handshake.
  auto verify = [](SSL* s, uint8_t* out_alert) -> ssl_verify_result_t {
    auto* self = static_cast<Session*>(SSL_get_ex_data(s, session_index()));
    PeerVerify policy = self->ctx_->config().verify;
    if (policy == PeerVerify::none) return ssl_verify_ok;
    ChainCheck check =
        verify_chain(SSL_get0_peer_certificates(s), SSL_CTX_get_cert_store(self->ctx_->native()),
                     !SSL_is_server(s));
    self->peer_.chain_verified = check.ok;
    self->peer_.chain_fault = check.fault;
    self->peer_.verify_error = check.error;
    if (check.ok || policy == PeerVerify::optional) return ssl_verify_ok;
    *out_alert = check.alert;
    return ssl_verify_invalid;
  };
  int mode = SSL_VERIFY_NONE;
  switch (session->ctx_->config().verify) {
    case PeerVerify::none:
      // A client always gets the server's certificate; it is just not checked.
      break;
    case PeerVerify::optional: mode = SSL_VERIFY_PEER; break;
    case PeerVerify::required: mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT; break;
  }
  SSL_set_custom_verify(ssl, mode, verify);

  if (server) {
    SSL_set_accept_state(ssl);
  } else {
    SSL_set_connect_state(ssl);
    if (!sni.empty() && SSL_set_tlsext_host_name(ssl, sni.c_str()) != 1) {
      return fail(Errc::invalid_argument, "bad SNI name '" + sni + "': " + take_ssl_errors());
    }
  }
  return session;
}

Session::~Session() { SSL_free(ssl_); }

Status Session::failed(const char* what, int ssl_error) {
  std::string detail = what;
  std::string errors = take_ssl_errors();
  if (!errors.empty()) {
    detail += ": " + errors;
  } else {
    detail += ": SSL_get_error " + std::to_string(ssl_error);
  }
  if (!peer_.verify_error.empty() && !peer_.chain_verified) {
    detail += " (peer certificate: " + peer_.verify_error + ")";
  }
  error_ = detail;
  return fail(Errc::tls_error, std::move(detail));
}

Status Session::start() {
  if (!error_.empty()) return fail(Errc::tls_error, error_);
  if (started_) return {};
  started_ = true;
  return pump();
}

Status Session::feed(std::string_view ciphertext) {
  if (!error_.empty()) return fail(Errc::tls_error, error_);
  started_ = true;
  BIO* rbio = SSL_get_rbio(ssl_);
  while (!ciphertext.empty()) {
    std::size_t n = std::min(ciphertext.size(), kWriteChunk);
    if (BIO_write(rbio, ciphertext.data(), static_cast<int>(n)) != static_cast<int>(n)) {
      error_ = "cannot buffer ciphertext";
      return fail(Errc::tls_error, error_);
    }
    ciphertext.remove_prefix(n);
  }
  std::size_t fed = BIO_pending(rbio);
  Status st = pump();
  if (st && fed > kBioShrinkThreshold && BIO_pending(rbio) == 0) {
    if (BIO* fresh = new_memory_bio()) SSL_set0_rbio(ssl_, fresh);
  }
  return st;
}

Status Session::pump() {
  if (!handshake_done_) {
    clear_ssl_errors();
    int rc = SSL_do_handshake(ssl_);
    if (rc != 1) {
      int err = SSL_get_error(ssl_, rc);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return {};
      return failed("TLS handshake failed", err);
    }
    handshake_done_ = true;
    fill_peer_identity();
    if (!pending_plain_.empty()) {
      std::string pending = std::move(pending_plain_);
      pending_plain_.clear();
      if (Status st = encrypt(pending); !st) return st;
    }
  }
  char buf[kReadChunk];
  while (!peer_closed_) {
    clear_ssl_errors();
    int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n > 0) {
      plain_in_.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ) break;
    if (err == SSL_ERROR_ZERO_RETURN) {
      peer_closed_ = true;
      break;
    }
    return failed("TLS read failed", err);
  }
  return {};
}

Status Session::read(std::string& out) {
  // Data decrypted before a failure is still delivered; the failure itself was reported by the
  // call that hit it (and by every later feed/write).
  if (plain_in_.empty()) return {};
  if (out.empty()) {
    out.swap(plain_in_);
  } else {
    out += plain_in_;
  }
  plain_in_.clear();
  plain_in_.shrink_to_fit();
  return {};
}

Status Session::write(std::string_view plaintext) {
  if (!error_.empty()) return fail(Errc::tls_error, error_);
  if (!handshake_done_) {
    if (pending_plain_.size() + plaintext.size() > kMaxPendingPlaintext) {
      return fail(Errc::limit_exceeded, "too much data written before the TLS handshake");
    }
    pending_plain_.append(plaintext);
    return {};
  }
  return encrypt(plaintext);
}

Status Session::encrypt(std::string_view plaintext) {
  while (!plaintext.empty()) {
    std::size_t n = std::min(plaintext.size(), kWriteChunk);
    clear_ssl_errors();
    int rc = SSL_write(ssl_, plaintext.data(), static_cast<int>(n));
    if (rc <= 0) return failed("TLS write failed", SSL_get_error(ssl_, rc));
    plaintext.remove_prefix(static_cast<std::size_t>(rc));
  }
  return {};
}

void Session::take_output(std::string& out) {
  BIO* wbio = SSL_get_wbio(ssl_);
  std::size_t pending = BIO_pending(wbio);
  if (pending == 0) return;
  std::size_t old = out.size();
  out.resize(old + pending);
  int got = BIO_read(wbio, out.data() + old, static_cast<int>(pending));
  out.resize(old + static_cast<std::size_t>(std::max(got, 0)));
  if (pending > kBioShrinkThreshold) {
    if (BIO* fresh = new_memory_bio()) SSL_set0_wbio(ssl_, fresh);
  }
}

bool Session::has_output() const { return BIO_pending(SSL_get_wbio(ssl_)) > 0; }

void Session::shutdown() {
  if (!error_.empty() || !handshake_done_) return;
  clear_ssl_errors();
  // Returns 0 once close_notify is queued: the peer's close_notify is not waited for.
  SSL_shutdown(ssl_);
  clear_ssl_errors();
}

bool Session::handshake_done() const { return handshake_done_; }

bool Session::peer_closed() const { return peer_closed_; }

std::string Session::server_name() const {
  const char* name = SSL_get_servername(ssl_, TLSEXT_NAMETYPE_host_name);
  return name != nullptr ? name : "";
}

std::string Session::alpn() const {
  const uint8_t* data = nullptr;
  unsigned len = 0;
  SSL_get0_alpn_selected(ssl_, &data, &len);
  return len > 0 ? std::string(reinterpret_cast<const char*>(data), len) : std::string();
}

std::string Session::version() const { return SSL_get_version(ssl_); }

std::string Session::cipher() const {
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_);
  return cipher != nullptr ? SSL_CIPHER_standard_name(cipher) : "";
}

void Session::fill_peer_identity() {
  const STACK_OF(CRYPTO_BUFFER)* certs = SSL_get0_peer_certificates(ssl_);
  if (certs == nullptr || sk_CRYPTO_BUFFER_num(certs) == 0) {
    peer_.present = false;
    return;
  }
  peer_.present = true;
  if (!peer_.chain_verified && peer_.verify_error.empty()) {
    peer_.verify_error = "not checked (verification disabled)";
    peer_.chain_fault = CertFault::invalid;
  }
  bssl::UniquePtr<X509> leaf(X509_parse_from_buffer(sk_CRYPTO_BUFFER_value(certs, 0)));
  if (leaf != nullptr) read_names(leaf.get(), peer_);
}

}  // namespace xf::tls
