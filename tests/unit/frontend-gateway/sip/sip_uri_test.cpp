#include "frontend-gateway/sip/sip_uri.h"

#include <catch2/catch.hpp>

using xf::sip::SipUri;

TEST_CASE("SipUri parses the URI forms the gateway meets", "[unit][sip]") {
  auto u = SipUri::parse("sip:Alice@Example.COM:5070;transport=tcp;gr=urn:uuid:1?subject=hi");
  REQUIRE(u.ok());
  CHECK(u->scheme == "sip");
  CHECK(u->user == "Alice");
  CHECK(u->host == "example.com");
  CHECK(u->port == 5070);
  CHECK(u->param("transport") == "tcp");
  CHECK(u->param("gr") == "urn:uuid:1");
  CHECK(u->headers == "subject=hi");
  CHECK(u->to_string() == "sip:Alice@example.com:5070;transport=tcp;gr=urn:uuid:1");

  auto esc = SipUri::parse("sips:john%20doe@example.com");
  REQUIRE(esc.ok());
  CHECK(esc->user == "john doe");
  CHECK(esc->to_string() == "sips:john%20doe@example.com");

  auto v6 = SipUri::parse("sip:bob@[2001:db8::1]:5060");
  REQUIRE(v6.ok());
  CHECK(v6->host == "[2001:db8::1]");
  CHECK(v6->port == 5060);

  auto im = SipUri::parse("im:juliet@example.com");
  REQUIRE(im.ok());
  CHECK(im->scheme == "im");
  CHECK(SipUri::parse("pres:juliet@example.com").ok());
  auto nouser = SipUri::parse("sip:example.com");
  REQUIRE(nouser.ok());
  CHECK(nouser->user.empty());
  CHECK(nouser->host == "example.com");
}

TEST_CASE("SipUri refuses malformed URIs", "[unit][sip]") {
  CHECK_FALSE(SipUri::parse("mailto:a@b").ok());
  CHECK_FALSE(SipUri::parse("juliet@example.com").ok());
  CHECK_FALSE(SipUri::parse("sip:@example.com").ok());
  CHECK_FALSE(SipUri::parse("sip:a@").ok());
  CHECK_FALSE(SipUri::parse("sip:a b@example.com").ok());
  CHECK_FALSE(SipUri::parse("sip:a%2@example.com").ok());
  CHECK_FALSE(SipUri::parse("sip:a@exa mple.com").ok());
  CHECK_FALSE(SipUri::parse("sip:a@example.com:99999").ok());
  CHECK_FALSE(SipUri::parse("sip:a@example.com:").ok());
  CHECK_FALSE(SipUri::parse("sip:a@[::1").ok());
  CHECK_FALSE(SipUri::parse("sip:a@example.com\r\nVia: x").ok());
  CHECK_FALSE(SipUri::parse(std::string(3000, 'a')).ok());
}
