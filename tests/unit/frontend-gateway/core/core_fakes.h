// Fake relay, SIP and clock ports for driving the gateway core without sockets, and the helpers
// every core test needs; the IM, presence and plain gateway harnesses build on these.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/xml/stanza_reader.h"
#include "frontend-gateway/core/gateway.h"
#include "frontend-gateway/sip/sip_message.h"
#include "frontend-gateway/store/sqlite_store.h"

namespace core_fakes {

using xf::Millis;
using xf::Result;
using xf::gw::Gateway;
using xf::gw::GatewayConfig;
using xf::gw::RelayRef;
using xf::sip::SipMessage;
namespace relay = xf::relay;
namespace xml = xf::xml;

struct FakeRelay : xf::gw::RelayPort {
  bool up = true;
  std::uint64_t next_seq = 0;
  std::vector<std::pair<relay::RoutingFacts, std::string>> sent;
  bool can_relay() const override { return up; }
  bool backlog = false;
  bool reading = true;
  bool backlogged() const override { return backlog; }
  void set_reading(bool on) override { reading = on; }
  Result<RelayRef> send_stanza(const relay::RoutingFacts& facts, std::string_view xml) override {
    if (!up) return xf::fail(xf::Errc::not_found, "no link");
    sent.emplace_back(facts, std::string(xml));
    return RelayRef{0, ++next_seq};
  }
  std::vector<xf::gw::InboundRef> completed;
  void complete(const xf::gw::InboundRef& ref) override { completed.push_back(ref); }
};

// Without sent_by there is no next-hop connection; each ask for one is counted. writable false
// makes writes to an open next hop fail (a connection that is closing).
struct FakeSip : xf::gw::SipPort {
  std::optional<std::string> sent_by = std::string("127.0.0.11:40000");
  bool writable = true;
  int connects_asked = 0;
  std::vector<std::pair<std::uint64_t, std::string>> responses;
  std::vector<std::string> requests;
  bool send_on(std::uint64_t connection, std::string bytes) override {
    responses.emplace_back(connection, std::move(bytes));
    return true;
  }
  bool backlog = false;
  bool inbound_reading = true;
  bool next_hop_backlogged() const override { return backlog; }
  void set_inbound_reading(bool on) override { inbound_reading = on; }
  std::optional<std::string> next_hop_sent_by() const override { return sent_by; }
  void ensure_next_hop() override {
    if (!sent_by) ++connects_asked;
  }
  bool send_to_next_hop(std::string bytes) override {
    if (!sent_by || !writable) return false;
    requests.push_back(std::move(bytes));
    return true;
  }
};

// Monotonic and wall time move together, wall_offset apart; a restarted gateway gets a clock
// whose monotonic time starts over while wall time goes on.
struct FakeClock : xf::gw::GatewayClock {
  Millis time = 1000;
  std::int64_t wall_offset = 0;
  Millis wake = xf::kNoDeadline;
  Millis now() const override { return time; }
  void wake_at(Millis deadline) override { wake = deadline; }
  std::int64_t wall_now() const override { return time + wall_offset; }
};

// sip.example on the SIP side, federating with the partner xmpp.example.
inline GatewayConfig base_config() {
  GatewayConfig c;
  c.local_domains = {"sip.example"};
  xf::gw::Partner p;
  p.domain = "xmpp.example";
  c.partners = {p};
  return c;
}

inline SipMessage parse(const std::string& bytes) {
  auto m = SipMessage::parse(bytes);
  REQUIRE(m.ok());
  return std::move(m.value());
}

// The message as the peer receives it: through the wire format.
inline SipMessage wire(const SipMessage& m) {
  auto text = m.to_string();
  REQUIRE(text.ok());
  return parse(*text);
}

inline SipMessage response_to(const std::string& request_bytes, int status) {
  SipMessage req = parse(request_bytes);
  auto resp = SipMessage::make_response(req, status, {}, "uas-tag");
  REQUIRE(resp.ok());
  return wire(*resp);
}

inline relay::LinkEvent partner_stanza(const std::string& xml,
                                       const std::string& remote = "xmpp.example",
                                       const std::string& local = "sip.example") {
  relay::StanzaMsg msg{
      {local, remote, relay::Direction::inbound, relay::PartnerAuth::dialback, "stream-1"}, xml};
  return relay::StanzaReceived{1, std::move(msg), relay::Receipt{5, 1}};
}

// An empty state store in memory: what the core keeps across restarts, for one test.
inline std::unique_ptr<xf::store::StateStore> memory_store() {
  auto opened = xf::store::SqliteStore::open(":memory:");
  REQUIRE(opened.ok());
  return std::move(opened.value());
}

// The ports a harness hands to its Gateway, and what went out through them. A harness derives
// from this so that the ports (and the store) outlive the gateway that points at them.
struct CorePorts {
  FakeRelay relay;
  FakeSip sip;
  FakeClock clock;
  std::unique_ptr<xf::store::StateStore> store = memory_store();
  xml::StanzaReader reader;

  xml::Element relayed(std::size_t i) {
    REQUIRE(relay.sent.size() > i);
    auto e = reader.read(relay.sent[i].second);
    REQUIRE(e.ok());
    return std::move(e.value());
  }
  SipMessage response(std::size_t i) {
    REQUIRE(sip.responses.size() > i);
    return parse(sip.responses[i].second);
  }
  SipMessage request(std::size_t i) {
    REQUIRE(sip.requests.size() > i);
    return parse(sip.requests[i]);
  }
};

}  // namespace core_fakes
