// A one-shot or repeating libuv timer. Either owned by a Connection (declared as its member;
// the connection closes it with its other handles and is deleted only after that close
// completes) or standalone (its destructor closes the handle; the handle memory is freed in
// the close callback, so a standalone Timer may be destroyed at any time, even from its own
// callback).
#pragma once

#include <uv.h>

#include <functional>

#include "common/core/clock.h"

namespace xf::net {

class Connection;

class Timer {
 public:
  using Callback = std::function<void()>;

  Timer(Connection& owner, Callback callback);
  Timer(uv_loop_t* loop, Callback callback);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // (Re)arms the timer to fire once after delay_ms (negative counts as 0).
  void start(Millis delay_ms);
  void start_repeating(Millis interval_ms);
  // Arms for an absolute deadline on the loop clock (uv_now), as sans-IO cores report it;
  // kNoDeadline stops the timer.
  void start_at(Millis deadline);
  void stop();
  bool active() const;
  void set_callback(Callback callback) { callback_ = std::move(callback); }
  // A standalone timer that must not keep the loop running (watchdogs).
  void unref();
  // Standalone only: closes the handle now (the destructor does it otherwise). Idempotent;
  // the timer does nothing afterwards.
  void close();

 private:
  friend class Connection;
  void close_handle();
  static void on_timeout_cb(uv_timer_t* handle);
  static void on_owned_closed_cb(uv_handle_t* handle);
  static void on_free_cb(uv_handle_t* handle);

  uv_loop_t* loop_;
  uv_timer_t* handle_ = nullptr;  // Heap-allocated; null once closed.
  Connection* owner_ = nullptr;
  Callback callback_;
};

}  // namespace xf::net
