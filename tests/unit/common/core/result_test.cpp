#include "common/core/result.h"

#include <catch2/catch.hpp>

namespace {
xf::Result<int> half(int v) {
  if (v % 2 != 0) return xf::fail(xf::Errc::invalid_argument, "odd");
  return v / 2;
}
}  // namespace

TEST_CASE("Result carries a value or an error", "[unit][core]") {
  auto good = half(8);
  REQUIRE(good.ok());
  CHECK(*good == 4);
  auto bad = half(3);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == xf::Errc::invalid_argument);
  CHECK(bad.error().detail == "odd");
  xf::Status s = xf::fail(xf::Errc::timeout, "late");
  CHECK_FALSE(s.ok());
  CHECK(std::string(xf::to_string(s.error().code)) == "timeout");
  CHECK(xf::Status{}.ok());
}
