#include "frontend-gateway/bridge/address_map.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

using xf::bridge::jid_for_sip_uri;
using xf::bridge::sip_uri_for_jid;
using xf::bridge::SipUriOptions;
using xf::xmpp::Jid;

namespace {

Jid jid(std::string_view text) {
  auto j = Jid::parse(text);
  REQUIRE(j.ok());
  return j.value();
}

}  // namespace

TEST_CASE("SIP URIs map to JIDs (RFC 7247 5)", "[unit][bridge]") {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"sip:juliet@example.com", "juliet@example.com"},
      {"sips:juliet@example.com", "juliet@example.com"},
      {"im:juliet@example.com", "juliet@example.com"},
      {"pres:juliet@example.com", "juliet@example.com"},
      {"sip:Juliet@Example.COM", "juliet@example.com"},
      {"sip:juliet@example.com:5061;transport=tls", "juliet@example.com"},
      {"sip:juliet@example.com?subject=hello%20there", "juliet@example.com"},
      {"sip:juliet@example.com;gr=balcony", "juliet@example.com/balcony"},
      {"sip:juliet@example.com;gr=urn:uuid:f81d4fae", "juliet@example.com/urn:uuid:f81d4fae"},
      {"sip:+15551234567@example.com;user=phone", "+15551234567@example.com"},
      {"sip:example.com", "example.com"},
      // XEP-0106 escapes for characters a localpart cannot hold.
      {"sip:john%20doe@example.com", "john\\20doe@example.com"},
      {"sip:d'artagnan@example.com", "d\\27artagnan@example.com"},
      {"sip:a/b@example.com", "a\\2fb@example.com"},
      {"sip:c%3Ad@example.com", "c\\3ad@example.com"},
      {"sip:at%40sign@example.com", "at\\40sign@example.com"},
      {"sip:%3Ctag%3E@example.com", "\\3ctag\\3e@example.com"},
      {"sip:q%22uote@example.com", "q\\22uote@example.com"},
      {"sip:tom&jerry@example.com", "tom\\26jerry@example.com"},
  };
  for (const auto& [uri, expected] : rows) {
    INFO(uri);
    auto mapped = jid_for_sip_uri(uri);
    REQUIRE(mapped.ok());
    CHECK(mapped->to_string() == expected);
  }
}

TEST_CASE("SIP URIs that cannot round-trip are refused", "[unit][bridge]") {
  const std::vector<std::string> bad = {
      "mailto:juliet@example.com",        "tel:+15551234567",
      "sip:%20juliet@example.com",         // Leading space (XEP-0106 3.2).
      "sip:a%0D%0AVia:x@example.com",      // Control characters.
      "sip:soft%C2%ADhyphen@example.com",  // Nodeprep deletes U+00AD.
      "sip:juliet@exa_mple..com",         "sip:juliet@",      "sip:ju liet@example.com",
  };
  for (const auto& uri : bad) {
    INFO(uri);
    auto mapped = jid_for_sip_uri(uri);
    CHECK_FALSE(mapped.ok());
    if (!mapped.ok()) CHECK_FALSE(mapped.error().detail.empty());
  }
}

TEST_CASE("JIDs map to SIP URIs (RFC 7247 5)", "[unit][bridge]") {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"juliet@example.com", "sip:juliet@example.com"},
      {"juliet@example.com/balcony", "sip:juliet@example.com"},
      {"example.com", "sip:example.com"},
      {"john\\20doe@example.com", "sip:john%20doe@example.com"},
      {"d\\27artagnan@example.com", "sip:d'artagnan@example.com"},
      {"a\\2fb@example.com", "sip:a%2Fb@example.com"},
      {"c\\3ad@example.com", "sip:c%3Ad@example.com"},
      {"at\\40sign@example.com", "sip:at%40sign@example.com"},
      {"\\3ctag\\3e@example.com", "sip:%3Ctag%3E@example.com"},
      {"caf\xc3\xa9@example.com", "sip:caf%C3%A9@example.com"},
      {"back\\5c20slash@example.com", "sip:back%5C20slash@example.com"},
  };
  for (const auto& [text, expected] : rows) {
    INFO(text);
    auto uri = sip_uri_for_jid(jid(text));
    REQUIRE(uri.ok());
    CHECK(*uri == expected);
    // And back again, where the URI names a user.
    auto back = jid_for_sip_uri(*uri);
    REQUIRE(back.ok());
    CHECK(back->to_string() == jid(text).bare().to_string());
  }
}

TEST_CASE("JID to SIP URI options and refusals", "[unit][bridge]") {
  SipUriOptions gruu;
  gruu.resource_as_gruu = true;
  CHECK(sip_uri_for_jid(jid("juliet@example.com/balcony"), gruu).value() ==
        "sip:juliet@example.com;gr=balcony");
  CHECK(sip_uri_for_jid(jid("juliet@example.com/bal cony;x=y"), gruu).value() ==
        "sip:juliet@example.com;gr=bal%20cony%3Bx%3Dy");
  SipUriOptions sips;
  sips.scheme = "sips";
  CHECK(sip_uri_for_jid(jid("juliet@example.com"), sips).value() == "sips:juliet@example.com");
  SipUriOptions bad_scheme;
  bad_scheme.scheme = "http";
  CHECK_FALSE(sip_uri_for_jid(jid("juliet@example.com"), bad_scheme).ok());
  // Internationalised domains need IDNA ToASCII first.
  CHECK_FALSE(sip_uri_for_jid(jid("juliet@\xc3\xa9xample.com")).ok());
  CHECK_FALSE(sip_uri_for_jid(Jid{}).ok());
  // A needless escape would come back as a different JID.
  CHECK_FALSE(sip_uri_for_jid(jid("back\\5cslash@example.com")).ok());
}

TEST_CASE("Header injection through a JID is impossible", "[unit][bridge]") {
  // A CRLF in any part is not a JID at all...
  CHECK_FALSE(Jid::parse("juliet@example.com/balcony\r\nVia: SIP/2.0/TCP evil").ok());
  CHECK_FALSE(Jid::parse("jul\r\niet@example.com").ok());
  // ...and whatever a resource holds is percent-encoded in the gr parameter.
  SipUriOptions gruu;
  gruu.resource_as_gruu = true;
  auto uri = sip_uri_for_jid(jid("juliet@example.com/<sip:x>\"y\""), gruu);
  REQUIRE(uri.ok());
  CHECK(uri->find_first_of("<>\"\r\n ") == std::string::npos);
}
