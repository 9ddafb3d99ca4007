// Helpers shared by the session-mode IM and chat-state tests of the gateway core, on top of the
// fake ports in core_fakes.h.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "tests/unit/frontend-gateway/core/core_fakes.h"

namespace im_test {

using namespace core_fakes;

inline GatewayConfig test_config() {
  GatewayConfig c = base_config();
  c.sip.listen_address = "127.0.0.11";
  c.sip.listen_port = 5060;
  c.sip.t1_ms = 500;
  c.sip.max_pending_requests = 10;
  return c;
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

inline relay::LinkEvent delivered(std::uint64_t seq) {
  return relay::DeliveredReceived{1, relay::DeliveredMsg{seq}};
}

struct Harness : CorePorts {
  explicit Harness(GatewayConfig c = test_config()) : config(std::move(c)) {}

  GatewayConfig config;
  Gateway gateway{config, relay, sip, clock, *store, 1234};

  void from_sip(const Req& r) { gateway.on_sip_message(7, r.message()); }
  void from_partner(const std::string& xml) { gateway.on_relay_event(0, partner_stanza(xml)); }
  // Lets the delivery grace window of MESSAGEs delivered now run out (their 202).
  void end_grace() {
    clock.time += config.sip.delivery_grace_ms;
    gateway.on_timer();
  }
};

}  // namespace im_test
