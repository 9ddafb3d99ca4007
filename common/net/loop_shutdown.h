// Ending a loop cleanly: every connection is aborted, every close callback runs, and
// uv_loop_close() then finds no handle left (tests assert exactly that).
#pragma once

#include <uv.h>

#include <cstddef>

namespace xf::net {

// Handles still known to the loop, closing ones included.
std::size_t count_handles(uv_loop_t* loop);

// Aborts every live Connection on the loop, runs the loop until their handles (and any other
// handle already closing) are closed, and returns uv_loop_close()'s result: 0, or UV_EBUSY if
// an owner (a Listener, standalone Timer, SignalWatcher) was not destroyed first. Handles that
// are still open are unreferenced first so that this never blocks on them. handles_left, when
// given, receives count_handles() just before uv_loop_close() (a closed loop cannot be walked).
int close_loop(uv_loop_t* loop, std::size_t* handles_left = nullptr);

}  // namespace xf::net
