// The gateway runtime on a real loop, between a fake edge (a RelayChannel accepted on 127.0.0.1
// with the test certificates) and a fake SIP proxy (a listener that answers MESSAGE and also
// sends one): one message each way and one SIP error mapped back to an XMPP error.
#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/net/connection.h"
#include "common/net/listener.h"
#include "common/net/relay_channel.h"
#include "common/xml/stanza_reader.h"
#include "frontend-gateway/runtime/gateway_runtime.h"
#include "frontend-gateway/sip/sip_message.h"
#include "frontend-gateway/sip/stream_framer.h"
#include "frontend-gateway/store/sqlite_store.h"
#include "tests/unit/common/net/loop_fixture.h"

namespace {

using namespace xf;
using xf::net::testing::LoopFixture;

std::string tls_data(const std::string& name) {
  return std::string(XMPPFED_TEST_DATA) + "/tls/" + name;
}

// A SIP peer connection: frames what it reads and hands each message to a callback.
class FakeSipConnection final : public net::Connection {
 public:
  FakeSipConnection(uv_loop_t* loop, std::string name,
                    std::function<void(FakeSipConnection&, sip::SipMessage&&)> on_message)
      : net::Connection(loop, std::move(name)), on_message_(std::move(on_message)) {}

  void send(const sip::SipMessage& message) {
    auto bytes = message.to_string();
    REQUIRE(bytes.ok());
    write(std::move(bytes.value()));
  }

 private:
  void on_read(std::string_view bytes) override {
    framer_.feed(bytes);
    while (auto frame = framer_.next()) {
      if (frame->kind != sip::Frame::Kind::message) continue;
      auto message = sip::SipMessage::parse(frame->bytes);
      REQUIRE(message.ok());
      on_message_(*this, std::move(message.value()));
    }
  }

  std::function<void(FakeSipConnection&, sip::SipMessage&&)> on_message_;
  sip::StreamFramer framer_;
};

class FakeEdge final : public net::RelayChannel::Handler {
 public:
  net::RelayChannel* channel = nullptr;
  bool up = false;
  std::vector<xml::Element> received;
  std::function<void()> on_up;
  std::function<void(const xml::Element&)> on_stanza;

  void on_link_event(net::RelayChannel& c, relay::LinkEvent&& event) override {
    if (std::holds_alternative<relay::LinkEstablished>(event)) {
      up = true;
      if (on_up) on_up();
    } else if (auto* s = std::get_if<relay::StanzaReceived>(&event)) {
      auto e = reader_.read(s->stanza.xml);
      REQUIRE(e.ok());
      CHECK(s->stanza.facts.direction == relay::Direction::outbound);
      if (e->attr("type") != "error") {
        // A partner stream took it: tell the gateway.
        REQUIRE(c.link().send_delivered(s->receipt).ok());
        c.flush_link();
      }
      c.complete(s->receipt);
      received.push_back(*e);
      if (on_stanza) on_stanza(received.back());
    }
  }
  void on_channel_closed(net::RelayChannel& c, const Error*) override {
    if (channel == &c) channel = nullptr;
    up = false;
  }

  void send_partner_stanza(const std::string& xml) {
    relay::RoutingFacts facts{"sip.example", "xmpp.example", relay::Direction::inbound,
                              relay::PartnerAuth::dialback, "s1"};
    REQUIRE(channel != nullptr);
    REQUIRE(channel->send_stanza(facts, xml).ok());
  }

 private:
  xml::StanzaReader reader_;
};

std::shared_ptr<tls::Context> edge_tls() {
  tls::ContextConfig config;
  config.server = true;
  config.certs = {{"a.example", tls_data("a.example.pem"), tls_data("a.example.key")}};
  config.ca_file = tls_data("ca.pem");
  config.verify = tls::PeerVerify::required;
  auto ctx = tls::Context::create(config);
  REQUIRE(ctx.ok());
  return std::move(ctx).value();
}

gw::GatewayConfig gateway_config(std::uint16_t edge_port, std::uint16_t sip_port) {
  gw::GatewayConfig c;
  c.node_name = "gateway.internal";
  c.local_domains = {"sip.example"};
  c.relay.edges = {{"127.0.0.1", edge_port, "a.example"}};
  c.relay.certificate = tls_data("gateway.internal.pem");
  c.relay.private_key = tls_data("gateway.internal.key");
  c.relay.ca_file = tls_data("ca.pem");
  c.sip.listen_address = "127.0.0.1";
  c.sip.listen_port = 0;
  c.sip.next_hop_host = "127.0.0.1";
  c.sip.next_hop_port = sip_port;
  gw::Partner partner;
  partner.domain = "xmpp.example";
  c.partners = {partner};
  return c;
}

sip::SipMessage sip_message_to_alice() {
  auto req = sip::SipMessage::make_request("MESSAGE", "sip:alice@xmpp.example");
  REQUIRE(req.ok());
  REQUIRE(req->set_from({"", "sip:bob@sip.example", "uac1"}).ok());
  REQUIRE(req->set_to({"", "sip:alice@xmpp.example", ""}).ok());
  REQUIRE(req->set_call_id("uac-call-1").ok());
  REQUIRE(req->set_cseq(1, "MESSAGE").ok());
  REQUIRE(req->push_via("TCP", "127.0.0.1:5999", "z9hG4bKuac1").ok());
  REQUIRE(req->set_max_forwards(70).ok());
  REQUIRE(req->set_body("text/plain", "hello alice").ok());
  return std::move(req.value());
}

}  // namespace

TEST_CASE("gateway relays one message each way and maps a SIP error back",
          "[integration][gateway]") {
  LoopFixture fx;
  {
    FakeEdge edge;
    net::RelayChannel::Settings edge_settings;
    edge_settings.link.role = relay::Role::edge;
    edge_settings.link.node_name = "fake-edge";
    edge_settings.tls = edge_tls();
    edge_settings.expected_peers = {"gateway.internal"};
    net::Listener edge_listener(&fx.loop, [&](uv_loop_t* loop) -> net::Connection* {
      edge.channel = net::RelayChannel::make(loop, edge, edge_settings, "fake-edge");
      return edge.channel;
    });
    REQUIRE(edge_listener.listen("127.0.0.1", 0).ok());

    // The SIP proxy: bob exists, nobody does.
    std::vector<std::string> proxy_got;  // "MESSAGE <to> <body>"
    int uac_status = 0;
    FakeSipConnection* uac = nullptr;
    std::unique_ptr<gw::GatewayRuntime> runtime;
    std::function<void()> maybe_done;

    net::Listener sip_listener(&fx.loop, [&](uv_loop_t* loop) -> net::Connection* {
      return new FakeSipConnection(
          loop, "fake-proxy", [&](FakeSipConnection& c, sip::SipMessage&& m) {
            REQUIRE(m.is_request());
            proxy_got.push_back(m.method() + " " + m.to().uri + " " + m.body());
            const int status = m.to().uri == "sip:bob@sip.example" ? 200 : 404;
            auto resp = sip::SipMessage::make_response(m, status, {}, "proxy-tag");
            REQUIRE(resp.ok());
            c.send(*resp);
            if (status == 200 && uac == nullptr) {
              // Now the other way: the proxy's UAC writes to alice through the gateway.
              uac = new FakeSipConnection(&fx.loop, "fake-uac",
                                          [&](FakeSipConnection&, sip::SipMessage&& r) {
                                            REQUIRE(r.is_response());
                                            uac_status = r.status_code();
                                            maybe_done();
                                          });
              uac->connect("127.0.0.1", runtime->sip_port());
              uac->send(sip_message_to_alice());
            }
          });
    });
    REQUIRE(sip_listener.listen("127.0.0.1", 0).ok());

    gw::GatewayConfig config = gateway_config(edge_listener.port(), sip_listener.port());
    auto state = store::SqliteStore::open(":memory:");
    REQUIRE(state.ok());
    runtime = std::make_unique<gw::GatewayRuntime>(&fx.loop, config, **state);

    std::string error_condition;
    maybe_done = [&] {
      if (uac_status == 0 || error_condition.empty()) return;
      runtime->shutdown();
      edge_listener.close();
      sip_listener.close();
      if (uac != nullptr) uac->close();
    };
    edge.on_up = [&] {
      edge.send_partner_stanza(
          "<message xmlns='jabber:server' from='alice@xmpp.example/pc' to='bob@sip.example' "
          "type='chat' id='a1'><body>hello bob</body></message>");
      edge.send_partner_stanza(
          "<message xmlns='jabber:server' from='alice@xmpp.example/pc' "
          "to='nobody@sip.example' type='chat' id='a2'><body>anyone?</body></message>");
    };
    edge.on_stanza = [&](const xml::Element& e) {
      if (e.attr("type") == "error") {
        CHECK(e.attr("id") == "a2");
        CHECK(e.attr("to") == "alice@xmpp.example/pc");
        const xml::Element* error = e.child("error");
        REQUIRE(error != nullptr);
        error_condition = error->children().empty() ? "?" : error->children()[0]->name();
      }
      maybe_done();
    };

    REQUIRE(runtime->start().ok());
    fx.run(10000);

    CHECK(edge.up == false);
    REQUIRE(proxy_got.size() == 2);
    CHECK(proxy_got[0] == "MESSAGE sip:bob@sip.example hello bob");
    CHECK(proxy_got[1] == "MESSAGE sip:nobody@sip.example anyone?");
    CHECK(uac_status == 202);
    CHECK(error_condition == "item-not-found");
    REQUIRE(edge.received.size() == 2);
    const xml::Element* to_alice = nullptr;
    for (const xml::Element& e : edge.received) {
      if (e.attr("type") == "chat") to_alice = &e;
    }
    REQUIRE(to_alice != nullptr);
    CHECK(to_alice->attr("from") == "bob@sip.example");
    CHECK(to_alice->attr("to") == "alice@xmpp.example");
    CHECK(to_alice->child_text("body") == "hello alice");
    runtime.reset();
  }
  fx.finish();
}
