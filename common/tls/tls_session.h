// One TLS connection over memory BIOs: sans-IO. The owner moves ciphertext between the socket
// and the session and plaintext between the session and the protocol above it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"
#include "common/tls/tls_context.h"

typedef struct ssl_st SSL;

namespace xf::tls {

// Why a peer certificate cannot authenticate a name. The chain faults come from verifying it
// against the trust anchors; misnamed is for a good chain that names something else.
enum class CertFault {
  none,           // Chains to a trust anchor, is in date and (for a name check) names the peer.
  absent,         // The peer sent no certificate.
  expired,        // Its notAfter (or one in its chain) is past.
  not_yet_valid,  // Its notBefore (or one in its chain) is in the future.
  untrusted,      // Self-signed, or issued by a CA that is not a trust anchor.
  invalid,        // Any other chain failure (bad signature, unfit purpose, unparsable, ...).
  misnamed,       // The chain is good but names neither the domain nor its XMPP service.
};

std::string_view to_string(CertFault fault);

// Names found in a peer certificate (RFC 6125 identifiers, RFC 6120 §13.7.1.4 XmppAddr).
struct PeerIdentity {
  bool present = false;         // The peer sent a certificate.
  bool chain_verified = false;  // It chains to the configured trust anchors and is in date.
  // What is wrong with the chain: none when verified, absent without a certificate, invalid when
  // verification was off. Never misnamed (that depends on the name asked for).
  CertFault chain_fault = CertFault::absent;
  std::string verify_error;          // Why it did not verify, for logs.
  std::vector<std::string> dns_ids;  // subjectAltName dNSName
  std::vector<std::string>
      srv_ids;  // subjectAltName otherName SRVName, e.g. "_xmpp-server.example.org"
  std::vector<std::string> xmpp_addrs;  // subjectAltName otherName id-on-xmppAddr
  std::string common_name;              // Subject CN (used only when there is no subjectAltName)
};

class Session {
 public:
  // sni: the server name to send (client) — the peer's domain. Empty sends none.
  static Result<std::unique_ptr<Session>> client(std::shared_ptr<Context> ctx,
                                                 const std::string& sni);
  static Result<std::unique_ptr<Session>> server(std::shared_ptr<Context> ctx);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts the handshake (a client produces its ClientHello in output()). Idempotent.
  Status start();
  // Ciphertext from the network. Advances the handshake; decrypted bytes become readable.
  Status feed(std::string_view ciphertext);
  // Appends decrypted application data received so far to out.
  Status read(std::string& out);
  // Encrypts application data (buffered until the handshake completes).
  Status write(std::string_view plaintext);
  // Appends ciphertext that must be sent to the network to out, and forgets it.
  void take_output(std::string& out);
  bool has_output() const;
  // Sends close_notify (appears in output()).
  void shutdown();

  bool handshake_done() const;
  // The peer sent close_notify.
  bool peer_closed() const;
  // Server: the SNI name the client asked for ("" if none). Client: the name it sent.
  std::string server_name() const;
  // The negotiated ALPN protocol ("" if none).
  std::string alpn() const;
  std::string version() const;  // "TLSv1.3", ...
  std::string cipher() const;
  // Identity of the peer's certificate (available once the handshake is done).
  const PeerIdentity& peer() const { return peer_; }

 private:
  Session() = default;
  static Result<std::unique_ptr<Session>> make(std::shared_ptr<Context> ctx, bool server,
                                               const std::string& sni);
  Status pump();
  Status encrypt(std::string_view plaintext);
  Status failed(const char* what, int ssl_error);
  void fill_peer_identity();
  SSL* ssl_ = nullptr;
  std::shared_ptr<Context> ctx_;
  std::string pending_plain_;  // Written before the handshake completed.
  std::string plain_in_;       // Decrypted, not yet read.
  std::string error_;          // The first failure; a failed session stays failed.
  PeerIdentity peer_;
  bool started_ = false;
  bool handshake_done_ = false;
  bool peer_closed_ = false;
};

}  // namespace xf::tls
