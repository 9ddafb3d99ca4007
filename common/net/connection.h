// One TCP connection on a libuv loop (one owner per connection: the socket, its buffers and its
// close).
//
// A Connection is heap-allocated and owns its uv_tcp_t, its timers (net::Timer members), a
// fixed read buffer and an outbound queue; every handle's data points back to it. It deletes
// itself in the last uv_close callback once it is closing, never inside a read callback, so a
// subclass may call close() or abort() from any hook and keep using `this` until it returns.
// Calls on a closing connection do nothing.
//
// Lifecycle hooks, in order: on_connected() once the socket is usable; on_read() per chunk;
// on_drained() whenever the outbound queue empties; on_closed(reason) exactly once when the
// connection starts closing (reason is null for close() and for the peer's orderly shutdown).
// After on_closed the owner must drop its pointer: the object is deleted soon after.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/clock.h"
#include "common/core/log.h"
#include "common/core/result.h"
#include "common/net/timer.h"

namespace xf::net {

// Bytes read per read callback. 64 KiB holds four full TLS records, so one callback usually
// carries everything the peer sent since the last one.
inline constexpr std::size_t kReadBufferBytes = 64 * 1024;
// How many queued chunks one uv_write carries at most (well under IOV_MAX).
inline constexpr std::size_t kMaxChunksPerWrite = 64;
// How many resolved addresses a connect tries at most.
inline constexpr std::size_t kMaxConnectAddresses = 16;

struct ConnectionLimits {
  // Per address: a peer that does not answer a SYN in 10 s is treated as unreachable and the
  // next address is tried.
  Millis connect_timeout_ms = 10000;
  // A graceful close waits this long for the queue to drain, then closes anyway, so a peer
  // that stops reading cannot hold a closing connection open.
  Millis close_timeout_ms = 5000;
  // Outbound bytes buffered for a peer that does not read. Callers apply backpressure well
  // before this (see queued_bytes()); hitting it aborts the connection with limit_exceeded.
  std::size_t max_queued_bytes = 32 * 1024 * 1024;
};

// One address to try, and how it was found ("SRV target prosody-s2s.example:5299"), for logs.
struct Endpoint {
  sockaddr_storage address{};
  std::string via;
};

class Connection {
 public:
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Outbound: resolves host (numeric addresses skip the resolver) and tries each address in
  // turn, each with limits().connect_timeout_ms. Failure is reported through on_closed, never
  // synchronously from this call. Only valid on a fresh connection.
  void connect(std::string host, std::uint16_t port);
  // Outbound to addresses found elsewhere (e.g. SRV discovery), tried in order like
  // connect()'s. Each failed attempt is logged at info with its `via`. An empty list fails
  // with Errc::not_found, through on_closed as well.
  void connect_to(std::vector<Endpoint> endpoints);

  // Queues bytes; at most one uv_write is in flight, and the queue keeps the bytes until its
  // callback. Bytes queued before the connection is open are sent once it is.
  virtual void write(std::string bytes);
  // Graceful: stops reading, sends what is queued (bounded by close_timeout_ms), then closes.
  virtual void close();
  // Immediate: drops the queue and closes; on_closed gets reason.
  void abort(const Error& reason);
  // Graceful like close() (what is queued, e.g. a stream error, is still sent), but on_closed
  // gets reason.
  void close_with(const Error& reason);

  // Backpressure: stop/restart reading from the socket (takes effect while open).
  void pause_reading();
  void resume_reading();
  bool reading_paused() const { return paused_; }

  // Write-side watermarks: once queued_bytes() reaches high, on_write_backlog(true) is called;
  // once it falls to low or below again, on_write_backlog(false). The owner stops feeding the
  // queue in between (it pauses whatever it reads from), so the queue stays near high instead
  // of growing to max_queued_bytes. 0 for high turns the notices off (the default).
  void set_write_watermarks(std::size_t low, std::size_t high);
  // True between the high notice and the low one.
  bool write_backlogged() const { return backlogged_; }

  bool closing() const { return state_ == State::draining || state_ == State::closing; }
  bool is_open() const { return state_ == State::open; }
  // Queued plus in-flight outbound bytes.
  std::size_t queued_bytes() const { return queued_bytes_; }
  // "127.0.0.1:5269" / "[::1]:5269"; empty until connected.
  const std::string& peer_address() const { return peer_address_; }
  const std::string& local_address() const { return local_address_; }
  // After connect_to(): the index, in the list it was given, of the endpoint now connected.
  std::size_t connected_endpoint() const { return attempt_; }
  // The peer closed its sending side (EOF was read).
  bool eof_received() const { return eof_; }
  // The loop's cached clock, in the milliseconds protocol cores take as `now`.
  Millis now() const;
  uv_loop_t* loop() const { return loop_; }
  const Logger& log() const { return log_; }
  const ConnectionLimits& limits() const { return limits_; }

  // Shutdown: aborts every connection still alive on this loop. Returns how many.
  static std::size_t abort_all(uv_loop_t* loop);
  // Connections alive (not yet deleted) on this loop.
  static std::size_t live_count(uv_loop_t* loop);

 protected:
  Connection(uv_loop_t* loop, std::string log_name, ConnectionLimits limits = {});
  virtual ~Connection();

  virtual void on_connected() {}
  virtual void on_read(std::string_view bytes) = 0;
  virtual void on_drained() {}
  // The queue crossed a watermark (set_write_watermarks): above is true at high, false at low.
  virtual void on_write_backlog(bool /*above*/) {}
  virtual void on_closed(const Error* /*reason*/) {}
  // The peer shut down its side. The default closes gracefully.
  virtual void on_eof() { close(); }

  // close() without virtual dispatch, for subclasses that override close().
  void close_gracefully() { begin_close(nullptr, true); }
  // Acknowledges what was read at once instead of after the kernel's delayed-ACK timer
  // (Linux TCP_QUICKACK). A peer with Nagle's algorithm on holds its next small write until
  // its last one is acknowledged, so a read that we answer only after the peer writes again
  // (the TLS client's Finished, then its stream header) would otherwise cost up to 40 ms.
  void acknowledge_now();

  Logger log_;

 private:
  friend class Listener;
  friend class Timer;

  enum class State {
    idle,        // Constructed; neither connect() nor accept yet.
    resolving,   // Waiting for uv_getaddrinfo.
    connecting,  // uv_tcp_connect in progress to addresses_[attempt_].
    open,        // Connected; reading and writing.
    draining,    // close() called: flushing the queue, then closing.
    closing,     // Handles are closing; deleted when the last one has closed.
  };

  Status accept_from(uv_stream_t* server);
  void opened();
  void start_attempt();
  void attempt_failed(const Error& error);
  void fail_soon(Error error);
  void start_reading();
  void stop_reading();
  void flush();
  void begin_close(const Error* reason, bool graceful);
  void close_handles();
  void handle_closed();
  void maybe_finalize();
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }

  static void on_alloc_cb(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write_cb(uv_write_t* req, int status);
  static void on_connect_cb(uv_connect_t* req, int status);
  static void on_resolved_cb(uv_getaddrinfo_t* req, int status, struct addrinfo* res);
  static void on_tcp_closed_cb(uv_handle_t* handle);

  uv_loop_t* loop_;
  ConnectionLimits limits_;
  State state_ = State::idle;
  // Handles not yet closed plus a pending getaddrinfo; the object is deleted when it is 0.
  int outstanding_ = 0;
  std::vector<Timer*> timers_;  // Declared before the Timer members that register here.

  uv_tcp_t tcp_{};
  bool tcp_closing_ = false;
  bool switching_address_ = false;
  std::unique_ptr<char[]> read_buffer_;
  bool reading_ = false;
  bool paused_ = false;
  bool eof_ = false;
  bool closed_notified_ = false;

  std::deque<std::string> queue_;
  std::vector<std::string> in_flight_;
  std::vector<uv_buf_t> bufs_;
  std::size_t queued_bytes_ = 0;
  std::size_t low_water_ = 0;
  std::size_t high_water_ = 0;
  bool backlogged_ = false;
  bool write_in_flight_ = false;
  uv_write_t write_req_{};

  std::string host_;
  std::uint16_t port_ = 0;
  uv_getaddrinfo_t resolve_req_{};
  bool resolving_ = false;
  uv_connect_t connect_req_{};
  std::vector<sockaddr_storage> addresses_;
  std::vector<std::string> vias_;  // Parallel to addresses_ after connect_to(); else empty.
  std::size_t attempt_ = 0;
  std::optional<Error> pending_error_;

  std::string peer_address_;
  std::string local_address_;

  Timer connect_timer_;
  Timer close_timer_;
};

// "127.0.0.1:5269" or "[::1]:5269"; empty for anything else.
std::string format_address(const sockaddr* addr);
// Parses a numeric IPv4 or IPv6 address (no brackets) with a port.
bool parse_numeric_address(const std::string& host, std::uint16_t port, sockaddr_storage& out);

}  // namespace xf::net
