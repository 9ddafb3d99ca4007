#include "common/xmpp/jid_escape.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/xmpp/jid.h"

using xf::xmpp::jid_escape;
using xf::xmpp::jid_escape_localpart;
using xf::xmpp::jid_unescape;

namespace {

std::string unescaped(std::string_view in) {
  auto r = jid_unescape(in);
  return r.ok() ? *r : "error: " + r.error().detail;
}

}  // namespace

TEST_CASE("jid_escape maps each character of the XEP-0106 table", "[unit][xmpp]") {
  const std::vector<std::pair<std::string, std::string>> table = {
      {" ", "\\20"}, {"\"", "\\22"}, {"&", "\\26"}, {"'", "\\27"}, {"/", "\\2f"},
      {":", "\\3a"}, {"<", "\\3c"},  {">", "\\3e"}, {"@", "\\40"},
  };
  for (const auto& [raw, escaped] : table) {
    INFO(raw);
    CHECK(jid_escape("a" + raw + "b") == "a" + escaped + "b");
    CHECK(unescaped("a" + escaped + "b") == "a" + raw + "b");
  }
  CHECK(unescaped("a\\5cb") == "a\\b");
}

// XEP-0106 §5.1, "JID Examples": user input, escaped localpart.
TEST_CASE("jid_escape follows the XEP-0106 examples", "[unit][xmpp]") {
  const std::vector<std::pair<std::string, std::string>> examples = {
      {"space cadet", "space\\20cadet"},                         // 1
      {"call me \"ishmael\"", "call\\20me\\20\\22ishmael\\22"},  // 2
      {"at&t guy", "at\\26t\\20guy"},                            // 3
      {"d'artagnan", "d\\27artagnan"},                           // 4
      {"/.fanboy", "\\2f.fanboy"},                               // 5
      {"::foo::", "\\3a\\3afoo\\3a\\3a"},                        // 6
      {"<foo>", "\\3cfoo\\3e"},                                  // 7
      {"user@host", "user\\40host"},                             // 8
      {"c:\\5commas", "c\\3a\\5c5commas"},                       // 12
  };
  for (const auto& [input, escaped] : examples) {
    INFO(input);
    CHECK(jid_escape(input) == escaped);
    CHECK(unescaped(escaped) == input);
    CHECK(unescaped(jid_escape(input)) == input);
  }
  // Examples 9-11 escape a backslash that starts no sequence, which §4.1 rule 7 and §4.3
  // say to leave alone; we follow the rules, and both forms unescape to the user input.
  CHECK(jid_escape("c:\\net") == "c\\3a\\net");
  CHECK(unescaped("c\\3a\\5cnet") == "c:\\net");
  CHECK(unescaped("c\\3a\\net") == "c:\\net");
  CHECK(jid_escape("c:\\\\net") == "c\\3a\\\\net");
  CHECK(unescaped("c\\3a\\5c\\5cnet") == "c:\\\\net");
  CHECK(jid_escape("c:\\cool stuff") == "c\\3a\\cool\\20stuff");
  CHECK(unescaped("c\\3a\\5ccool\\20stuff") == "c:\\cool stuff");
}

TEST_CASE("jid_escape leaves partial and unknown sequences alone", "[unit][xmpp]") {
  // XEP-0106 §4.3.
  for (std::string s : {"\\2plus\\2is\\4", "foo\\bar", "foob\\41r", "\\", "a\\", "\\5", "\\2F"}) {
    INFO(s);
    CHECK(jid_escape(s) == s);
    CHECK(unescaped(s) == s);
  }
  // §4.2: a source address that holds escape sequences keeps them visible.
  CHECK(jid_escape("\\3and\\2is\\5cool") == "\\5c3and\\2is\\5c5cool");
  CHECK(unescaped("\\5c3and\\2is\\5c5cool") == "\\3and\\2is\\5cool");
  // The XEP's IRC example.
  CHECK(jid_escape("somenick!user\"&'/:<>\\3address") ==
        "somenick!user\\22\\26\\27\\2f\\3a\\3c\\3e\\5c3address");
  CHECK(jid_escape("\\5c") == "\\5c5c");
  CHECK(unescaped("\\5c5c") == "\\5c");
}

TEST_CASE("jid_unescape refuses what no escaped localpart holds", "[unit][xmpp]") {
  CHECK(unescaped("user@host") == "error: escaped localpart: contains an unescaped '@'");
  CHECK(unescaped("a b") == "error: escaped localpart: contains an unescaped ' '");
  CHECK(unescaped("\\20bob") == "error: escaped localpart: \\20 at the start or end");
  CHECK(unescaped("bob\\20") == "error: escaped localpart: \\20 at the start or end");
  CHECK(unescaped("") == "");
}

TEST_CASE("jid_escape_localpart gives a prepared localpart", "[unit][xmpp]") {
  auto ok = jid_escape_localpart("D'Artagnan");
  REQUIRE(ok.ok());
  CHECK(*ok == "d\\27artagnan");
  auto jid = xf::xmpp::Jid::from_parts(*ok, "musketeers.lit");
  REQUIRE(jid.ok());
  CHECK(jid->to_string() == "d\\27artagnan@musketeers.lit");
  CHECK(unescaped(jid->local()) == "d'artagnan");

  CHECK(jid_escape_localpart(" bob").error().detail ==
        "localpart: cannot start or end with a space");
  CHECK(jid_escape_localpart("bob ").error().detail ==
        "localpart: cannot start or end with a space");
  CHECK(jid_escape_localpart("").error().detail == "localpart: empty");
  // Nodeprep would fold \2F into \2f, which then reads as '/'.
  CHECK(jid_escape_localpart("a\\2Fb").error().detail ==
        "localpart: contains an ambiguous escape sequence");
  CHECK(jid_escape_localpart("a\\2fb").ok());
  CHECK(jid_escape_localpart("tab\there").error().detail ==
        "localpart: contains a prohibited character");
  CHECK(jid_escape_localpart(std::string(1024, 'a')).error().detail ==
        "localpart: longer than 1023 bytes");
  // Eight characters each growing to three bytes.
  CHECK(jid_escape_localpart(std::string(341, '@')).ok());
  CHECK_FALSE(jid_escape_localpart(std::string(342, '@')).ok());
}

TEST_CASE("jid_escape round-trips arbitrary text", "[unit][xmpp]") {
  const std::string alphabet = " \"&'/:<>@\\25cfa0";
  // Every string of length up to 4 over an alphabet rich in escape material.
  std::vector<std::string> inputs = {""};
  for (int len = 0; len < 4; ++len) {
    std::vector<std::string> next;
    for (const auto& s : inputs) {
      for (char c : alphabet) next.push_back(s + c);
    }
    for (const auto& s : next) {
      const std::string e = jid_escape(s);
      if (s.front() == ' ' || s.back() == ' ') {
        CHECK_FALSE(jid_unescape(e).ok());
        continue;
      }
      auto back = jid_unescape(e);
      INFO(s << " -> " << e);
      REQUIRE(back.ok());
      REQUIRE(*back == s);
    }
    inputs = std::move(next);
  }
}
