#include "common/net/tls_connection.h"

#include <catch2/catch.hpp>
#include <functional>

#include "common/net/listener.h"
#include "loop_fixture.h"

using namespace xf;
using namespace xf::net;
using xf::net::testing::EventLog;
using xf::net::testing::LoopFixture;

namespace {

std::string tls_data(const std::string& name) {
  return std::string(XMPPFED_TEST_DATA) + "/tls/" + name;
}

std::shared_ptr<tls::Context> context(bool server, const std::string& cert_base,
                                      const std::string& ca = "ca.pem") {
  tls::ContextConfig config;
  config.server = server;
  if (!cert_base.empty()) {
    config.certs = {{cert_base, tls_data(cert_base + ".pem"), tls_data(cert_base + ".key")}};
  }
  config.ca_file = tls_data(ca);
  config.verify = tls::PeerVerify::required;
  auto ctx = tls::Context::create(config);
  REQUIRE(ctx.ok());
  return std::move(ctx).value();
}

// A line-based toy protocol with STARTTLS: "starttls\n" -> "proceed\n", then TLS.
class Peer : public TlsConnection {
 public:
  Peer(uv_loop_t* loop, std::string name, EventLog& log)
      : TlsConnection(loop, name), name_(std::move(name)), events_(log) {}

  std::function<void(Peer&, std::string_view)> plaintext;
  std::function<void(Peer&)> connected;
  std::function<void(Peer&)> established;
  std::function<void(Peer&, const Error*)> closed;
  std::string received;

 protected:
  void on_connected() override {
    events_.add(name_ + ":connected");
    if (connected) connected(*this);
  }
  void on_plaintext(std::string_view bytes) override {
    received.append(bytes);
    if (plaintext) plaintext(*this, bytes);
  }
  void on_tls_established() override {
    events_.add(name_ + ":tls");
    if (established) established(*this);
  }
  void on_closed(const Error* reason) override {
    events_.add(name_ + ":closed" +
                (reason != nullptr ? ":" + std::string(to_string(reason->code)) : ""));
    if (closed) closed(*this, reason);
  }

 private:
  std::string name_;
  EventLog& events_;
};

}  // namespace

TEST_CASE("net: STARTTLS mid-stream then plaintext both ways over TLS", "[unit][net]") {
  LoopFixture f;
  EventLog log;
  // Mutual TLS, as on the relay link: both sides present a certificate from the test CA.
  auto server_ctx = context(true, "a.example");
  auto client_ctx = context(false, "gateway.internal");
  std::string server_sni;
  bool client_cert_verified = false;
  Listener listener(&f.loop, [&](uv_loop_t* loop) -> Connection* {
    auto* server = new Peer(loop, "server", log);
    server->plaintext = [&](Peer& self, std::string_view bytes) {
      if (!self.tls_active()) {
        if (self.received == "starttls\n") {
          self.write("proceed\n");  // Queued before TLS starts: goes out in plaintext.
          self.received.clear();
          REQUIRE(self.start_tls(server_ctx, TlsRole::server).ok());
        }
        return;
      }
      self.write("echo:" + std::string(bytes));
    };
    server->established = [&](Peer& self) {
      server_sni = self.tls_session()->server_name();
      client_cert_verified = self.tls_session()->peer().chain_verified;
    };
    server->closed = [&](Peer&, const Error*) { listener.close(); };
    return server;
  });
  REQUIRE(listener.listen("127.0.0.1", 0).ok());

  auto* client = new Peer(&f.loop, "client", log);
  bool verified = false;
  client->connected = [](Peer& self) { self.write("starttls\n"); };
  client->plaintext = [&](Peer& self, std::string_view) {
    if (!self.tls_active()) {
      if (self.received == "proceed\n") {
        self.received.clear();
        REQUIRE(self.start_tls(client_ctx, TlsRole::client, "a.example").ok());
        self.write("secret");  // Buffered by the session until the handshake completes.
      }
      return;
    }
    if (self.received == "echo:secret") {
      log.add("client:echoed");
      self.close();
    }
  };
  client->established = [&](Peer& self) { verified = self.tls_session()->peer().chain_verified; };
  client->connect("127.0.0.1", listener.port());
  f.run();

  INFO(log.dump());
  CHECK(verified);
  CHECK(client_cert_verified);
  CHECK(server_sni == "a.example");
  CHECK(log.index_of("client:connected") < log.index_of("client:tls"));
  CHECK(log.index_of("client:tls") < log.index_of("client:echoed"));
  CHECK(log.index_of("client:echoed") < log.index_of("client:closed"));
  CHECK(log.has("server:tls"));
  CHECK(log.has("server:closed"));  // close_notify from the client.
  f.finish();
}

TEST_CASE("net: a TLS handshake failure closes the connection with tls_error", "[unit][net]") {
  LoopFixture f;
  EventLog log;
  auto server_ctx = context(true, "untrusted");  // Not signed by the client's CA.
  auto client_ctx = context(false, "");
  Listener listener(&f.loop, [&](uv_loop_t* loop) -> Connection* {
    auto* server = new Peer(loop, "server", log);
    server->connected = [&](Peer& self) {
      REQUIRE(self.start_tls(server_ctx, TlsRole::server).ok());
    };
    server->closed = [&](Peer&, const Error*) { listener.close(); };
    return server;
  });
  REQUIRE(listener.listen("127.0.0.1", 0).ok());
  auto* client = new Peer(&f.loop, "client", log);
  client->connected = [&](Peer& self) {
    REQUIRE(self.start_tls(client_ctx, TlsRole::client, "untrusted").ok());
    self.write("never delivered");
  };
  client->connect("127.0.0.1", listener.port());
  f.run();
  CHECK(log.has("client:closed:tls-error"));
  CHECK_FALSE(log.has("client:tls"));
  CHECK(log.has("server:closed:tls-error"));
  f.finish();
}
