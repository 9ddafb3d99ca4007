// SIP over TLS (RFC 3261 §26.2.1) on a real loop: the gateway's SipTransport against a fake SIP
// peer built on net::TlsConnection with the test certificates (tests/data/tls). The proxy is
// a.example (SAN a.example, *.a.example); the gateway presents gateway.internal.
#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/net/listener.h"
#include "common/net/tls_connection.h"
#include "common/tls/tls_context.h"
#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/runtime/sip_connection.h"
#include "frontend-gateway/runtime/sip_transport.h"
#include "frontend-gateway/sip/sip_message.h"
#include "frontend-gateway/sip/stream_framer.h"
#include "tests/unit/common/net/loop_fixture.h"

namespace {

using namespace xf;
using xf::net::testing::LoopFixture;

std::string tls_data(const std::string& name) {
  return std::string(XMPPFED_TEST_DATA) + "/tls/" + name;
}

std::shared_ptr<tls::Context> make_context(const tls::ContextConfig& config) {
  auto ctx = tls::Context::create(config);
  REQUIRE(ctx.ok());
  return std::move(ctx).value();
}

// The proxy's side of TLS: serves cert_name's certificate, demands a client certificate.
std::shared_ptr<tls::Context> proxy_server_tls(const std::string& cert_name) {
  tls::ContextConfig c;
  c.server = true;
  c.certs = {{cert_name, tls_data(cert_name + ".pem"), tls_data(cert_name + ".key")}};
  c.ca_file = tls_data("ca.pem");
  c.verify = tls::PeerVerify::required;
  return make_context(c);
}

// The proxy dialling the gateway's TLS listener.
std::shared_ptr<tls::Context> proxy_client_tls() {
  tls::ContextConfig c;
  c.ca_file = tls_data("ca.pem");
  c.verify = tls::PeerVerify::required;
  return make_context(c);
}

// A SIP peer over TLS: starts TLS once connected, frames the plaintext it reads and hands each
// message to a callback.
class FakeTlsSipPeer final : public net::TlsConnection {
 public:
  using OnMessage = std::function<void(FakeTlsSipPeer&, sip::SipMessage&&)>;

  FakeTlsSipPeer(uv_loop_t* loop, std::shared_ptr<tls::Context> context, net::TlsRole role,
                 std::string sni, OnMessage on_message)
      : net::TlsConnection(loop, "fake-sip-peer"),
        context_(std::move(context)),
        role_(role),
        sni_(std::move(sni)),
        on_message_(std::move(on_message)) {}

  std::function<void(FakeTlsSipPeer&)> on_established;
  std::function<void(const Error*)> on_gone;
  std::vector<std::string> peer_dns_ids;
  std::string version;

  void send(const sip::SipMessage& message) {
    auto bytes = message.to_string();
    REQUIRE(bytes.ok());
    write(std::move(bytes.value()));
  }

 private:
  void on_connected() override { REQUIRE(start_tls(context_, role_, sni_).ok()); }
  void on_tls_established() override {
    peer_dns_ids = tls_session()->peer().dns_ids;
    version = tls_session()->version();
    if (on_established) on_established(*this);
  }
  void on_plaintext(std::string_view bytes) override {
    framer_.feed(bytes);
    while (auto frame = framer_.next()) {
      if (frame->kind != sip::Frame::Kind::message) continue;
      auto message = sip::SipMessage::parse(frame->bytes);
      REQUIRE(message.ok());
      on_message_(*this, std::move(message.value()));
    }
  }
  void on_closed(const Error* reason) override {
    if (on_gone) on_gone(reason);
  }

  std::shared_ptr<tls::Context> context_;
  net::TlsRole role_;
  std::string sni_;
  OnMessage on_message_;
  sip::StreamFramer framer_;
};

// What the transport reports to the gateway core.
struct RecordingEvents final : gw::SipEvents {
  std::vector<std::pair<std::uint64_t, sip::SipMessage>> messages;
  int ups = 0;
  std::vector<std::string> downs;  // Reason details ("" for none).
  std::function<void()> on_up;
  std::function<void()> on_down;
  std::function<void(std::uint64_t, const sip::SipMessage&)> on_message;

  void on_sip_message(std::uint64_t connection, sip::SipMessage&& message) override {
    messages.emplace_back(connection, std::move(message));
    if (on_message) on_message(connection, messages.back().second);
  }
  void on_next_hop_up() override {
    ++ups;
    if (on_up) on_up();
  }
  void on_next_hop_down(const Error* reason) override {
    downs.push_back(reason != nullptr ? reason->detail : std::string());
    if (on_down) on_down();
  }
  void on_sip_backlog() override {}
};

gw::GatewayConfig tls_config(std::uint16_t next_hop_port, std::string server_name) {
  gw::GatewayConfig c;
  c.node_name = "gateway.internal";
  c.local_domains = {"sip.example"};
  c.sip.listen_address = "127.0.0.1";
  c.sip.listen_port = 0;
  c.sip.next_hop_host = "127.0.0.1";
  c.sip.next_hop_port = next_hop_port;
  c.sip.next_hop_transport = gw::SipTransportKind::tls;
  c.sip.tls.ca_file = tls_data("ca.pem");
  c.sip.tls.server_name = std::move(server_name);
  c.sip.tls.certificate = tls_data("gateway.internal.pem");
  c.sip.tls.private_key = tls_data("gateway.internal.key");
  return c;
}

std::string message_to_bob(const std::string& via_transport, const std::string& sent_by) {
  auto req = sip::SipMessage::make_request("MESSAGE", "sip:bob@sip.example");
  REQUIRE(req.ok());
  REQUIRE(req->set_from({"", "sip:alice@xmpp.example", "gw1"}).ok());
  REQUIRE(req->set_to({"", "sip:bob@sip.example", ""}).ok());
  REQUIRE(req->set_call_id("tls-call-1").ok());
  REQUIRE(req->set_cseq(1, "MESSAGE").ok());
  REQUIRE(req->push_via(via_transport, sent_by, "z9hG4bKtls1").ok());
  REQUIRE(req->set_max_forwards(70).ok());
  REQUIRE(req->set_body("text/plain", "hello over tls").ok());
  auto bytes = req->to_string();
  REQUIRE(bytes.ok());
  return std::move(bytes.value());
}

// Runs the transport against a fake TLS proxy that answers 200 and reports what it saw.
struct NextHopRun {
  std::vector<std::string> proxy_got;  // "<method> <via transport> <body>"
  std::vector<std::string> proxy_saw_client;
  std::string proxy_tls_version;
  RecordingEvents events;
};

NextHopRun run_next_hop(const std::string& proxy_cert, const std::string& server_name) {
  LoopFixture fx;
  NextHopRun run;
  {
    std::shared_ptr<tls::Context> server_tls = proxy_server_tls(proxy_cert);
    std::unique_ptr<gw::SipTransport> transport;
    net::Listener proxy(&fx.loop, [&](uv_loop_t* loop) -> net::Connection* {
      return new FakeTlsSipPeer(
          loop, server_tls, net::TlsRole::server, "", [&](FakeTlsSipPeer& p, sip::SipMessage&& m) {
            REQUIRE(m.is_request());
            run.proxy_got.push_back(m.method() + " " + m.top_via_transport() + " " + m.body());
            run.proxy_saw_client = p.peer_dns_ids;
            run.proxy_tls_version = p.version;
            auto resp = sip::SipMessage::make_response(m, 200, {}, "proxy-tag");
            REQUIRE(resp.ok());
            p.send(*resp);
          });
    });
    REQUIRE(proxy.listen("127.0.0.1", 0).ok());
    gw::GatewayConfig config = tls_config(proxy.port(), server_name);
    transport = std::make_unique<gw::SipTransport>(&fx.loop, config);
    transport->set_events(&run.events);
    auto finish = [&] {
      transport->close();
      proxy.close();
    };
    run.events.on_up = [&] {
      std::optional<std::string> sent_by = transport->next_hop_sent_by();
      REQUIRE(sent_by.has_value());
      const std::string via(gw::via_transport(config.sip.next_hop_transport));
      CHECK(transport->send_to_next_hop(message_to_bob(via, *sent_by)));
    };
    run.events.on_message = [&](std::uint64_t, const sip::SipMessage&) { finish(); };
    run.events.on_down = finish;

    REQUIRE(transport->listen().ok());
    // Not open yet, and looking does not dial: ensure_next_hop() does.
    CHECK_FALSE(transport->next_hop_sent_by().has_value());
    transport->ensure_next_hop();
    fx.run(10000);
    transport.reset();
  }
  fx.finish();
  return run;
}

gw::GatewayConfig load_config(const std::string& sip_json) {
  const std::string path = std::string(XMPPFED_BINARY_DIR) + "/sip_tls_test.json";
  {
    std::ofstream out(path);
    out << R"({"local_domains": ["sip.example"],
      "relay": {"edges": [{"host": "127.0.0.10", "name": "edge"}], "certificate": "c",
                "private_key": "k", "ca_file": "ca"},
      "sip": )"
        << sip_json << "}";
  }
  auto config = gw::load_gateway_config(path);
  if (!config.ok()) throw std::runtime_error(config.error().detail);
  return std::move(config.value());
}

std::string config_error(const std::string& sip_json) {
  try {
    load_config(sip_json);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("sip tls: a MESSAGE to the next hop goes over mutual TLS and its 200 comes back",
          "[integration][gateway]") {
  NextHopRun run = run_next_hop("a.example", "a.example");
  CHECK(run.events.ups == 1);
  REQUIRE(run.proxy_got.size() == 1);
  CHECK(run.proxy_got[0] == "MESSAGE TLS hello over tls");
  // The proxy demanded a client certificate and got the gateway's.
  CHECK(run.proxy_saw_client == std::vector<std::string>{"gateway.internal"});
  CHECK((run.proxy_tls_version == "TLSv1.2" || run.proxy_tls_version == "TLSv1.3"));
  REQUIRE(run.events.messages.size() == 1);
  const sip::SipMessage& response = run.events.messages[0].second;
  CHECK(response.status_code() == 200);
  CHECK(response.call_id() == "tls-call-1");
  CHECK(response.top_via_branch() == "z9hG4bKtls1");
}

TEST_CASE("sip tls: a wildcard DNS-ID in the proxy's certificate covers one label",
          "[integration][gateway]") {
  NextHopRun run = run_next_hop("a.example", "proxy.a.example");
  CHECK(run.events.ups == 1);
  CHECK(run.proxy_got.size() == 1);
}

TEST_CASE("sip tls: a next hop whose certificate does not name server_name is refused",
          "[integration][gateway]") {
  NextHopRun run = run_next_hop("a.example", "b.example");
  CHECK(run.events.ups == 0);
  CHECK(run.proxy_got.empty());
  REQUIRE(run.events.downs.size() == 1);
  CHECK(run.events.downs[0] == "next hop certificate does not name b.example");
}

TEST_CASE("sip tls: a next hop whose certificate does not chain to ca_file is refused",
          "[integration][gateway]") {
  NextHopRun run = run_next_hop("untrusted", "untrusted.example");
  CHECK(run.events.ups == 0);
  CHECK(run.proxy_got.empty());
  REQUIRE(run.events.downs.size() == 1);
  CHECK_FALSE(run.events.downs[0].empty());
}

TEST_CASE("sip tls: the listener in TLS mode receives a MESSAGE and answers on its connection",
          "[integration][gateway]") {
  LoopFixture fx;
  {
    gw::GatewayConfig config = tls_config(1, "a.example");
    config.sip.next_hop_transport = gw::SipTransportKind::tcp;
    config.sip.listen_transport = gw::SipTransportKind::tls;
    config.sip.tls.certificate = tls_data("a.example.pem");
    config.sip.tls.private_key = tls_data("a.example.key");
    gw::SipTransport transport(&fx.loop, config);
    RecordingEvents events;
    transport.set_events(&events);
    REQUIRE(transport.listen().ok());

    int proxy_status = 0;
    std::string proxy_tls_version;
    auto* proxy = new FakeTlsSipPeer(&fx.loop, proxy_client_tls(), net::TlsRole::client,
                                     "a.example", [&](FakeTlsSipPeer& p, sip::SipMessage&& m) {
                                       REQUIRE(m.is_response());
                                       proxy_status = m.status_code();
                                       p.close();
                                       transport.close();
                                     });
    proxy->on_established = [&](FakeTlsSipPeer& p) {
      proxy_tls_version = p.version;
      auto req = sip::SipMessage::make_request("MESSAGE", "sip:alice@xmpp.example");
      REQUIRE(req.ok());
      REQUIRE(req->set_from({"", "sip:bob@sip.example", "uac1"}).ok());
      REQUIRE(req->set_to({"", "sip:alice@xmpp.example", ""}).ok());
      REQUIRE(req->set_call_id("tls-in-1").ok());
      REQUIRE(req->set_cseq(1, "MESSAGE").ok());
      REQUIRE(req->push_via("TLS", "127.0.0.1:5061", "z9hG4bKin1").ok());
      REQUIRE(req->set_max_forwards(70).ok());
      REQUIRE(req->set_body("text/plain", "hello gateway").ok());
      p.send(*req);
    };
    events.on_message = [&](std::uint64_t connection, const sip::SipMessage& m) {
      REQUIRE(m.is_request());
      auto resp = sip::SipMessage::make_response(m, 202, {}, "gw-tag");
      REQUIRE(resp.ok());
      auto bytes = resp->to_string();
      REQUIRE(bytes.ok());
      const bool sent = transport.send_on(connection, std::move(bytes.value()));
      CHECK(sent);
    };
    proxy->connect("127.0.0.1", transport.listen_port());
    fx.run(10000);

    REQUIRE(events.messages.size() == 1);
    CHECK(events.messages[0].second.method() == "MESSAGE");
    CHECK(events.messages[0].second.body() == "hello gateway");
    CHECK(events.messages[0].second.top_via_transport() == "TLS");
    CHECK(proxy_status == 202);
    CHECK((proxy_tls_version == "TLSv1.2" || proxy_tls_version == "TLSv1.3"));
    CHECK(events.ups == 0);
  }
  fx.finish();
}

TEST_CASE("sip tls: a plaintext client on the TLS listener delivers nothing",
          "[integration][gateway]") {
  LoopFixture fx;
  {
    gw::GatewayConfig config = tls_config(1, "a.example");
    config.sip.next_hop_transport = gw::SipTransportKind::tcp;
    config.sip.listen_transport = gw::SipTransportKind::tls;
    config.sip.tls.certificate = tls_data("a.example.pem");
    config.sip.tls.private_key = tls_data("a.example.key");
    gw::SipTransport transport(&fx.loop, config);
    RecordingEvents events;
    transport.set_events(&events);
    REQUIRE(transport.listen().ok());
    bool closed = false;
    // A TLS peer that never starts TLS: its SIP bytes are not a ClientHello.
    struct PlainPeer final : net::TlsConnection {
      explicit PlainPeer(uv_loop_t* loop) : net::TlsConnection(loop, "plain-peer") {}
      std::function<void()> gone;
      void on_plaintext(std::string_view) override {}
      void on_closed(const Error*) override { gone(); }
    };
    auto* plain = new PlainPeer(&fx.loop);
    plain->gone = [&] {
      closed = true;
      transport.close();
    };
    plain->connect("127.0.0.1", transport.listen_port());
    plain->write(message_to_bob("TCP", "127.0.0.1:5999"));
    fx.run(10000);
    CHECK(closed);
    CHECK(events.messages.empty());
  }
  fx.finish();
}

TEST_CASE("sip tls: sip_peer_matches checks DNS-IDs, and the CN only without a SAN",
          "[unit][gateway]") {
  tls::PeerIdentity san;
  san.dns_ids = {"proxy.sip.example", "*.edge.example"};
  san.common_name = "cn.example";
  CHECK(gw::sip_peer_matches(san, "proxy.sip.example"));
  CHECK(gw::sip_peer_matches(san, "PROXY.sip.example"));
  CHECK(gw::sip_peer_matches(san, "a.edge.example"));
  CHECK_FALSE(gw::sip_peer_matches(san, "a.b.edge.example"));
  CHECK_FALSE(gw::sip_peer_matches(san, "cn.example"));
  tls::PeerIdentity cn_only;
  cn_only.common_name = "proxy.sip.example";
  CHECK(gw::sip_peer_matches(cn_only, "proxy.sip.example"));
  CHECK_FALSE(gw::sip_peer_matches(cn_only, "other.sip.example"));
  CHECK_FALSE(gw::sip_peer_matches(tls::PeerIdentity{}, "proxy.sip.example"));
}

TEST_CASE("sip tls: config reads the transports and sip.tls and checks what TLS needs",
          "[unit][gateway][config]") {
  gw::GatewayConfig tcp = load_config(R"({"next_hop": {"host": "127.0.0.4"}})");
  CHECK(tcp.sip.next_hop_transport == gw::SipTransportKind::tcp);
  CHECK(tcp.sip.listen_transport == gw::SipTransportKind::tcp);
  CHECK(gw::via_transport(tcp.sip.next_hop_transport) == "TCP");

  gw::GatewayConfig tls = load_config(
      R"({"next_hop": {"host": "proxy.sip.example", "port": 5061, "transport": "tls"},
          "listen": {"port": 5061, "transport": "tls"},
          "tls": {"ca_file": "ca.pem", "certificate": "gw.pem", "private_key": "gw.key"}})");
  CHECK(tls.sip.next_hop_transport == gw::SipTransportKind::tls);
  CHECK(tls.sip.listen_transport == gw::SipTransportKind::tls);
  CHECK(tls.sip.tls.ca_file == "ca.pem");
  CHECK(tls.sip.next_hop_tls_name() == "proxy.sip.example");
  CHECK(gw::via_transport(tls.sip.next_hop_transport) == "TLS");
  CHECK(gw::uri_transport(tls.sip.listen_transport) == "tls");

  gw::GatewayConfig named = load_config(
      R"({"next_hop": {"host": "127.0.0.4", "transport": "tls"},
          "tls": {"server_name": "Proxy.SIP.example"}})");
  CHECK(named.sip.next_hop_tls_name() == "proxy.sip.example");

  CHECK(config_error(R"({"next_hop": {"host": "127.0.0.4", "transport": "udp"}})") ==
        "/sip/next_hop/transport: must be one of tcp|tls");
  CHECK(config_error(R"({"next_hop": {"host": "127.0.0.4", "transport": "tls"}})") ==
        "/sip/tls/server_name: is required when /sip/next_hop/transport is tls and "
        "next_hop.host is an IP address");
  CHECK(config_error(R"({"next_hop": {"host": "p.example"}, "listen": {"transport": "tls"}})") ==
        "/sip/tls/certificate: is required when /sip/listen/transport is tls");
  CHECK(config_error(R"({"next_hop": {"host": "p.example"}, "tls": {"certificate": "c.pem"}})") ==
        "/sip/tls/private_key: certificate and private_key go together");
  CHECK(config_error(R"({"next_hop": {"host": "p.example"}, "tls": {"verify": false}})") ==
        "/sip/tls/verify: unknown key");
}
