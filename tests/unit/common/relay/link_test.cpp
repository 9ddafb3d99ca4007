#include "common/relay/link.h"

#include <catch2/catch.hpp>

using namespace xf::relay;
using xf::Millis;

namespace {

LinkConfig config_for(Role role, std::string name) {
  LinkConfig c;
  c.role = role;
  c.node_name = std::move(name);
  return c;
}

// A gateway and an edge wired back to back, with a fake clock in milliseconds.
struct Pair {
  Link gw;
  Link edge;
  Millis now = 1000;
  std::vector<LinkEvent> gw_events;
  std::vector<LinkEvent> edge_events;
  // Drops what one side sends, to simulate a silent or vanished peer.
  bool gw_mute = false;
  bool edge_mute = false;

  Pair(LinkConfig g, LinkConfig e) : gw(std::move(g)), edge(std::move(e)) {}

  void start() {
    gw.start(now);
    edge.start(now);
    pump();
  }
  // Moves bytes both ways until nothing is left to send.
  void pump() {
    for (int round = 0; round < 100; ++round) {
      std::string to_edge;
      std::string to_gw;
      gw.take_output(to_edge);
      edge.take_output(to_gw);
      if (to_edge.empty() && to_gw.empty()) return;
      if (!gw_mute && !to_edge.empty()) append(edge_events, edge.feed(to_edge, now));
      if (!edge_mute && !to_gw.empty()) append(gw_events, gw.feed(to_gw, now));
    }
    FAIL("links kept talking");
  }
  // Advances the clock to t, firing each side's timer at its deadlines on the way.
  void advance_to(Millis t) {
    while (true) {
      Millis next = std::min(gw.next_deadline(), edge.next_deadline());
      if (next > t) break;
      now = std::max(now, next);
      if (gw.next_deadline() <= now) append(gw_events, gw.on_timer(now));
      if (edge.next_deadline() <= now) append(edge_events, edge.on_timer(now));
      pump();
    }
    now = t;
  }
  static void append(std::vector<LinkEvent>& to, std::vector<LinkEvent> from) {
    for (auto& e : from) to.push_back(std::move(e));
  }
};

template <class T>
std::vector<T> events_of(const std::vector<LinkEvent>& events) {
  std::vector<T> out;
  for (const auto& e : events) {
    if (auto* p = std::get_if<T>(&e)) out.push_back(*p);
  }
  return out;
}

RoutingFacts facts(Direction d) {
  return RoutingFacts{"sip.example.com", "partner.example.org", d, PartnerAuth::dialback, "s1"};
}

// Counts frames of one type in raw bytes.
std::size_t count_frames(const std::string& bytes, FrameType type) {
  FrameDecoder d;
  std::vector<Frame> frames;
  REQUIRE(d.feed(bytes, frames).ok());
  std::size_t n = 0;
  for (const auto& f : frames) n += f.type == type ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("relay link: handshake then stanzas both ways in order", "[unit][relay]") {
  Pair p(config_for(Role::gateway, "gw-1"), config_for(Role::edge, "edge-1"));
  p.start();
  REQUIRE(p.gw.established());
  REQUIRE(p.edge.established());
  auto gw_up = events_of<LinkEstablished>(p.gw_events);
  auto edge_up = events_of<LinkEstablished>(p.edge_events);
  REQUIRE(gw_up.size() == 1);
  REQUIRE(edge_up.size() == 1);
  CHECK(gw_up[0].peer_name == "edge-1");
  CHECK(gw_up[0].peer_role == Role::edge);
  CHECK(edge_up[0].peer_name == "gw-1");
  CHECK(edge_up[0].peer_role == Role::gateway);
  CHECK(edge_up[0].version == kLinkProtocolVersion);

  for (int i = 0; i < 3; ++i) {
    auto seq =
        p.edge.send_stanza(facts(Direction::inbound), "<message id='" + std::to_string(i) + "'/>");
    REQUIRE(seq.ok());
    CHECK(*seq == static_cast<std::uint64_t>(i + 1));
  }
  auto out_seq = p.gw.send_stanza(facts(Direction::outbound), "<presence/>");
  REQUIRE(out_seq.ok());
  CHECK(*out_seq == 1);
  REQUIRE(p.gw.send_policy("{\"x\":1}").ok());
  REQUIRE(p.edge.send_reachability("partner.example.org", false).ok());
  const Receipt gw_frame_1{p.gw.session().token(), 1};
  REQUIRE(p.edge
              .send_bounce(gw_frame_1, xf::xmpp::StanzaError::service_unavailable,
                           facts(Direction::outbound), "<presence/>")
              .ok());
  REQUIRE(p.edge.send_delivered(gw_frame_1).ok());
  p.pump();

  auto at_gw = events_of<StanzaReceived>(p.gw_events);
  REQUIRE(at_gw.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(at_gw[i].seq == static_cast<std::uint64_t>(i + 1));
    CHECK(at_gw[i].stanza.xml == "<message id='" + std::to_string(i) + "'/>");
    CHECK(at_gw[i].stanza.facts == facts(Direction::inbound));
  }
  auto at_edge = events_of<StanzaReceived>(p.edge_events);
  REQUIRE(at_edge.size() == 1);
  CHECK(at_edge[0].stanza.facts.direction == Direction::outbound);
  auto policies = events_of<PolicyReceived>(p.edge_events);
  REQUIRE(policies.size() == 1);
  CHECK(policies[0].seq == 2);
  CHECK(policies[0].policy.json == "{\"x\":1}");
  auto reach = events_of<ReachabilityReceived>(p.gw_events);
  REQUIRE(reach.size() == 1);
  CHECK(reach[0].seq == 4);
  CHECK_FALSE(reach[0].reachability.up);
  auto bounces = events_of<BounceReceived>(p.gw_events);
  REQUIRE(bounces.size() == 1);
  CHECK(bounces[0].seq == 5);
  CHECK(bounces[0].bounce.condition == xf::xmpp::StanzaError::service_unavailable);
  CHECK(bounces[0].bounce.ref_seq == 1);
  auto delivered = events_of<DeliveredReceived>(p.gw_events);
  REQUIRE(delivered.size() == 1);
  CHECK(delivered[0].seq == 6);
  CHECK(delivered[0].delivered.ref_seq == 1);
  CHECK(delivered[0].delivered.ref_token == p.gw.session().token());
  CHECK(p.gw.highest_received() == 6);

  // The stanzas are not acknowledged before the application completes them; the other frames
  // are done on arrival, but an ack covers only a run of completed numbers.
  p.gw.send_ack();
  p.pump();
  CHECK(events_of<AckReceived>(p.edge_events).empty());
  p.gw.complete(at_gw[1].receipt);
  p.gw.complete(at_gw[0].receipt);
  p.gw.send_ack();
  p.pump();
  auto acks = events_of<AckReceived>(p.edge_events);
  REQUIRE(acks.size() == 1);
  CHECK(acks[0].seq == 2);
  CHECK(p.edge.session().unacked().size() == 4);
  p.gw.complete(at_gw[2].receipt);
  p.gw.send_ack();
  p.pump();
  acks = events_of<AckReceived>(p.edge_events);
  REQUIRE(acks.size() == 2);
  CHECK(acks[1].seq == 6);
  CHECK(p.edge.peer_acked() == 6);
  CHECK(p.edge.session().unacked().empty());
}

TEST_CASE("relay link: heartbeats at the interval keep a quiet link up", "[unit][relay]") {
  Pair p(config_for(Role::gateway, "gw"), config_for(Role::edge, "edge"));
  p.start();
  REQUIRE(p.gw.established());
  const Millis t0 = p.now;
  CHECK(p.gw.next_deadline() == t0 + 10000);

  // At t0 + 9999 nothing is due; at t0 + 10000 each side sends exactly one heartbeat.
  p.now = t0 + 9999;
  CHECK(p.gw.on_timer(p.now).empty());
  std::string out;
  p.gw.take_output(out);
  CHECK(out.empty());
  p.now = t0 + 10000;
  CHECK(p.gw.on_timer(p.now).empty());
  p.gw.take_output(out);
  CHECK(count_frames(out, FrameType::heartbeat) == 1);
  p.edge_events.clear();
  Pair::append(p.edge_events, p.edge.feed(out, p.now));
  std::string reply;
  p.edge.take_output(reply);
  CHECK(count_frames(reply, FrameType::heartbeat_ack) == 1);
  p.now += 3;
  Pair::append(p.gw_events, p.gw.feed(reply, p.now));
  CHECK(p.gw.rtt() == 3);

  // Five minutes of silence apart from heartbeats: the link stays up.
  p.advance_to(t0 + 300000);
  CHECK(p.gw.established());
  CHECK(p.edge.established());
  CHECK(events_of<LinkClosed>(p.gw_events).empty());
  CHECK(events_of<LinkClosed>(p.edge_events).empty());
}

TEST_CASE("relay link: a silent peer is reported dead after the timeout", "[unit][relay]") {
  Pair p(config_for(Role::gateway, "gw"), config_for(Role::edge, "edge"));
  p.start();
  const Millis t0 = p.now;
  p.edge_mute = true;  // The edge's bytes never arrive at the gateway.
  p.advance_to(t0 + 29999);
  CHECK(p.gw.established());
  p.advance_to(t0 + 30000);
  auto closed = events_of<LinkClosed>(p.gw_events);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].cause == CloseCause::dead_peer);
  CHECK(p.gw.closed());
  CHECK(p.gw.next_deadline() == xf::kNoDeadline);
  // The edge hears the gateway's close frame.
  auto edge_closed = events_of<LinkClosed>(p.edge_events);
  REQUIRE(edge_closed.size() == 1);
  CHECK(edge_closed[0].cause == CloseCause::peer_closed);
}

TEST_CASE("relay link: version negotiation picks the highest common version", "[unit][relay]") {
  auto g = config_for(Role::gateway, "gw");
  auto e = config_for(Role::edge, "edge");
  g.min_version = 1;
  g.max_version = 4;
  e.min_version = 2;
  e.max_version = 3;
  Pair p(g, e);
  p.start();
  REQUIRE(p.gw.established());
  CHECK(p.gw.version() == 3);
  CHECK(p.edge.version() == 3);
}

TEST_CASE("relay link: no common version closes both sides with a reason", "[unit][relay]") {
  auto g = config_for(Role::gateway, "gw");
  auto e = config_for(Role::edge, "edge");
  g.min_version = 1;
  g.max_version = 1;
  e.min_version = 2;
  e.max_version = 3;
  Pair p(g, e);
  p.start();
  auto edge_closed = events_of<LinkClosed>(p.edge_events);
  REQUIRE(edge_closed.size() == 1);
  CHECK(edge_closed[0].cause == CloseCause::version_mismatch);
  auto gw_closed = events_of<LinkClosed>(p.gw_events);
  REQUIRE(gw_closed.size() == 1);
  CHECK(gw_closed[0].cause == CloseCause::peer_closed);
  CHECK(gw_closed[0].reason.find("version") != std::string::npos);
  CHECK_FALSE(p.gw.send_stanza(facts(Direction::outbound), "<x/>").ok());
}

TEST_CASE("relay link: a stanza before the handshake is a protocol error", "[unit][relay]") {
  Link edge(config_for(Role::edge, "edge"));
  edge.start(0);
  std::string bytes;
  append_message(bytes, StanzaMsg{facts(Direction::outbound), "<x/>"}, 1);
  auto events = edge.feed(bytes, 5);
  REQUIRE(events.size() == 1);
  auto& closed = std::get<LinkClosed>(events[0]);
  CHECK(closed.cause == CloseCause::protocol_error);
  std::string out;
  edge.take_output(out);
  CHECK(count_frames(out, FrameType::close) == 1);
}

TEST_CASE("relay link: hello timeout", "[unit][relay]") {
  Link gw(config_for(Role::gateway, "gw"));
  gw.start(100);
  CHECK(gw.next_deadline() == 10100);
  CHECK(gw.on_timer(10099).empty());
  auto events = gw.on_timer(10100);
  REQUIRE(events.size() == 1);
  CHECK(std::get<LinkClosed>(events[0]).cause == CloseCause::hello_timeout);
}

TEST_CASE("relay link: duplicates are dropped while gaps and garbage are errors", "[unit][relay]") {
  Pair p(config_for(Role::gateway, "gw"), config_for(Role::edge, "edge"));
  p.start();
  std::string s1;
  std::string s3;
  append_message(s1, StanzaMsg{facts(Direction::outbound), "<a/>"}, 1);
  append_message(s3, StanzaMsg{facts(Direction::outbound), "<c/>"}, 3);
  CHECK(p.edge.feed(s1, p.now).size() == 1);
  CHECK(p.edge.feed(s1, p.now).empty());
  CHECK(p.edge.duplicates_dropped() == 1);

  SECTION("gap") {
    auto events = p.edge.feed(s3, p.now);
    REQUIRE(events.size() == 1);
    CHECK(std::get<LinkClosed>(events[0]).cause == CloseCause::protocol_error);
  }
  SECTION("garbage") {
    auto events = p.edge.feed("GET / HTTP/1.1\r\nHost: edge\r\n\r\n", p.now);
    REQUIRE(events.size() == 1);
    CHECK(std::get<LinkClosed>(events[0]).cause == CloseCause::protocol_error);
    CHECK(p.edge.feed(s1, p.now).empty());  // Nothing after the end.
  }
  SECTION("ack of an unsent sequence") {
    std::string ack;
    append_message(ack, AckMsg{9}, 0);
    auto events = p.edge.feed(ack, p.now);
    REQUIRE(events.size() == 1);
    CHECK(std::get<LinkClosed>(events[0]).cause == CloseCause::protocol_error);
  }
}

TEST_CASE("relay link: local close sends a close frame and reports nothing", "[unit][relay]") {
  Pair p(config_for(Role::gateway, "gw"), config_for(Role::edge, "edge"));
  p.start();
  p.gw.close("shutdown");
  CHECK(p.gw.closed());
  p.pump();
  CHECK(events_of<LinkClosed>(p.gw_events).empty());
  auto closed = events_of<LinkClosed>(p.edge_events);
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].reason == "shutdown");
}

TEST_CASE("relay link: oversized stanza is refused locally", "[unit][relay]") {
  auto g = config_for(Role::gateway, "gw");
  g.max_payload_bytes = 200;
  Pair p(g, config_for(Role::edge, "edge"));
  p.start();
  auto r = p.gw.send_stanza(facts(Direction::outbound), std::string(300, 'x'));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == xf::Errc::limit_exceeded);
  CHECK(p.gw.last_sent_seq() == 0);
}

namespace {

// Sessions that outlive the links between them, as the daemons keep them.
struct Sessions {
  Session gw{0x6a7e, SessionLimits{}};
  Session edge{0xed6e, SessionLimits{}};
  // A fresh pair of links (one connection) over the same sessions.
  Pair connect(Session* edge_session = nullptr) {
    LinkConfig g = config_for(Role::gateway, "gw-1");
    g.session = &gw;
    LinkConfig e = config_for(Role::edge, "edge");
    Session* es = edge_session != nullptr ? edge_session : &edge;
    e.session_for = [es](const std::string& name) { return name == "gw-1" ? es : nullptr; };
    return Pair(std::move(g), std::move(e));
  }
};

}  // namespace

TEST_CASE("relay link: a new link resumes the session, resends what is unacked, drops duplicates",
          "[unit][relay]") {
  Sessions s;
  std::vector<Receipt> receipts;
  {
    Pair p = s.connect();
    p.start();
    REQUIRE(p.edge.established());
    for (int i = 1; i <= 3; ++i) {
      REQUIRE(p.gw.send_stanza(facts(Direction::outbound), "<m" + std::to_string(i) + "/>").ok());
    }
    p.pump();
    auto at_edge = events_of<StanzaReceived>(p.edge_events);
    REQUIRE(at_edge.size() == 3);
    for (const auto& e : at_edge) receipts.push_back(e.receipt);
    p.edge.complete(receipts[0]);
    p.edge.send_ack();
    p.pump();
    CHECK(s.gw.unacked().size() == 2);
    // The connection breaks here; frame 1 is acknowledged, 2 and 3 were received only.
  }
  Pair p = s.connect();
  p.start();
  REQUIRE(p.gw.established());
  REQUIRE(p.edge.established());
  // 2 and 3 came again and were recognised.
  CHECK(events_of<StanzaReceived>(p.edge_events).empty());
  CHECK(p.edge.duplicates_dropped() == 2);
  // The next frame continues the numbering.
  auto seq = p.gw.send_stanza(facts(Direction::outbound), "<m4/>");
  REQUIRE(seq.ok());
  CHECK(*seq == 4);
  p.pump();
  auto fresh = events_of<StanzaReceived>(p.edge_events);
  REQUIRE(fresh.size() == 1);
  CHECK(fresh[0].seq == 4);
  // Receipts from the first link still count: the ack covers 1..4 once all are completed.
  p.edge.complete(receipts[2]);
  p.edge.complete(receipts[1]);
  p.edge.complete(fresh[0].receipt);
  p.edge.send_ack();
  p.pump();
  CHECK(s.gw.unacked().empty());
  CHECK(p.gw.peer_acked() == 4);
}

TEST_CASE("relay link: a restarted edge gets everything unacked and numbers afresh",
          "[unit][relay]") {
  Sessions s;
  {
    Pair p = s.connect();
    p.start();
    REQUIRE(p.gw.send_stanza(facts(Direction::outbound), "<m1/>").ok());
    REQUIRE(p.edge.send_stanza(facts(Direction::inbound), "<in1/>").ok());
    p.pump();
    // Nothing is completed before the edge dies.
  }
  Session restarted{0xbeef, SessionLimits{}};
  Pair p = s.connect(&restarted);
  p.start();
  REQUIRE(p.edge.established());
  auto again = events_of<StanzaReceived>(p.edge_events);
  REQUIRE(again.size() == 1);
  CHECK(again[0].seq == 1);
  CHECK(again[0].stanza.xml == "<m1/>");
  CHECK(again[0].receipt.peer_token == 0x6a7e);
  // The new edge numbers from 1; the gateway takes that as a new incarnation.
  REQUIRE(p.edge.send_stanza(facts(Direction::inbound), "<in-new/>").ok());
  p.pump();
  auto at_gw = events_of<StanzaReceived>(p.gw_events);
  REQUIRE(at_gw.size() == 1);
  CHECK(at_gw[0].stanza.xml == "<in-new/>");
  CHECK(s.gw.peer_token() == 0xbeef);
  // A receipt of the old edge's frame no longer completes anything.
  s.gw.complete(Receipt{0xed6e, 1});
  CHECK(s.gw.ack_point() == 0);
}

TEST_CASE("relay link: an older link of the same peer ends when a newer one takes over",
          "[unit][relay]") {
  Sessions s;
  Pair first = s.connect();
  first.start();
  REQUIRE(first.edge.established());
  Pair second = s.connect();
  second.start();
  REQUIRE(second.edge.established());
  auto closed = first.edge.on_timer(first.now);
  REQUIRE(events_of<LinkClosed>(closed).size() == 1);
  CHECK(events_of<LinkClosed>(closed)[0].cause == CloseCause::superseded);
  CHECK_FALSE(first.edge.send_stanza(facts(Direction::inbound), "<x/>").ok());
}

TEST_CASE("relay session: bounded by frames, held frames expire by age", "[unit][relay]") {
  Session s(1, SessionLimits{2, 1 << 20, 30000});
  REQUIRE(s.queue(StanzaMsg{facts(Direction::inbound), "<a/>"}, 100, 1 << 20).ok());
  REQUIRE(s.queue(StanzaMsg{facts(Direction::inbound), "<b/>"}, 200, 1 << 20).ok());
  auto full = s.queue(StanzaMsg{facts(Direction::inbound), "<c/>"}, 300, 1 << 20);
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().code == xf::Errc::limit_exceeded);
  CHECK(s.next_expiry() == 30100);
  CHECK(s.expire(30099).empty());
  auto gone = s.expire(30100);
  REQUIRE(gone.size() == 1);
  CHECK(gone[0].seq == 1);
  CHECK(s.first_unacked() == 2);
  CHECK_FALSE(s.acked(3));  // Never sent.
}
