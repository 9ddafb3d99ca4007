#include "common/net/timer.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <memory>

#include "common/net/signal_watcher.h"
#include "loop_fixture.h"

using namespace xf;
using namespace xf::net;
using xf::net::testing::LoopFixture;

TEST_CASE("net: timers fire in deadline order and can be stopped and re-armed", "[unit][net]") {
  LoopFixture f;
  std::vector<int> order;
  Timer a(&f.loop, [&] { order.push_back(1); });
  Timer b(&f.loop, [&] { order.push_back(2); });
  Timer c(&f.loop, [&] { order.push_back(3); });
  a.start(30);
  b.start(10);
  c.start(20);
  c.stop();
  CHECK_FALSE(c.active());
  b.start(40);  // Re-arming replaces the first start.
  f.run();
  CHECK(order == std::vector<int>{1, 2});
  a.close();
  b.close();
  c.close();
  f.finish();
}

TEST_CASE("net: repeating timer and start_at with kNoDeadline", "[unit][net]") {
  LoopFixture f;
  int ticks = 0;
  Timer never(&f.loop, [] { FAIL("must not fire"); });
  never.start(5);
  never.start_at(kNoDeadline);
  Timer repeat(&f.loop, [&] {});
  repeat.set_callback([&] {
    if (++ticks == 3) repeat.stop();
  });
  repeat.start_repeating(5);
  f.run();
  CHECK(ticks == 3);
  never.close();
  repeat.close();
  f.finish();
}

TEST_CASE("net: a standalone timer may destroy itself from its callback", "[unit][net]") {
  LoopFixture f;
  auto timer = std::make_unique<Timer>(&f.loop, nullptr);
  bool fired = false;
  timer->set_callback([&] {
    fired = true;
    timer.reset();
  });
  timer->start(1);
  f.run();
  CHECK(fired);
  CHECK(timer == nullptr);
  f.finish();
}

TEST_CASE("net: signal watcher delivers SIGHUP on the loop", "[unit][net]") {
  LoopFixture f;
  int got = 0;
  SignalWatcher watcher(&f.loop, [&](int signum) {
    got = signum;
    watcher.close();
  });
  REQUIRE(watcher.start().ok());
  REQUIRE(uv_kill(uv_os_getpid(), SIGHUP) == 0);
  f.run();
  CHECK(got == SIGHUP);
  f.finish();
}
