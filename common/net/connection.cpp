#include "common/net/connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <unordered_set>

namespace xf::net {

namespace {

// Connections alive on this thread (each loop runs on one thread), for shutdown.
std::unordered_set<Connection*>& live_connections() {
  thread_local std::unordered_set<Connection*> live;
  return live;
}

Error uv_error(const char* what, int status) {
  return make_error(Errc::io_error, std::string(what) + ": " + uv_strerror(status));
}

}  // namespace

std::string format_address(const sockaddr* addr) {
  char ip[INET6_ADDRSTRLEN] = {};
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    uv_ip4_name(in, ip, sizeof ip);
    return std::string(ip) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    uv_ip6_name(in6, ip, sizeof ip);
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return {};
}

bool parse_numeric_address(const std::string& host, std::uint16_t port, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&out)) == 0) return true;
  std::memset(&out, 0, sizeof out);
  return uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&out)) == 0;
}

Connection::Connection(uv_loop_t* loop, std::string log_name, ConnectionLimits limits)
    : log_(std::move(log_name)),
      loop_(loop),
      limits_(limits),
      read_buffer_(new char[kReadBufferBytes]),
      connect_timer_(
          *this,
          [this] {
            if (pending_error_) {
              Error error = std::move(*pending_error_);
              pending_error_.reset();
              begin_close(&error, false);
            } else if (state_ == State::connecting) {
              attempt_failed(make_error(
                  Errc::timeout,
                  "connect to " +
                      format_address(reinterpret_cast<const sockaddr*>(&addresses_[attempt_])) +
                      " timed out"));
            }
          }),
      close_timer_(*this, [this] {
        if (state_ == State::draining) {
          log_.debug("close timed out with ", queued_bytes_, " bytes unsent");
          close_handles();
        }
      }) {
  uv_tcp_init(loop_, &tcp_);
  tcp_.data = this;
  ++outstanding_;
  live_connections().insert(this);
}

Connection::~Connection() { live_connections().erase(this); }

Millis Connection::now() const { return static_cast<Millis>(uv_now(loop_)); }

std::size_t Connection::abort_all(uv_loop_t* loop) {
  std::vector<Connection*> victims;
  for (Connection* c : live_connections()) {
    if (c->loop_ == loop && c->state_ != State::closing) victims.push_back(c);
  }
  for (Connection* c : victims) c->abort(make_error(Errc::io_error, "shutting down"));
  return victims.size();
}

std::size_t Connection::live_count(uv_loop_t* loop) {
  return static_cast<std::size_t>(
      std::count_if(live_connections().begin(), live_connections().end(),
                    [loop](const Connection* c) { return c->loop_ == loop; }));
}

// ---- Opening ------------------------------------------------------------------------------

void Connection::connect(std::string host, std::uint16_t port) {
  if (state_ != State::idle) return;
  host_ = std::move(host);
  port_ = port;
  sockaddr_storage numeric{};
  if (parse_numeric_address(host_, port_, numeric)) {
    addresses_.push_back(numeric);
    start_attempt();
    return;
  }
  state_ = State::resolving;
  resolve_req_.data = this;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  std::string service = std::to_string(port_);
  int rc =
      uv_getaddrinfo(loop_, &resolve_req_, on_resolved_cb, host_.c_str(), service.c_str(), &hints);
  if (rc < 0) {
    fail_soon(uv_error(("resolving " + host_).c_str(), rc));
    return;
  }
  resolving_ = true;
  ++outstanding_;
}

void Connection::connect_to(std::vector<Endpoint> endpoints) {
  if (state_ != State::idle) return;
  for (Endpoint& e : endpoints) {
    if (addresses_.size() >= kMaxConnectAddresses) break;
    addresses_.push_back(e.address);
    vias_.push_back(std::move(e.via));
  }
  if (addresses_.empty()) {
    fail_soon(make_error(Errc::not_found, "no address to connect to"));
    return;
  }
  start_attempt();
}

void Connection::on_resolved_cb(uv_getaddrinfo_t* req, int status, addrinfo* res) {
  auto* self = static_cast<Connection*>(req->data);
  self->resolving_ = false;
  --self->outstanding_;
  if (self->state_ != State::resolving) {
    uv_freeaddrinfo(res);
    self->maybe_finalize();
    return;
  }
  if (status < 0) {
    uv_freeaddrinfo(res);
    Error error = uv_error(("resolving " + self->host_).c_str(), status);
    self->begin_close(&error, false);
    return;
  }
  for (addrinfo* ai = res; ai != nullptr && self->addresses_.size() < kMaxConnectAddresses;
       ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    sockaddr_storage addr{};
    std::memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
    self->addresses_.push_back(addr);
  }
  uv_freeaddrinfo(res);
  if (self->addresses_.empty()) {
    Error error = make_error(Errc::not_found, "no address for " + self->host_);
    self->begin_close(&error, false);
    return;
  }
  self->start_attempt();
}

void Connection::start_attempt() {
  state_ = State::connecting;
  const auto* addr = reinterpret_cast<const sockaddr*>(&addresses_[attempt_]);
  if (attempt_ < vias_.size()) {
    log_.info("connecting to ", format_address(addr), " (", vias_[attempt_], ")");
  } else {
    log_.debug("connecting to ", format_address(addr));
  }
  connect_req_.data = this;
  int rc = uv_tcp_connect(&connect_req_, &tcp_, addr, on_connect_cb);
  if (rc < 0) {
    Error error = uv_error(("connect to " + format_address(addr)).c_str(), rc);
    if (attempt_ + 1 < addresses_.size()) {
      attempt_failed(error);
    } else {
      fail_soon(std::move(error));  // From a timer: connect() never calls back synchronously.
    }
    return;
  }
  connect_timer_.start(limits_.connect_timeout_ms);
}

void Connection::on_connect_cb(uv_connect_t* req, int status) {
  if (status == UV_ECANCELED) return;  // The handle is closing (timeout, next address, close).
  auto* self = static_cast<Connection*>(req->data);
  if (self->state_ != State::connecting) return;
  self->connect_timer_.stop();
  if (status < 0) {
    const auto* addr = reinterpret_cast<const sockaddr*>(&self->addresses_[self->attempt_]);
    self->attempt_failed(uv_error(("connect to " + format_address(addr)).c_str(), status));
    return;
  }
  self->opened();
}

void Connection::attempt_failed(const Error& error) {
  if (attempt_ < vias_.size()) {
    log_.info(error.detail, " (", vias_[attempt_], ")",
              attempt_ + 1 < addresses_.size() ? "; trying the next address" : "");
  } else {
    log_.debug(error.detail);
  }
  if (attempt_ + 1 >= addresses_.size()) {
    begin_close(&error, false);
    return;
  }
  // A failed socket cannot be reused (and the next address may be another family): close the
  // handle and open a fresh one in its close callback.
  ++attempt_;
  switching_address_ = true;
  tcp_closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_tcp_closed_cb);
}

void Connection::fail_soon(Error error) {
  pending_error_ = std::move(error);
  connect_timer_.start(0);
}

Status Connection::accept_from(uv_stream_t* server) {
  if (state_ != State::idle) return fail(Errc::internal, "accept on a used connection");
  int rc = uv_accept(server, stream());
  if (rc < 0) return fail(uv_error("accept", rc));
  opened();
  return {};
}

void Connection::opened() {
  state_ = State::open;
  uv_tcp_nodelay(&tcp_, 1);
  sockaddr_storage addr{};
  int len = sizeof addr;
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    peer_address_ = format_address(reinterpret_cast<sockaddr*>(&addr));
  }
  len = sizeof addr;
  if (uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    local_address_ = format_address(reinterpret_cast<sockaddr*>(&addr));
  }
  if (!paused_) start_reading();
  flush();
  if (state_ == State::open) on_connected();
}

// ---- Reading ------------------------------------------------------------------------------

void Connection::acknowledge_now() {
  uv_os_fd_t fd;
  if (state_ != State::open || uv_fileno(reinterpret_cast<uv_handle_t*>(&tcp_), &fd) != 0) return;
  int on = 1;
  // Best effort: without it the peer's next write is only late, never lost.
  (void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
}

void Connection::start_reading() {
  if (reading_ || state_ != State::open || eof_) return;
  int rc = uv_read_start(stream(), on_alloc_cb, on_read_cb);
  if (rc < 0) {
    Error error = uv_error("read start", rc);
    begin_close(&error, false);
    return;
  }
  reading_ = true;
}

void Connection::stop_reading() {
  if (!reading_) return;
  uv_read_stop(stream());
  reading_ = false;
}

void Connection::pause_reading() {
  paused_ = true;
  stop_reading();
}

void Connection::resume_reading() {
  paused_ = false;
  start_reading();
}

void Connection::set_write_watermarks(std::size_t low, std::size_t high) {
  low_water_ = std::min(low, high);
  high_water_ = high;
}

void Connection::on_alloc_cb(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(handle->data);
  *buf = uv_buf_init(self->read_buffer_.get(), kReadBufferBytes);
}

void Connection::on_read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(stream->data);
  if (self->state_ != State::open) return;
  if (nread > 0) {
    self->on_read(std::string_view(buf->base, static_cast<std::size_t>(nread)));
  } else if (nread == UV_EOF) {
    self->eof_ = true;
    self->stop_reading();
    self->on_eof();
  } else if (nread < 0) {
    Error error = uv_error("read", static_cast<int>(nread));
    self->begin_close(&error, false);
  }
}

// ---- Writing ------------------------------------------------------------------------------

void Connection::write(std::string bytes) {
  if (closing() || bytes.empty()) return;
  if (queued_bytes_ + bytes.size() > limits_.max_queued_bytes) {
    abort(
        make_error(Errc::limit_exceeded,
                   "outbound queue above " + std::to_string(limits_.max_queued_bytes) + " bytes"));
    return;
  }
  queued_bytes_ += bytes.size();
  queue_.push_back(std::move(bytes));
  flush();
  if (!backlogged_ && high_water_ > 0 && queued_bytes_ >= high_water_ && !closing()) {
    backlogged_ = true;
    on_write_backlog(true);
  }
}

void Connection::flush() {
  if (write_in_flight_ || queue_.empty()) return;
  if (state_ != State::open && state_ != State::draining) return;
  in_flight_.clear();
  while (!queue_.empty() && in_flight_.size() < kMaxChunksPerWrite) {
    in_flight_.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  // Buffers are built after in_flight_ stops growing, so their pointers stay valid.
  bufs_.clear();
  for (std::string& chunk : in_flight_) {
    bufs_.push_back(uv_buf_init(chunk.data(), static_cast<unsigned>(chunk.size())));
  }
  write_req_.data = this;
  int rc = uv_write(&write_req_, stream(), bufs_.data(), static_cast<unsigned>(bufs_.size()),
                    on_write_cb);
  if (rc < 0) {
    Error error = uv_error("write", rc);
    begin_close(&error, false);
    return;
  }
  write_in_flight_ = true;
}

void Connection::on_write_cb(uv_write_t* req, int status) {
  auto* self = static_cast<Connection*>(req->data);
  self->write_in_flight_ = false;
  for (const std::string& chunk : self->in_flight_) self->queued_bytes_ -= chunk.size();
  self->in_flight_.clear();
  if (status == UV_ECANCELED || self->state_ == State::closing) return;
  if (status < 0) {
    Error error = uv_error("write", status);
    self->begin_close(&error, false);
    return;
  }
  if (self->backlogged_ && self->queued_bytes_ <= self->low_water_ && self->state_ == State::open) {
    self->backlogged_ = false;
    self->on_write_backlog(false);
    if (self->state_ != State::open) return;
  }
  if (!self->queue_.empty()) {
    self->flush();
    return;
  }
  if (self->state_ == State::draining) {
    self->close_handles();
    return;
  }
  self->on_drained();
}

// ---- Closing ------------------------------------------------------------------------------

void Connection::close() { begin_close(nullptr, true); }

void Connection::abort(const Error& reason) { begin_close(&reason, false); }

void Connection::close_with(const Error& reason) { begin_close(&reason, true); }

void Connection::begin_close(const Error* reason, bool graceful) {
  if (state_ == State::closing) return;
  if (state_ == State::draining && graceful) return;
  bool first = !closed_notified_;
  closed_notified_ = true;
  if (graceful && state_ == State::open && queued_bytes_ > 0) {
    state_ = State::draining;
    stop_reading();
    close_timer_.start(limits_.close_timeout_ms);
  } else {
    close_handles();
  }
  if (first) {
    if (reason != nullptr) {
      log_.debug("closing: ", reason->detail);
    } else {
      log_.debug("closing");
    }
    on_closed(reason);
  }
}

void Connection::close_handles() {
  state_ = State::closing;
  stop_reading();
  if (resolving_) uv_cancel(reinterpret_cast<uv_req_t*>(&resolve_req_));
  if (!tcp_closing_) {
    tcp_closing_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_tcp_closed_cb);
  }
  for (Timer* timer : timers_) timer->close_handle();
}

void Connection::on_tcp_closed_cb(uv_handle_t* handle) {
  auto* self = static_cast<Connection*>(handle->data);
  if (self->switching_address_ && self->state_ == State::connecting) {
    self->switching_address_ = false;
    uv_tcp_init(self->loop_, &self->tcp_);
    self->tcp_.data = self;
    self->tcp_closing_ = false;
    self->start_attempt();
    return;
  }
  self->switching_address_ = false;
  self->handle_closed();
}

void Connection::handle_closed() {
  --outstanding_;
  maybe_finalize();
}

void Connection::maybe_finalize() {
  if (state_ == State::closing && outstanding_ == 0) delete this;
}

}  // namespace xf::net
