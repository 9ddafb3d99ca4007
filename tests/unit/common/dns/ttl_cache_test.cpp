#include "common/dns/ttl_cache.h"

#include <catch2/catch.hpp>
#include <string>

using xf::dns::TtlCache;

TEST_CASE("ttl cache: an entry lives for its TTL on the caller's clock", "[unit][dns]") {
  TtlCache<std::string> cache(4);
  cache.put("a", "one", 1000, 5000);
  CHECK(cache.get("a", 5000) == "one");
  CHECK(cache.get("a", 5999) == "one");
  CHECK_FALSE(cache.get("a", 6000).has_value());
  CHECK(cache.size() == 0);
}

TEST_CASE("ttl cache: a TTL of 0 or a cache of size 0 keeps nothing", "[unit][dns]") {
  TtlCache<int> cache(4);
  cache.put("a", 1, 0, 0);
  CHECK_FALSE(cache.get("a", 0).has_value());
  TtlCache<int> off(0);
  off.put("a", 1, 1000, 0);
  CHECK_FALSE(off.get("a", 1).has_value());
}

TEST_CASE("ttl cache: when full the expired entries go first, then the soonest to expire",
          "[unit][dns]") {
  TtlCache<int> cache(3);
  cache.put("short", 1, 100, 0);
  cache.put("long", 2, 10000, 0);
  cache.put("middle", 3, 5000, 0);
  cache.put("new", 4, 10000, 50);  // Full: "short" expires soonest and goes.
  CHECK(cache.size() == 3);
  CHECK_FALSE(cache.get("short", 60).has_value());
  CHECK(cache.get("middle", 60) == 3);
  cache.put("later", 5, 10000, 6000);  // "middle" has expired by now: it goes, nothing else.
  CHECK(cache.size() == 3);
  CHECK(cache.get("long", 6000) == 2);
  CHECK(cache.get("new", 6000) == 4);
  CHECK(cache.get("later", 6000) == 5);
}

TEST_CASE("ttl cache: a new answer replaces the old one under the same name", "[unit][dns]") {
  TtlCache<int> cache(2);
  cache.put("a", 1, 100, 0);
  cache.put("a", 2, 1000, 50);
  CHECK(cache.size() == 1);
  CHECK(cache.get("a", 500) == 2);
}
