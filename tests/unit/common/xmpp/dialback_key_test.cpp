#include "common/xmpp/dialback_key.h"

#include <catch2/catch.hpp>

using xf::xmpp::dialback_key;

// XEP-0185 §3: secret "s3cr3tf0rd14lb4ck", receiving server xmpp.example.com, originating
// server example.org, stream ID D60000229F.
TEST_CASE("dialback_key matches the XEP-0185 example", "[unit][xmpp]") {
  const std::string key =
      dialback_key("s3cr3tf0rd14lb4ck", "xmpp.example.com", "example.org", "D60000229F");
  CHECK(key == "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643");
  CHECK(xf::xmpp::verify_dialback_key(key, "s3cr3tf0rd14lb4ck", "xmpp.example.com", "example.org",
                                      "D60000229F"));
}

TEST_CASE("dialback_key depends on every input", "[unit][xmpp]") {
  const std::string base = dialback_key("secret", "a.example", "b.example", "id1");
  CHECK(base.size() == 64);
  CHECK(base != dialback_key("secret2", "a.example", "b.example", "id1"));
  CHECK(base != dialback_key("secret", "b.example", "a.example", "id1"));
  CHECK(base != dialback_key("secret", "a.example", "b.example", "id2"));
  // The separators keep "a.exampleb" + "example" apart from "a.example" + "bexample".
  CHECK(dialback_key("s", "ab", "c", "d") != dialback_key("s", "a", "bc", "d"));
  CHECK(base == dialback_key("secret", "a.example", "b.example", "id1"));
}

TEST_CASE("dialback_key_equal compares whole keys", "[unit][xmpp]") {
  using xf::xmpp::dialback_key_equal;
  CHECK(dialback_key_equal("abcd", "abcd"));
  CHECK_FALSE(dialback_key_equal("abcd", "abce"));
  CHECK_FALSE(dialback_key_equal("abcd", "abc"));
  CHECK_FALSE(dialback_key_equal("", "a"));
  CHECK(dialback_key_equal("", ""));
  CHECK_FALSE(xf::xmpp::verify_dialback_key("00", "s", "a", "b", "c"));
}
