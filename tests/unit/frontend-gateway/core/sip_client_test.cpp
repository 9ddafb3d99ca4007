// SipClient with the fake SIP port and clock: the queue for the next hop, outcomes routed to the
// owner that sent the request, and the one transport-failure policy.
#include "frontend-gateway/core/sip_client.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/frontend-gateway/core/core_fakes.h"

namespace {

using namespace core_fakes;
using xf::gw::SipClient;
using xf::gw::SipOutcome;
using Kind = SipOutcome::Kind;

// Records every outcome it is given, in order.
struct Owner : SipClient::Owner {
  std::vector<SipOutcome> outcomes;
  void on_sip_outcome(SipOutcome&& outcome) override { outcomes.push_back(std::move(outcome)); }
};

SipMessage request(const std::string& to, const std::string& method = "MESSAGE") {
  auto req = SipMessage::make_request(method, to);
  REQUIRE(req.ok());
  REQUIRE(req->set_from({"", "sip:alice@xmpp.example", "ftag"}).ok());
  REQUIRE(req->set_to({"", to, ""}).ok());
  REQUIRE(req->set_call_id("call-" + to).ok());
  REQUIRE(req->set_cseq(1, method).ok());
  REQUIRE(req->set_max_forwards(SipClient::kMaxForwards).ok());
  return std::move(req.value());
}

struct Fixture {
  GatewayConfig config = base_config();
  FakeSip sip;
  FakeClock clock;
  xf::TokenSource tokens{99};
  xf::sip::TransactionLayer txn{{}, tokens};  // T1 500 ms: Timer F after 32 s.
  SipClient client{config.sip, 2, sip, txn, clock};
  Owner im;
  Owner presence;

  std::uint64_t send(Owner& owner, const std::string& to,
                     SipClient::IfHopDown if_down = SipClient::IfHopDown::fail) {
    auto ticket = client.send(owner, request(to), if_down);
    REQUIRE(ticket.ok());
    return *ticket;
  }
  // A response from the next hop to the i-th request written, through the transaction layer.
  void answer(std::size_t i, int status) {
    REQUIRE(sip.requests.size() > i);
    if (auto event = txn.on_response(response_to(sip.requests[i], status), clock.time)) {
      client.on_client_event(std::move(*event));
    }
  }
  std::string request_uri_of(std::size_t i) {
    REQUIRE(sip.requests.size() > i);
    return parse(sip.requests[i]).request_uri();
  }
  void timers() {
    for (auto& event : txn.on_timer(clock.time)) client.on_client_event(std::move(event));
    client.on_timer();
  }
};

}  // namespace

TEST_CASE("SipClient adds our Via and writes to the next hop", "[unit][gateway]") {
  Fixture f;
  f.send(f.im, "sip:bob@sip.example");
  REQUIRE(f.sip.requests.size() == 1);
  const SipMessage wire = parse(f.sip.requests[0]);
  CHECK(wire.top_via_sent_by() == "127.0.0.11:40000");
  CHECK(wire.top_via_transport() == "TCP");
  CHECK(wire.top_via_branch().rfind("z9hG4bK", 0) == 0);
  CHECK(f.client.in_flight() == 1);
  CHECK(f.sip.connects_asked == 0);
  CHECK(f.client.next_deadline() == xf::kNoDeadline);
}

TEST_CASE("SipClient holds requests while the next hop is down, in a bounded queue",
          "[unit][gateway]") {
  Fixture f;  // At most 2 wait.
  f.sip.sent_by.reset();
  const std::uint64_t first = f.send(f.im, "sip:bob@sip.example");
  f.send(f.presence, "sip:carol@sip.example");
  CHECK(f.client.waiting() == 2);
  CHECK(f.sip.requests.empty());
  CHECK(f.sip.connects_asked == 2);
  // A full queue refuses the request (the caller answers it) but still asks for the connection.
  auto refused = f.client.send(f.im, request("sip:dave@sip.example"), SipClient::IfHopDown::fail);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == xf::Errc::limit_exceeded);
  CHECK(f.sip.connects_asked == 3);

  f.sip.sent_by = "127.0.0.11:40001";
  f.client.on_next_hop_up();
  REQUIRE(f.sip.requests.size() == 2);
  CHECK(f.request_uri_of(0) == "sip:bob@sip.example");
  CHECK(parse(f.sip.requests[0]).top_via_sent_by() == "127.0.0.11:40001");
  CHECK(f.client.waiting() == 0);
  CHECK(f.client.in_flight() == 2);
  // The ticket send() returned is the one the outcome carries.
  f.answer(0, 200);
  REQUIRE(f.im.outcomes.size() == 1);
  CHECK(f.im.outcomes[0].ticket == first);
}

TEST_CASE("SipClient gives a final answer to the owner that sent the request, and only to it",
          "[unit][gateway]") {
  Fixture f;
  const std::uint64_t im_ticket = f.send(f.im, "sip:bob@sip.example");
  const std::uint64_t presence_ticket =
      f.send(f.presence, "sip:carol@sip.example", SipClient::IfHopDown::wait);
  f.answer(1, 100);  // Provisional: nobody hears of it.
  CHECK(f.presence.outcomes.empty());
  f.answer(1, 404);
  CHECK(f.im.outcomes.empty());
  REQUIRE(f.presence.outcomes.size() == 1);
  const SipOutcome& refused = f.presence.outcomes[0];
  CHECK(refused.kind == Kind::response);
  CHECK(refused.ticket == presence_ticket);
  CHECK(refused.status == 404);
  REQUIRE(refused.response.has_value());
  CHECK(refused.response->status_code() == 404);
  // The request comes back as the owner built it, without our Via.
  CHECK(refused.request.request_uri() == "sip:carol@sip.example");
  CHECK(refused.request.top_via_branch().empty());

  f.answer(0, 202);
  REQUIRE(f.im.outcomes.size() == 1);
  CHECK(f.im.outcomes[0].ticket == im_ticket);
  CHECK(f.im.outcomes[0].status == 202);
  CHECK(f.presence.outcomes.size() == 1);
  CHECK(f.client.in_flight() == 0);
  // A retransmitted final response finds nothing.
  f.answer(0, 202);
  CHECK(f.im.outcomes.size() == 1);
}

TEST_CASE("SipClient reports Timer F as a 408 timeout", "[unit][gateway]") {
  Fixture f;
  f.send(f.im, "sip:bob@sip.example");
  f.clock.time += 64 * 500 - 1;
  f.timers();
  CHECK(f.im.outcomes.empty());
  f.clock.time += 1;
  f.timers();
  REQUIRE(f.im.outcomes.size() == 1);
  CHECK(f.im.outcomes[0].kind == Kind::timeout);
  CHECK(f.im.outcomes[0].status == 408);
  CHECK_FALSE(f.im.outcomes[0].response.has_value());
}

TEST_CASE("SipClient fails a request it cannot write at once, never from inside send",
          "[unit][gateway]") {
  Fixture f;
  f.sip.writable = false;  // Open, but closing: the write fails.
  const std::uint64_t ticket =
      f.send(f.presence, "sip:bob@sip.example", SipClient::IfHopDown::wait);
  CHECK(f.presence.outcomes.empty());
  CHECK(f.client.next_deadline() == f.clock.time);
  f.timers();
  REQUIRE(f.presence.outcomes.size() == 1);
  const SipOutcome& failed = f.presence.outcomes[0];
  CHECK(failed.kind == Kind::not_sent);
  CHECK(failed.ticket == ticket);
  CHECK(failed.status == 503);
  CHECK(failed.error.code == xf::Errc::io_error);
  CHECK(f.client.next_deadline() == xf::kNoDeadline);
  // Timer F of the transaction that never left answers nobody a second time.
  f.clock.time += 64 * 500;
  f.timers();
  CHECK(f.presence.outcomes.size() == 1);
}

TEST_CASE("SipClient: a lost next hop fails what was sent at once, waiting requests fail or wait",
          "[unit][gateway]") {
  Fixture f;
  f.send(f.im, "sip:bob@sip.example");
  f.send(f.presence, "sip:carol@sip.example", SipClient::IfHopDown::wait);
  f.client.on_next_hop_down(nullptr);
  REQUIRE(f.im.outcomes.size() == 1);
  CHECK(f.im.outcomes[0].kind == Kind::connection_lost);
  CHECK(f.im.outcomes[0].status == 503);
  REQUIRE(f.presence.outcomes.size() == 1);
  CHECK(f.presence.outcomes[0].kind == Kind::connection_lost);
  // Nothing more when Timer F of those transactions fires.
  f.clock.time += 64 * 500;
  f.timers();
  CHECK(f.im.outcomes.size() == 1);
  CHECK(f.presence.outcomes.size() == 1);

  // Waiting while the connection cannot be opened.
  f.sip.sent_by.reset();
  f.send(f.im, "sip:dave@sip.example", SipClient::IfHopDown::fail);
  f.send(f.presence, "sip:erin@sip.example", SipClient::IfHopDown::wait);
  const xf::Error refused = xf::make_error(xf::Errc::io_error, "connection refused");
  f.client.on_next_hop_down(&refused);
  REQUIRE(f.im.outcomes.size() == 2);
  CHECK(f.im.outcomes[1].kind == Kind::not_sent);
  CHECK(f.im.outcomes[1].error.code == xf::Errc::io_error);
  CHECK(f.presence.outcomes.size() == 1);
  CHECK(f.client.waiting() == 1);
  f.sip.sent_by = "127.0.0.11:40002";
  f.client.on_next_hop_up();
  REQUIRE(f.sip.requests.size() == 3);
  CHECK(f.request_uri_of(2) == "sip:erin@sip.example");
}

TEST_CASE("SipClient forgets everything on clear, and no outcome follows", "[unit][gateway]") {
  Fixture f;
  f.send(f.im, "sip:bob@sip.example");
  f.sip.writable = false;
  f.send(f.im, "sip:carol@sip.example");
  f.sip.sent_by.reset();
  f.send(f.im, "sip:dave@sip.example");
  f.client.clear();
  CHECK(f.client.in_flight() == 0);
  CHECK(f.client.waiting() == 0);
  CHECK(f.client.next_deadline() == xf::kNoDeadline);
  f.clock.time += 64 * 500;
  f.timers();
  f.client.on_next_hop_down(nullptr);
  CHECK(f.im.outcomes.empty());
}
