// INVITE server transactions on reliable transports (RFC 3261 §17.2.1, RFC 6026), through the
// TransactionLayer and on their own, with a fake clock in milliseconds.
#include "frontend-gateway/sip/invite_server_transaction.h"

#include <catch2/catch.hpp>
#include <string>

#include "frontend-gateway/sip/transaction_layer.h"

namespace {

using xf::sip::InviteServerTransaction;
using xf::sip::ServerMatch;
using xf::sip::SipMessage;
using xf::sip::TransactionConfig;
using xf::sip::TransactionLayer;
using State = InviteServerTransaction::State;

SipMessage request(const std::string& method, const std::string& branch) {
  auto req = SipMessage::make_request(method, "sip:romeo@partner.example");
  REQUIRE(req.ok());
  REQUIRE(req->set_from({"", "sip:bob@sip.example.com", "b1"}).ok());
  REQUIRE(req->set_to({"", "sip:romeo@partner.example", ""}).ok());
  REQUIRE(req->set_call_id("inv-1").ok());
  REQUIRE(req->set_cseq(1, method).ok());
  REQUIRE(req->push_via("TCP", "127.0.0.4", branch).ok());
  return std::move(req.value());
}

SipMessage response(const SipMessage& req, int status) {
  auto resp = SipMessage::make_response(req, status, {}, "gw1");
  REQUIRE(resp.ok());
  return std::move(resp.value());
}

TransactionConfig config_t1(xf::Millis t1) {
  TransactionConfig config;
  config.timers.t1 = t1;
  return config;
}

}  // namespace

TEST_CASE("INVITE 2xx: retransmissions absorbed, ACK to the TU, Timer L", "[unit][sip]") {
  xf::TokenSource tokens(1);
  TransactionLayer layer(config_t1(100), tokens);  // 64*T1 = 6400 ms.
  const SipMessage invite = request("INVITE", "z9hG4bKinv1");
  auto first = layer.on_request(invite, 0);
  REQUIRE(first.kind == ServerMatch::Kind::new_request);
  CHECK(layer.invite_state(first.id) == State::proceeding);

  // Before any response: absorbed, nothing to resend.
  auto early = layer.on_request(invite, 10);
  CHECK(early.kind == ServerMatch::Kind::retransmission);
  CHECK(early.resend.empty());

  auto ringing = layer.send_response(response(invite, 180), 20);
  REQUIRE(ringing.ok());
  // In Proceeding a retransmitted INVITE gets the last provisional response again.
  auto again = layer.on_request(invite, 30);
  CHECK(again.kind == ServerMatch::Kind::retransmission);
  CHECK(again.resend == *ringing);
  CHECK(layer.next_deadline() == 6400);  // Provisional responses do not move the deadline.

  auto ok = layer.send_response(response(invite, 200), 40);
  REQUIRE(ok.ok());
  CHECK(layer.invite_state(first.id) == State::accepted);
  CHECK(layer.next_deadline() == 40 + 6400);  // Timer L.

  // Accepted (RFC 6026): a retransmitted INVITE is absorbed without a resend.
  auto late = layer.on_request(invite, 50);
  CHECK(late.kind == ServerMatch::Kind::retransmission);
  CHECK(late.resend.empty());
  // The TU may pass its own 2xx again; other responses are refused.
  CHECK(layer.send_response(response(invite, 200), 60).ok());
  CHECK_FALSE(layer.send_response(response(invite, 486), 60).ok());
  CHECK_FALSE(layer.send_response(response(invite, 180), 60).ok());

  // The ACK for the 2xx, with its own branch, is the TU's.
  CHECK(layer.on_request(request("ACK", "z9hG4bKack1"), 70).kind == ServerMatch::Kind::ack);
  // One reusing the INVITE's branch (old UAs do) reaches the TU too while Accepted.
  auto same_branch = layer.on_request(request("ACK", "z9hG4bKinv1"), 80);
  CHECK(same_branch.kind == ServerMatch::Kind::ack);
  CHECK(same_branch.id == first.id);

  CHECK(layer.on_timer(40 + 6399).empty());
  CHECK(layer.server_count() == 1);
  CHECK(layer.on_timer(40 + 6400).empty());
  CHECK(layer.server_count() == 0);
  CHECK_FALSE(layer.invite_state(first.id).has_value());
  CHECK(layer.next_deadline() == xf::kNoDeadline);
}

TEST_CASE("INVITE non-2xx: final resent, ACK absorbed, Confirmed until Timer H", "[unit][sip]") {
  xf::TokenSource tokens(2);
  TransactionLayer layer(config_t1(100), tokens);
  const SipMessage invite = request("INVITE", "z9hG4bKinv2");
  auto first = layer.on_request(invite, 0);
  REQUIRE(first.kind == ServerMatch::Kind::new_request);
  auto refused = layer.send_response(response(invite, 488), 5);
  REQUIRE(refused.ok());
  CHECK(layer.invite_state(first.id) == State::completed);
  CHECK_FALSE(layer.send_response(response(invite, 200), 6).ok());

  // Completed: a retransmitted INVITE gets the final response again.
  auto again = layer.on_request(invite, 10);
  CHECK(again.kind == ServerMatch::Kind::retransmission);
  CHECK(again.resend == *refused);

  // The ACK (same branch) ends in the transaction.
  auto ack = layer.on_request(request("ACK", "z9hG4bKinv2"), 20);
  CHECK(ack.kind == ServerMatch::Kind::retransmission);
  CHECK(ack.resend.empty());
  CHECK(layer.invite_state(first.id) == State::confirmed);
  // Confirmed absorbs duplicate ACKs and INVITEs silently.
  CHECK(layer.on_request(request("ACK", "z9hG4bKinv2"), 30).kind ==
        ServerMatch::Kind::retransmission);
  auto dup = layer.on_request(invite, 40);
  CHECK(dup.kind == ServerMatch::Kind::retransmission);
  CHECK(dup.resend.empty());

  layer.on_timer(5 + 6400);
  CHECK(layer.server_count() == 0);
  // Afterwards the same INVITE would be a new transaction.
  CHECK(layer.on_request(invite, 7000).kind == ServerMatch::Kind::new_request);
}

TEST_CASE("INVITE transaction: Timer H without ACK, abandonment, CANCEL", "[unit][sip]") {
  xf::TokenSource tokens(3);
  TransactionLayer layer(config_t1(100), tokens);
  const SipMessage a = request("INVITE", "z9hG4bKa");
  const SipMessage b = request("INVITE", "z9hG4bKb");
  REQUIRE(layer.on_request(a, 0).kind == ServerMatch::Kind::new_request);
  REQUIRE(layer.on_request(b, 100).kind == ServerMatch::Kind::new_request);
  REQUIRE(layer.send_response(response(a, 603), 50).ok());
  CHECK(layer.next_deadline() == 50 + 6400);  // a's Timer H, then b's abandon deadline.
  layer.on_timer(50 + 6400);
  CHECK(layer.server_count() == 1);
  CHECK_FALSE(layer.invite_state(layer.on_request(a, 6460).id) == State::completed);
  layer.on_timer(100 + 6400);
  CHECK(layer.server_count() == 1);  // b is gone; a's retransmission above started anew.
  layer.on_timer(6460 + 6400);
  CHECK(layer.server_count() == 0);

  // CANCEL shares the INVITE's branch but is a non-INVITE transaction of its own.
  REQUIRE(layer.on_request(a, 20000).kind == ServerMatch::Kind::new_request);
  CHECK(layer.on_request(request("CANCEL", "z9hG4bKa"), 20001).kind ==
        ServerMatch::Kind::new_request);
  CHECK(layer.server_count() == 2);
}

TEST_CASE("InviteServerTransaction state table", "[unit][sip]") {
  xf::sip::TransactionTimers timers;
  timers.t1 = 10;  // 64*T1 = 640 ms.
  InviteServerTransaction txn(1000, timers);
  CHECK(txn.state() == State::proceeding);
  CHECK(txn.deadline() == 1640);
  CHECK(txn.may_send(100));
  CHECK(txn.on_ack() == InviteServerTransaction::AckVerdict::absorb);
  txn.on_response_sent(100, "trying", 1001);
  CHECK(txn.resend() == "trying");
  txn.on_response_sent(404, "not found", 1002);
  CHECK(txn.state() == State::completed);
  CHECK(txn.resend() == "not found");
  CHECK(txn.deadline() == 1642);
  CHECK_FALSE(txn.may_send(200));
  CHECK_FALSE(txn.on_timer(1641));
  CHECK(txn.on_timer(1642));
  CHECK(txn.ack_missing());
  CHECK(txn.state() == State::terminated);
  CHECK(txn.deadline() == xf::kNoDeadline);
  CHECK_FALSE(txn.on_timer(5000));

  InviteServerTransaction ok(0, timers);
  ok.on_response_sent(200, "ok", 5);
  CHECK(ok.state() == State::accepted);
  CHECK(ok.resend().empty());
  CHECK(ok.may_send(200));
  CHECK_FALSE(ok.may_send(180));
  ok.on_response_sent(200, "ok again", 6);
  CHECK(ok.last_response() == "ok");
  CHECK(ok.on_ack() == InviteServerTransaction::AckVerdict::pass_to_tu);
  CHECK(ok.state() == State::accepted);
  CHECK(ok.on_timer(645));
  CHECK_FALSE(ok.ack_missing());
}
