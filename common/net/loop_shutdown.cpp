#include "common/net/loop_shutdown.h"

#include "common/net/connection.h"

namespace xf::net {

std::size_t count_handles(uv_loop_t* loop) {
  std::size_t count = 0;
  uv_walk(
      loop, [](uv_handle_t*, void* arg) { ++*static_cast<std::size_t*>(arg); }, &count);
  return count;
}

int close_loop(uv_loop_t* loop, std::size_t* handles_left) {
  Connection::abort_all(loop);
  uv_walk(
      loop,
      [](uv_handle_t* handle, void*) {
        if (!uv_is_closing(handle)) uv_unref(handle);
      },
      nullptr);
  uv_run(loop, UV_RUN_DEFAULT);
  if (handles_left != nullptr) *handles_left = count_handles(loop);
  return uv_loop_close(loop);
}

}  // namespace xf::net
