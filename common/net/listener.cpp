#include "common/net/listener.h"

#include <netinet/in.h>

#include "common/net/connection.h"

namespace xf::net {

Listener::Listener(uv_loop_t* loop, Factory factory, std::string log_name)
    : loop_(loop), factory_(std::move(factory)), log_(std::move(log_name)) {}

Listener::~Listener() { close(); }

Status Listener::listen(const std::string& host, std::uint16_t port, int backlog) {
  if (handle_ != nullptr) return fail(Errc::invalid_argument, "listener already listening");
  sockaddr_storage addr{};
  if (!parse_numeric_address(host, port, addr)) {
    return fail(Errc::invalid_argument, "listen address is not a numeric IP: " + host);
  }
  handle_ = new uv_tcp_t;
  uv_tcp_init(loop_, handle_);
  handle_->data = this;
  auto* stream = reinterpret_cast<uv_stream_t*>(handle_);
  int rc = uv_tcp_bind(handle_, reinterpret_cast<const sockaddr*>(&addr), 0);
  if (rc == 0) rc = uv_listen(stream, backlog, on_connection_cb);
  if (rc < 0) {
    close();
    return fail(Errc::io_error,
                "listen on " + host + ":" + std::to_string(port) + ": " + uv_strerror(rc));
  }
  int len = sizeof addr;
  uv_tcp_getsockname(handle_, reinterpret_cast<sockaddr*>(&addr), &len);
  address_ = format_address(reinterpret_cast<const sockaddr*>(&addr));
  port_ = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  log_.info("listening on ", address_);
  return {};
}

void Listener::close() {
  if (handle_ == nullptr) return;
  handle_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(handle_), on_free_cb);
  handle_ = nullptr;
  port_ = 0;
}

void Listener::on_free_cb(uv_handle_t* handle) { delete reinterpret_cast<uv_tcp_t*>(handle); }

void Listener::on_connection_cb(uv_stream_t* server, int status) {
  auto* self = static_cast<Listener*>(server->data);
  if (self == nullptr) return;
  if (status < 0) {
    self->log_.warn("accept failed: ", uv_strerror(status));
    return;
  }
  Connection* connection = self->factory_ ? self->factory_(self->loop_) : nullptr;
  if (connection == nullptr) {
    self->refuse(server);
    return;
  }
  ++self->accepted_;
  Status accepted = connection->accept_from(server);
  if (!accepted) connection->abort(accepted.error());
}

// Accepts and closes at once, so the kernel's queue does not fill with refused peers.
void Listener::refuse(uv_stream_t* server) {
  auto* client = new uv_tcp_t;
  uv_tcp_init(loop_, client);
  uv_accept(server, reinterpret_cast<uv_stream_t*>(client));
  uv_close(reinterpret_cast<uv_handle_t*>(client), on_free_cb);
  log_.debug("refused a connection");
}

}  // namespace xf::net
