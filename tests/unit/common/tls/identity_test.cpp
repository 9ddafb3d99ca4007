#include "common/tls/identity.h"

#include <catch2/catch.hpp>
#include <string>

using xf::tls::certificate_names_host;
using xf::tls::dns_id_matches;
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
      {"*.example.org", "example.org", false},      // The wildcard needs a label.
      {"*.example.org", "a.b.example.org", false},  // ... exactly one label.
      {"*.com", "example.com", false},              // Too broad.
      {"*", "example", false},
      {"c*.example.org", "chat.example.org", false},  // Partial-label wildcards are not honoured.
      {"*chat.example.org", "xchat.example.org", false},
      {"chat.*.org", "chat.example.org", false},
      {"*.*.example.org", "a.b.example.org", false},
      {"*.example.org", "*.example.org", false},  // A reference id is never a pattern.
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

TEST_CASE("certificate_names_host matches the DNS-IDs", "[unit][tls]") {
  PeerIdentity id;
  id.dns_ids = {"other.org", "*.example.org"};
  CHECK(certificate_names_host(id, "muc.example.org"));
  CHECK(certificate_names_host(id, "OTHER.org."));
  CHECK_FALSE(certificate_names_host(id, "example.org"));  // The wildcard needs a label.
  CHECK_FALSE(certificate_names_host(id, "a.muc.example.org"));
  CHECK_FALSE(certificate_names_host(id, ""));
}

TEST_CASE("certificate_names_host uses the CN only without any subjectAltName identifier",
          "[unit][tls]") {
  PeerIdentity id;
  id.common_name = "relay.example.org";
  SECTION("no SAN: the CN names the host") {
    CHECK(certificate_names_host(id, "relay.example.org"));
    CHECK(certificate_names_host(id, "Relay.Example.Org."));
    CHECK_FALSE(certificate_names_host(id, "other.example.org"));
  }
  SECTION("a DNS-ID for another name: the CN is ignored") {
    id.dns_ids = {"other.example.org"};
    CHECK_FALSE(certificate_names_host(id, "relay.example.org"));
    CHECK(certificate_names_host(id, "other.example.org"));
  }
  SECTION("only an SRV-ID or XmppAddr: still a SAN, so the CN is ignored") {
    id.srv_ids = {"_xmpp-server.relay.example.org"};
    CHECK_FALSE(certificate_names_host(id, "relay.example.org"));
    id.srv_ids.clear();
    id.xmpp_addrs = {"relay.example.org"};
    CHECK_FALSE(certificate_names_host(id, "relay.example.org"));
  }
  SECTION("a wildcard CN follows the DNS-ID rules") {
    id.common_name = "*.example.org";
    CHECK(certificate_names_host(id, "relay.example.org"));
    CHECK_FALSE(certificate_names_host(id, "example.org"));
  }
}

TEST_CASE("certificate_names_host: an empty identity names nothing", "[unit][tls]") {
  CHECK_FALSE(certificate_names_host(PeerIdentity{}, "example.org"));
  CHECK_FALSE(certificate_names_host(PeerIdentity{}, ""));
}
