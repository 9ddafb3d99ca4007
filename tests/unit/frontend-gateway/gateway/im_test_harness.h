// Fakes and helpers shared by the session-mode IM and chat-state tests of the gateway core.
#pragma once

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/xml/stanza_reader.h"
#include "frontend-gateway/gateway.h"

namespace im_test {

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
  bool any_link_up() const override { return up; }
  Result<RelayRef> send_stanza(const relay::RoutingFacts& facts, std::string_view xml) override {
    if (!up) return xf::fail(xf::Errc::not_found, "no link");
    sent.emplace_back(facts, std::string(xml));
    return RelayRef{0, ++next_seq};
  }
};

struct FakeSip : xf::gw::SipPort {
  std::optional<std::string> sent_by = std::string("127.0.0.11:40000");
  std::vector<std::pair<std::uint64_t, std::string>> responses;
  std::vector<std::string> requests;
  bool send_on(std::uint64_t connection, std::string bytes) override {
    responses.emplace_back(connection, std::move(bytes));
    return true;
  }
  std::optional<std::string> next_hop_sent_by() override { return sent_by; }
  bool send_to_next_hop(std::string bytes) override {
    if (!sent_by) return false;
    requests.push_back(std::move(bytes));
    return true;
  }
};

struct FakeClock : xf::gw::GatewayClock {
  Millis time = 1000;
  Millis wake = xf::kNoDeadline;
  Millis now() const override { return time; }
  void wake_at(Millis deadline) override { wake = deadline; }
};

inline GatewayConfig test_config() {
  GatewayConfig c;
  c.local_domains = {"sip.example"};
  xf::gw::Partner p;
  p.domain = "xmpp.example";
  c.partners = {p};
  c.sip.listen_address = "127.0.0.11";
  c.sip.listen_port = 5060;
  c.sip.t1_ms = 500;
  c.sip.max_pending_requests = 10;
  return c;
}

inline SipMessage parse(const std::string& bytes) {
  auto m = SipMessage::parse(bytes);
  REQUIRE(m.ok());
  return std::move(m.value());
}

// The IM offer of a Lync 2013 / Skype for Business client.
inline const std::string kLyncOffer =
    "v=0\r\n"
    "o=- 0 0 IN IP4 127.0.0.7\r\n"
    "s=session\r\n"
    "c=IN IP4 127.0.0.7\r\n"
    "t=0 0\r\n"
    "m=message 5060 sip null\r\n"
    "a=accept-types:text/plain multipart/alternative image/gif text/rtf text/html "
    "application/x-ms-ink application/ms-imdn+xml text/x-msmsgsinvite\r\n";

inline const std::string kAudioOffer =
    "v=0\r\n"
    "o=- 0 0 IN IP4 127.0.0.7\r\n"
    "s=call\r\n"
    "c=IN IP4 127.0.0.7\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";

// A request from bob's UA at 127.0.0.7:5090 as Kamailio (127.0.0.4, record-routing) relays it.
struct Req {
  std::string method = "MESSAGE";
  std::string request_uri = "sip:alice@xmpp.example";
  std::string from = "sip:bob@sip.example";
  std::string to = "sip:alice@xmpp.example";
  std::string from_tag = "bobtag";
  std::string to_tag;
  std::string call_id = "lync-call-1";
  unsigned cseq = 1;
  std::string cseq_method;  // "" = method.
  std::string branch = "z9hG4bKk1";
  std::string content_type;
  std::string body;
  std::vector<std::string> extra;  // Whole header lines.
  bool record_route = false;

  std::string wire() const {
    std::string s = method + " " + request_uri + " SIP/2.0\r\n";
    s += "Via: SIP/2.0/TCP 127.0.0.4:5060;branch=" + branch + "\r\n";
    s += "Via: SIP/2.0/TCP 127.0.0.7:5090;branch=z9hG4bKuac" + branch + "\r\n";
    if (record_route) s += "Record-Route: <sip:127.0.0.4;transport=tcp;lr>\r\n";
    s += "From: <" + from + ">;tag=" + from_tag + "\r\n";
    s += "To: <" + to + ">" + (to_tag.empty() ? "" : ";tag=" + to_tag) + "\r\n";
    s += "Call-ID: " + call_id + "\r\n";
    s += "CSeq: " + std::to_string(cseq) + " " + (cseq_method.empty() ? method : cseq_method) +
         "\r\n";
    s += "Max-Forwards: 69\r\n";
    s += "Contact: <sip:bob@127.0.0.7:5090;transport=tcp>\r\n";
    for (const auto& line : extra) s += line + "\r\n";
    if (!content_type.empty()) s += "Content-Type: " + content_type + "\r\n";
    s += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return s;
  }
  SipMessage message() const { return parse(wire()); }
};

inline relay::LinkEvent partner_stanza(const std::string& xml) {
  relay::StanzaMsg msg{{"sip.example", "xmpp.example", relay::Direction::inbound,
                        relay::PartnerAuth::dialback, "stream-1"},
                       xml};
  return relay::StanzaReceived{1, std::move(msg)};
}

inline relay::LinkEvent delivered(std::uint64_t seq) {
  return relay::DeliveredReceived{1, relay::DeliveredMsg{seq}};
}

inline SipMessage response_to(const std::string& request_bytes, int status) {
  SipMessage req = parse(request_bytes);
  auto resp = SipMessage::make_response(req, status, {}, "uas-tag");
  REQUIRE(resp.ok());
  auto text = resp->to_string();
  REQUIRE(text.ok());
  return parse(*text);
}

struct Harness {
  explicit Harness(GatewayConfig c = test_config()) : config(std::move(c)) {}

  GatewayConfig config;
  FakeRelay relay;
  FakeSip sip;
  FakeClock clock;
  Gateway gateway{config, relay, sip, clock, 1234};
  xml::StanzaReader reader;

  void from_sip(const Req& r) { gateway.on_sip_message(7, r.message()); }
  void from_partner(const std::string& xml) { gateway.on_relay_event(0, partner_stanza(xml)); }
  // Lets the delivery grace window of MESSAGEs delivered now run out (their 202).
  void end_grace() {
    clock.time += config.sip.delivery_grace_ms;
    gateway.on_timer();
  }

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

}  // namespace im_test
