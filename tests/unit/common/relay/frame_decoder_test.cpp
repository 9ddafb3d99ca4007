#include "common/relay/frame_decoder.h"

#include <catch2/catch.hpp>

#include "common/relay/messages.h"

using namespace xf::relay;

namespace {

RoutingFacts sample_facts() {
  return RoutingFacts{"sip.example.com", "partner.example.org", Direction::inbound,
                      PartnerAuth::sasl_external, "s2s-in-42"};
}

std::vector<Message> every_message() {
  return {
      Hello{1, 3, Role::gateway, "gw-1"},
      HelloAck{2, "edge-1"},
      Heartbeat{123456789},
      HeartbeatAck{987654321},
      StanzaMsg{sample_facts(), "<message to='a@sip.example.com'><body>hi</body></message>"},
      BounceMsg{42, xf::xmpp::StanzaError::remote_server_timeout,
                RoutingFacts{"sip.example.com", "partner.example.org", Direction::outbound,
                             PartnerAuth::dialback, ""},
                "<presence/>"},
      PolicyMsg{R"({"partners":[{"domain":"partner.example.org"}]})"},
      ReachabilityMsg{"partner.example.org", true},
      AckMsg{77},
      CloseMsg{"shutting down"},
      DeliveredMsg{41},
  };
}

// Encodes every message type into one byte stream with increasing sequence numbers.
std::string stream_of_all(std::vector<Message>& messages) {
  messages = every_message();
  std::string bytes;
  std::uint64_t seq = 1;
  for (const Message& m : messages) append_message(bytes, m, seq++);
  return bytes;
}

void check_frames(const std::vector<Frame>& frames, const std::vector<Message>& messages) {
  REQUIRE(frames.size() == messages.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    CHECK(frames[i].type == frame_type(messages[i]));
    CHECK(frames[i].seq == i + 1);
    auto decoded = decode_payload(frames[i].type, frames[i].payload);
    REQUIRE(decoded.ok());
    CHECK(*decoded == messages[i]);
  }
}

}  // namespace

TEST_CASE("relay: every message type round-trips through its payload", "[unit][relay]") {
  for (const Message& m : every_message()) {
    auto decoded = decode_payload(frame_type(m), encode_payload(m));
    REQUIRE(decoded.ok());
    CHECK(*decoded == m);
  }
}

TEST_CASE("relay: frame header layout is fixed and big-endian", "[unit][relay]") {
  std::string bytes;
  append_frame(bytes, FrameType::stanza, 0x0102030405060708ULL, "abc", 0x0A0B);
  REQUIRE(bytes.size() == kHeaderBytes + 3);
  const std::string expected_header(
      "XF\x01\x05\x0A\x0B\x00\x00\x00\x00\x00\x03"
      "\x01\x02\x03\x04\x05\x06\x07\x08",
      20);
  CHECK(bytes.substr(0, 20) == expected_header);
  CHECK(bytes.substr(20) == "abc");
}

TEST_CASE("relay: decoder accepts the stream whole and byte by byte and at every split",
          "[unit][relay]") {
  std::vector<Message> messages;
  const std::string bytes = stream_of_all(messages);

  SECTION("whole") {
    FrameDecoder d;
    std::vector<Frame> frames;
    REQUIRE(d.feed(bytes, frames).ok());
    check_frames(frames, messages);
    CHECK(d.buffered() == 0);
  }
  SECTION("byte by byte") {
    FrameDecoder d;
    std::vector<Frame> frames;
    for (char c : bytes) REQUIRE(d.feed(std::string_view(&c, 1), frames).ok());
    check_frames(frames, messages);
  }
  SECTION("every split point") {
    for (std::size_t split = 0; split <= bytes.size(); ++split) {
      FrameDecoder d;
      std::vector<Frame> frames;
      REQUIRE(d.feed(std::string_view(bytes).substr(0, split), frames).ok());
      REQUIRE(d.feed(std::string_view(bytes).substr(split), frames).ok());
      check_frames(frames, messages);
    }
  }
}

TEST_CASE("relay: empty payload frames are emitted", "[unit][relay]") {
  std::string bytes;
  append_frame(bytes, FrameType::heartbeat, 0, "");
  append_frame(bytes, FrameType::heartbeat, 0, "");
  FrameDecoder d;
  std::vector<Frame> frames;
  REQUIRE(d.feed(bytes, frames).ok());
  CHECK(frames.size() == 2);
}

TEST_CASE("relay: an oversized length fails at the header before any payload", "[unit][relay]") {
  std::string header;
  append_frame(header, FrameType::stanza, 1, "");
  // Claim a 4 GiB - 1 payload.
  header[8] = header[9] = header[10] = header[11] = '\xFF';
  FrameDecoder d(1024);
  std::vector<Frame> frames;
  auto status = d.feed(header, frames);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code == xf::Errc::limit_exceeded);
  CHECK(d.buffered() <= kHeaderBytes);
  CHECK(frames.empty());
  // The decoder stays failed.
  CHECK_FALSE(d.feed("XF", frames).ok());

  SECTION("exactly the limit is fine") {
    std::string ok;
    append_frame(ok, FrameType::policy, 1, std::string(1024, 'x'));
    FrameDecoder d2(1024);
    CHECK(d2.feed(ok, frames).ok());
    CHECK(frames.size() == 1);
  }
}

TEST_CASE("relay: bad magic or version or type or reserved bits are errors", "[unit][relay]") {
  std::string good;
  append_frame(good, FrameType::heartbeat, 0, std::string(8, '\0'));
  auto broken = [&](std::size_t index, char value) {
    std::string b = good;
    b[index] = value;
    FrameDecoder d;
    std::vector<Frame> frames;
    auto status = d.feed(b, frames);
    CHECK(frames.empty());
    return status.ok() ? xf::Errc::internal : status.error().code;
  };
  CHECK(broken(0, 'Y') == xf::Errc::parse_error);
  CHECK(broken(1, 'G') == xf::Errc::parse_error);
  CHECK(broken(2, 2) == xf::Errc::parse_error);
  CHECK(broken(3, 0) == xf::Errc::parse_error);
  CHECK(broken(3, 99) == xf::Errc::parse_error);
  CHECK(broken(7, 1) == xf::Errc::parse_error);
}

TEST_CASE("relay: malformed payloads are rejected", "[unit][relay]") {
  CHECK_FALSE(decode_payload(FrameType::ack, "1234567").ok());             // Short.
  CHECK_FALSE(decode_payload(FrameType::ack, "123456789").ok());           // Trailing byte.
  CHECK_FALSE(decode_payload(FrameType::close, "\x00\x00\x01\x00").ok());  // Length past end.
  std::string bad_enum = encode_payload(StanzaMsg{sample_facts(), "<x/>"});
  // local_domain and remote_domain, then the direction byte.
  std::size_t dir_at =
      4 + sample_facts().local_domain.size() + 4 + sample_facts().remote_domain.size();
  bad_enum[dir_at] = 9;
  CHECK_FALSE(decode_payload(FrameType::stanza, bad_enum).ok());
  std::string bad_role = encode_payload(Hello{1, 1, Role::edge, "x"});
  bad_role[4] = 7;
  CHECK_FALSE(decode_payload(FrameType::hello, bad_role).ok());
  std::string bad_up = encode_payload(ReachabilityMsg{"d", true});
  bad_up.back() = 2;
  CHECK_FALSE(decode_payload(FrameType::reachability, bad_up).ok());
}

// The wire format predates the typed condition and the shared auth enum: a bounce still carries
// the condition's RFC 6120 name as a string and the facts carry the auth as one byte, so edges
// and gateways of either version understand each other.
TEST_CASE("relay: bounce conditions and partner auth keep their wire encoding", "[unit][relay]") {
  RoutingFacts f{"a", "b", Direction::outbound, PartnerAuth::sasl_external, ""};
  std::string payload =
      encode_payload(BounceMsg{7, xf::xmpp::StanzaError::item_not_found, f, "<x/>"});
  const std::string expected(
      "\0\0\0\0\0\0\0\0"    // ref_token
      "\0\0\0\0\0\0\0\x07"  // ref_seq
      "\0\0\0\x0e"
      "item-not-found"
      "\0\0\0\x01"
      "a"
      "\0\0\0\x01"
      "b"
      "\x02"  // direction: outbound
      "\x02"  // auth: sasl_external
      "\0\0\0\0"
      "\0\0\0\x04"
      "<x/>",
      8 + 8 + 4 + 14 + 5 + 5 + 2 + 4 + 8);
  CHECK(payload == expected);
  CHECK(static_cast<int>(PartnerAuth::none) == 0);
  CHECK(static_cast<int>(PartnerAuth::dialback) == 1);
  CHECK(static_cast<int>(PartnerAuth::tls_verified) == 3);
}

TEST_CASE("relay: a bounce with an unknown condition or auth byte is malformed", "[unit][relay]") {
  RoutingFacts f{"a", "b", Direction::outbound, PartnerAuth::dialback, ""};
  std::string payload =
      encode_payload(BounceMsg{7, xf::xmpp::StanzaError::item_not_found, f, "<x/>"});
  REQUIRE(decode_payload(FrameType::bounce, payload).ok());
  std::string unknown = payload;
  unknown.replace(unknown.find("item-not-found"), 14, "item-not-there");
  CHECK_FALSE(decode_payload(FrameType::bounce, unknown).ok());
  std::string bad_auth = payload;
  bad_auth[8 + 8 + 4 + 14 + 5 + 5 + 1] = 4;
  CHECK_FALSE(decode_payload(FrameType::bounce, bad_auth).ok());
}
