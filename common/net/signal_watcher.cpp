#include "common/net/signal_watcher.h"

#include <string>

namespace xf::net {

SignalWatcher::SignalWatcher(uv_loop_t* loop, Callback callback, std::vector<int> signals)
    : loop_(loop), callback_(std::move(callback)), signals_(std::move(signals)) {}

SignalWatcher::~SignalWatcher() { close(); }

Status SignalWatcher::start() {
  if (!handles_.empty()) return {};
  for (int signum : signals_) {
    auto* handle = new uv_signal_t;
    uv_signal_init(loop_, handle);
    handle->data = this;
    handles_.push_back(handle);
    int rc = uv_signal_start(handle, on_signal_cb, signum);
    if (rc < 0) {
      close();
      return fail(Errc::io_error,
                  "watching signal " + std::to_string(signum) + ": " + uv_strerror(rc));
    }
  }
  return {};
}

void SignalWatcher::close() {
  for (uv_signal_t* handle : handles_) {
    handle->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(handle), on_free_cb);
  }
  handles_.clear();
}

void SignalWatcher::unref() {
  for (uv_signal_t* handle : handles_) uv_unref(reinterpret_cast<uv_handle_t*>(handle));
}

void SignalWatcher::on_signal_cb(uv_signal_t* handle, int signum) {
  auto* self = static_cast<SignalWatcher*>(handle->data);
  if (self == nullptr || !self->callback_) return;
  Callback callback = self->callback_;  // It may destroy this watcher.
  callback(signum);
}

void SignalWatcher::on_free_cb(uv_handle_t* handle) {
  delete reinterpret_cast<uv_signal_t*>(handle);
}

}  // namespace xf::net
