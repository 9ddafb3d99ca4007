#include "frontend-gateway/runtime/backoff.h"

#include <catch2/catch.hpp>

using xf::Millis;
using xf::gw::Backoff;

TEST_CASE("backoff doubles from the minimum to the maximum with equal jitter", "[unit][gateway]") {
  Backoff b(500, 30000, 42);
  Millis step = 500;
  for (int i = 0; i < 12; ++i) {
    REQUIRE(b.step() == step);
    const Millis delay = b.next();
    CHECK(delay >= step / 2);
    CHECK(delay <= step);
    step = std::min<Millis>(step * 2, 30000);
  }
  CHECK(b.step() == 30000);
}

TEST_CASE("backoff starts again from the minimum after reset", "[unit][gateway]") {
  Backoff b(100, 1000, 7);
  for (int i = 0; i < 10; ++i) (void)b.next();
  CHECK(b.step() == 1000);
  b.reset();
  CHECK(b.step() == 100);
  const Millis delay = b.next();
  CHECK(delay >= 50);
  CHECK(delay <= 100);
}

TEST_CASE("backoff with equal bounds stays put and never overflows", "[unit][gateway]") {
  Backoff fixed(250, 250, 1);
  for (int i = 0; i < 5; ++i) {
    const Millis delay = fixed.next();
    CHECK(delay >= 125);
    CHECK(delay <= 250);
  }
  Backoff wide(10, 3600000, 3);
  for (int i = 0; i < 200; ++i) (void)wide.next();
  CHECK(wide.step() == 3600000);
}

TEST_CASE("backoff jitter spreads delays", "[unit][gateway]") {
  Backoff a(1000, 1000, 1);
  bool differs = false;
  const Millis first = a.next();
  for (int i = 0; i < 20; ++i) differs = differs || a.next() != first;
  CHECK(differs);
}
