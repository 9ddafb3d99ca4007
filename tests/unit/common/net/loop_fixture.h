// A loop per test with a watchdog, and the libuv test discipline: the test ends by closing the
// loop with no handle left.
#pragma once

#include <uv.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/net/connection.h"
#include "common/net/loop_shutdown.h"
#include "common/net/timer.h"

namespace xf::net::testing {

struct LoopFixture {
  uv_loop_t loop{};
  bool watchdog_fired = false;

  LoopFixture() { REQUIRE(uv_loop_init(&loop) == 0); }
  LoopFixture(const LoopFixture&) = delete;
  LoopFixture& operator=(const LoopFixture&) = delete;
  ~LoopFixture() {
    if (loop.data != &loop) uv_loop_close(&loop);  // Only after a failed assertion.
  }

  // Runs until nothing keeps the loop alive, or fails the test after timeout_ms.
  void run(Millis timeout_ms = 5000) {
    Timer watchdog(&loop, [this] {
      watchdog_fired = true;
      Connection::abort_all(&loop);
      uv_stop(&loop);
    });
    watchdog.unref();
    watchdog.start(timeout_ms);
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK_FALSE(watchdog_fired);
  }

  // Every test ends here: no connection alive, no handle left, the loop closes.
  void finish() {
    std::size_t handles_left = 99;
    CHECK(close_loop(&loop, &handles_left) == 0);
    CHECK(handles_left == 0);
    CHECK(Connection::live_count(&loop) == 0);
    loop.data = &loop;
  }
};

// Events of several objects in one ordered log.
struct EventLog {
  std::vector<std::string> events;
  void add(std::string e) { events.push_back(std::move(e)); }
  std::size_t index_of(const std::string& e) const {
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (events[i] == e) return i;
    }
    return events.size();
  }
  bool has(const std::string& e) const { return index_of(e) != events.size(); }
  std::string dump() const {
    std::string out;
    for (const auto& e : events) out += e + " | ";
    return out;
  }
};

}  // namespace xf::net::testing
