#include "common/tls/identity.h"

#include <catch2/catch.hpp>
#include <string>

using xf::tls::CertFault;
using xf::tls::certificate_names_host;
using xf::tls::certificate_names_xmpp_domain;
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

TEST_CASE("certificate_names_xmpp_domain: DNS-ID, SRV-ID and XmppAddr (RFC 6120, RFC 7590)",
          "[unit][tls]") {
  PeerIdentity id;
  SECTION("DNS-ID, wildcard included") {
    id.dns_ids = {"*.example.org", "example.net"};
    CHECK(certificate_names_xmpp_domain(id, "chat.example.org"));
    CHECK(certificate_names_xmpp_domain(id, "Example.NET."));
    CHECK_FALSE(certificate_names_xmpp_domain(id, "example.org"));
  }
  SECTION("SRV-ID for the xmpp-server service only") {
    id.srv_ids = {"_XMPP-Server.example.org", "_xmpp-client.example.net",
                  "_xmpp-server.*.example.com", "_xmpp-server."};
    CHECK(certificate_names_xmpp_domain(id, "example.org"));
    CHECK(certificate_names_xmpp_domain(id, "EXAMPLE.org."));
    CHECK_FALSE(certificate_names_xmpp_domain(id, "example.net"));    // A client service.
    CHECK_FALSE(certificate_names_xmpp_domain(id, "a.example.com"));  // No wildcard SRV-ID.
    CHECK_FALSE(certificate_names_xmpp_domain(id, "sub.example.org"));
  }
  SECTION("XmppAddr of the bare domain only") {
    id.xmpp_addrs = {"example.org", "user@example.net", "example.com/res", "*.example.info"};
    CHECK(certificate_names_xmpp_domain(id, "example.org"));
    CHECK(certificate_names_xmpp_domain(id, "Example.Org"));
    CHECK_FALSE(certificate_names_xmpp_domain(id, "example.net"));
    CHECK_FALSE(certificate_names_xmpp_domain(id, "example.com"));
    CHECK_FALSE(certificate_names_xmpp_domain(id, "a.example.info"));
  }
  SECTION("the CN only without any SAN") {
    id.common_name = "example.org";
    CHECK(certificate_names_xmpp_domain(id, "example.org"));
    id.srv_ids = {"_xmpp-server.example.net"};
    CHECK_FALSE(certificate_names_xmpp_domain(id, "example.org"));
    CHECK(certificate_names_xmpp_domain(id, "example.net"));
  }
  SECTION("a reference domain that is not a name matches nothing") {
    id.dns_ids = {"*.example.org"};
    id.xmpp_addrs = {"*.example.org"};
    CHECK_FALSE(certificate_names_xmpp_domain(id, "*.example.org"));
    CHECK_FALSE(certificate_names_xmpp_domain(id, ""));
  }
}

TEST_CASE("xmpp_domain_fault says why a certificate cannot authenticate a domain", "[unit][tls]") {
  PeerIdentity id;
  CHECK(xmpp_domain_fault(id, "example.org") == CertFault::absent);
  id.present = true;
  id.dns_ids = {"example.org"};
  id.chain_fault = CertFault::expired;
  CHECK(xmpp_domain_fault(id, "example.org") == CertFault::expired);
  id.chain_fault = CertFault::untrusted;
  CHECK(xmpp_domain_fault(id, "example.org") == CertFault::untrusted);
  id.chain_fault = CertFault::not_yet_valid;
  CHECK(xmpp_domain_fault(id, "example.org") == CertFault::not_yet_valid);
  id.chain_verified = true;
  id.chain_fault = CertFault::none;
  CHECK(xmpp_domain_fault(id, "example.org") == CertFault::none);
  CHECK(xmpp_domain_fault(id, "other.org") == CertFault::misnamed);
  CHECK(xf::tls::to_string(CertFault::not_yet_valid) == "not-yet-valid");
  CHECK(xf::tls::to_string(CertFault::misnamed) == "misnamed");
}
