// The edge Router with fake sessions, factory and gateway links: no loop, no socket.
#include "edge-proxy/router.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/xmpp/stanza_error_reply.h"
#include "tests/unit/edge-proxy/router_fakes.h"

namespace {

using namespace router_fakes;

const std::string kFromPartner =
    "<message from='alice@xmpp.example/pc' to='bob@sip.example' type='chat' id='p1'>"
    "<body>hi bob</body></message>";

std::string to_partner(const std::string& id) {
  return "<message from='bob@sip.example' to='alice@xmpp.example' type='chat' id='" + id +
         "'><body>hi alice</body></message>";
}

using Pair = std::pair<std::string, std::string>;

}  // namespace

TEST_CASE("router: a partner stanza goes to an up gateway, round robin", "[unit][edge]") {
  Harness h;
  FakeGateway gw1(1, "gw-1"), gw2(2, "gw-2"), handshaking(3, "gw-3");
  h.gateway_up(gw1);
  h.gateway_up(gw2);
  h.router.gateway_opened(handshaking);  // Not established: never picked.
  FakeSession& partner = h.partner_session();
  partner.sid = "in-7";

  for (int i = 0; i < 4; ++i) h.from_partner(partner, kFromPartner);

  REQUIRE(gw1.stanzas.size() == 2);
  REQUIRE(gw2.stanzas.size() == 2);
  CHECK(handshaking.stanzas.empty());
  const relay::RoutingFacts& facts = gw1.stanzas[0].first;
  CHECK(facts.local_domain == "sip.example");
  CHECK(facts.remote_domain == "xmpp.example");
  CHECK(facts.direction == relay::Direction::inbound);
  CHECK(facts.stream_id == "in-7");
  CHECK(h.relayed(gw1, 0).child_text("body") == "hi bob");
  CHECK(h.factory.asked.empty());
}

TEST_CASE("router: the auth method the stream reports reaches the routing facts", "[unit][edge]") {
  Harness h;
  FakeGateway gw(1, "gw-1");
  h.gateway_up(gw);
  FakeSession& partner = h.partner_session();
  h.from_partner(partner, kFromPartner, PeerAuth::sasl_external);
  h.from_partner(partner, kFromPartner, PeerAuth::dialback);
  REQUIRE(gw.stanzas.size() == 2);
  CHECK(gw.stanzas[0].first.auth == PeerAuth::sasl_external);
  CHECK(gw.stanzas[1].first.auth == PeerAuth::dialback);
}

TEST_CASE("router: with no gateway up the partner gets service-unavailable back", "[unit][edge]") {
  Harness h;
  FakeSession& partner = h.partner_session();
  h.from_partner(partner, kFromPartner);

  // The error travels like any stanza to the partner: on the outbound stream of the pair.
  REQUIRE(h.factory.asked == std::vector<Pair>{{"sip.example", "xmpp.example"}});
  FakeSession& out = h.factory.last();
  CHECK(out.sent.empty());
  out.authenticate(h.router);
  REQUIRE(out.sent.size() == 1);
  const xml::Element& error = out.sent[0];
  CHECK(error.attr("type") == "error");
  CHECK(error.attr("from") == "bob@sip.example");
  CHECK(error.attr("to") == "alice@xmpp.example/pc");
  CHECK(xf::xmpp::error_condition(error) == "service-unavailable");

  SECTION("an error stanza is never answered with another") {
    h.from_partner(partner,
                   "<message from='alice@xmpp.example' to='bob@sip.example' "
                   "type='error'/>");
    CHECK(out.sent.size() == 1);
  }
}

TEST_CASE("router: a partner stanza with a malformed address bounces jid-malformed to its sender",
          "[unit][edge]") {
  Harness h;
  FakeGateway g(1, "gw-1");
  h.gateway_up(g);
  h.partner_session();
  h.router.partner_stanza_refused(h.stanza("<message from='alice@xmpp.example/pc' "
                                           "to='bad user@sip.example' id='m1'/>"),
                                  "sip.example", "xmpp.example", StanzaError::jid_malformed);
  CHECK(g.stanzas.empty());  // Nothing reaches the gateway.
  FakeSession& out = h.factory.last();
  out.authenticate(h.router);
  REQUIRE(out.sent.size() == 1);
  const xml::Element& error = out.sent[0];
  CHECK(error.attr("type") == "error");
  CHECK(error.attr("id") == "m1");
  // The malformed address cannot be the reply's: our domain answers instead.
  CHECK(error.attr("from") == "sip.example");
  CHECK(error.attr("to") == "alice@xmpp.example/pc");
  CHECK(xf::xmpp::error_condition(error) == "jid-malformed");
}

TEST_CASE("router: a full relay queue or a refused frame bounces resource-constraint",
          "[unit][edge]") {
  Harness h;
  FakeGateway gw(1, "gw-1");
  h.gateway_up(gw);
  FakeSession& partner = h.partner_session();
  SECTION("queue over max_queue_bytes") {
    gw.queued = static_cast<std::size_t>(h.config.relay.max_queue_bytes) + 1;
  }
  SECTION("the link refuses the frame") { gw.refuse_send = true; }
  h.from_partner(partner, kFromPartner);
  CHECK(gw.stanzas.empty());
  FakeSession& out = h.factory.last();
  out.authenticate(h.router);
  REQUIRE(out.sent.size() == 1);
  CHECK(xf::xmpp::error_condition(out.sent[0]) == "resource-constraint");
}

TEST_CASE("router: a gateway stanza waits for its pair's outbound stream, then is delivered",
          "[unit][edge]") {
  Harness h;
  FakeGateway gw(1, "gw-1");
  h.gateway_up(gw);

  h.from_gateway(gw, 5, to_partner("a"));
  h.from_gateway(gw, 6, to_partner("b"));
  // One session for the pair, made by the factory; nothing written before it is ready.
  REQUIRE(h.factory.asked == std::vector<Pair>{{"sip.example", "xmpp.example"}});
  FakeSession& out = h.factory.last();
  CHECK(out.sent.empty());
  CHECK(gw.delivered.empty());
  CHECK(gw.bounces.empty());

  out.authenticate(h.router);
  REQUIRE(out.sent.size() == 2);
  CHECK(out.sent[0].attr("id") == "a");
  CHECK(out.sent[1].attr("id") == "b");
  CHECK(gw.delivered == std::vector<std::uint64_t>{5, 6});

  // Once the stream is up, a stanza goes straight out.
  h.from_gateway(gw, 7, to_partner("c"));
  REQUIRE(out.sent.size() == 3);
  CHECK(gw.delivered == std::vector<std::uint64_t>{5, 6, 7});
  CHECK(h.factory.asked.size() == 1);
}

TEST_CASE("router: a failed outbound stream bounces its queue with a typed condition",
          "[unit][edge]") {
  Harness h;
  FakeGateway gw(1, "gw-1");
  h.gateway_up(gw);
  h.from_gateway(gw, 3, to_partner("a"));
  FakeSession& out = h.factory.last();

  StanzaError expected = StanzaError::undefined_condition;
  SECTION("the partner cannot be reached") {
    h.router.session_closed(out, nullptr);
    expected = StanzaError::remote_server_not_found;
  }
  SECTION("the attempt timed out") {
    xf::Error timeout = xf::make_error(xf::Errc::timeout, "connect timed out");
    h.router.session_closed(out, &timeout);
    expected = StanzaError::remote_server_timeout;
  }
  REQUIRE(gw.bounces.size() == 1);
  CHECK(gw.bounces[0].ref_seq == 3);
  CHECK(gw.bounces[0].condition == expected);
  CHECK(gw.bounces[0].facts.direction == relay::Direction::outbound);
  CHECK(gw.bounces[0].facts.local_domain == "sip.example");
  CHECK(gw.bounces[0].facts.remote_domain == "xmpp.example");
  CHECK(h.stanza(gw.bounces[0].xml).attr("id") == "a");
  CHECK(gw.delivered.empty());

  // The pair has no session any more: the next stanza dials again.
  h.from_gateway(gw, 4, to_partner("b"));
  CHECK(h.factory.asked.size() == 2);
}

TEST_CASE("router: beyond outbound_queue_limit gateway stanzas bounce resource-constraint",
          "[unit][edge]") {
  Harness h;
  h.config.s2s.outbound_queue_limit = 2;
  FakeGateway gw(1, "gw-1");
  h.gateway_up(gw);
  h.from_gateway(gw, 1, to_partner("a"));
  h.from_gateway(gw, 2, to_partner("b"));
  CHECK(gw.bounces.empty());
  h.from_gateway(gw, 3, to_partner("c"));
  REQUIRE(gw.bounces.size() == 1);
  CHECK(gw.bounces[0].ref_seq == 3);
  CHECK(gw.bounces[0].condition == StanzaError::resource_constraint);

  h.factory.last().authenticate(h.router);
  CHECK(h.factory.last().sent.size() == 2);
  CHECK(gw.delivered == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("router: gateway stanzas it cannot route are bounced with their condition",
          "[unit][edge]") {
  Harness h;
  FakeGateway gw(1, "gw-1");
  h.gateway_up(gw);
  SECTION("unparsable: bad-request") {
    h.from_gateway(gw, 1, "<message");
    REQUIRE(gw.bounces.size() == 1);
    CHECK(gw.bounces[0].condition == StanzaError::bad_request);
    CHECK(gw.bounces[0].xml == "<message");
  }
  SECTION("addresses that disagree with the facts: jid-malformed") {
    h.from_gateway(gw, 1, to_partner("a"), "sip.example", "other.example");
    REQUIRE(gw.bounces.size() == 1);
    CHECK(gw.bounces[0].condition == StanzaError::jid_malformed);
  }
  SECTION("to a domain this edge hosts: item-not-found") {
    h.from_gateway(gw, 1,
                   "<message from='bob@sip.example' to='carol@sip.example'><body>x</body>"
                   "</message>",
                   "sip.example", "sip.example");
    REQUIRE(gw.bounces.size() == 1);
    CHECK(gw.bounces[0].condition == StanzaError::item_not_found);
  }
  CHECK(gw.bounces[0].ref_seq == 1);
  CHECK(h.factory.asked.empty());
}

TEST_CASE("router: a lost gateway link is never used again and its session holds what is for it",
          "[unit][edge]") {
  Harness h;
  FakeGateway gw(1, "gw-1");
  h.gateway_up(gw);
  h.from_gateway(gw, 1, to_partner("a"));
  FakeSession& out = h.factory.last();

  SECTION("the link reports LinkClosed, then the channel closes") {
    h.router.on_link_event(gw, relay::LinkClosed{relay::CloseCause::dead_peer, "silent"});
    CHECK(h.router.gateway_count() == 1);
    xf::Error lost = xf::make_error(xf::Errc::io_error, "connection reset");
    h.router.gateway_closed(gw, &lost);
  }
  SECTION("the channel closes at once") { h.router.gateway_closed(gw, nullptr); }
  gw.gone = true;
  CHECK(h.router.gateway_count() == 0);
  relay::Session& session = *h.router.gateway_session("gw-1");

  // The queued stanza still reaches the partner; its verdict waits in the session, and the
  // gateway's frame is completed (so that it is acknowledged on the next link).
  out.authenticate(h.router);
  CHECK(out.sent.size() == 1);
  CHECK(gw.delivered.empty());
  REQUIRE(session.unacked().size() == 1);
  CHECK(session.unacked()[0].type == relay::FrameType::delivered);
  CHECK(session.ack_point() == 1);

  // A partner stanza waits for the gateway to come back.
  FakeSession& partner = h.partner_session();
  h.from_partner(partner, kFromPartner);
  CHECK(gw.stanzas.empty());
  CHECK(session.unacked().size() == 2);
  CHECK(out.sent.size() == 1);
  CHECK(h.router.next_deadline() == 1000 + 30000);

  // It does not come back within the hold time: the partner gets remote-server-timeout.
  h.now = h.router.next_deadline();
  h.router.on_timer(h.now);
  CHECK(session.unacked().empty());
  REQUIRE(out.sent.size() == 2);
  CHECK(xf::xmpp::error_condition(out.sent[1]) == "remote-server-timeout");
  CHECK(h.router.next_deadline() == xf::kNoDeadline);

  // From then on partner stanzas find no gateway: service-unavailable at once.
  h.from_partner(partner, kFromPartner);
  REQUIRE(out.sent.size() == 3);
  CHECK(xf::xmpp::error_condition(out.sent[2]) == "service-unavailable");
}

TEST_CASE("router: the hold bounds come from relay.hold_max_age_s and hold_max_frames",
          "[unit][edge]") {
  Harness h;
  h.config.relay.session.max_age_ms = 5000;
  h.config.relay.session.max_frames = 1;
  FakeGateway gw(1, "gw-1");
  h.gateway_up(gw);
  h.router.gateway_closed(gw, nullptr);
  gw.gone = true;
  FakeSession& partner = h.partner_session();
  h.from_partner(partner, kFromPartner);
  CHECK(h.router.next_deadline() == 1000 + 5000);
  // The second one finds the session full: resource-constraint at once.
  h.from_partner(partner, kFromPartner);
  FakeSession& out = h.factory.last();
  out.authenticate(h.router);
  REQUIRE(out.sent.size() == 1);
  CHECK(xf::xmpp::error_condition(out.sent[0]) == "resource-constraint");
}

TEST_CASE("router: a gateway that comes back gets what was held, once", "[unit][edge]") {
  Harness h;
  FakeGateway first(1, "gw-1");
  h.gateway_up(first);
  FakeSession& partner = h.partner_session();
  h.from_partner(partner, kFromPartner);  // Frame 1, never acknowledged.
  REQUIRE(first.stanzas.size() == 1);
  h.router.gateway_closed(first, nullptr);
  first.gone = true;
  h.from_partner(partner, kFromPartner);  // Frame 2, held.
  relay::Session& session = *h.router.gateway_session("gw-1");
  REQUIRE(session.unacked().size() == 2);

  // The same gateway (same node name) on a new link: the router hands the link the session,
  // whose unacknowledged frames the link writes again (relay::Link::resend).
  FakeGateway second(2, "gw-1");
  h.gateway_up(second, 5, 1);
  CHECK(h.router.gateway_session("gw-1") == &session);
  CHECK(session.unacked().size() == 2);
  // Later stanzas go on the new link with the next number.
  h.from_partner(partner, kFromPartner);
  REQUIRE(second.stanzas.size() == 1);
  CHECK(session.unacked().back().seq == 3);
  CHECK(session.acked(3));
  CHECK(session.unacked().empty());
  // Nothing was bounced to the partner (no stream was opened to send an error).
  CHECK(h.factory.made.empty());
}

TEST_CASE("router: dialback keys are verified with the authoritative server", "[unit][edge]") {
  Harness h;
  FakeSession& inbound = h.partner_session();
  inbound.pairs.clear();  // The claim is what is being verified.
  DialbackRequest request{"in-1", "xmpp.example", "sip.example", "key"};
  h.router.dialback_request(inbound, request);

  // The authoritative server is reached on the outbound stream of the reverse pair.
  REQUIRE(h.factory.asked == std::vector<Pair>{{"sip.example", "xmpp.example"}});
  FakeSession& out = h.factory.last();
  CHECK(out.verifies.empty());  // Not past TLS yet.
  out.verify_ready = true;
  h.router.outbound_ready(out);
  REQUIRE(out.verifies.size() == 1);
  CHECK(out.verifies[0].stream_id == "in-1");
  CHECK(out.verifies[0].key == "key");

  SECTION("the answer goes back to the stream that asked") {
    h.router.verify_result("other-stream", "xmpp.example", "sip.example", true);
    CHECK(inbound.verdicts.empty());
    h.router.verify_result("in-1", "xmpp.example", "sip.example", true);
    CHECK(inbound.verdicts == std::vector<std::string>{"xmpp.example sip.example valid"});
    // Answered once only.
    h.router.verify_result("in-1", "xmpp.example", "sip.example", true);
    CHECK(inbound.verdicts.size() == 1);
  }
  SECTION("a verify on a ready stream goes out at once") {
    h.router.dialback_request(inbound,
                              DialbackRequest{"in-2", "xmpp.example", "sip.example", "k2"});
    REQUIRE(out.verifies.size() == 2);
    CHECK(out.verifies[1].stream_id == "in-2");
    CHECK(h.factory.asked.size() == 1);
  }
  SECTION("the authoritative server never answers: the claim is invalid") {
    h.router.session_closed(out, nullptr);
    CHECK(inbound.verdicts == std::vector<std::string>{"xmpp.example sip.example invalid"});
  }
}

TEST_CASE("router: inbound connections are admitted within their limits", "[unit][edge]") {
  Harness h;
  h.config.s2s.connection_limit = 3;
  h.config.s2s.partner_connection_limit = 1;
  FakeSession& first = h.partner_session();
  CHECK_FALSE(h.router.admit_inbound(first).has_value());
  FakeSession& second = h.partner_session();
  auto refusal = h.router.admit_inbound(second);
  REQUIRE(refusal.has_value());
  CHECK(refusal->condition == StreamError::policy_violation);
  FakeSession& elsewhere = h.partner_session();
  elsewhere.ip = "198.51.100.7";
  CHECK_FALSE(h.router.admit_inbound(elsewhere).has_value());
  CHECK_FALSE(h.router.may_accept_inbound());  // connection_limit counts every session.
  h.router.session_closed(second, nullptr);
  CHECK(h.router.may_accept_inbound());
}

TEST_CASE("router: shutdown ends every stream and opens nothing new", "[unit][edge]") {
  Harness h;
  FakeGateway gw(1, "gw-1");
  h.gateway_up(gw);
  FakeSession& partner = h.partner_session();
  h.from_gateway(gw, 1, to_partner("a"));
  FakeSession& out = h.factory.last();

  h.router.shutdown();
  CHECK(partner.ended_with == StreamError::system_shutdown);
  CHECK(out.ended_with == StreamError::system_shutdown);
  CHECK(h.router.session_count() == 0);
  // The stanza that was waiting is bounced, and nothing new is dialled or accepted.
  REQUIRE(gw.bounces.size() == 1);
  h.from_gateway(gw, 2, to_partner("b"));
  CHECK(h.factory.asked.size() == 1);
  CHECK_FALSE(h.router.may_accept_inbound());
  CHECK_FALSE(h.router.may_accept_gateway());
}

TEST_CASE("router: partner streams are not read while every gateway link is backlogged",
          "[unit][edge]") {
  Harness h;
  FakeGateway gw1(1, "gw-1"), gw2(2, "gw-2");
  h.gateway_up(gw1);
  h.gateway_up(gw2);
  FakeSession& partner = h.partner_session();
  FakeSession& other = h.partner_session("other.example");

  // One link backlogged: the other takes every stanza, and the partners are still read.
  h.router.gateway_backlog(gw1, true);
  for (int i = 0; i < 3; ++i) h.from_partner(partner, kFromPartner);
  CHECK(gw1.stanzas.empty());
  CHECK(gw2.stanzas.size() == 3);
  CHECK(partner.reading);
  CHECK_FALSE(h.router.partners_paused());

  // Both backlogged: no inbound stream is read; nothing is bounced.
  h.router.gateway_backlog(gw2, true);
  CHECK(h.router.partners_paused());
  CHECK_FALSE(partner.reading);
  CHECK_FALSE(other.reading);
  // A stanza still in hand from the last read goes on (below the hard bound), not back.
  h.from_partner(partner, kFromPartner);
  CHECK(gw1.stanzas.size() + gw2.stanzas.size() == 4);
  CHECK(h.factory.made.empty());

  // A stream that authenticates meanwhile waits too.
  FakeSession& late = h.partner_session("late.example");
  h.router.authenticated(late, "sip.example", "late.example");
  CHECK_FALSE(late.reading);

  // One link drained to its low water mark: every stream is read again.
  h.router.gateway_backlog(gw1, false);
  CHECK_FALSE(h.router.partners_paused());
  CHECK(partner.reading);
  CHECK(other.reading);
  CHECK(late.reading);
  CHECK(h.router.counters().partner_pauses == 1);
  CHECK(h.router.counters().bounced_to_partners == 0);
  CHECK(h.router.counters().to_gateways == 4);
}

TEST_CASE("router: a lost backlogged link does not leave partner streams unread", "[unit][edge]") {
  Harness h;
  FakeGateway gw1(1, "gw-1"), gw2(2, "gw-2");
  h.gateway_up(gw1);
  h.gateway_up(gw2);
  FakeSession& partner = h.partner_session();
  h.router.gateway_backlog(gw1, true);
  h.router.gateway_backlog(gw2, true);
  REQUIRE_FALSE(partner.reading);
  // The backlogged gw1 goes away; gw2 is still backlogged: still paused.
  gw1.gone = true;
  h.router.on_link_event(gw1, relay::LinkClosed{});
  h.router.gateway_closed(gw1, nullptr);
  CHECK_FALSE(partner.reading);
  // gw2 goes too: with no link up, stanzas bounce service-unavailable, so read them.
  gw2.gone = true;
  h.router.on_link_event(gw2, relay::LinkClosed{});
  h.router.gateway_closed(gw2, nullptr);
  CHECK(partner.reading);
}

TEST_CASE("router: gateway links are not read while a partner stream is backlogged",
          "[unit][edge]") {
  Harness h;
  FakeGateway gw(1, "gw-1");
  h.gateway_up(gw);
  h.from_gateway(gw, 1, to_partner("g1"));
  FakeSession& out = h.factory.last();
  out.authenticate(h.router);

  h.router.session_backlog(out, true);
  CHECK(h.router.gateways_paused());
  CHECK_FALSE(gw.reading);
  // A gateway link that connects meanwhile is not read either.
  FakeGateway late(2, "gw-2");
  h.gateway_up(late);
  CHECK_FALSE(late.reading);

  h.router.session_backlog(out, false);
  CHECK(gw.reading);
  CHECK(late.reading);

  // A backlogged stream that closes stops holding the links.
  h.router.session_backlog(out, true);
  CHECK_FALSE(gw.reading);
  out.end(nullptr);
  CHECK(gw.reading);
  CHECK(h.router.counters().gateway_pauses == 2);
}
