// A listening TCP socket. Each accepted socket goes to a Connection made by the factory (which
// may return nullptr to refuse it, e.g. over a connection limit; the socket is then closed).
// libuv sets SO_REUSEADDR on bind, so a restarted daemon can listen again at once.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

#include "common/core/log.h"
#include "common/core/result.h"

namespace xf::net {

class Connection;

// Pending connections the kernel holds for us; large enough for a burst of partner
// reconnections after an edge restart.
inline constexpr int kDefaultBacklog = 511;

class Listener {
 public:
  using Factory = std::function<Connection*(uv_loop_t* loop)>;

  Listener(uv_loop_t* loop, Factory factory, std::string log_name = "listener");
  // Closes the socket; the handle memory is freed in its close callback.
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // host: a numeric IPv4 or IPv6 address ("0.0.0.0", "::" for both families, "127.0.0.1").
  // port 0 picks a free port (see port()).
  Status listen(const std::string& host, std::uint16_t port, int backlog = kDefaultBacklog);
  // The bound port (the actual one when 0 was asked for); 0 when not listening.
  std::uint16_t port() const { return port_; }
  const std::string& address() const { return address_; }
  bool listening() const { return handle_ != nullptr && port_ != 0; }
  std::size_t accepted() const { return accepted_; }
  // Stops listening. Idempotent; established connections are not affected.
  void close();

 private:
  static void on_connection_cb(uv_stream_t* server, int status);
  static void on_free_cb(uv_handle_t* handle);
  void refuse(uv_stream_t* server);

  uv_loop_t* loop_;
  Factory factory_;
  Logger log_;
  uv_tcp_t* handle_ = nullptr;
  std::uint16_t port_ = 0;
  std::string address_;
  std::size_t accepted_ = 0;
};

}  // namespace xf::net
