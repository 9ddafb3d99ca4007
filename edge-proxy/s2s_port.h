// What the router needs of an s2s session, and how it gets new outbound ones. S2sSession
// implements S2sPort over a socket and EdgeRuntime implements S2sFactory; unit tests use fakes,
// so the routing logic runs without a loop or a socket.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/xml/element.h"
#include "common/xmpp/s2s_stream.h"
#include "common/xmpp/stream_error.h"

namespace xf::edge {

class S2sPort {
 public:
  virtual ~S2sPort() = default;

  // Unique among the live sessions of this edge.
  virtual std::uint64_t id() const = 0;
  virtual bool inbound() const = 0;
  // The peer's IP address without the port, for per-partner connection limits.
  virtual std::string peer_ip() const = 0;

  // The stream's state, as far as routing needs it. Outbound: the pair it was opened for.
  virtual const std::string& stream_id() const = 0;
  virtual const std::string& local_domain() const = 0;
  virtual const std::string& remote_domain() const = 0;
  virtual bool is_authenticated(std::string_view local_domain,
                                std::string_view remote_domain) const = 0;
  // True once any pair is authenticated on the stream.
  virtual bool authenticated() const = 0;
  // Outbound: db:verify may be sent on it.
  virtual bool ready_for_verify() const = 0;

  // Outbound: writes a stanza of the authenticated pair.
  virtual void send_stanza(const xml::Element& stanza) = 0;
  // Outbound: asks the authoritative server to verify a key.
  virtual void send_verify(const xmpp::DialbackRequest& request) = 0;
  // Inbound: the verdict on a dialback request the session reported.
  virtual void complete_dialback(std::string_view remote_domain, std::string_view local_domain,
                                 bool valid) = 0;
  // Backpressure: stops (false) or restarts (true) reading the socket.
  virtual void set_reading(bool on) = 0;
  // Ends the stream (with a stream error when failure is given), then the connection. The
  // session reports session_closed to the router, possibly before this returns.
  virtual void end(const xmpp::StreamFailure* failure) = 0;

  // One line for the operator's status log: direction, id, domains, authentication, peer.
  virtual std::string describe() const = 0;
};

class S2sFactory {
 public:
  virtual ~S2sFactory() = default;
  // Creates the outbound session from local_domain to remote_domain and starts connecting it.
  // Failure to connect is reported later through the router's session_closed, never from this
  // call; nullptr means no session could be created at all.
  virtual S2sPort* open_outbound(const std::string& local_domain,
                                 const std::string& remote_domain) = 0;
};

}  // namespace xf::edge
