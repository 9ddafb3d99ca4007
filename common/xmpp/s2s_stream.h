// Sans-IO state machine for one XMPP server-to-server stream (RFC 6120 §4, §5, §6; XEP-0178 SASL
// EXTERNAL; XEP-0220 Server Dialback with XEP-0185 keys). It owns the stream parser, writes stream
// headers, features and stream errors, drives STARTTLS, SASL EXTERNAL and dialback, checks that
// every stanza's addresses belong to a domain pair authenticated on this stream, and reports what
// happened through Events. It never sees a socket or a clock: the owner feeds plaintext and `now`,
// and writes what on_send gives.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "common/core/clock.h"
#include "common/xml/element.h"
#include "common/xml/stream_parser.h"
#include "common/xmpp/stream_error.h"

namespace xf::xmpp {

// How a remote domain was authenticated on a stream. The edge hands it to the gateway in the
// relay routing facts, where the value is one byte on the wire: values never change meaning.
enum class PeerAuth : std::uint8_t {
  none = 0,           // Not authenticated (only for stanzas that need none, e.g. errors).
  dialback = 1,       // XEP-0220 Server Dialback.
  sasl_external = 2,  // RFC 6120 SASL EXTERNAL with the peer's certificate (XEP-0178).
  tls_verified = 3,   // The peer's certificate verified for its domain, without SASL.
};

std::string_view to_string(PeerAuth auth);

// The stanza error for stanzas an outbound stream could not deliver before it closed (RFC 6120
// §8.3.3.16-17): remote-server-timeout when the stream had been authenticated (the partner
// went away) or the attempt timed out, remote-server-not-found when it never came up.
StanzaError undelivered_condition(bool stream_was_authenticated, bool timed_out);

// A db:result received on an inbound stream, to be checked with the authoritative server.
struct DialbackRequest {
  std::string stream_id;      // Our stream id on the inbound stream (the key's input).
  std::string remote_domain;  // The originating server that claims the key.
  std::string local_domain;   // Our hosted domain the peer wants to send to.
  std::string key;
};

class S2sStream : private xml::StreamParser::Handler {
 public:
  enum class Role { inbound, outbound };

  enum class State {
    idle,               // Outbound, before start().
    awaiting_header,    // Waiting for the peer's stream header.
    awaiting_features,  // Outbound: header received, features not yet.
    negotiating_tls,    // <proceed/> exchanged; the owner is running the TLS handshake.
    authenticating,     // Outbound: <auth mechanism='EXTERNAL'> sent, no answer yet.
    open,               // Stream is up; dialback may be in progress or done.
    closed,             // Stream ended; nothing more is sent or delivered.
  };

  struct Settings {
    Role role = Role::inbound;
    // Outbound: our domain (originating) and the partner's (receiving). Inbound: learnt from
    // the peer's header and dialback requests.
    std::string local_domain;
    std::string remote_domain;
    // Inbound: which `to` domains this edge serves.
    std::function<bool(std::string_view)> is_hosted;
    // TLS must be negotiated before anything else (RFC 6120 §5.3.1 mandatory-to-negotiate).
    bool tls_required = true;
    // The owner can run TLS (it has a context for this role).
    bool tls_available = true;
    // Outbound: authenticate with SASL EXTERNAL (XEP-0178) when the partner offers it after TLS,
    // because the owner presents a certificate for local_domain; dialback when it is not
    // offered or fails. Inbound offering is decided per stream by
    // Events::peer_certificate_authenticates.
    bool sasl_external = false;
    // XEP-0185 shared secret, so that every edge of a pool computes the same keys.
    std::string dialback_secret;
    xml::StreamParser::Limits limits;
    // Stream must be authenticated within this time after connect (0 disables).
    Millis establishment_timeout_ms = 60'000;
    // No bytes from the peer for this long closes the stream (0 disables).
    Millis inactivity_timeout_ms = 600'000;
    // Send a whitespace keep-alive after this long without writing (0 disables).
    Millis keepalive_interval_ms = 300'000;
    // Stream id generator (tests inject a fixed one).
    std::function<std::string()> make_stream_id;
  };

  class Events {
   public:
    virtual ~Events() = default;
    // Bytes to write to the peer (plaintext; the owner encrypts them once TLS is up).
    virtual void on_send(std::string_view bytes) = 0;
    // Switch the transport to TLS now: client (outbound) or server (inbound). Everything
    // written before this call was plaintext; the owner resets nothing else.
    virtual void on_start_tls() = 0;
    // A stanza whose from/to domains are authenticated on this stream, and how that pair was
    // authenticated (the gateway's policy may depend on it).
    virtual void on_stanza(xml::Element&& stanza, std::string_view from_domain,
                           std::string_view to_domain, PeerAuth how) = 0;
    // A stanza from an authenticated domain pair that cannot be delivered as it is (a malformed
    // address: jid-malformed, RFC 6120 §8.3.3.8). The stream stays open; the owner bounces it
    // to its sender.
    virtual void on_stanza_refused(xml::Element&& stanza, std::string_view from_domain,
                                   std::string_view to_domain, StanzaError condition) = 0;
    // Inbound: the peer presented a dialback key; check it with the authoritative server and
    // call complete_dialback().
    virtual void on_dialback_request(const DialbackRequest& request) = 0;
    // Outbound: the answer to a db:verify that we sent with send_verify().
    virtual void on_verify_result(std::string_view stream_id, std::string_view remote_domain,
                                  std::string_view local_domain, bool valid) = 0;
    // A (local, remote) pair is now authenticated on this stream.
    virtual void on_authenticated(std::string_view local_domain, std::string_view remote_domain,
                                  PeerAuth how) = 0;
    // Outbound: the stream is open and past TLS, so db:verify may be sent on it.
    virtual void on_ready_for_verify() {}
    // Inbound, TLS up, features about to go out: does the peer's certificate authenticate
    // remote_domain (trusted chain, in date, names it: RFC 6125, RFC 7590)? Only then is SASL
    // EXTERNAL offered (XEP-0178 §3); dialback is offered either way. The owner logs why not.
    virtual bool peer_certificate_authenticates(std::string_view /*remote_domain*/) {
      return false;
    }
    // A SASL EXTERNAL attempt failed with an RFC 6120 §6.5 condition: sent_by_us is true when we
    // (receiving server) refused the peer, false when the partner refused us (we fall back to
    // dialback).
    virtual void on_sasl_failure(std::string_view /*condition*/, bool /*sent_by_us*/) {}
    // The stream ended: failure is set when we sent or received a stream error.
    virtual void on_closed(const StreamFailure* failure) = 0;
  };

  S2sStream(Settings settings, Events& events);
  ~S2sStream() override;
  S2sStream(const S2sStream&) = delete;
  S2sStream& operator=(const S2sStream&) = delete;

  // Outbound: writes the initial stream header. Inbound: arms the establishment timer.
  void start(Millis now);
  // start() on a connection whose TLS handshake the owner has already completed (direct TLS,
  // XEP-0368): the stream counts as TLS-protected from its first byte, so no STARTTLS is offered
  // or asked for, and SASL EXTERNAL or dialback follows the header at once.
  void start_with_tls(Millis now);
  // Plaintext bytes from the peer.
  void feed(std::string_view bytes, Millis now);
  // The TLS handshake finished: a new stream starts (outbound writes a fresh header).
  void tls_established(Millis now);
  // Writes a stanza (it must carry from/to of an authenticated pair; the owner checks).
  void send_stanza(const xml::Element& stanza, Millis now);
  // Outbound: asks the authoritative server (our peer) to verify a key (XEP-0220 §2.3).
  void send_verify(const DialbackRequest& request, Millis now);
  // Inbound: the authoritative server's verdict on a DialbackRequest.
  void complete_dialback(std::string_view remote_domain, std::string_view local_domain, bool valid,
                         Millis now);
  // Ends the stream: with a stream error when failure is given, else a clean </stream:stream>.
  void close(const StreamFailure* failure);

  Millis next_deadline() const;
  void on_timer(Millis now);

  State state() const { return state_; }
  Role role() const { return settings_.role; }
  bool tls_active() const { return tls_active_; }
  const std::string& stream_id() const { return stream_id_; }
  const std::string& local_domain() const { return settings_.local_domain; }
  const std::string& remote_domain() const { return settings_.remote_domain; }
  bool is_authenticated(std::string_view local_domain, std::string_view remote_domain) const;
  // How the pair was authenticated on this stream; PeerAuth::none when it is not.
  PeerAuth auth_of(std::string_view local_domain, std::string_view remote_domain) const;
  // True once any pair is authenticated (outbound: the pair it was opened for).
  bool authenticated() const { return !authenticated_.empty(); }
  // Outbound: past TLS with features seen, so db:verify can go out.
  bool ready_for_verify() const { return ready_for_verify_; }

 private:
  void on_stream_open(const xml::StreamHeader& header) override;
  void on_element(xml::Element&& element) override;
  void on_stream_close() override;

  void send(std::string_view bytes);
  void send_header();
  void send_features();
  void handle_features(const xml::Element& features);
  void start_dialback();
  void handle_sasl(const xml::Element& element);
  void sasl_external_response(std::string_view response);
  void sasl_refuse(std::string_view condition);
  void restart_stream();
  void handle_dialback_result(const xml::Element& element);
  void handle_dialback_verify(const xml::Element& element);
  void handle_stanza(xml::Element&& element);
  void fail(StreamError condition, std::string text);
  void finish(const StreamFailure* failure);

  Settings settings_;
  Events& events_;
  xml::StreamParser parser_;
  State state_ = State::idle;
  std::string stream_id_;  // Inbound: ours. Outbound: the one the peer gave us.
  bool tls_active_ = false;
  bool ready_for_verify_ = false;
  bool dialback_sent_ = false;  // Outbound: our db:result is out.
  // SASL (RFC 6120 §6). Inbound: the domain EXTERNAL was offered for on the current stream
  // ("" when not offered), whether an <auth> without initial response waits for <response>, and
  // how many attempts failed. Both: SASL succeeded (no more SASL on this connection).
  std::string sasl_offered_for_;
  bool sasl_awaiting_response_ = false;
  int sasl_failures_ = 0;
  bool sasl_done_ = false;
  bool sasl_tried_ = false;  // Outbound: our <auth> went out once (never twice).
  bool close_sent_ = false;
  // (local, remote) -> how it was authenticated.
  std::map<std::pair<std::string, std::string>, PeerAuth> authenticated_;
  std::set<std::pair<std::string, std::string>> pending_;  // Inbound dialback in flight.
  Millis established_deadline_ = kNoDeadline;
  Millis now_ = 0;  // Latest time the owner handed in.
  Millis last_read_ = 0;
  Millis last_write_ = 0;
  std::string out_;  // Scratch buffer reused for serialisation.
};

}  // namespace xf::xmpp
