// Fake s2s sessions, session factory and gateway links for driving the edge Router without a
// loop or a socket: each records what the router asked of it.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/xml/stanza_reader.h"
#include "edge-proxy/router.h"

namespace router_fakes {

using xf::Result;
using xf::edge::EdgeConfig;
using xf::edge::GatewayPort;
using xf::edge::Router;
using xf::edge::S2sFactory;
using xf::edge::S2sPort;
using xf::xmpp::DialbackRequest;
using xf::xmpp::PeerAuth;
using xf::xmpp::StanzaError;
using xf::xmpp::StreamError;
namespace relay = xf::relay;
namespace xml = xf::xml;

struct FakeSession : S2sPort {
  FakeSession(std::uint64_t id, bool inbound, std::string local = {}, std::string remote = {})
      : id_(id), inbound_(inbound), local_(std::move(local)), remote_(std::move(remote)) {}

  // Set by the test: the stream's state.
  std::string ip = "192.0.2.1";
  std::string sid = "stream-1";
  std::set<std::pair<std::string, std::string>> pairs;  // Authenticated (local, remote).
  bool verify_ready = false;
  // When set, end() reports the close to the router as a real session does.
  Router* router = nullptr;

  // Recorded.
  std::vector<xml::Element> sent;
  std::vector<DialbackRequest> verifies;
  std::vector<std::string> verdicts;  // "remote local valid|invalid"
  std::optional<StreamError> ended_with;
  bool ended = false;
  bool reading = true;

  std::uint64_t id() const override { return id_; }
  bool inbound() const override { return inbound_; }
  std::string peer_ip() const override { return ip; }
  const std::string& stream_id() const override { return sid; }
  const std::string& local_domain() const override { return local_; }
  const std::string& remote_domain() const override { return remote_; }
  bool is_authenticated(std::string_view local, std::string_view remote) const override {
    return pairs.count({std::string(local), std::string(remote)}) > 0;
  }
  bool authenticated() const override { return !pairs.empty(); }
  bool ready_for_verify() const override { return verify_ready; }
  void send_stanza(const xml::Element& stanza) override {
    CHECK_FALSE(ended);
    sent.push_back(stanza);
  }
  void send_verify(const DialbackRequest& request) override { verifies.push_back(request); }
  void complete_dialback(std::string_view remote, std::string_view local, bool valid) override {
    verdicts.push_back(std::string(remote) + " " + std::string(local) +
                       (valid ? " valid" : " invalid"));
  }
  void set_reading(bool on) override { reading = on; }
  void end(const xf::xmpp::StreamFailure* failure) override {
    if (ended) return;
    ended = true;
    if (failure != nullptr) ended_with = failure->condition;
    if (router != nullptr) router->session_closed(*this, nullptr);
  }
  std::string describe() const override { return "fake session"; }

  // The pair this outbound session was opened for is now authenticated.
  void authenticate(Router& r) {
    pairs.insert({local_, remote_});
    r.authenticated(*this, local_, remote_);
  }

 private:
  std::uint64_t id_;
  bool inbound_;
  std::string local_;
  std::string remote_;
};

struct FakeFactory : S2sFactory {
  std::uint64_t next_id = 100;
  std::vector<std::pair<std::string, std::string>> asked;  // (local, remote) per call.
  std::vector<std::unique_ptr<FakeSession>> made;
  Router* router = nullptr;  // Handed to every session made.

  S2sPort* open_outbound(const std::string& local, const std::string& remote) override {
    asked.emplace_back(local, remote);
    made.push_back(std::make_unique<FakeSession>(next_id++, false, local, remote));
    made.back()->router = router;
    return made.back().get();
  }
  FakeSession& last() {
    REQUIRE_FALSE(made.empty());
    return *made.back();
  }
};

struct FakeGateway : GatewayPort {
  struct Bounce {
    std::uint64_t ref_seq = 0;
    StanzaError condition = StanzaError::undefined_condition;
    relay::RoutingFacts facts;
    std::string xml;
  };

  FakeGateway(std::uint64_t id, std::string name) : id_(id), name_(std::move(name)) {}

  // Set by the test.
  std::size_t queued = 0;
  bool refuse_send = false;
  // After the router was told the link closed, nothing may reach it.
  bool gone = false;
  bool reading = true;

  // Recorded.
  std::vector<std::pair<relay::RoutingFacts, std::string>> stanzas;
  std::vector<std::uint64_t> delivered;
  std::vector<Bounce> bounces;

  // The router's session for this gateway once it is up: what is sent is kept in it and what
  // is completed is marked in it, as a relay::Link does.
  relay::Session* session = nullptr;
  std::vector<relay::Receipt> completed;

  std::uint64_t id() const override { return id_; }
  const std::string& name() const override { return name_; }
  std::size_t queued_bytes() const override { return queued; }
  Result<std::uint64_t> send(const relay::Message& message) override {
    CHECK_FALSE(gone);
    if (refuse_send) return xf::fail(xf::Errc::limit_exceeded, "frame too large");
    std::uint64_t seq = 0;
    if (session != nullptr) {
      auto stored = session->queue(message, 0, relay::kDefaultMaxPayloadBytes);
      if (!stored) return xf::fail(stored.error());
      seq = (*stored)->seq;
    }
    if (const auto* m = std::get_if<relay::StanzaMsg>(&message)) {
      stanzas.emplace_back(m->facts, m->xml);
      if (seq == 0) seq = stanzas.size();
    } else if (const auto* d = std::get_if<relay::DeliveredMsg>(&message)) {
      delivered.push_back(d->ref_seq);
    } else if (const auto* b = std::get_if<relay::BounceMsg>(&message)) {
      bounces.push_back(Bounce{b->ref_seq, b->condition, b->facts, b->xml});
    }
    return seq;
  }
  void complete(relay::Receipt receipt) override {
    CHECK_FALSE(gone);
    completed.push_back(receipt);
    if (session != nullptr) session->complete(receipt);
  }
  void set_reading(bool on) override { reading = on; }
  std::string describe() const override { return name_; }

 private:
  std::uint64_t id_;
  std::string name_;
};

// sip.example is hosted; xmpp.example is a partner.
inline EdgeConfig edge_config() {
  EdgeConfig c;
  c.hosted_domains.push_back({"sip.example", "cert.pem", "key.pem"});
  c.s2s.dialback_secret = "0123456789abcdef";
  return c;
}

// A router wired to fakes. Members are declared so that the fakes outlive the router.
struct Harness {
  EdgeConfig config = edge_config();
  FakeFactory factory;
  std::vector<std::unique_ptr<FakeSession>> inbound;
  xf::Millis now = 1000;
  int deadline_changes = 0;
  Router router{config, factory,
                Router::Timekeeper{[this] { return now; }, [this] { ++deadline_changes; }}, 77};
  xml::StanzaReader reader{"jabber:server"};

  Harness() { factory.router = &router; }

  // An accepted inbound session with (local, remote) authenticated on it.
  FakeSession& partner_session(const std::string& remote = "xmpp.example",
                               const std::string& local = "sip.example") {
    inbound.push_back(std::make_unique<FakeSession>(inbound.size() + 1, true, local, remote));
    FakeSession& s = *inbound.back();
    s.router = &router;
    router.session_opened(s);
    s.pairs.insert({local, remote});
    return s;
  }
  // The gateway's link comes up; its hello says it starts numbering at first_seq.
  void gateway_up(FakeGateway& g, std::uint64_t peer_token = 5, std::uint64_t first_seq = 1) {
    router.gateway_opened(g);
    g.session = router.gateway_session(g.name());
    g.session->peer_hello(peer_token, first_seq);
    router.on_link_event(g, relay::LinkEstablished{g.name(), 1, relay::Role::gateway});
  }
  xml::Element stanza(const std::string& text) {
    auto e = reader.read(text);
    REQUIRE(e.ok());
    return std::move(e.value());
  }
  void from_partner(FakeSession& s, const std::string& text, PeerAuth auth = PeerAuth::dialback) {
    router.partner_stanza(s, stanza(text), s.local_domain(), s.remote_domain(), auth);
  }
  void from_gateway(FakeGateway& g, std::uint64_t seq, const std::string& text,
                    const std::string& local = "sip.example",
                    const std::string& remote = "xmpp.example") {
    relay::RoutingFacts facts{local, remote, relay::Direction::outbound, PeerAuth::none, ""};
    relay::Receipt receipt{0, seq};
    if (g.session != nullptr) {
      g.session->receive(seq);
      receipt = g.session->receipt(seq);
    }
    router.on_link_event(g, relay::StanzaReceived{seq, relay::StanzaMsg{facts, text}, receipt});
  }
  xml::Element relayed(const FakeGateway& g, std::size_t i) {
    REQUIRE(g.stanzas.size() > i);
    return stanza(g.stanzas[i].second);
  }
};

}  // namespace router_fakes
