#include "common/net/dns_resolver.h"

#include <netinet/in.h>

#include <catch2/catch.hpp>
#include <memory>
#include <optional>

#include "common/net/connection.h"
#include "fake_dns_server.h"
#include "loop_fixture.h"

using namespace xf;
using namespace xf::net;
using xf::net::testing::FakeDnsServer;
using xf::net::testing::LoopFixture;

namespace {

std::unique_ptr<DnsResolver> resolver_for(uv_loop_t* loop, const FakeDnsServer& server,
                                          std::size_t cache_entries = 100) {
  DnsResolver::Settings settings;
  auto hp = dns::parse_host_port(server.address(), 53);
  REQUIRE(hp.ok());
  settings.servers.push_back(*hp);
  settings.cache_entries = cache_entries;
  auto made = DnsResolver::make(loop, settings);
  REQUIRE(made.ok());
  return std::move(*made);
}

std::vector<std::string> formatted(const std::vector<sockaddr_storage>& addresses) {
  std::vector<std::string> out;
  out.reserve(addresses.size());
  for (const auto& a : addresses)
    out.push_back(format_address(reinterpret_cast<const sockaddr*>(&a)));
  return out;
}

}  // namespace

TEST_CASE("dns resolver: SRV records come back from the configured server", "[unit][net]") {
  LoopFixture f;
  FakeDnsServer server(&f.loop);
  server.add_srv("_xmpp-server._tcp.xmpp.example", {10, 5, 5299, "prosody-s2s.example"});
  server.add_srv("_xmpp-server._tcp.xmpp.example", {20, 0, 5269, "backup.example"});
  auto resolver = resolver_for(&f.loop, server);
  std::optional<dns::SrvAnswer> got;
  bool returned = false;
  resolver->lookup_srv("_xmpp-server._tcp.xmpp.example", [&](dns::SrvAnswer a) {
    CHECK(returned);  // Never from inside lookup_srv().
    got = std::move(a);
    server.close();
    resolver->close();
  });
  returned = true;
  f.run();
  REQUIRE(got.has_value());
  CHECK(got->status == dns::SrvStatus::found);
  CHECK(got->records == std::vector<dns::SrvRecord>{{10, 5, 5299, "prosody-s2s.example"},
                                                    {20, 0, 5269, "backup.example"}});
  CHECK(server.queries("_xmpp-server._tcp.xmpp.example", FakeDnsServer::kTypeSrv) == 1);
  resolver.reset();
  f.finish();
}

TEST_CASE("dns resolver: NXDOMAIN and NODATA are no records, a dot is no service", "[unit][net]") {
  LoopFixture f;
  FakeDnsServer server(&f.loop);
  server.add_empty("_xmpp-server._tcp.empty.example");
  server.add_srv("_xmpp-server._tcp.none.example", {0, 0, 0, "."});
  auto resolver = resolver_for(&f.loop, server);
  std::map<std::string, dns::SrvAnswer> got;
  for (const char* name : {"_xmpp-server._tcp.nowhere.example", "_xmpp-server._tcp.empty.example",
                           "_xmpp-server._tcp.none.example"}) {
    resolver->lookup_srv(name, [&, n = std::string(name)](dns::SrvAnswer a) {
      got[n] = std::move(a);
      if (got.size() == 3) {
        server.close();
        resolver->close();
      }
    });
  }
  f.run();
  REQUIRE(got.size() == 3);
  CHECK(got["_xmpp-server._tcp.nowhere.example"].status == dns::SrvStatus::no_records);
  CHECK(got["_xmpp-server._tcp.empty.example"].status == dns::SrvStatus::no_records);
  CHECK(got["_xmpp-server._tcp.none.example"].decidedly_unavailable());
  resolver.reset();
  f.finish();
}

TEST_CASE("dns resolver: answers are cached for their TTL unless the cache is off", "[unit][net]") {
  const std::size_t entries = GENERATE(100, 0);
  LoopFixture f;
  FakeDnsServer server(&f.loop);
  server.add_srv("_xmpp-server._tcp.xmpp.example", {0, 0, 5269, "xmpp.example"}, 300);
  server.add_a("xmpp.example", "127.0.0.2", 300);
  auto resolver = resolver_for(&f.loop, server, entries);
  int answers = 0;
  std::vector<std::string> addresses;
  std::function<void()> round = [&] {
    resolver->lookup_srv("_xmpp-server._tcp.xmpp.example", [&](const dns::SrvAnswer& a) {
      CHECK(a.status == dns::SrvStatus::found);
      resolver->lookup_addresses("xmpp.example", 5299, [&](auto r) {
        REQUIRE(r.ok());
        addresses = formatted(*r);
        if (++answers < 2) {
          round();
        } else {
          server.close();
          resolver->close();
        }
      });
    });
  };
  round();
  f.run();
  CHECK(answers == 2);
  CHECK(addresses == std::vector<std::string>{"127.0.0.2:5299"});
  const int expected = entries == 0 ? 2 : 1;
  CHECK(server.queries("_xmpp-server._tcp.xmpp.example", FakeDnsServer::kTypeSrv) == expected);
  CHECK(server.queries("xmpp.example", FakeDnsServer::kTypeA) == expected);
  resolver.reset();
  f.finish();
}

TEST_CASE("dns resolver: a name without an address is not_found, a numeric host needs no DNS",
          "[unit][net]") {
  LoopFixture f;
  FakeDnsServer server(&f.loop);
  auto resolver = resolver_for(&f.loop, server);
  std::optional<Result<std::vector<sockaddr_storage>>> missing;
  std::optional<Result<std::vector<sockaddr_storage>>> numeric;
  auto done = [&] {
    if (missing && numeric) {
      server.close();
      resolver->close();
    }
  };
  resolver->lookup_addresses("nowhere.example", 5269, [&](auto r) {
    missing = std::move(r);
    done();
  });
  resolver->lookup_addresses("127.0.0.9", 5299, [&](auto r) {
    numeric = std::move(r);
    done();
  });
  f.run();
  REQUIRE(missing.has_value());
  REQUIRE_FALSE(missing->ok());
  CHECK(missing->error().code == Errc::not_found);
  REQUIRE(numeric.has_value());
  REQUIRE(numeric->ok());
  CHECK(formatted(**numeric) == std::vector<std::string>{"127.0.0.9:5299"});
  CHECK(resolver->queries_sent() == 1);
  resolver.reset();
  f.finish();
}

TEST_CASE("dns resolver: a cancelled lookup never calls back and close ends the rest",
          "[unit][net]") {
  LoopFixture f;
  FakeDnsServer server(&f.loop);
  server.add_srv("_xmpp-server._tcp.xmpp.example", {0, 0, 5269, "xmpp.example"});
  auto resolver = resolver_for(&f.loop, server);
  int calls = 0;
  auto ticket = resolver->lookup_srv("_xmpp-server._tcp.xmpp.example",
                                     [&](const dns::SrvAnswer&) { ++calls; });
  resolver->cancel(ticket);
  resolver->lookup_srv("_xmpp-server._tcp.xmpp.example", [&](const dns::SrvAnswer&) {
    ++calls;
    server.close();
    // Still waiting: closed without a callback.
    resolver->lookup_addresses("slow.example", 1, [&](const auto&) { ++calls; });
    resolver->close();
  });
  f.run();
  CHECK(calls == 1);
  resolver.reset();
  f.finish();
}
