// A Connection that can switch to TLS, at connect time (direct TLS, XEP-0368; the relay link)
// or mid-stream (STARTTLS: after the plaintext <proceed/> was queued). The subclass reads and
// writes plaintext either way: on_plaintext() replaces on_read(), and write() encrypts once
// TLS is on. The tls::Session is owned here, with the socket: one owner per connection.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/net/connection.h"
#include "common/tls/tls_context.h"
#include "common/tls/tls_session.h"

namespace xf::net {

enum class TlsRole {
  client,  // We send the ClientHello (outbound s2s, the gateway's relay link).
  server,  // We answer it (inbound s2s, the edge's relay listener).
};

class TlsConnection : public Connection {
 public:
  // Everything written before this call goes out in plaintext (it was queued first); every
  // byte written or read after it is TLS. sni is the name a client asks for (the peer's
  // domain); a server ignores it. Fails (and changes nothing) when TLS is already on.
  Status start_tls(std::shared_ptr<tls::Context> context, TlsRole role,
                   const std::string& sni = {});

  bool tls_active() const { return tls_ != nullptr; }
  bool tls_established() const { return tls_ != nullptr && tls_->handshake_done(); }
  // The session (peer certificate identity, ALPN, SNI); null before start_tls.
  const tls::Session* tls_session() const { return tls_.get(); }

  // Plaintext in; encrypted once TLS is active (buffered by the session until the handshake
  // completes).
  void write(std::string bytes) override;
  // Sends close_notify when TLS is up, then closes gracefully.
  void close() override;

 protected:
  TlsConnection(uv_loop_t* loop, std::string log_name, ConnectionLimits limits = {});

  // Application bytes: as read before start_tls, decrypted after.
  virtual void on_plaintext(std::string_view bytes) = 0;
  // The TLS handshake completed; tls_session()->peer() is available.
  virtual void on_tls_established() {}

 private:
  void on_read(std::string_view bytes) final;
  void send_tls_output();
  void tls_failed(const Error& error);

  std::unique_ptr<tls::Session> tls_;
  bool established_notified_ = false;
  std::string plain_;   // Scratch for decrypted bytes, kept to reuse its capacity.
  std::string cipher_;  // Scratch for ciphertext to send.
};

}  // namespace xf::net
