// RFC 6665 helpers: Subscription-State, Event, Allow-Events and Expires, as tables.
#include <catch2/catch.hpp>
#include <string>

#include "frontend-gateway/sip/event_header.h"
#include "frontend-gateway/sip/expires_policy.h"
#include "frontend-gateway/sip/header_params.h"
#include "frontend-gateway/sip/subscription_state.h"

namespace {

using xf::sip::EventHeader;
using xf::sip::ExpiresDecision;
using xf::sip::ExpiresPolicy;
using xf::sip::RetryAdvice;
using xf::sip::SipMessage;
using xf::sip::SubscriptionState;
using xf::sip::SubState;
using xf::sip::TerminationReason;

SipMessage notify_with(const std::string& extra_headers) {
  const std::string text =
      "NOTIFY sip:gw@127.0.0.9:5070 SIP/2.0\r\n"
      "Via: SIP/2.0/TCP 127.0.0.4;branch=z9hG4bKn1\r\n"
      "From: <sip:bob@sip.example.com>;tag=b\r\n"
      "To: <sip:romeo@partner.example>;tag=g\r\n"
      "Call-ID: c1\r\n"
      "CSeq: 2 NOTIFY\r\n" +
      extra_headers + "Content-Length: 0\r\n\r\n";
  auto msg = SipMessage::parse(text);
  REQUIRE(msg.ok());
  return std::move(msg.value());
}

}  // namespace

TEST_CASE("Subscription-State parse table", "[unit][sip]") {
  struct Row {
    const char* text;
    SubState state;
    std::optional<std::uint32_t> expires;
    TerminationReason reason;
    std::optional<std::uint32_t> retry_after;
    RetryAdvice advice;
  };
  const Row rows[] = {
      {"active;expires=600",
       SubState::active,
       600,
       TerminationReason::none,
       {},
       RetryAdvice::later},
      {"Active ; Expires = 3600",
       SubState::active,
       3600,
       TerminationReason::none,
       {},
       RetryAdvice::later},
      {"pending;expires=30",
       SubState::pending,
       30,
       TerminationReason::none,
       {},
       RetryAdvice::later},
      {"terminated;reason=rejected",
       SubState::terminated,
       {},
       TerminationReason::rejected,
       {},
       RetryAdvice::never},
      {"terminated;reason=deactivated",
       SubState::terminated,
       {},
       TerminationReason::deactivated,
       {},
       RetryAdvice::now},
      {"terminated;reason=timeout",
       SubState::terminated,
       {},
       TerminationReason::timeout,
       {},
       RetryAdvice::now},
      {"terminated;reason=noresource",
       SubState::terminated,
       {},
       TerminationReason::noresource,
       {},
       RetryAdvice::never},
      {"terminated;reason=giveup;retry-after=120",
       SubState::terminated,
       {},
       TerminationReason::giveup,
       120,
       RetryAdvice::later},
      {"terminated;reason=probation;retry-after=30",
       SubState::terminated,
       {},
       TerminationReason::probation,
       30,
       RetryAdvice::later},
      {"terminated;reason=invariant",
       SubState::terminated,
       {},
       TerminationReason::invariant,
       {},
       RetryAdvice::never},
      {"terminated;reason=Moved-Away",
       SubState::terminated,
       {},
       TerminationReason::other,
       {},
       RetryAdvice::later},
      {"terminated", SubState::terminated, {}, TerminationReason::none, {}, RetryAdvice::later},
      {"waiting;expires=10;x=\"a;b\"",
       SubState::extension,
       10,
       TerminationReason::none,
       {},
       RetryAdvice::later},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    auto s = SubscriptionState::parse(row.text);
    REQUIRE(s.ok());
    CHECK(s->state == row.state);
    CHECK(s->expires == row.expires);
    CHECK(s->reason == row.reason);
    CHECK(s->retry_after == row.retry_after);
    CHECK(s->retry_advice() == row.advice);
    // What was parsed prints and parses back the same.
    auto text = s->to_string();
    REQUIRE(text.ok());
    auto again = SubscriptionState::parse(*text);
    REQUIRE(again.ok());
    CHECK(*again == *s);
  }
  CHECK(SubscriptionState::parse("waiting").value().extension_state == "waiting");
  CHECK(SubscriptionState::parse("terminated;reason=Moved-Away").value().reason_text ==
        "moved-away");
}

TEST_CASE("Subscription-State refuses malformed values", "[unit][sip]") {
  for (const char* bad : {"", " ", ";expires=1", "active;expires=soon", "active;expires=-1",
                          "terminated;retry-after=x", "active;expires=", "act ive", "active;=1",
                          "active;x=\"open", "active\r\nX: y"}) {
    INFO(bad);
    CHECK_FALSE(SubscriptionState::parse(bad).ok());
  }
}

TEST_CASE("Subscription-State build table", "[unit][sip]") {
  CHECK(SubscriptionState::active(600).to_string().value() == "active;expires=600");
  CHECK(SubscriptionState::pending(3600).to_string().value() == "pending;expires=3600");
  CHECK(SubscriptionState::terminated(TerminationReason::rejected).to_string().value() ==
        "terminated;reason=rejected");
  CHECK(SubscriptionState::terminated(TerminationReason::timeout).to_string().value() ==
        "terminated;reason=timeout");
  CHECK(SubscriptionState::terminated(TerminationReason::deactivated).to_string().value() ==
        "terminated;reason=deactivated");
  CHECK(SubscriptionState::terminated(TerminationReason::noresource).to_string().value() ==
        "terminated;reason=noresource");
  CHECK(SubscriptionState::terminated(TerminationReason::probation, 30).to_string().value() ==
        "terminated;reason=probation;retry-after=30");
  CHECK(SubscriptionState::terminated(TerminationReason::giveup, 90).to_string().value() ==
        "terminated;reason=giveup;retry-after=90");
  CHECK(SubscriptionState::terminated(TerminationReason::none).to_string().value() == "terminated");
  SubscriptionState hostile = SubscriptionState::terminated(TerminationReason::other);
  hostile.reason_text = "x\r\nX: y";
  CHECK_FALSE(hostile.to_string().ok());
  SubscriptionState ext;
  ext.state = SubState::extension;
  CHECK_FALSE(ext.to_string().ok());

  // From a NOTIFY, and a NOTIFY without one.
  auto s = SubscriptionState::of(notify_with("Subscription-State: active;expires=599\r\n"));
  REQUIRE(s.ok());
  CHECK(s->expires == std::optional<std::uint32_t>(599));
  CHECK(SubscriptionState::of(notify_with("")).error().code == xf::Errc::not_found);
}

TEST_CASE("Event header parse, build and match table", "[unit][sip]") {
  struct Row {
    const char* text;
    const char* type;
    const char* id;
    const char* printed;
  };
  const Row rows[] = {
      {"presence", "presence", "", "presence"},
      {" presence ;id=42", "presence", "42", "presence;id=42"},
      {"presence.winfo", "presence.winfo", "", "presence.winfo"},
      {"message-summary;ID=abc;foo=bar", "message-summary", "abc", "message-summary;id=abc"},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    auto e = EventHeader::parse(row.text);
    REQUIRE(e.ok());
    CHECK(e->event_type() == row.type);
    CHECK(e->id == row.id);
    CHECK(e->to_string().value() == row.printed);
  }
  CHECK(EventHeader::parse("presence.winfo").value().package == "presence");
  CHECK(EventHeader::parse("presence.winfo").value().templates ==
        std::vector<std::string>{"winfo"});
  for (const char* bad : {"", ";id=1", "presence.", ".winfo", "pres ence", "presence;id=\"a b\"",
                          "presence..winfo"}) {
    INFO(bad);
    CHECK_FALSE(EventHeader::parse(bad).ok());
  }
  const auto plain = EventHeader::parse("presence").value();
  CHECK(plain.matches(EventHeader::parse("presence").value()));
  CHECK_FALSE(plain.matches(EventHeader::parse("presence;id=1").value()));
  CHECK_FALSE(plain.matches(EventHeader::parse("presence.winfo").value()));
  CHECK_FALSE(plain.matches(EventHeader::parse("Presence").value()));
  CHECK(EventHeader::parse("presence;id=1")
            .value()
            .matches(EventHeader::parse("presence;id=1;x=y").value()));

  // From a message, long and compact form.
  CHECK(EventHeader::of(notify_with("Event: presence\r\n")).value().package == "presence");
  CHECK(EventHeader::of(notify_with("o: presence;id=7\r\n")).value().id == "7");
  CHECK(EventHeader::of(notify_with("")).error().code == xf::Errc::not_found);
  EventHeader hostile;
  hostile.package = "presence\r\nX: y";
  CHECK_FALSE(hostile.to_string().ok());
}

TEST_CASE("Allow-Events read and build", "[unit][sip]") {
  const SipMessage msg =
      notify_with("Allow-Events: presence, presence.winfo\r\nu: message-summary\r\n");
  CHECK(xf::sip::allow_events(msg) ==
        std::vector<std::string>{"presence", "presence.winfo", "message-summary"});
  CHECK(xf::sip::allow_events(notify_with("")).empty());
  CHECK(xf::sip::build_allow_events({"presence", "presence.winfo"}).value() ==
        "presence, presence.winfo");
  CHECK_FALSE(xf::sip::build_allow_events({"presence, x"}).ok());
}

TEST_CASE("Expires policy decision table", "[unit][sip]") {
  ExpiresPolicy policy;  // 60 / 3600 / 3600.
  REQUIRE(policy.validate().ok());
  struct Row {
    std::optional<std::string_view> header;
    ExpiresDecision::Kind kind;
    std::uint32_t expires;
  };
  const Row rows[] = {
      {std::nullopt, ExpiresDecision::Kind::accept, 3600},
      {"600", ExpiresDecision::Kind::accept, 600},
      {"60", ExpiresDecision::Kind::accept, 60},
      {"3600", ExpiresDecision::Kind::accept, 3600},
      {"86400", ExpiresDecision::Kind::accept, 3600},  // Shortened, never lengthened.
      {"99999999999999", ExpiresDecision::Kind::accept, 3600},
      {"59", ExpiresDecision::Kind::too_brief, 60},  // 423 + Min-Expires: 60.
      {"1", ExpiresDecision::Kind::too_brief, 60},
      {"0", ExpiresDecision::Kind::fetch, 0},  // Unsubscribe / fetch.
      {" 0 ", ExpiresDecision::Kind::fetch, 0},
      {"soon", ExpiresDecision::Kind::malformed, 0},  // 400.
      {"-5", ExpiresDecision::Kind::malformed, 0},
      {"", ExpiresDecision::Kind::malformed, 0},
  };
  for (const Row& row : rows) {
    INFO(std::string(row.header.value_or("(absent)")));
    const ExpiresDecision d = policy.decide(row.header);
    CHECK(d.kind == row.kind);
    CHECK(d.expires == row.expires);
  }

  // From a SUBSCRIBE, and the 423 that answers a too brief one.
  auto subscribe = SipMessage::parse(
      "SUBSCRIBE sip:romeo@partner.example SIP/2.0\r\n"
      "Via: SIP/2.0/TCP 127.0.0.4;branch=z9hG4bKs1\r\n"
      "From: <sip:bob@sip.example.com>;tag=b\r\n"
      "To: <sip:romeo@partner.example>\r\n"
      "Call-ID: s1\r\nCSeq: 1 SUBSCRIBE\r\nEvent: presence\r\nExpires: 10\r\n"
      "Content-Length: 0\r\n\r\n");
  REQUIRE(subscribe.ok());
  CHECK(policy.decide(*subscribe).kind == ExpiresDecision::Kind::too_brief);
  auto brief = SipMessage::make_response(*subscribe, 423, {}, "g1");
  REQUIRE(brief.ok());
  REQUIRE(policy.add_min_expires(*brief).ok());
  auto bytes = brief->to_string();
  REQUIRE(bytes.ok());
  CHECK(bytes->find("SIP/2.0 423 Interval Too Brief\r\n") == 0);
  auto back = SipMessage::parse(*bytes);
  REQUIRE(back.ok());
  CHECK(xf::sip::min_expires_of(*back) == std::optional<std::uint32_t>(60));

  ExpiresPolicy bad;
  bad.min_expires = 0;
  CHECK_FALSE(bad.validate().ok());
  bad = ExpiresPolicy{};
  bad.default_expires = 7200;
  CHECK_FALSE(bad.validate().ok());
}

TEST_CASE("Subscription refresh deadlines", "[unit][sip]") {
  CHECK(xf::sip::refresh_deadline(1000, 3600) == 1000 + 3000 * 1000);
  CHECK(xf::sip::refresh_deadline(0, 1201) == 601 * 1000);
  CHECK(xf::sip::refresh_deadline(0, 1200) == 600 * 1000);
  CHECK(xf::sip::refresh_deadline(0, 60) == 30 * 1000);
  CHECK(xf::sip::refresh_deadline(0, 0) == 0);
}

TEST_CASE("HeaderValue and delta-seconds", "[unit][sip]") {
  auto v = xf::sip::HeaderValue::parse("terminated; Reason=\"a \\\"b\\\"\";lr;host=[::1]");
  REQUIRE(v.ok());
  CHECK(v->head == "terminated");
  CHECK(v->param("reason") == std::optional<std::string>("a \"b\""));
  CHECK(v->param("lr") == std::optional<std::string>(""));
  CHECK(v->param("host") == std::optional<std::string>("[::1]"));
  CHECK_FALSE(v->param("expires").has_value());
  std::string many = "x";
  for (int i = 0; i < 40; ++i) many += ";p" + std::to_string(i);
  CHECK(xf::sip::HeaderValue::parse(many).error().code == xf::Errc::limit_exceeded);
  CHECK(xf::sip::parse_delta_seconds("42") == std::optional<std::uint32_t>(42));
  CHECK(xf::sip::parse_delta_seconds("4294967296") == std::optional<std::uint32_t>(0xffffffffu));
  CHECK_FALSE(xf::sip::parse_delta_seconds("12345678901234567890").has_value());
  CHECK_FALSE(xf::sip::parse_delta_seconds("1e3").has_value());
}
