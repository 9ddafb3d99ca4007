#include "common/xmpp/jid.h"

#include <catch2/catch.hpp>
#include <string>
#include <unordered_set>
#include <vector>

using xf::xmpp::Jid;
using xf::xmpp::PrepPath;

namespace {

std::string parsed(std::string_view in, PrepPath path = PrepPath::automatic) {
  auto jid = Jid::parse(in, path);
  return jid.ok() ? jid->to_string() : "error: " + jid.error().detail;
}

std::string error_of(std::string_view in) {
  auto jid = Jid::parse(in);
  REQUIRE_FALSE(jid.ok());
  CHECK(jid.error().code == xf::Errc::parse_error);
  return jid.error().detail;
}

}  // namespace

TEST_CASE("Jid splits into local, domain and resource", "[unit][xmpp]") {
  auto full = Jid::parse("juliet@example.com/balcony");
  REQUIRE(full.ok());
  CHECK(full->local() == "juliet");
  CHECK(full->domain() == "example.com");
  CHECK(full->resource() == "balcony");
  CHECK_FALSE(full->is_bare());
  CHECK(full->to_string() == "juliet@example.com/balcony");
  CHECK(full->full() == "juliet@example.com/balcony");
  CHECK(full->bare_string() == "juliet@example.com");
  CHECK(full->bare().is_bare());
  CHECK(full->bare().to_string() == "juliet@example.com");

  auto domain = Jid::parse("example.com");
  REQUIRE(domain.ok());
  CHECK(domain->local().empty());
  CHECK(domain->is_domain());
  CHECK(domain->to_string() == "example.com");

  auto domain_resource = Jid::parse("example.com/res");
  REQUIRE(domain_resource.ok());
  CHECK(domain_resource->local().empty());
  CHECK(domain_resource->resource() == "res");
  CHECK(domain_resource->bare_string() == "example.com");

  CHECK(Jid().empty());
}

TEST_CASE("Jid resource may hold '/' and '@'", "[unit][xmpp]") {
  auto a = Jid::parse("juliet@example.com/foo/bar@baz");
  REQUIRE(a.ok());
  CHECK(a->local() == "juliet");
  CHECK(a->resource() == "foo/bar@baz");
  // The '@' after the first '/' belongs to the resource: there is no localpart here.
  auto b = Jid::parse("example.com/juliet@example.net");
  REQUIRE(b.ok());
  CHECK(b->local().empty());
  CHECK(b->domain() == "example.com");
  CHECK(b->resource() == "juliet@example.net");
  // Resource keeps case and inner spaces.
  CHECK(parsed("a@b.example/Some Resource") == "a@b.example/Some Resource");
}

TEST_CASE("Jid case folds local and domain, not resource", "[unit][xmpp]") {
  CHECK(parsed("Juliet@Example.COM/Balcony") == "juliet@example.com/Balcony");
  CHECK(Jid::parse("ROMEO@Example.net")->bare() == Jid::parse("romeo@example.NET").value());
  CHECK(Jid::parse("a@b.example/R").value() != Jid::parse("a@b.example/r").value());
}

TEST_CASE("Jid prepares unicode with the stringprep profiles", "[unit][xmpp]") {
  // Nodeprep: case folding including ß -> ss, compatibility mapping of Ⅸ.
  CHECK(parsed("\xC3\x84pfel@example.com") == "\xC3\xA4pfel@example.com");  // Äpfel
  CHECK(parsed("stra\xC3\x9F"
               "e@example.com") == "strasse@example.com");
  CHECK(parsed("\xE2\x85\xA8@example.com") == "ix@example.com");  // U+2168
  // Soft hyphen maps to nothing.
  CHECK(parsed("ju\xC2\xAD"
               "liet@example.com") == "juliet@example.com");
  // Resourceprep: compatibility mapping, no case folding.
  CHECK(parsed("a@example.com/\xE2\x85\xA8") == "a@example.com/IX");
  CHECK(parsed("a@example.com/\xC3\x84") == "a@example.com/\xC3\x84");
  // Nameprep: fullwidth letters, then lowercase.
  CHECK(parsed("a@\xEF\xBC\xA5\xEF\xBC\xB8.com") == "a@ex.com");
  CHECK(parsed("a@M\xC3\x9C"
               "LLER.example") == "a@m\xC3\xBCller.example");
  // A-labels are compared as U-labels.
  CHECK(parsed("a@xn--mller-kva.example") == "a@m\xC3\xBCller.example");
  CHECK(Jid::parse("a@XN--MLLER-KVA.example").value() ==
        Jid::parse("a@m\xC3\xBCller.example").value());
  // An A-label hidden behind a character Nameprep removes (U+FE0E) is still decoded, so that
  // the printed JID parses back to itself.
  auto hidden = Jid::parse("a@\xEF\xB8\x8Exn--mller-kva.example");
  REQUIRE(hidden.ok());
  CHECK(hidden->domain() == "m\xC3\xBCller.example");
  CHECK(parsed("a@xn--zz-invalid-.example") == "error: domainpart: has an invalid IDN label");
  // Ideographic full stop separates labels.
  CHECK(parsed("a@example\xE3\x80\x82"
               "com") == "a@example.com");
  // Right-to-left text that follows the bidi rule.
  CHECK(parsed("\xD7\x90\xD7\x91@example.com") == "\xD7\x90\xD7\x91@example.com");
}

TEST_CASE("Jid rejects prohibited characters and names the part", "[unit][xmpp]") {
  for (std::string_view c : {"\"", "&", "'", ":", "<", ">", " "}) {
    CHECK(error_of("ju" + std::string(c) + "liet@example.com") ==
          "localpart: contains a prohibited character");
  }
  CHECK(error_of("ju\x07liet@example.com") == "localpart: contains a prohibited character");
  CHECK(error_of("ju\xC2\xA0liet@example.com") == "localpart: contains a prohibited character");
  CHECK(error_of("a@example.com/x\x01y") == "resourcepart: contains a prohibited character");
  // U+2028 LINE SEPARATOR is a non-ASCII control; U+00A0 is not prohibited, as
  // normalization turns it into an ordinary space first.
  CHECK(error_of("a@example.com/x\xE2\x80\xA8y") ==
        "resourcepart: contains a prohibited character");
  CHECK(parsed("a@example.com/x\xC2\xA0y") == "a@example.com/x y");
  CHECK(error_of("a@exa mple.com") ==
        "domainpart: contains a character not allowed in a domain name");
  CHECK(error_of("a@exa_mple.com") ==
        "domainpart: contains a character not allowed in a domain name");
  CHECK(error_of("a@-example.com") == "domainpart: has a label that starts or ends with '-'");
  CHECK(error_of("a@example-.com") == "domainpart: has a label that starts or ends with '-'");
  CHECK(error_of("a@" + std::string(64, 'x') + ".com") ==
        "domainpart: has a label longer than 63 bytes");
  CHECK(error_of("a@b@example.com") ==
        "domainpart: contains a character not allowed in a domain name");
  // Arabic letter then a digit: breaks the bidi rule.
  CHECK(error_of("\xD8\xA7"
                 "1@example.com") ==
        "localpart: right-to-left text must start and end with a right-to-left character");
  CHECK(error_of("\xD7\x90"
                 "a@example.com") == "localpart: mixes left-to-right and right-to-left characters");
  CHECK(error_of("ju\xFFliet@example.com") == "localpart: is not valid UTF-8");
  CHECK(error_of("ju\xC0\xAFliet@example.com") == "localpart: is not valid UTF-8");
  CHECK(error_of(std::string("ju\0liet@example.com", 19)) ==
        "localpart: contains a prohibited character");
  CHECK(error_of(std::string("juliet@exam\0ple.com", 19)) ==
        "domainpart: contains a character not allowed in a domain name");
}

TEST_CASE("Jid rejects empty parts after a separator", "[unit][xmpp]") {
  CHECK(error_of("@example.com") == "localpart: empty");
  CHECK(error_of("juliet@") == "domainpart: empty");
  CHECK(error_of("juliet@example.com/") == "resourcepart: empty");
  CHECK(error_of("") == "domainpart: empty");
  CHECK(error_of("/res") == "domainpart: empty");
  CHECK(error_of(".") == "domainpart: empty");
  CHECK(error_of("a@example..com") == "domainpart: has an empty label");
  CHECK(error_of("a@.example.com") == "domainpart: has an empty label");
  // A localpart that Nodeprep maps to nothing is empty too.
  CHECK(error_of("\xC2\xAD@example.com") == "localpart: empty");
}

TEST_CASE("Jid removes one trailing dot of the domain", "[unit][xmpp]") {
  CHECK(parsed("juliet@example.com.") == "juliet@example.com");
  CHECK(parsed("juliet@example.com./r") == "juliet@example.com/r");
  CHECK(Jid::parse("example.com.").value() == Jid::parse("example.com").value());
  CHECK(error_of("juliet@example.com..") == "domainpart: has an empty label");
}

TEST_CASE("Jid accepts IP literals", "[unit][xmpp]") {
  CHECK(parsed("a@192.0.2.1/r") == "a@192.0.2.1/r");
  CHECK(parsed("a@[2001:DB8::1]/r") == "a@[2001:db8::1]/r");
  CHECK(parsed("[::1]") == "[::1]");
  CHECK(error_of("a@[::1") == "domainpart: unterminated IP literal");
  CHECK(error_of("a@[example.com]") == "domainpart: invalid IPv6 literal");
  CHECK(error_of("a@[192.0.2.1]") == "domainpart: invalid IPv6 literal");
}

TEST_CASE("Jid parts are limited to 1023 bytes", "[unit][xmpp]") {
  const std::string l1023(1023, 'a');
  CHECK(Jid::parse(l1023 + "@example.com").ok());
  CHECK(error_of(l1023 + "a@example.com") == "localpart: longer than 1023 bytes");
  CHECK(Jid::parse("a@example.com/" + l1023).ok());
  CHECK(error_of("a@example.com/" + l1023 + "a") == "resourcepart: longer than 1023 bytes");
  // 16 labels of 63 plus 15 dots: exactly 1023.
  std::string domain;
  for (int i = 0; i < 16; ++i) domain += (i ? "." : "") + std::string(63, 'd');
  REQUIRE(domain.size() == 1023);
  CHECK(Jid::parse("a@" + domain).ok());
  CHECK(error_of("a@" + domain + ".d") == "domainpart: longer than 1023 bytes");
  // Unicode: the limit applies to the prepared bytes (2 bytes per ä).
  std::string umlauts;
  for (int i = 0; i < 511; ++i) umlauts += "\xC3\xA4";
  CHECK(Jid::parse(umlauts + "@example.com").ok());
  CHECK(error_of(umlauts + "\xC3\xA4@example.com") == "localpart: longer than 1023 bytes");
  // Nodeprep can grow a part past the limit (ß -> ss).
  std::string eszett;
  for (int i = 0; i < 512; ++i) eszett += "\xC3\x9F";
  CHECK(error_of(eszett + "@example.com") == "localpart: longer than 1023 bytes");
  CHECK(error_of(std::string(4000, 'a')) == "jid: longer than 3071 bytes");
}

TEST_CASE("Jid from_parts prepares each part", "[unit][xmpp]") {
  auto jid = Jid::from_parts("Juliet", "Example.COM", "Balcony");
  REQUIRE(jid.ok());
  CHECK(jid->to_string() == "juliet@example.com/Balcony");
  CHECK(Jid::from_parts("", "example.com")->to_string() == "example.com");
  auto bad = Jid::from_parts("a@b", "example.com");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().detail == "localpart: contains a prohibited character");
}

TEST_CASE("Jid orders and hashes by its prepared parts", "[unit][xmpp]") {
  std::unordered_set<Jid> set;
  set.insert(Jid::parse("A@example.com/r").value());
  set.insert(Jid::parse("a@EXAMPLE.com/r").value());
  set.insert(Jid::parse("a@example.com/R").value());
  CHECK(set.size() == 2);
  CHECK(Jid::parse("a@example.com").value() < Jid::parse("b@example.com").value());
}

// The ASCII fast path must give exactly what libidn gives, for every ASCII byte in every
// position that matters.
TEST_CASE("Jid ASCII fast path equals the libidn path", "[unit][xmpp]") {
  auto same = [](auto prepare, const std::string& in) {
    auto fast = prepare(in, PrepPath::automatic);
    auto slow = prepare(in, PrepPath::full);
    INFO("input: " << in);
    REQUIRE(fast.ok() == slow.ok());
    if (fast.ok()) {
      CHECK(*fast == *slow);
    } else {
      CHECK(fast.error().detail == slow.error().detail);
    }
  };
  const auto local = [](std::string_view s, PrepPath p) {
    return xf::xmpp::prepare_localpart(s, p);
  };
  const auto domain = [](std::string_view s, PrepPath p) {
    return xf::xmpp::prepare_domainpart(s, p);
  };
  const auto resource = [](std::string_view s, PrepPath p) {
    return xf::xmpp::prepare_resourcepart(s, p);
  };
  for (int c = 1; c < 0x80; ++c) {
    const std::string ch(1, static_cast<char>(c));
    for (const std::string& in : {ch, "a" + ch + "b", ch + "ab", "ab" + ch, "Ab" + ch + "Cd"}) {
      same(local, in);
      same(resource, in);
      same(domain, in);
      same(domain, in + ".example.com");
      same(domain, "x." + in + ".com");
    }
  }
  for (const std::string& in : std::vector<std::string>{
           "example.com", "EXAMPLE.com", "a-b.c-d", "xn--mller-kva.example", "XN--MLLER-KVA.de",
           "a--b.example", "1.2.3.4", "[::1]", "[FE80::1]", "a.", "a..", "-a", "a-", "a.-b",
           std::string(63, 'x') + ".com", std::string(64, 'x') + ".com", std::string(1023, 'a'),
           std::string(1024, 'a')}) {
    same(local, in);
    same(domain, in);
    same(resource, in);
  }
  CHECK(parsed("Juliet@Example.com/Balcony", PrepPath::full) ==
        parsed("Juliet@Example.com/Balcony", PrepPath::automatic));
}
