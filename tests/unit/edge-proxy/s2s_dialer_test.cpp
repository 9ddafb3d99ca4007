#include "edge-proxy/s2s_dialer.h"

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../common/net/fake_dns_server.h"
#include "../common/net/loop_fixture.h"

using namespace xf;
using xf::edge::S2sDialer;
using xf::net::testing::FakeDnsServer;
using xf::net::testing::LoopFixture;

namespace {

struct DialResult {
  bool ok = false;
  Errc code = Errc::internal;
  std::vector<std::string> endpoints;  // "address via"
};

// Runs one discovery for domain against the fake server and returns what it found.
DialResult dial(LoopFixture& f, FakeDnsServer& server, const edge::S2sSettings& settings,
                const std::string& domain) {
  net::DnsResolver::Settings rs;
  rs.servers.push_back(*dns::parse_host_port(server.address(), 53));
  auto resolver = net::DnsResolver::make(&f.loop, rs);
  REQUIRE(resolver.ok());
  S2sDialer dialer(**resolver, settings, [](std::uint32_t) { return 0U; });
  std::optional<DialResult> out;
  auto d = dialer.start(domain, Logger("test"), [&](Result<std::vector<edge::DialEndpoint>> r) {
    DialResult res;
    res.ok = r.ok();
    if (r.ok()) {
      for (const edge::DialEndpoint& e : *r) {
        // The flag and the log text must agree.
        CHECK(e.direct_tls == (e.endpoint.via.find("direct TLS") != std::string::npos));
        res.endpoints.push_back(
            net::format_address(reinterpret_cast<const sockaddr*>(&e.endpoint.address)) + " " +
            e.endpoint.via + (e.direct_tls ? " [tls]" : ""));
      }
    } else {
      res.code = r.error().code;
    }
    out = res;
    server.close();
    (*resolver)->close();
  });
  REQUIRE_FALSE(out.has_value());  // Never from inside start().
  f.run();
  d.reset();
  resolver->reset();
  f.finish();
  REQUIRE(out.has_value());
  return *out;
}

}  // namespace

TEST_CASE("s2s dialer: an SRV target on another host and port is dialled there", "[unit][edge]") {
  LoopFixture f;
  FakeDnsServer server(&f.loop);
  server.add_srv("_xmpp-server._tcp.xmpp.example", {0, 5, 5299, "prosody-s2s.example"});
  server.add_a("prosody-s2s.example", "127.0.0.5");
  server.add_a("xmpp.example", "127.0.0.2");
  auto r = dial(f, server, edge::S2sSettings{}, "xmpp.example");
  REQUIRE(r.ok);
  CHECK(r.endpoints ==
        std::vector<std::string>{"127.0.0.5:5299 SRV target prosody-s2s.example:5299"});
  CHECK(server.queries("_xmpps-server._tcp.xmpp.example", FakeDnsServer::kTypeSrv) == 1);
  CHECK(server.queries("xmpp.example", FakeDnsServer::kTypeA) == 0);
}

TEST_CASE("s2s dialer: targets follow priority and one without address is passed over",
          "[unit][edge]") {
  LoopFixture f;
  FakeDnsServer server(&f.loop);
  server.add_srv("_xmpp-server._tcp.xmpp.example", {20, 0, 5269, "second.example"});
  server.add_srv("_xmpp-server._tcp.xmpp.example", {5, 0, 5270, "gone.example"});
  server.add_srv("_xmpp-server._tcp.xmpp.example", {10, 0, 5271, "first.example"});
  server.add_a("first.example", "127.0.0.7");
  server.add_a("second.example", "127.0.0.8");
  auto r = dial(f, server, edge::S2sSettings{}, "xmpp.example");
  REQUIRE(r.ok);
  CHECK(r.endpoints == std::vector<std::string>{"127.0.0.7:5271 SRV target first.example:5271",
                                                "127.0.0.8:5269 SRV target second.example:5269"});
}

TEST_CASE("s2s dialer: no SRV records fall back to the domain on default_port", "[unit][edge]") {
  LoopFixture f;
  FakeDnsServer server(&f.loop);
  server.add_a("xmpp.example", "127.0.0.2");
  edge::S2sSettings settings;
  settings.default_port = 5999;
  auto r = dial(f, server, settings, "xmpp.example");
  REQUIRE(r.ok);
  CHECK(r.endpoints == std::vector<std::string>{"127.0.0.2:5999 A/AAAA of xmpp.example:5999"});
}

TEST_CASE("s2s dialer: a dot target or an unknown domain is not_found", "[unit][edge]") {
  LoopFixture f;
  FakeDnsServer server(&f.loop);
  server.add_srv("_xmpp-server._tcp.closed.example", {0, 0, 0, "."});
  server.add_a("closed.example", "127.0.0.2");
  const std::string domain = GENERATE(as<std::string>{}, "closed.example", "nowhere.example");
  auto r = dial(f, server, edge::S2sSettings{}, domain);
  CHECK_FALSE(r.ok);
  CHECK(r.code == Errc::not_found);
  // The dot forbids the fallback: the domain's A record is never asked for.
  CHECK(server.queries("closed.example", FakeDnsServer::kTypeA) == 0);
}

TEST_CASE("s2s dialer: direct TLS and STARTTLS targets are merged by priority", "[unit][edge]") {
  LoopFixture f;
  FakeDnsServer server(&f.loop);
  server.add_srv("_xmpps-server._tcp.xmpp.example", {10, 0, 5270, "tls.example"});
  server.add_srv("_xmpps-server._tcp.tlsonly.example", {0, 0, 5270, "tls.example"});
  server.add_srv("_xmpp-server._tcp.xmpp.example", {5, 0, 5269, "starttls.example"});
  server.add_srv("_xmpp-server._tcp.xmpp.example", {20, 0, 5269, "last.example"});
  server.add_a("tls.example", "127.0.0.3");
  server.add_a("starttls.example", "127.0.0.4");
  server.add_a("last.example", "127.0.0.5");
  SECTION("one set in RFC 2782 order, each endpoint marked") {
    auto r = dial(f, server, edge::S2sSettings{}, "xmpp.example");
    REQUIRE(r.ok);
    CHECK(r.endpoints ==
          std::vector<std::string>{"127.0.0.4:5269 SRV target starttls.example:5269",
                                   "127.0.0.3:5270 SRV target tls.example:5270 direct TLS [tls]",
                                   "127.0.0.5:5269 SRV target last.example:5269"});
  }
  SECTION("alone, the direct TLS target is dialled") {
    auto r = dial(f, server, edge::S2sSettings{}, "tlsonly.example");
    REQUIRE(r.ok);
    CHECK(r.endpoints ==
          std::vector<std::string>{"127.0.0.3:5270 SRV target tls.example:5270 direct TLS [tls]"});
  }
}

TEST_CASE("s2s dialer: a static route overrides DNS", "[unit][edge]") {
  LoopFixture f;
  FakeDnsServer server(&f.loop);
  server.add_srv("_xmpp-server._tcp.xmpp.example", {0, 0, 5269, "xmpp.example"});
  server.add_a("xmpp.example", "127.0.0.2");
  server.add_a("relay-host.example", "127.0.0.9");
  edge::S2sSettings settings;
  const std::string route =
      GENERATE(as<std::string>{}, "relay-host.example:5300", "127.0.0.9:5300");
  const bool direct_tls = GENERATE(false, true);
  edge::S2sRoute r0;
  static_cast<dns::HostPort&>(r0) = *dns::parse_host_port(route, 5269);
  r0.direct_tls = direct_tls;
  settings.routes["xmpp.example"] = r0;
  auto r = dial(f, server, settings, "xmpp.example");
  REQUIRE(r.ok);
  CHECK(r.endpoints == std::vector<std::string>{"127.0.0.9:5300 route " + r0.to_string() +
                                                (direct_tls ? " direct TLS [tls]" : "")});
  CHECK(server.queries("_xmpp-server._tcp.xmpp.example", FakeDnsServer::kTypeSrv) == 0);
  CHECK(server.queries("xmpp.example", FakeDnsServer::kTypeA) == 0);
}
