#include "common/net/timer.h"

#include <cassert>

#include "common/net/connection.h"

namespace xf::net {

Timer::Timer(Connection& owner, Callback callback)
    : loop_(owner.loop()), handle_(new uv_timer_t), owner_(&owner), callback_(std::move(callback)) {
  uv_timer_init(loop_, handle_);
  handle_->data = this;
  owner.timers_.push_back(this);
  ++owner.outstanding_;
}

Timer::Timer(uv_loop_t* loop, Callback callback)
    : loop_(loop), handle_(new uv_timer_t), callback_(std::move(callback)) {
  uv_timer_init(loop_, handle_);
  handle_->data = this;
}

Timer::~Timer() {
  // An owned timer was closed by its connection before the connection is deleted.
  assert(owner_ == nullptr || handle_ == nullptr);
  close();
}

void Timer::close() {
  if (handle_ == nullptr || owner_ != nullptr) return;
  handle_->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(handle_), on_free_cb);
  handle_ = nullptr;
}

void Timer::start(Millis delay_ms) {
  if (handle_ == nullptr) return;
  if (owner_ != nullptr && owner_->state_ == Connection::State::closing) return;
  uv_timer_start(handle_, on_timeout_cb, static_cast<std::uint64_t>(delay_ms < 0 ? 0 : delay_ms),
                 0);
}

void Timer::start_repeating(Millis interval_ms) {
  if (handle_ == nullptr) return;
  auto ms = static_cast<std::uint64_t>(interval_ms < 1 ? 1 : interval_ms);
  uv_timer_start(handle_, on_timeout_cb, ms, ms);
}

void Timer::start_at(Millis deadline) {
  if (deadline == kNoDeadline) {
    stop();
    return;
  }
  start(deadline - static_cast<Millis>(uv_now(loop_)));
}

void Timer::stop() {
  if (handle_ != nullptr) uv_timer_stop(handle_);
}

bool Timer::active() const {
  return handle_ != nullptr && uv_is_active(reinterpret_cast<const uv_handle_t*>(handle_)) != 0;
}

void Timer::unref() {
  if (handle_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
}

void Timer::close_handle() {
  if (handle_ == nullptr || uv_is_closing(reinterpret_cast<uv_handle_t*>(handle_))) return;
  uv_close(reinterpret_cast<uv_handle_t*>(handle_), on_owned_closed_cb);
}

void Timer::on_timeout_cb(uv_timer_t* handle) {
  auto* timer = static_cast<Timer*>(handle->data);
  if (timer == nullptr || !timer->callback_) return;
  // A copy: the callback may destroy this Timer (and the function object with it).
  Callback callback = timer->callback_;
  callback();
}

void Timer::on_owned_closed_cb(uv_handle_t* handle) {
  auto* timer = static_cast<Timer*>(handle->data);
  delete reinterpret_cast<uv_timer_t*>(handle);
  timer->handle_ = nullptr;
  timer->owner_->handle_closed();
}

void Timer::on_free_cb(uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); }

}  // namespace xf::net
