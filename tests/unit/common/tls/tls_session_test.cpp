#include "common/tls/tls_session.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/tls/identity.h"
#include "tls_test_util.h"

using tls_test::cert;
using tls_test::data_path;
using tls_test::exchange;
using tls_test::make_context;
using tls_test::make_pair;
using xf::tls::ContextConfig;
using xf::tls::PeerVerify;
using xf::tls::Session;

namespace {

// An s2s server hosting a.example (first, the default) and b.example.
ContextConfig edge_server(PeerVerify verify = PeerVerify::optional) {
  ContextConfig config;
  config.server = true;
  config.certs = {cert("a.example", "a.example"), cert("b.example", "b.example")};
  config.ca_file = data_path("ca.pem");
  config.verify = verify;
  config.alpn = {"xmpp-server"};
  return config;
}

ContextConfig s2s_client(PeerVerify verify = PeerVerify::required) {
  ContextConfig config;
  config.ca_file = data_path("ca.pem");
  config.verify = verify;
  config.alpn = {"xmpp-server"};
  return config;
}

std::string read_all(Session& s) {
  std::string out;
  REQUIRE(s.read(out).ok());
  return out;
}

}  // namespace

TEST_CASE("Handshake negotiates TLS 1.3, ALPN and the SNI certificate", "[unit][tls]") {
  auto server_ctx = make_context(edge_server());
  auto client_ctx = make_context(s2s_client());
  auto pair = make_pair(client_ctx, server_ctx, "b.example");
  REQUIRE(exchange(*pair.client, *pair.server).ok());

  REQUIRE(pair.client->handshake_done());
  REQUIRE(pair.server->handshake_done());
  CHECK(pair.client->version() == "TLSv1.3");
  CHECK(pair.server->version() == "TLSv1.3");
  CHECK_FALSE(pair.client->cipher().empty());
  CHECK(pair.client->cipher() == pair.server->cipher());
  CHECK(pair.client->alpn() == "xmpp-server");
  CHECK(pair.server->alpn() == "xmpp-server");
  CHECK(pair.server->server_name() == "b.example");
  CHECK(pair.client->server_name() == "b.example");

  // b.example's chain (leaf + intermediate) verifies, and its names are read.
  const auto& peer = pair.client->peer();
  CHECK(peer.present);
  CHECK(peer.chain_verified);
  CHECK(peer.verify_error.empty());
  CHECK(peer.dns_ids == std::vector<std::string>{"b.example"});
  CHECK(peer.xmpp_addrs == std::vector<std::string>{"b.example"});
  CHECK(peer.srv_ids == std::vector<std::string>{"_xmpp-server.b.example"});
  CHECK(peer.common_name == "b.example");
  CHECK(xf::tls::certificate_names_host(peer, "b.example"));
  CHECK_FALSE(xf::tls::certificate_names_host(peer, "a.example"));

  // The client presented no certificate: optional lets it through.
  CHECK_FALSE(pair.server->peer().present);
  CHECK_FALSE(pair.server->peer().chain_verified);
}

TEST_CASE("SNI picks the certificate by domain, else the first", "[unit][tls]") {
  auto server_ctx = make_context(edge_server());
  auto client_ctx = make_context(s2s_client(PeerVerify::optional));
  struct Row {
    const char* sni;
    const char* expected_dns_id;
  };
  const Row rows[] = {
      {"a.example", "a.example"},
      {"B.Example", "b.example"},
      {"unknown.example", "a.example"},
      {"", "a.example"},
  };
  for (const Row& row : rows) {
    INFO("sni '" << row.sni << "'");
    auto pair = make_pair(client_ctx, server_ctx, row.sni);
    REQUIRE(exchange(*pair.client, *pair.server).ok());
    REQUIRE(pair.client->handshake_done());
    REQUIRE_FALSE(pair.client->peer().dns_ids.empty());
    CHECK(pair.client->peer().dns_ids.front() == row.expected_dns_id);
    CHECK(pair.client->peer().chain_verified);
    CHECK(pair.client->alpn() == "xmpp-server");  // ALPN works on the per-domain context too.
  }
  // a.example's wildcard covers its subdomains.
  auto pair = make_pair(client_ctx, server_ctx, "a.example");
  REQUIRE(exchange(*pair.client, *pair.server).ok());
  CHECK(xf::tls::certificate_names_host(pair.client->peer(), "conference.a.example"));
}

TEST_CASE("ALPN is answered only with a configured id", "[unit][tls]") {
  SECTION("server without ALPN ignores the client's list") {
    ContextConfig server = edge_server();
    server.alpn.clear();
    auto pair = make_pair(make_context(s2s_client()), make_context(server), "a.example");
    REQUIRE(exchange(*pair.client, *pair.server).ok());
    REQUIRE(pair.client->handshake_done());
    CHECK(pair.client->alpn().empty());
    CHECK(pair.server->alpn().empty());
  }
  SECTION("client offering an unknown protocol gets none") {
    ContextConfig client = s2s_client();
    client.alpn = {"h2", "http/1.1"};
    auto pair = make_pair(make_context(client), make_context(edge_server()), "a.example");
    REQUIRE(exchange(*pair.client, *pair.server).ok());
    REQUIRE(pair.client->handshake_done());
    CHECK(pair.client->alpn().empty());
  }
  SECTION("a strict server refuses a client offering only other protocols") {
    ContextConfig client = s2s_client();
    client.alpn = {"h2", "http/1.1"};
    ContextConfig server = edge_server();
    server.alpn_strict = true;
    auto pair = make_pair(make_context(client), make_context(server), "a.example");
    CHECK_FALSE(exchange(*pair.client, *pair.server).ok());
    CHECK_FALSE(pair.server->handshake_done());
  }
  SECTION("a strict server accepts a client that offers no ALPN") {
    ContextConfig client = s2s_client();
    client.alpn.clear();
    ContextConfig server = edge_server();
    server.alpn_strict = true;
    auto pair = make_pair(make_context(client), make_context(server), "a.example");
    REQUIRE(exchange(*pair.client, *pair.server).ok());
    CHECK(pair.server->handshake_done());
    CHECK(pair.server->alpn().empty());
  }
  SECTION("the configured id is chosen among several offers") {
    ContextConfig client = s2s_client();
    client.alpn = {"h2", "xmpp-server"};
    auto pair = make_pair(make_context(client), make_context(edge_server()), "a.example");
    REQUIRE(exchange(*pair.client, *pair.server).ok());
    CHECK(pair.server->alpn() == "xmpp-server");
  }
}

TEST_CASE("Application data flows both ways, including writes before the handshake",
          "[unit][tls]") {
  auto pair = make_pair(make_context(s2s_client()), make_context(edge_server()), "a.example");
  // Both sides write before any byte moved.
  REQUIRE(pair.client->write("<stream:stream to='a.example'>").ok());
  REQUIRE(pair.server->write("<stream:stream from='a.example'>").ok());
  CHECK_FALSE(pair.client->handshake_done());
  REQUIRE(exchange(*pair.client, *pair.server).ok());
  REQUIRE(pair.client->handshake_done());
  CHECK(read_all(*pair.server) == "<stream:stream to='a.example'>");
  CHECK(read_all(*pair.client) == "<stream:stream from='a.example'>");

  REQUIRE(pair.client->write("<message/>").ok());
  REQUIRE(pair.client->write("<iq/>").ok());
  REQUIRE(pair.server->write("<presence/>").ok());
  REQUIRE(exchange(*pair.client, *pair.server).ok());
  CHECK(read_all(*pair.server) == "<message/><iq/>");
  CHECK(read_all(*pair.client) == "<presence/>");
  CHECK(read_all(*pair.client).empty());
}

TEST_CASE("Large writes round trip", "[unit][tls]") {
  auto pair = make_pair(make_context(s2s_client()), make_context(edge_server()), "a.example");
  REQUIRE(exchange(*pair.client, *pair.server).ok());
  std::string big(1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7) % 26);
  REQUIRE(pair.client->write(big).ok());
  REQUIRE(pair.server->write(big).ok());
  REQUIRE(exchange(*pair.client, *pair.server).ok());
  CHECK(read_all(*pair.server) == big);
  CHECK(read_all(*pair.client) == big);
  CHECK_FALSE(pair.client->has_output());
  CHECK_FALSE(pair.server->has_output());
}

TEST_CASE("Ciphertext fed byte by byte", "[unit][tls]") {
  auto pair = make_pair(make_context(s2s_client()), make_context(edge_server()), "b.example");
  REQUIRE(pair.client->write("early").ok());
  REQUIRE(exchange(*pair.client, *pair.server, 1).ok());
  REQUIRE(pair.client->handshake_done());
  REQUIRE(pair.server->handshake_done());
  CHECK(pair.client->peer().chain_verified);
  CHECK(read_all(*pair.server) == "early");
  REQUIRE(pair.server->write("late").ok());
  REQUIRE(exchange(*pair.client, *pair.server, 1).ok());
  CHECK(read_all(*pair.client) == "late");
}

TEST_CASE("Optional verification records the result and never fails", "[unit][tls]") {
  auto server_ctx = make_context(edge_server(PeerVerify::optional));
  struct Row {
    const char* base;
    const char* error_part;
    xf::tls::CertFault fault;
    bool verified;
  };
  const Row rows[] = {
      {"a.example", "", xf::tls::CertFault::none, true},
      {"untrusted", "issuer", xf::tls::CertFault::untrusted, false},
      {"expired", "expired", xf::tls::CertFault::expired, false},
      {"notyet", "not yet valid", xf::tls::CertFault::not_yet_valid, false},
  };
  for (const Row& row : rows) {
    INFO(row.base);
    ContextConfig client = s2s_client();
    client.certs = {cert(row.base, row.base)};
    auto pair = make_pair(make_context(client), server_ctx, "b.example");
    REQUIRE(exchange(*pair.client, *pair.server).ok());
    REQUIRE(pair.server->handshake_done());
    const auto& peer = pair.server->peer();
    CHECK(peer.present);
    CHECK(peer.chain_verified == row.verified);
    CHECK_THAT(peer.verify_error, Catch::Contains(row.error_part));
    CHECK(peer.chain_fault == row.fault);
  }
}

TEST_CASE("A self-signed peer certificate is untrusted, a missing one absent", "[unit][tls]") {
  auto server_ctx = make_context(edge_server(PeerVerify::optional));
  SECTION("self-signed") {
    ContextConfig client = s2s_client();
    client.certs = {cert("selfsigned.example", "selfsigned")};
    auto pair = make_pair(make_context(client), server_ctx, "b.example");
    REQUIRE(exchange(*pair.client, *pair.server).ok());
    CHECK(pair.server->peer().chain_fault == xf::tls::CertFault::untrusted);
  }
  SECTION("none") {
    ContextConfig client = s2s_client();
    client.certs.clear();
    auto pair = make_pair(make_context(client), server_ctx, "b.example");
    REQUIRE(exchange(*pair.client, *pair.server).ok());
    CHECK_FALSE(pair.server->peer().present);
    CHECK(pair.server->peer().chain_fault == xf::tls::CertFault::absent);
  }
}

TEST_CASE("A client with optional verification accepts an untrusted server", "[unit][tls]") {
  ContextConfig server;
  server.server = true;
  server.certs = {cert("untrusted.example", "untrusted")};
  server.verify = PeerVerify::none;
  auto pair = make_pair(make_context(s2s_client(PeerVerify::optional)), make_context(server),
                        "untrusted.example");
  REQUIRE(exchange(*pair.client, *pair.server).ok());
  REQUIRE(pair.client->handshake_done());
  CHECK(pair.client->peer().present);
  CHECK_FALSE(pair.client->peer().chain_verified);
  CHECK_FALSE(pair.client->peer().verify_error.empty());
  CHECK(pair.client->peer().dns_ids == std::vector<std::string>{"untrusted.example"});
}

TEST_CASE("A client with required verification rejects an untrusted server", "[unit][tls]") {
  ContextConfig server;
  server.server = true;
  server.certs = {cert("untrusted.example", "untrusted")};
  server.verify = PeerVerify::none;
  auto pair = make_pair(make_context(s2s_client(PeerVerify::required)), make_context(server),
                        "untrusted.example");
  auto result = exchange(*pair.client, *pair.server);
  REQUIRE_FALSE(result.client.ok());
  CHECK(result.client.error().code == xf::Errc::tls_error);
  CHECK_THAT(result.client.error().detail, Catch::Contains("CERTIFICATE_VERIFY_FAILED"));
  CHECK_FALSE(pair.client->handshake_done());
  // The server got the alert.
  CHECK_FALSE(result.server.ok());
  CHECK_FALSE(pair.server->handshake_done());
}

TEST_CASE("Required verification: the relay link's mutual TLS", "[unit][tls]") {
  ContextConfig edge;
  edge.server = true;
  edge.certs = {cert("edge.internal", "a.example")};
  edge.ca_file = data_path("ca.pem");
  edge.verify = PeerVerify::required;
  auto edge_ctx = make_context(edge);

  ContextConfig gateway;
  gateway.ca_file = data_path("ca.pem");
  gateway.verify = PeerVerify::required;

  SECTION("the gateway's certificate is accepted") {
    gateway.certs = {cert("gateway.internal", "gateway.internal")};
    auto pair = make_pair(make_context(gateway), edge_ctx, "");
    REQUIRE(pair.client->write("hello").ok());
    REQUIRE(exchange(*pair.client, *pair.server).ok());
    REQUIRE(pair.server->handshake_done());
    CHECK(pair.server->peer().chain_verified);
    CHECK(pair.server->peer().dns_ids == std::vector<std::string>{"gateway.internal"});
    CHECK(xf::tls::certificate_names_host(pair.server->peer(), "gateway.internal"));
    CHECK(read_all(*pair.server) == "hello");
  }
  SECTION("no client certificate fails the handshake") {
    auto pair = make_pair(make_context(gateway), edge_ctx, "");
    REQUIRE(pair.client->write("hello").ok());
    auto result = exchange(*pair.client, *pair.server);
    REQUIRE_FALSE(result.server.ok());
    CHECK(result.server.error().code == xf::Errc::tls_error);
    CHECK_FALSE(pair.server->handshake_done());
    CHECK(read_all(*pair.server).empty());
    // In TLS 1.3 the client finished first; it learns of the failure from the alert.
    CHECK_FALSE(result.client.ok());
  }
  SECTION("a certificate from another CA fails the handshake") {
    gateway.certs = {cert("untrusted.example", "untrusted")};
    auto pair = make_pair(make_context(gateway), edge_ctx, "");
    auto result = exchange(*pair.client, *pair.server);
    REQUIRE_FALSE(result.server.ok());
    CHECK_THAT(result.server.error().detail, Catch::Contains("issuer"));
    CHECK_FALSE(pair.server->handshake_done());
    CHECK_FALSE(result.client.ok());
  }
  SECTION("an expired certificate fails the handshake") {
    gateway.certs = {cert("expired.example", "expired")};
    auto pair = make_pair(make_context(gateway), edge_ctx, "");
    auto result = exchange(*pair.client, *pair.server);
    REQUIRE_FALSE(result.server.ok());
    CHECK_THAT(result.server.error().detail, Catch::Contains("expired"));
  }
}

TEST_CASE("close_notify makes the peer closed", "[unit][tls]") {
  auto pair = make_pair(make_context(s2s_client()), make_context(edge_server()), "a.example");
  REQUIRE(exchange(*pair.client, *pair.server).ok());
  REQUIRE(pair.client->write("</stream:stream>").ok());
  pair.client->shutdown();
  CHECK(pair.client->has_output());
  REQUIRE(exchange(*pair.client, *pair.server).ok());
  CHECK(pair.server->peer_closed());
  CHECK_FALSE(pair.client->peer_closed());
  CHECK(read_all(*pair.server) == "</stream:stream>");
  pair.server->shutdown();
  REQUIRE(exchange(*pair.client, *pair.server).ok());
  CHECK(pair.client->peer_closed());
  // Writing after our own close_notify is an error, not a crash.
  CHECK_FALSE(pair.client->write("late").ok());
}

TEST_CASE("Garbage ciphertext is an error and the session stays failed", "[unit][tls]") {
  auto server = Session::server(make_context(edge_server()));
  REQUIRE(server.ok());
  auto st = (*server)->feed("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == xf::Errc::tls_error);
  CHECK_FALSE(st.error().detail.empty());
  CHECK_FALSE((*server)->feed("more").ok());
  CHECK_FALSE((*server)->write("x").ok());
  CHECK_FALSE((*server)->handshake_done());

  // Garbage after a good handshake: a corrupted record.
  auto pair = make_pair(make_context(s2s_client()), make_context(edge_server()), "a.example");
  REQUIRE(exchange(*pair.client, *pair.server).ok());
  REQUIRE(pair.client->write("payload").ok());
  std::string record;
  pair.client->take_output(record);
  REQUIRE(record.size() > 10);
  record[record.size() - 3] = static_cast<char>(record[record.size() - 3] ^ 0x55);
  auto bad = pair.server->feed(record);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == xf::Errc::tls_error);
}

TEST_CASE("Sessions refuse a context of the wrong side", "[unit][tls]") {
  auto server_ctx = make_context(edge_server());
  auto client_ctx = make_context(s2s_client());
  CHECK_FALSE(Session::client(server_ctx, "a.example").ok());
  CHECK_FALSE(Session::server(client_ctx).ok());
  auto client = Session::client(client_ctx, "a.example");
  REQUIRE(client.ok());
  REQUIRE((*client)->start().ok());
  CHECK((*client)->has_output());
  std::string hello;
  (*client)->take_output(hello);
  CHECK_FALSE(hello.empty());
  REQUIRE((*client)->start().ok());  // Idempotent: no second ClientHello.
  CHECK_FALSE((*client)->has_output());
}
