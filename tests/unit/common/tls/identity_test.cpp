#include <catch2/catch.hpp>

#include <string>

#include "common/tls/identity.h"

using xf::tls::dns_id_matches;
using xf::tls::identity_matches_domain;
using xf::tls::PeerIdentity;

TEST_CASE("dns_id_matches follows RFC 6125 6.4.3", "[unit][tls]") {
  struct Row {
    const char* pattern;
    const char* domain;
    bool match;
  };
  const Row rows[] = {
      {"example.org", "example.org", true},
      {"Example.ORG", "example.org", true},
      {"example.org.", "example.org", true},
      {"example.org", "EXAMPLE.org.", true},
      {"example.org", "www.example.org", false},
      {"www.example.org", "example.org", false},
      {"*.example.org", "chat.example.org", true},
      {"*.example.org", "CHAT.Example.Org.", true},
      {"*.example.org", "example.org", false},        // The wildcard needs a label.
      {"*.example.org", "a.b.example.org", false},    // ... exactly one label.
      {"*.com", "example.com", false},                // Too broad.
      {"*", "example", false},
      {"c*.example.org", "chat.example.org", false},  // Partial-label wildcards are not honoured.
      {"*chat.example.org", "xchat.example.org", false},
      {"chat.*.org", "chat.example.org", false},
      {"*.*.example.org", "a.b.example.org", false},
      {"*.example.org", "*.example.org", false},      // A reference id is never a pattern.
      {"", "example.org", false},
      {"example.org", "", false},
      {"example..org", "example..org", false},
      {".example.org", ".example.org", false},
      {"example.org", "example.org.evil", false},
  };
  for (const Row& row : rows) {
    INFO(row.pattern << " vs " << row.domain);
    CHECK(dns_id_matches(row.pattern, row.domain) == row.match);
  }
}

TEST_CASE("domain_equals ignores case and a trailing dot", "[unit][tls]") {
  CHECK(xf::tls::domain_equals("B.Example.", "b.example"));
  CHECK_FALSE(xf::tls::domain_equals("b.example", "a.example"));
  CHECK_FALSE(xf::tls::domain_equals("b.example", "b.example.org"));
}

TEST_CASE("identity_matches_domain checks SRV-ID, DNS-ID, XmppAddr, then CN", "[unit][tls]") {
  SECTION("SRV-ID for the xmpp-server service only") {
    PeerIdentity id;
    id.srv_ids = {"_xmpp-server.Example.org"};
    CHECK(identity_matches_domain(id, "example.org"));
    CHECK(identity_matches_domain(id, "EXAMPLE.ORG."));
    CHECK_FALSE(identity_matches_domain(id, "other.org"));
    id.srv_ids = {"_xmpp-client.example.org"};
    CHECK_FALSE(identity_matches_domain(id, "example.org"));
    id.srv_ids = {"_xmpp-server."};
    CHECK_FALSE(identity_matches_domain(id, ""));
  }
  SECTION("DNS-ID with and without wildcard") {
    PeerIdentity id;
    id.dns_ids = {"other.org", "*.example.org"};
    CHECK(identity_matches_domain(id, "muc.example.org"));
    CHECK(identity_matches_domain(id, "other.org"));
    CHECK_FALSE(identity_matches_domain(id, "example.org"));
  }
  SECTION("XmppAddr equal to the bare domain") {
    PeerIdentity id;
    id.xmpp_addrs = {"Example.org"};
    CHECK(identity_matches_domain(id, "example.org"));
    id.xmpp_addrs = {"user@example.org"};
    CHECK_FALSE(identity_matches_domain(id, "example.org"));
  }
  SECTION("CN only when no subjectAltName identifier is present") {
    PeerIdentity id;
    id.common_name = "example.org";
    CHECK(identity_matches_domain(id, "example.org"));
    CHECK_FALSE(identity_matches_domain(id, "other.org"));
    id.dns_ids = {"other.org"};
    CHECK_FALSE(identity_matches_domain(id, "example.org"));
    CHECK(identity_matches_domain(id, "other.org"));
  }
  SECTION("nothing matches an empty identity") {
    PeerIdentity id;
    CHECK_FALSE(identity_matches_domain(id, "example.org"));
  }
}
