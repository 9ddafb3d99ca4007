// Helpers shared by the presence tests: the gateway core with the fake ports of core_fakes.h
// over a real SQLite store, and a SIP peer that builds what Kamailio and a SIP UA would send.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "frontend-gateway/store/sqlite_store.h"
#include "tests/unit/frontend-gateway/core/core_fakes.h"

namespace presence_test {

using namespace core_fakes;
namespace store = xf::store;

// How far a harness's wall time runs ahead of its monotonic time.
constexpr std::int64_t kWallOffset = 1'700'000'000'000;

inline GatewayConfig config(xf::gw::PartnerType type = xf::gw::PartnerType::federated) {
  GatewayConfig c = base_config();
  c.node_name = "gw.test";
  c.sip.listen_address = "127.0.0.11";
  c.sip.listen_port = 5060;
  c.partners[0].partner_type = type;
  c.gateway.subscription_refresh_interval_s = 3600;
  return c;
}

inline std::string presence(const std::string& type, const std::string& from = "alice@xmpp.example",
                            const std::string& to = "bob@sip.example",
                            const std::string& children = "") {
  std::string out = "<presence xmlns='jabber:server' from='" + from + "' to='" + to + "'";
  if (!type.empty()) out += " type='" + type + "'";
  return out + ">" + children + "</presence>";
}

// A response from the SIP side to a request the gateway sent, as the proxy relays it.
inline SipMessage answer(const std::string& request_bytes, int status,
                         const std::vector<std::pair<std::string, std::string>>& headers = {},
                         const std::string& to_tag = "uas-tag") {
  SipMessage req = parse(request_bytes);
  auto resp = SipMessage::make_response(req, status, {}, to_tag);
  REQUIRE(resp.ok());
  if (status >= 200 && status < 300) {
    REQUIRE(resp->set_contact("sip:bob@127.0.0.6:5070;transport=tcp").ok());
    REQUIRE(resp->add_record_route("<sip:127.0.0.4;transport=tcp;lr>").ok());
  }
  for (const auto& [name, value] : headers) REQUIRE(resp->add_header(name, value).ok());
  return wire(*resp);
}

// A NOTIFY from the internal user's notifier in the dialog a SUBSCRIBE created.
inline SipMessage notify_for(const std::string& subscribe_bytes, std::uint32_t cseq,
                             const std::string& state, const std::string& pidf = "",
                             const std::string& from_tag = "uas-tag") {
  SipMessage sub = parse(subscribe_bytes);
  auto n = SipMessage::make_request("NOTIFY", *sub.contact_uri());
  REQUIRE(n.ok());
  REQUIRE(n->set_from({"", sub.to().uri, from_tag}).ok());
  REQUIRE(n->set_to({"", sub.from().uri, sub.from().tag}).ok());
  REQUIRE(n->set_call_id(sub.call_id()).ok());
  REQUIRE(n->set_cseq(cseq, "NOTIFY").ok());
  REQUIRE(n->push_via("TCP", "127.0.0.4:5060", "z9hG4bKnotify" + std::to_string(cseq)).ok());
  REQUIRE(n->set_max_forwards(69).ok());
  REQUIRE(n->set_contact("sip:bob@127.0.0.6:5070;transport=tcp").ok());
  REQUIRE(n->set_header("Event", "presence").ok());
  REQUIRE(n->set_header("Subscription-State", state).ok());
  if (!pidf.empty()) REQUIRE(n->set_body("application/pidf+xml", pidf).ok());
  return wire(*n);
}

inline std::string pidf(const std::string& basic, const std::string& note = "",
                        const std::string& activity = "") {
  std::string doc =
      "<?xml version='1.0' encoding='UTF-8'?><presence xmlns='urn:ietf:params:xml:ns:pidf' "
      "xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model' "
      "xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' entity='sip:bob@sip.example'>"
      "<tuple id='t1'><status><basic>" +
      basic + "</basic></status>";
  if (!note.empty()) doc += "<note>" + note + "</note>";
  doc += "</tuple>";
  if (!activity.empty()) {
    doc += "<dm:person id='p1'><rpid:activities><rpid:" + activity +
           "/></rpid:activities></dm:person>";
  }
  return doc + "</presence>";
}

// A SUBSCRIBE from an internal watcher, as Kamailio relays it to the gateway.
inline SipMessage watcher_subscribe(const std::string& expires = "600",
                                    const std::string& to = "sip:alice@xmpp.example",
                                    const std::string& event = "presence",
                                    const std::string& call_id = "watch-1",
                                    const std::string& branch = "z9hG4bKsub1") {
  auto s = SipMessage::make_request("SUBSCRIBE", to);
  REQUIRE(s.ok());
  REQUIRE(s->set_from({"", "sip:bob@sip.example", "bobtag"}).ok());
  REQUIRE(s->set_to({"", to, ""}).ok());
  REQUIRE(s->set_call_id(call_id).ok());
  REQUIRE(s->set_cseq(1, "SUBSCRIBE").ok());
  REQUIRE(s->push_via("TCP", "127.0.0.7:5080", "z9hG4bKua" + branch).ok());
  REQUIRE(s->push_via("TCP", "127.0.0.4:5060", branch).ok());
  REQUIRE(s->set_max_forwards(69).ok());
  REQUIRE(s->set_contact("sip:bob@127.0.0.7:5080;transport=tcp").ok());
  REQUIRE(s->add_record_route("<sip:127.0.0.4;transport=tcp;lr>").ok());
  if (!event.empty()) REQUIRE(s->set_header("Event", event).ok());
  REQUIRE(s->set_header("Accept", "application/pidf+xml").ok());
  if (!expires.empty()) REQUIRE(s->set_header("Expires", expires).ok());
  return wire(*s);
}

// The watcher's next SUBSCRIBE inside the dialog the gateway's 202 created.
inline SipMessage watcher_resubscribe(const std::string& response_bytes, std::uint32_t cseq,
                                      const std::string& expires) {
  SipMessage resp = parse(response_bytes);
  auto s = SipMessage::make_request("SUBSCRIBE", *resp.contact_uri());
  REQUIRE(s.ok());
  REQUIRE(s->set_from(resp.from()).ok());
  REQUIRE(s->set_to(resp.to()).ok());
  REQUIRE(s->set_call_id(resp.call_id()).ok());
  REQUIRE(s->set_cseq(cseq, "SUBSCRIBE").ok());
  REQUIRE(s->push_via("TCP", "127.0.0.4:5060", "z9hG4bKre" + std::to_string(cseq)).ok());
  REQUIRE(s->set_max_forwards(69).ok());
  REQUIRE(s->set_contact("sip:bob@127.0.0.7:5080;transport=tcp").ok());
  REQUIRE(s->set_header("Event", "presence").ok());
  REQUIRE(s->set_header("Expires", expires).ok());
  return wire(*s);
}

struct Harness : CorePorts {
  explicit Harness(GatewayConfig c = config(), std::shared_ptr<store::StateStore> st = nullptr)
      : cfg(std::move(c)), db(st ? std::move(st) : open_memory()) {
    clock.wall_offset = kWallOffset;
    gateway = std::make_unique<Gateway>(cfg, relay, sip, clock, *db, 77);
  }
  static std::shared_ptr<store::StateStore> open_memory() {
    auto s = store::SqliteStore::open(":memory:");
    REQUIRE(s.ok());
    return std::shared_ptr<store::StateStore>(std::move(s.value()));
  }

  GatewayConfig cfg;
  std::shared_ptr<store::StateStore> db;
  std::unique_ptr<Gateway> gateway;

  void partner(const std::string& xml) { gateway->on_relay_event(0, partner_stanza(xml)); }
  void from_sip(SipMessage&& m, std::uint64_t connection = 3) {
    gateway->on_sip_message(connection, std::move(m));
  }
  void advance_to(Millis t) {
    clock.time = t;
    gateway->on_timer();
  }
  std::string last_request() {
    REQUIRE(!sip.requests.empty());
    return sip.requests.back();
  }
};

}  // namespace presence_test
