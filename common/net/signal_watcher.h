// Delivers SIGINT, SIGTERM and SIGHUP (or a chosen set) to a callback on the loop, so that a
// daemon shuts down or reloads from its loop rather than from a signal handler.
#pragma once

#include <uv.h>

#include <csignal>
#include <functional>
#include <vector>

#include "common/core/result.h"

namespace xf::net {

class SignalWatcher {
 public:
  using Callback = std::function<void(int signum)>;

  SignalWatcher(uv_loop_t* loop, Callback callback,
                std::vector<int> signals = {SIGINT, SIGTERM, SIGHUP});
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  Status start();
  // Stops watching; the handles are freed in their close callbacks. Idempotent.
  void close();
  // Watched signals do not keep the loop running on their own.
  void unref();

 private:
  static void on_signal_cb(uv_signal_t* handle, int signum);
  static void on_free_cb(uv_handle_t* handle);

  uv_loop_t* loop_;
  Callback callback_;
  std::vector<int> signals_;
  std::vector<uv_signal_t*> handles_;
};

}  // namespace xf::net
