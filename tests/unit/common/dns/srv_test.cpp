#include "common/dns/srv.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

using xf::dns::PickFn;
using xf::dns::rfc2782_order;
using xf::dns::SrvAnswer;
using xf::dns::SrvRecord;
using xf::dns::SrvStatus;

namespace {

// Answers pick() from a script and records each bound asked for.
struct ScriptedPick {
  std::vector<std::uint32_t> values;
  std::vector<std::uint32_t> bounds;
  PickFn fn() {
    return [this](std::uint32_t bound) {
      bounds.push_back(bound);
      REQUIRE(bounds.size() <= values.size());
      std::uint32_t v = values[bounds.size() - 1];
      REQUIRE(v <= bound);
      return v;
    };
  }
};

std::vector<std::string> targets_in_order(const std::vector<SrvRecord>& records,
                                          const PickFn& pick) {
  std::vector<std::string> out;
  for (std::size_t i : rfc2782_order(records, pick)) out.push_back(records[i].target);
  return out;
}

}  // namespace

TEST_CASE("srv order: priorities ascending whatever the weights", "[unit][dns]") {
  std::vector<SrvRecord> records = {
      {20, 100, 5269, "c.example"}, {5, 0, 5269, "a.example"}, {10, 50, 5269, "b.example"}};
  ScriptedPick pick{{0, 0, 0}, {}};
  CHECK(targets_in_order(records, pick.fn()) ==
        std::vector<std::string>{"a.example", "b.example", "c.example"});
  // One draw per record, each over the weights left in its priority.
  CHECK(pick.bounds == std::vector<std::uint32_t>{0, 50, 100});
}

TEST_CASE("srv order: the running sum of weights picks within a priority", "[unit][dns]") {
  // Running sums 10, 30, 60 over x, y, z.
  std::vector<SrvRecord> records = {
      {1, 10, 1, "x"}, {1, 20, 1, "y"}, {1, 30, 1, "z"}, {2, 5, 1, "later"}};
  SECTION("a draw of 0 takes the first record, then the next") {
    ScriptedPick pick{{0, 0, 0, 0}, {}};
    CHECK(targets_in_order(records, pick.fn()) == std::vector<std::string>{"x", "y", "z", "later"});
    CHECK(pick.bounds == std::vector<std::uint32_t>{60, 50, 30, 5});
  }
  SECTION("a draw equal to a running sum takes that record") {
    // 30 -> y (10+20); left x, z: sums 10, 40; 11 -> z; then x.
    ScriptedPick pick{{30, 11, 0, 3}, {}};
    CHECK(targets_in_order(records, pick.fn()) == std::vector<std::string>{"y", "z", "x", "later"});
  }
  SECTION("the top draw takes the last record") {
    ScriptedPick pick{{60, 30, 10, 5}, {}};
    CHECK(targets_in_order(records, pick.fn()) == std::vector<std::string>{"z", "y", "x", "later"});
  }
}

TEST_CASE("srv order: zero-weight records come first in their priority", "[unit][dns]") {
  std::vector<SrvRecord> records = {{1, 10, 1, "heavy"}, {1, 0, 1, "zero"}};
  SECTION("a draw of 0 chooses the zero-weight record") {
    ScriptedPick pick{{0, 0}, {}};
    CHECK(targets_in_order(records, pick.fn()) == std::vector<std::string>{"zero", "heavy"});
  }
  SECTION("any other draw passes it by") {
    ScriptedPick pick{{1, 0}, {}};
    CHECK(targets_in_order(records, pick.fn()) == std::vector<std::string>{"heavy", "zero"});
  }
}

TEST_CASE("srv order: weights share the first place in proportion", "[unit][dns]") {
  std::vector<SrvRecord> records = {{0, 1, 1, "light"}, {0, 3, 1, "heavy"}};
  PickFn pick = xf::dns::random_pick(12345);
  std::map<std::string, int> first;
  constexpr int kRounds = 4000;
  for (int i = 0; i < kRounds; ++i) ++first[targets_in_order(records, pick).front()];
  // The draw is over 0..4, both ends included (RFC 2782): 0 and 1 choose light, 2..4 heavy,
  // so heavy comes first 3/5 of the time, 2400 of 4000 (standard deviation about 31).
  CHECK(first["heavy"] > 2200);
  CHECK(first["heavy"] < 2600);
  CHECK(first["light"] + first["heavy"] == kRounds);
}

TEST_CASE("srv answer: a single dot target means decidedly not available", "[unit][dns]") {
  CHECK(SrvAnswer{SrvStatus::found, {{0, 0, 0, ""}}}.decidedly_unavailable());
  CHECK(SrvAnswer{SrvStatus::found, {{0, 0, 0, "."}}}.decidedly_unavailable());
  CHECK_FALSE(SrvAnswer{SrvStatus::found, {{0, 0, 5269, "a.example"}}}.decidedly_unavailable());
  CHECK_FALSE(SrvAnswer{SrvStatus::found, {{0, 0, 0, ""}, {1, 0, 5269, "a.example"}}}
                  .decidedly_unavailable());
  CHECK_FALSE(SrvAnswer{SrvStatus::no_records, {}}.decidedly_unavailable());
}

TEST_CASE("srv names are compared in lower case without the root dot", "[unit][dns]") {
  CHECK(xf::dns::normalize_name("Prosody-S2S.Example.") == "prosody-s2s.example");
  CHECK(xf::dns::normalize_name("a.example") == "a.example");
  CHECK(xf::dns::normalize_name(".").empty());
}
