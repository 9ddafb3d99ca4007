#include "frontend-gateway/sip/transaction_layer.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "frontend-gateway/sip/sip_syntax.h"

namespace {

using xf::Millis;
using xf::sip::ClientEvent;
using xf::sip::ServerMatch;
using xf::sip::SipMessage;
using xf::sip::TransactionConfig;
using xf::sip::TransactionLayer;

SipMessage request(const std::string& branch, const std::string& method = "MESSAGE",
                   const std::string& sent_by = "gw.example.com:5060") {
  auto req = SipMessage::make_request(method, "sip:bob@sip.example.com");
  REQUIRE(req.ok());
  REQUIRE(req->set_from({"", "sip:romeo@partner.example", "f1"}).ok());
  REQUIRE(req->set_to({"", "sip:bob@sip.example.com", ""}).ok());
  REQUIRE(req->set_call_id("call-1").ok());
  REQUIRE(req->set_cseq(1, method).ok());
  REQUIRE(req->push_via("TCP", sent_by, branch).ok());
  return std::move(req.value());
}

SipMessage response(const SipMessage& req, int status) {
  auto resp = SipMessage::make_response(req, status, {}, "t1");
  REQUIRE(resp.ok());
  // Responses come back through the transport as bytes.
  auto text = resp->to_string();
  REQUIRE(text.ok());
  auto parsed = SipMessage::parse(*text);
  REQUIRE(parsed.ok());
  return std::move(parsed.value());
}

}  // namespace

TEST_CASE("TransactionLayer generates RFC 3261 branch ids", "[unit][sip]") {
  xf::TokenSource tokens(7);
  TransactionLayer layer({}, tokens);
  const std::string a = layer.new_branch();
  const std::string b = layer.new_branch();
  CHECK(a.rfind("z9hG4bK", 0) == 0);
  CHECK(a.size() == 7 + 16);
  CHECK(a != b);
  CHECK(xf::sip::is_token(a));
}

TEST_CASE("Client transaction: provisional then final response", "[unit][sip]") {
  xf::TokenSource tokens(1);
  TransactionLayer layer({}, tokens);
  const SipMessage req = request(layer.new_branch());
  auto id = layer.start_client(req, 1000);
  REQUIRE(id.ok());
  CHECK(layer.next_deadline() == 1000 + 64 * 500);

  auto trying = layer.on_response(response(req, 100), 1100);
  REQUIRE(trying.has_value());
  CHECK(trying->kind == ClientEvent::Kind::provisional);
  CHECK(trying->id == *id);
  CHECK(layer.client_count() == 1);

  auto ok = layer.on_response(response(req, 202), 1200);
  REQUIRE(ok.has_value());
  CHECK(ok->kind == ClientEvent::Kind::final_response);
  CHECK(ok->id == *id);
  REQUIRE(ok->response.has_value());
  CHECK(ok->response->status_code() == 202);
  // Timer K is zero on reliable transports: the transaction is gone, no deadline remains.
  CHECK(layer.client_count() == 0);
  CHECK(layer.next_deadline() == xf::kNoDeadline);
  // A duplicate final response is stray now.
  CHECK_FALSE(layer.on_response(response(req, 202), 1300).has_value());
}

TEST_CASE("Client transaction times out at Timer F with a fake clock", "[unit][sip]") {
  TransactionConfig config;
  config.timers.t1 = 100;  // Timer F = 6400 ms.
  xf::TokenSource tokens(2);
  TransactionLayer layer(config, tokens);
  const SipMessage req = request(layer.new_branch());
  auto id = layer.start_client(req, 0);
  REQUIRE(id.ok());
  CHECK(layer.next_deadline() == 6400);
  CHECK(layer.on_timer(6399).empty());
  // A provisional response does not extend Timer F.
  REQUIRE(layer.on_response(response(req, 180), 3000).has_value());
  CHECK(layer.next_deadline() == 6400);
  auto fired = layer.on_timer(6400);
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].kind == ClientEvent::Kind::timeout);
  CHECK(fired[0].id == *id);
  CHECK_FALSE(fired[0].response.has_value());
  CHECK(layer.client_count() == 0);
  // A late final response is stray.
  CHECK_FALSE(layer.on_response(response(req, 200), 6500).has_value());
}

TEST_CASE("Client transactions match by branch and CSeq method", "[unit][sip]") {
  xf::TokenSource tokens(3);
  TransactionLayer layer({}, tokens);
  const SipMessage a = request(layer.new_branch());
  const SipMessage b = request(layer.new_branch());
  auto ida = layer.start_client(a, 0);
  auto idb = layer.start_client(b, 0);
  REQUIRE(ida.ok());
  REQUIRE(idb.ok());
  CHECK(*ida != *idb);
  CHECK_FALSE(layer.start_client(a, 0).ok());  // Branch in use.
  auto rb = layer.on_response(response(b, 404), 10);
  REQUIRE(rb.has_value());
  CHECK(rb->id == *idb);
  // Same branch, other method: no match.
  const SipMessage other = request(a.top_via_branch(), "OPTIONS");
  CHECK_FALSE(layer.on_response(response(other, 200), 10).has_value());
  CHECK(layer.client_count() == 1);
  // Requests without a magic-cookie branch, and INVITE, are refused.
  CHECK_FALSE(layer.start_client(request("abc"), 0).ok());
  CHECK_FALSE(layer.start_client(request(layer.new_branch(), "INVITE"), 0).ok());
}

TEST_CASE("Server transaction absorbs repeats until its final response, which ends it (Timer J 0)",
          "[unit][sip]") {
  xf::TokenSource tokens(4);
  TransactionLayer layer({}, tokens);
  const SipMessage req = request("z9hG4bKremote1", "MESSAGE", "proxy.example.com:5060");
  auto first = layer.on_request(req, 0);
  CHECK(first.kind == ServerMatch::Kind::new_request);

  // Repeated before any response: absorbed, nothing to resend.
  auto early = layer.on_request(req, 10);
  CHECK(early.kind == ServerMatch::Kind::retransmission);
  CHECK(early.resend.empty());

  // The same branch from another sent-by is another transaction.
  const SipMessage twin = request("z9hG4bKremote1", "MESSAGE", "other.example.com");
  CHECK(layer.on_request(twin, 15).kind == ServerMatch::Kind::new_request);
  CHECK(layer.server_count() == 2);

  auto resp = SipMessage::make_response(req, 200, {}, "gw1");
  REQUIRE(resp.ok());
  auto bytes = layer.send_response(*resp, 20);
  REQUIRE(bytes.ok());
  CHECK(bytes->rfind("SIP/2.0 200 OK\r\n", 0) == 0);

  // RFC 3261 §17.2.2: on a reliable transport Timer J is zero, so the final response ends the
  // transaction at once and frees its slot; no deadline of it remains.
  CHECK(layer.server_count() == 1);
  // A second final response has no transaction left to answer.
  CHECK_FALSE(layer.send_response(*resp, 40).ok());
  // The twin still waits for its transaction user (abandoned after 64*T1).
  CHECK(layer.next_deadline() == 15 + 64 * 500);
  layer.on_timer(15 + 64 * 500);
  CHECK(layer.server_count() == 0);
  CHECK(layer.next_deadline() == xf::kNoDeadline);
}

TEST_CASE("Server transaction: a provisional response is resent for a repeated request",
          "[unit][sip]") {
  xf::TokenSource tokens(6);
  TransactionLayer layer({}, tokens);
  const SipMessage req = request("z9hG4bKremote2", "MESSAGE", "proxy.example.com:5060");
  REQUIRE(layer.on_request(req, 0).kind == ServerMatch::Kind::new_request);
  auto trying = SipMessage::make_response(req, 100, {}, {});
  REQUIRE(trying.ok());
  auto bytes = layer.send_response(*trying, 5);
  REQUIRE(bytes.ok());
  auto again = layer.on_request(req, 10);
  CHECK(again.kind == ServerMatch::Kind::retransmission);
  CHECK(again.resend == *bytes);
  CHECK(layer.server_count() == 1);
}

TEST_CASE("Server transactions: ACK, abandonment, bad branches and limits", "[unit][sip]") {
  TransactionConfig config;
  config.max_transactions = 2;
  xf::TokenSource tokens(5);
  TransactionLayer layer(config, tokens);

  const SipMessage invite = request("z9hG4bKinv", "INVITE");
  CHECK(layer.on_request(invite, 0).kind == ServerMatch::Kind::new_request);
  auto busy = SipMessage::make_response(invite, 486, {}, "x");
  REQUIRE(busy.ok());
  REQUIRE(layer.send_response(*busy, 5).ok());
  // The ACK of a non-2xx final response belongs to the INVITE transaction.
  CHECK(layer.on_request(request("z9hG4bKinv", "ACK"), 6).kind ==
        ServerMatch::Kind::retransmission);
  // An ACK for a 2xx has a fresh branch and no transaction.
  CHECK(layer.on_request(request("z9hG4bKack2", "ACK"), 6).kind == ServerMatch::Kind::ack);

  // No magic cookie: refused (answer 400).
  auto old = layer.on_request(request("1234"), 7);
  CHECK(old.kind == ServerMatch::Kind::rejected);
  CHECK(old.error.code == xf::Errc::protocol_error);

  // A request the TU never answers is abandoned after 64*T1.
  CHECK(layer.on_request(request("z9hG4bKquiet"), 10).kind == ServerMatch::Kind::new_request);
  auto full = layer.on_request(request("z9hG4bKthird"), 11);
  CHECK(full.kind == ServerMatch::Kind::rejected);
  CHECK(full.error.code == xf::Errc::limit_exceeded);
  CHECK_FALSE(layer.start_client(request(layer.new_branch()), 11).ok());
  CHECK(layer.next_deadline() == 5 + 64 * 500);
  layer.on_timer(10 + 64 * 500);
  CHECK(layer.server_count() == 0);
  CHECK(layer.next_deadline() == xf::kNoDeadline);

  // A response for no transaction is refused.
  auto stray = SipMessage::make_response(request("z9hG4bKnone"), 200);
  REQUIRE(stray.ok());
  CHECK_FALSE(layer.send_response(*stray, 0).ok());
}

TEST_CASE("Transactions at 50,000 MESSAGEs/s each way stay far below the cap over TCP",
          "[unit][sip]") {
  // Every millisecond 50 requests arrive (server transactions, answered 250 ms later: the edge's
  // round trip plus the delivery grace window) and 50 go out (client transactions, answered
  // 10 ms later). Final responses end both at once (Timers J and K are zero), so what is live
  // is what is in progress: 50 * 250 + 50 * 10, whatever the run's length.
  xf::TokenSource tokens(8);
  TransactionLayer layer({}, tokens);
  constexpr int kPerMs = 50;
  constexpr Millis kServerLife = 250;
  constexpr Millis kClientLife = 10;
  constexpr Millis kRun = 400;
  std::vector<std::vector<SipMessage>> answer_server(kRun + kServerLife + 1);
  std::vector<std::vector<SipMessage>> answer_client(kRun + kClientLife + 1);
  std::size_t peak = 0;
  int refused = 0;
  for (Millis now = 0; now <= kRun + kServerLife; ++now) {
    for (const SipMessage& req : answer_server[static_cast<std::size_t>(now)]) {
      auto ok = SipMessage::make_response(req, 202, {}, "gw");
      REQUIRE(ok.ok());
      REQUIRE(layer.send_response(*ok, now).ok());
    }
    if (now <= kRun + kClientLife) {
      for (const SipMessage& req : answer_client[static_cast<std::size_t>(now)]) {
        auto event = layer.on_response(response(req, 200), now);
        REQUIRE(event.has_value());
        CHECK(event->kind == ClientEvent::Kind::final_response);
      }
    }
    if (now < kRun) {
      for (int i = 0; i < kPerMs; ++i) {
        const std::string n = std::to_string(now) + "x" + std::to_string(i);
        SipMessage in = request("z9hG4bKin" + n, "MESSAGE", "proxy.example.com:5060");
        if (layer.on_request(in, now).kind != ServerMatch::Kind::new_request) ++refused;
        answer_server[static_cast<std::size_t>(now + kServerLife)].push_back(std::move(in));
        SipMessage out = request(layer.new_branch());
        if (!layer.start_client(out, now).ok()) ++refused;
        answer_client[static_cast<std::size_t>(now + kClientLife)].push_back(std::move(out));
      }
    }
    peak = std::max(peak, layer.server_count() + layer.client_count());
  }
  CHECK(refused == 0);
  CHECK(peak == kPerMs * (kServerLife + kClientLife));
  CHECK(peak < TransactionConfig{}.max_transactions / 2);
  CHECK(layer.server_count() + layer.client_count() == 0);
  CHECK(layer.next_deadline() == xf::kNoDeadline);
}
