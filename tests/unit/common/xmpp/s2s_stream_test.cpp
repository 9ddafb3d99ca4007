#include "common/xmpp/s2s_stream.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/xml/element.h"
#include "common/xmpp/dialback_key.h"

using xf::xmpp::DialbackRequest;
using xf::xmpp::PeerAuth;
using xf::xmpp::S2sStream;
using xf::xmpp::StanzaError;
using xf::xmpp::StreamError;
using xf::xmpp::StreamFailure;

namespace {

// Records every event a stream reports.
struct Recorder : S2sStream::Events {
  std::string sent;
  int start_tls = 0;
  std::vector<xf::xml::Element> stanzas;
  std::vector<PeerAuth> stanza_auth;      // How each stanza's pair was authenticated.
  std::vector<xf::xml::Element> refused;  // Stanzas refused with the condition below.
  std::vector<StanzaError> refused_conditions;
  std::vector<DialbackRequest> requests;
  std::vector<std::string> verify_results;  // "id from to valid|invalid"
  std::vector<std::string> authenticated;   // "local remote"
  std::vector<PeerAuth> authenticated_how;
  bool certificate_ok = false;                 // What peer_certificate_authenticates answers.
  std::vector<std::string> certificate_asked;  // Domains it was asked about.
  std::vector<std::string> sasl_failures;      // "sent|received condition"
  int ready_for_verify = 0;
  bool closed = false;
  std::optional<StreamError> close_condition;

  void on_send(std::string_view bytes) override { sent.append(bytes); }
  void on_start_tls() override { ++start_tls; }
  void on_stanza(xf::xml::Element&& stanza, std::string_view, std::string_view,
                 PeerAuth how) override {
    stanzas.push_back(std::move(stanza));
    stanza_auth.push_back(how);
  }
  void on_stanza_refused(xf::xml::Element&& stanza, std::string_view, std::string_view,
                         StanzaError condition) override {
    refused.push_back(std::move(stanza));
    refused_conditions.push_back(condition);
  }
  void on_dialback_request(const DialbackRequest& r) override { requests.push_back(r); }
  void on_verify_result(std::string_view id, std::string_view from, std::string_view to,
                        bool valid) override {
    verify_results.push_back(std::string(id) + " " + std::string(from) + " " + std::string(to) +
                             (valid ? " valid" : " invalid"));
  }
  void on_authenticated(std::string_view local, std::string_view remote, PeerAuth how) override {
    authenticated.push_back(std::string(local) + " " + std::string(remote));
    authenticated_how.push_back(how);
  }
  bool peer_certificate_authenticates(std::string_view remote) override {
    certificate_asked.emplace_back(remote);
    return certificate_ok;
  }
  void on_sasl_failure(std::string_view condition, bool sent_by_us) override {
    sasl_failures.push_back((sent_by_us ? "sent " : "received ") + std::string(condition));
  }
  void on_ready_for_verify() override { ++ready_for_verify; }
  void on_closed(const StreamFailure* failure) override {
    closed = true;
    if (failure != nullptr) close_condition = failure->condition;
  }
  std::string take() {
    std::string s;
    s.swap(sent);
    return s;
  }
};

S2sStream::Settings inbound_settings() {
  S2sStream::Settings s;
  s.role = S2sStream::Role::inbound;
  s.is_hosted = [](std::string_view d) { return d == "sip.example"; };
  s.dialback_secret = "s3cr3t";
  s.make_stream_id = [] { return std::string("in-1"); };
  return s;
}

S2sStream::Settings outbound_settings() {
  S2sStream::Settings s;
  s.role = S2sStream::Role::outbound;
  s.local_domain = "sip.example";
  s.remote_domain = "xmpp.example";
  s.dialback_secret = "s3cr3t";
  return s;
}

constexpr const char* kPeerHeader =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
    "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
    "from='xmpp.example' to='sip.example' version='1.0'>";

// Brings an inbound stream through STARTTLS and the second header.
void open_inbound(S2sStream& stream, Recorder& rec) {
  stream.start(0);
  stream.feed(kPeerHeader, 1);
  std::string first = rec.take();
  REQUIRE(first.find("id='in-1'") != std::string::npos);
  REQUIRE(first.find("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>") !=
          std::string::npos);
  stream.feed("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 2);
  REQUIRE(rec.take() == "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  REQUIRE(rec.start_tls == 1);
  stream.tls_established(3);
  stream.feed(kPeerHeader, 4);
  std::string second = rec.take();
  REQUIRE(second.find("<dialback xmlns='urn:xmpp:features:dialback'>") != std::string::npos);
  REQUIRE(second.find("starttls") == std::string::npos);
}

// open_inbound, then xmpp.example -> sip.example authenticated by dialback (at time 6).
void open_authenticated(S2sStream& stream, Recorder& rec) {
  open_inbound(stream, rec);
  stream.feed("<db:result from='xmpp.example' to='sip.example'>abc</db:result>", 5);
  stream.complete_dialback("xmpp.example", "sip.example", true, 6);
}

}  // namespace

TEST_CASE("inbound s2s: STARTTLS, dialback, then stanzas of the authenticated pair",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(inbound_settings(), rec);
  open_inbound(stream, rec);

  stream.feed("<db:result from='xmpp.example' to='sip.example'>abc</db:result>", 5);
  REQUIRE(rec.requests.size() == 1);
  CHECK(rec.requests[0].stream_id == "in-1");
  CHECK(rec.requests[0].remote_domain == "xmpp.example");
  CHECK(rec.requests[0].local_domain == "sip.example");
  CHECK(rec.requests[0].key == "abc");
  CHECK_FALSE(stream.is_authenticated("sip.example", "xmpp.example"));
  CHECK(stream.auth_of("sip.example", "xmpp.example") == PeerAuth::none);

  stream.complete_dialback("xmpp.example", "sip.example", true, 6);
  CHECK(rec.take() == "<db:result from='sip.example' to='xmpp.example' type='valid'/>");
  REQUIRE(rec.authenticated == std::vector<std::string>{"sip.example xmpp.example"});

  stream.feed(
      "<message from='alice@xmpp.example/res' to='bob@sip.example' type='chat'>"
      "<body>hi</body></message>",
      7);
  REQUIRE(rec.stanzas.size() == 1);
  CHECK(rec.stanzas[0].child_text("body") == "hi");
  // The stanza carries how its pair was authenticated, for the relay routing facts.
  CHECK(rec.stanza_auth == std::vector<PeerAuth>{PeerAuth::dialback});
  CHECK(stream.auth_of("sip.example", "xmpp.example") == PeerAuth::dialback);
  CHECK(stream.auth_of("xmpp.example", "sip.example") == PeerAuth::none);
  CHECK_FALSE(rec.closed);
}

TEST_CASE("inbound s2s: a stanza from an unauthenticated domain ends the stream with invalid-from",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(inbound_settings(), rec);
  open_authenticated(stream, rec);
  rec.take();
  stream.feed("<message from='mallory@evil.example' to='bob@sip.example'><body>x</body></message>",
              7);
  CHECK(rec.stanzas.empty());
  REQUIRE(rec.close_condition == StreamError::invalid_from);
  std::string out = rec.take();
  CHECK(out.find("<invalid-from xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>") !=
        std::string::npos);
  CHECK(out.find("</stream:stream>") != std::string::npos);
}

TEST_CASE("inbound s2s: a stanza to a domain we do not serve ends the stream with host-unknown",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(inbound_settings(), rec);
  open_authenticated(stream, rec);
  stream.feed("<message from='alice@xmpp.example' to='bob@other.example'/>", 7);
  CHECK(rec.stanzas.empty());
  CHECK(rec.close_condition == StreamError::host_unknown);
}

TEST_CASE("inbound s2s: a stanza with a malformed address is refused alone, the stream stays",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(inbound_settings(), rec);
  open_authenticated(stream, rec);
  rec.take();
  // A space is not allowed in a localpart (RFC 7622); the domains are a valid, authenticated
  // pair, so only this stanza is at fault (RFC 6120 §8.3.3.8 jid-malformed).
  stream.feed(
      "<message from='alice@xmpp.example' to='bad user@sip.example' id='m1'>"
      "<body>x</body></message>",
      7);
  stream.feed("<message from='bad user@xmpp.example/r' to='bob@sip.example' id='m2'/>", 8);
  CHECK(rec.stanzas.empty());
  REQUIRE(rec.refused.size() == 2);
  CHECK(rec.refused[0].attr("id") == "m1");
  CHECK(rec.refused[1].attr("id") == "m2");
  CHECK(rec.refused_conditions ==
        std::vector<StanzaError>{StanzaError::jid_malformed, StanzaError::jid_malformed});
  CHECK_FALSE(rec.closed);
  // Later stanzas on the same stream are delivered.
  stream.feed("<message from='alice@xmpp.example' to='bob@sip.example' id='m3'/>", 9);
  REQUIRE(rec.stanzas.size() == 1);
  CHECK(rec.stanzas[0].attr("id") == "m3");
}

TEST_CASE("inbound s2s: a malformed domain, or an unauthenticated one, still ends the stream",
          "[unit][xmpp][s2s]") {
  {
    Recorder rec;
    S2sStream stream(inbound_settings(), rec);
    open_authenticated(stream, rec);
    stream.feed("<message from='alice@xmpp..example' to='bob@sip.example'/>", 7);
    CHECK(rec.refused.empty());
    CHECK(rec.close_condition == StreamError::improper_addressing);
  }
  {
    Recorder rec;
    S2sStream stream(inbound_settings(), rec);
    open_authenticated(stream, rec);
    stream.feed("<message from='bad user@evil.example' to='bob@sip.example'/>", 7);
    CHECK(rec.refused.empty());
    CHECK(rec.close_condition == StreamError::invalid_from);
  }
}

TEST_CASE("inbound s2s: a peer claiming one of our own domains is refused with invalid-from",
          "[unit][xmpp][s2s]") {
  SECTION("in the stream header") {
    Recorder rec;
    S2sStream stream(inbound_settings(), rec);
    stream.start(0);
    stream.feed(
        "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
        "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
        "from='sip.example' to='sip.example' version='1.0'>",
        1);
    CHECK(rec.close_condition == StreamError::invalid_from);
    const std::string out = rec.take();
    CHECK(out.find("<stream:stream") != std::string::npos);  // Header before the error.
    CHECK(out.find("<invalid-from xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>") !=
          std::string::npos);
  }
  SECTION("in a dialback request: no verification, so the edge never dials itself") {
    Recorder rec;
    S2sStream stream(inbound_settings(), rec);
    open_inbound(stream, rec);
    stream.feed("<db:result from='sip.example' to='sip.example'>abc</db:result>", 5);
    CHECK(rec.requests.empty());
    CHECK(rec.close_condition == StreamError::invalid_from);
  }
}

TEST_CASE("inbound s2s: stanzas before dialback completes are refused", "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(inbound_settings(), rec);
  open_inbound(stream, rec);
  stream.feed("<db:result from='xmpp.example' to='sip.example'>abc</db:result>", 5);
  stream.feed("<message from='alice@xmpp.example' to='bob@sip.example'/>", 6);
  CHECK(rec.stanzas.empty());
  CHECK(rec.close_condition == StreamError::invalid_from);
}

TEST_CASE("inbound s2s: anything but STARTTLS before TLS is a policy violation",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(inbound_settings(), rec);
  stream.start(0);
  stream.feed(kPeerHeader, 1);
  stream.feed("<db:result from='xmpp.example' to='sip.example'>abc</db:result>", 2);
  CHECK(rec.requests.empty());
  CHECK(rec.close_condition == StreamError::policy_violation);
}

TEST_CASE("inbound s2s: header to an unknown host gets a header, then host-unknown",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(inbound_settings(), rec);
  stream.start(0);
  stream.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "to='nobody.example' version='1.0'>",
      1);
  std::string out = rec.take();
  CHECK(out.find("<stream:stream") == out.find("<?xml version='1.0'?>") + 21);
  CHECK(out.find("<host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>") !=
        std::string::npos);
  CHECK(rec.close_condition == StreamError::host_unknown);
}

TEST_CASE("inbound s2s: db:verify is answered from the shared secret (XEP-0185)",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(inbound_settings(), rec);
  open_inbound(stream, rec);
  std::string good = xf::xmpp::dialback_key("s3cr3t", "xmpp.example", "sip.example", "out-7");
  stream.feed("<db:verify from='xmpp.example' to='sip.example' id='out-7'>" + good + "</db:verify>",
              5);
  CHECK(rec.take() == "<db:verify from='sip.example' to='xmpp.example' id='out-7' type='valid'/>");
  stream.feed("<db:verify from='xmpp.example' to='sip.example' id='out-7'>00ff</db:verify>", 6);
  CHECK(rec.take() ==
        "<db:verify from='sip.example' to='xmpp.example' id='out-7' type='invalid'/>");
  CHECK_FALSE(rec.closed);
}

TEST_CASE("outbound s2s: STARTTLS, then our dialback key, then authenticated",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(outbound_settings(), rec);
  stream.start(0);
  std::string header = rec.take();
  CHECK(header.find("from='sip.example' to='xmpp.example'") != std::string::npos);
  stream.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "xmlns:db='jabber:server:dialback' from='xmpp.example' id='first' version='1.0'>"
      "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
      "</stream:features>",
      1);
  CHECK(rec.take() == "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  stream.feed("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 2);
  CHECK(rec.start_tls == 1);
  stream.tls_established(3);
  CHECK(rec.take().find("<stream:stream") != std::string::npos);
  stream.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "xmlns:db='jabber:server:dialback' from='xmpp.example' id='second' version='1.0'>"
      "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>",
      4);
  std::string key = xf::xmpp::dialback_key("s3cr3t", "xmpp.example", "sip.example", "second");
  CHECK(rec.take() == "<db:result from='sip.example' to='xmpp.example'>" + key + "</db:result>");
  CHECK(stream.ready_for_verify());
  stream.feed("<db:result from='xmpp.example' to='sip.example' type='valid'/>", 5);
  REQUIRE(rec.authenticated == std::vector<std::string>{"sip.example xmpp.example"});

  xf::xml::Element msg("message", "jabber:server");
  msg.set_attr("from", "bob@sip.example").set_attr("to", "alice@xmpp.example");
  msg.add_child("body", "jabber:server").add_text("a<b");
  stream.send_stanza(msg, 6);
  CHECK(rec.take() ==
        "<message from='bob@sip.example' to='alice@xmpp.example'><body>a&lt;b</body></message>");
}

TEST_CASE("outbound s2s: a partner without STARTTLS is refused when TLS is required",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(outbound_settings(), rec);
  stream.start(0);
  stream.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "from='xmpp.example' id='x' version='1.0'><stream:features/>",
      1);
  CHECK(rec.close_condition == StreamError::policy_violation);
}

TEST_CASE("s2s timers: establishment timeout, keep-alive, inactivity", "[unit][xmpp][s2s]") {
  auto settings = inbound_settings();
  settings.establishment_timeout_ms = 1000;
  settings.keepalive_interval_ms = 300;
  settings.inactivity_timeout_ms = 5000;
  SECTION("unauthenticated stream times out") {
    Recorder rec;
    S2sStream stream(settings, rec);
    stream.start(0);
    stream.feed(kPeerHeader, 10);
    CHECK(stream.next_deadline() == 310);
    stream.on_timer(999);
    CHECK_FALSE(rec.closed);
    stream.on_timer(1000);
    CHECK(rec.close_condition == StreamError::connection_timeout);
  }
  SECTION("authenticated stream sends whitespace, then times out when the peer is silent") {
    Recorder rec;
    S2sStream stream(settings, rec);
    open_authenticated(stream, rec);
    rec.take();
    CHECK(stream.next_deadline() == 306);
    stream.on_timer(306);
    CHECK(rec.take() == " ");
    stream.on_timer(4999);
    CHECK_FALSE(rec.closed);
    stream.on_timer(5005);
    CHECK(rec.close_condition == StreamError::connection_timeout);
  }
}

TEST_CASE("s2s: an inbound and an outbound stream complete dialback against each other",
          "[unit][xmpp][s2s]") {
  // Without TLS: this checks the dialback exchange and key agreement end to end.
  auto in_settings = inbound_settings();
  in_settings.tls_required = false;
  in_settings.tls_available = false;
  in_settings.is_hosted = [](std::string_view d) { return d == "xmpp.example"; };
  auto out_settings = outbound_settings();
  out_settings.tls_required = false;
  out_settings.tls_available = false;
  Recorder in_rec, out_rec;
  S2sStream in(in_settings, in_rec);
  S2sStream out(out_settings, out_rec);
  in.start(0);
  out.start(0);
  for (int round = 0; round < 10; ++round) {
    std::string a = out_rec.take(), b = in_rec.take();
    if (!a.empty()) in.feed(a, round);
    if (!b.empty()) out.feed(b, round);
    for (auto& r : in_rec.requests) {
      // The authoritative check: the same secret recomputes the key the originator sent.
      bool valid =
          xf::xmpp::dialback_key("s3cr3t", r.local_domain, r.remote_domain, r.stream_id) == r.key;
      in.complete_dialback(r.remote_domain, r.local_domain, valid, round);
    }
    in_rec.requests.clear();
  }
  CHECK(in_rec.authenticated == std::vector<std::string>{"xmpp.example sip.example"});
  CHECK(out_rec.authenticated == std::vector<std::string>{"sip.example xmpp.example"});
  CHECK_FALSE(in_rec.closed);
  CHECK_FALSE(out_rec.closed);
}

TEST_CASE("s2s: stanzas an outbound stream could not deliver get remote-server-*",
          "[unit][xmpp][s2s]") {
  using xf::xmpp::StanzaError;
  using xf::xmpp::undelivered_condition;
  CHECK(undelivered_condition(false, false) == StanzaError::remote_server_not_found);
  CHECK(undelivered_condition(false, true) == StanzaError::remote_server_timeout);
  CHECK(undelivered_condition(true, false) == StanzaError::remote_server_timeout);
  CHECK(undelivered_condition(true, true) == StanzaError::remote_server_timeout);
}

// ---- SASL EXTERNAL (RFC 6120 §6, XEP-0178) ----

namespace {

constexpr const char* kSaslFeatures =
    "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism>"
    "</mechanisms>";
constexpr const char* kSuccess = "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>";

std::string sasl_failure(const std::string& condition) {
  return "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><" + condition + "/></failure>";
}

std::string auth(const std::string& initial_response, const std::string& mechanism = "EXTERNAL") {
  return "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='" + mechanism + "'>" +
         initial_response + "</auth>";
}

// An inbound stream past STARTTLS whose second features went out (in `features`).
std::string open_inbound_tls(S2sStream& stream, Recorder& rec) {
  stream.start(0);
  stream.feed(kPeerHeader, 1);
  rec.take();
  stream.feed("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 2);
  rec.take();
  stream.tls_established(3);
  stream.feed(kPeerHeader, 4);
  return rec.take();
}

}  // namespace

TEST_CASE("inbound s2s: SASL EXTERNAL offered for a valid certificate, success, stream restart",
          "[unit][xmpp][s2s]") {
  const char* responses[] = {"eG1wcC5leGFtcGxl", "="};  // base64("xmpp.example"), no authzid.
  for (const char* response : responses) {
    INFO(response);
    Recorder rec;
    rec.certificate_ok = true;
    S2sStream stream(inbound_settings(), rec);
    std::string features = open_inbound_tls(stream, rec);
    CHECK(rec.certificate_asked == std::vector<std::string>{"xmpp.example"});
    CHECK(features.find(kSaslFeatures) != std::string::npos);
    // XEP-0220 §2.2: dialback is offered alongside.
    CHECK(features.find("<dialback xmlns='urn:xmpp:features:dialback'>") != std::string::npos);

    stream.feed(auth(response), 5);
    CHECK(rec.take() == kSuccess);
    REQUIRE(rec.authenticated == std::vector<std::string>{"sip.example xmpp.example"});
    CHECK(rec.authenticated_how == std::vector<PeerAuth>{PeerAuth::sasl_external});
    CHECK(stream.state() == S2sStream::State::awaiting_header);

    // RFC 6120 §6.4.6: the peer restarts; the new features offer neither TLS nor SASL.
    stream.feed(kPeerHeader, 6);
    std::string restarted = rec.take();
    CHECK(restarted.find("<stream:stream") != std::string::npos);
    CHECK(restarted.find("mechanisms") == std::string::npos);
    CHECK(restarted.find("starttls") == std::string::npos);
    stream.feed(
        "<message from='alice@xmpp.example/res' to='bob@sip.example' type='chat'>"
        "<body>hi</body></message>",
        7);
    REQUIRE(rec.stanzas.size() == 1);
    CHECK(rec.stanza_auth == std::vector<PeerAuth>{PeerAuth::sasl_external});
    CHECK(stream.auth_of("sip.example", "xmpp.example") == PeerAuth::sasl_external);
    CHECK_FALSE(rec.closed);
  }
}

TEST_CASE("inbound s2s: SASL EXTERNAL without an initial response gets an empty challenge",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  rec.certificate_ok = true;
  S2sStream stream(inbound_settings(), rec);
  open_inbound_tls(stream, rec);
  stream.feed("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'/>", 5);
  CHECK(rec.take() == "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
  CHECK(rec.authenticated.empty());
  stream.feed("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", 6);
  CHECK(rec.take() == kSuccess);
  CHECK(rec.authenticated_how == std::vector<PeerAuth>{PeerAuth::sasl_external});
}

TEST_CASE("inbound s2s: an invalid certificate gets no SASL offer, dialback still works",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(inbound_settings(), rec);
  std::string features = open_inbound_tls(stream, rec);
  CHECK(rec.certificate_asked == std::vector<std::string>{"xmpp.example"});
  CHECK(features.find("mechanisms") == std::string::npos);
  CHECK(features.find("<dialback xmlns='urn:xmpp:features:dialback'>") != std::string::npos);
  // A peer that tries anyway is refused, and the stream stays for dialback (XEP-0178 §3).
  stream.feed(auth("eG1wcC5leGFtcGxl"), 5);
  CHECK(rec.take() == sasl_failure("not-authorized"));
  CHECK(rec.sasl_failures == std::vector<std::string>{"sent not-authorized"});
  CHECK(rec.authenticated.empty());
  CHECK_FALSE(rec.closed);
  stream.feed("<db:result from='xmpp.example' to='sip.example'>abc</db:result>", 6);
  REQUIRE(rec.requests.size() == 1);
  stream.complete_dialback("xmpp.example", "sip.example", true, 7);
  CHECK(rec.authenticated_how == std::vector<PeerAuth>{PeerAuth::dialback});
}

TEST_CASE("inbound s2s: SASL failure conditions (RFC 6120 6.5), then policy-violation",
          "[unit][xmpp][s2s]") {
  struct Row {
    std::string element;
    const char* condition;
  };
  const Row rows[] = {
      {auth("=", "PLAIN"), "invalid-mechanism"},
      {auth("not base64!"), "incorrect-encoding"},
      {auth("b3RoZXIuZXhhbXBsZQ=="), "invalid-authzid"},      // "other.example"
      {auth("YWxpY2VAeG1wcC5leGFtcGxl"), "invalid-authzid"},  // "alice@xmpp.example"
      {"<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>", "aborted"},
  };
  for (const Row& row : rows) {
    INFO(row.element);
    Recorder rec;
    rec.certificate_ok = true;
    S2sStream stream(inbound_settings(), rec);
    open_inbound_tls(stream, rec);
    stream.feed(row.element, 5);
    CHECK(rec.take() == sasl_failure(row.condition));
    CHECK(rec.authenticated.empty());
    CHECK_FALSE(rec.closed);
    // A retry on the same stream may still succeed.
    stream.feed(auth("="), 6);
    CHECK(rec.take() == kSuccess);
  }
  SECTION("retries are bounded (RFC 6120 6.4.5)") {
    Recorder rec;
    rec.certificate_ok = true;
    S2sStream stream(inbound_settings(), rec);
    open_inbound_tls(stream, rec);
    for (int i = 0; i < 3; ++i) {
      stream.feed(auth("b3RoZXIuZXhhbXBsZQ=="), 5 + i);
      CHECK(rec.take() == sasl_failure("invalid-authzid"));
    }
    stream.feed(auth("="), 9);
    CHECK(rec.close_condition == StreamError::policy_violation);
    CHECK(rec.authenticated.empty());
  }
  SECTION("SASL before TLS: encryption-required") {
    Recorder rec;
    rec.certificate_ok = true;
    S2sStream stream(inbound_settings(), rec);
    stream.start(0);
    stream.feed(kPeerHeader, 1);
    rec.take();
    stream.feed(auth("="), 2);
    CHECK(rec.take() == sasl_failure("encryption-required"));
    CHECK(rec.certificate_asked.empty());
  }
}

namespace {

// An outbound stream through STARTTLS; the features after TLS are `features`.
void outbound_to_features(S2sStream& stream, Recorder& rec, const std::string& features) {
  stream.start(0);
  stream.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "xmlns:db='jabber:server:dialback' from='xmpp.example' id='first' version='1.0'>"
      "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
      "</stream:features>",
      1);
  stream.feed("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 2);
  stream.tls_established(3);
  rec.take();
  stream.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "xmlns:db='jabber:server:dialback' from='xmpp.example' id='second' version='1.0'>"
      "<stream:features>" +
          features + "<dialback xmlns='urn:xmpp:features:dialback'/></stream:features>",
      4);
}

S2sStream::Settings outbound_sasl_settings() {
  S2sStream::Settings s = outbound_settings();
  s.sasl_external = true;
  return s;
}

}  // namespace

TEST_CASE("outbound s2s: SASL EXTERNAL when offered, then a restarted stream, no dialback",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(outbound_sasl_settings(), rec);
  outbound_to_features(stream, rec, kSaslFeatures);
  // No authorization identity (RFC 6120 §6.3.8): the empty response.
  CHECK(rec.take() == auth("="));
  CHECK(stream.state() == S2sStream::State::authenticating);
  CHECK(rec.ready_for_verify == 0);
  stream.feed(kSuccess, 5);
  // Authenticated only once the restarted stream's features arrive (negotiation complete).
  CHECK(rec.authenticated.empty());
  CHECK_FALSE(stream.is_authenticated("sip.example", "xmpp.example"));
  std::string header = rec.take();
  CHECK(header.find("<stream:stream") != std::string::npos);
  CHECK(header.find("from='sip.example' to='xmpp.example'") != std::string::npos);
  stream.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "from='xmpp.example' id='third' version='1.0'><stream:features/>",
      6);
  CHECK(rec.take().empty());  // No db:result: the pair is authenticated.
  CHECK(rec.authenticated_how == std::vector<PeerAuth>{PeerAuth::sasl_external});
  CHECK(stream.ready_for_verify());
  CHECK(rec.ready_for_verify == 1);
  CHECK(stream.auth_of("sip.example", "xmpp.example") == PeerAuth::sasl_external);
  CHECK_FALSE(rec.closed);
}

TEST_CASE("outbound s2s: a SASL EXTERNAL failure falls back to dialback", "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(outbound_sasl_settings(), rec);
  outbound_to_features(stream, rec, kSaslFeatures);
  CHECK(rec.take() == auth("="));
  stream.feed(sasl_failure("not-authorized"), 5);
  CHECK(rec.sasl_failures == std::vector<std::string>{"received not-authorized"});
  std::string key = xf::xmpp::dialback_key("s3cr3t", "xmpp.example", "sip.example", "second");
  CHECK(rec.take() == "<db:result from='sip.example' to='xmpp.example'>" + key + "</db:result>");
  CHECK(rec.ready_for_verify == 1);
  stream.feed("<db:result from='xmpp.example' to='sip.example' type='valid'/>", 6);
  CHECK(rec.authenticated_how == std::vector<PeerAuth>{PeerAuth::dialback});
}

TEST_CASE("outbound s2s: dialback when EXTERNAL is not offered or not enabled",
          "[unit][xmpp][s2s]") {
  SECTION("only PLAIN offered") {
    Recorder rec;
    S2sStream stream(outbound_sasl_settings(), rec);
    outbound_to_features(stream, rec,
                         "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                         "<mechanism>PLAIN</mechanism></mechanisms>");
    CHECK(rec.take().find("<db:result") == 0);
  }
  SECTION("EXTERNAL offered, sasl_external off") {
    Recorder rec;
    S2sStream stream(outbound_settings(), rec);
    outbound_to_features(stream, rec, kSaslFeatures);
    CHECK(rec.take().find("<db:result") == 0);
  }
}

TEST_CASE("inbound s2s: direct TLS offers no STARTTLS, then SASL EXTERNAL or dialback",
          "[unit][xmpp][s2s]") {
  const bool certificate_ok = GENERATE(false, true);
  INFO("certificate_ok " << certificate_ok);
  Recorder rec;
  rec.certificate_ok = certificate_ok;
  S2sStream stream(inbound_settings(), rec);
  stream.start_with_tls(0);
  CHECK(stream.tls_active());
  stream.feed(kPeerHeader, 1);
  std::string features = rec.take();
  CHECK(features.find("id='in-1'") != std::string::npos);
  CHECK(features.find("starttls") == std::string::npos);
  CHECK(features.find("<dialback xmlns='urn:xmpp:features:dialback'>") != std::string::npos);
  CHECK((features.find(kSaslFeatures) != std::string::npos) == certificate_ok);
  if (certificate_ok) {
    stream.feed(auth("="), 2);
    CHECK(rec.take() == kSuccess);
    CHECK(rec.authenticated_how == std::vector<PeerAuth>{PeerAuth::sasl_external});
  } else {
    stream.feed("<db:result from='xmpp.example' to='sip.example'>k</db:result>", 2);
    REQUIRE(rec.requests.size() == 1);
    stream.complete_dialback("xmpp.example", "sip.example", true, 3);
    CHECK(rec.authenticated_how == std::vector<PeerAuth>{PeerAuth::dialback});
  }
  CHECK(rec.start_tls == 0);
  CHECK_FALSE(rec.closed);
}

TEST_CASE("inbound s2s: STARTTLS over direct TLS ends the stream", "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(inbound_settings(), rec);
  stream.start_with_tls(0);
  stream.feed(kPeerHeader, 1);
  rec.take();
  stream.feed("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", 2);
  CHECK(rec.start_tls == 0);
  CHECK(rec.close_condition == StreamError::unsupported_feature);
}

TEST_CASE("outbound s2s: direct TLS goes from the features straight to SASL EXTERNAL",
          "[unit][xmpp][s2s]") {
  Recorder rec;
  S2sStream stream(outbound_sasl_settings(), rec);
  stream.start_with_tls(0);
  CHECK(rec.take().find("from='sip.example' to='xmpp.example'") != std::string::npos);
  stream.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "xmlns:db='jabber:server:dialback' from='xmpp.example' id='first' version='1.0'>"
      "<stream:features>" +
          std::string(kSaslFeatures) + "</stream:features>",
      1);
  CHECK(rec.take() == auth("="));
  CHECK(rec.start_tls == 0);
  stream.feed(kSuccess, 2);
  rec.take();
  stream.feed(
      "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
      "from='xmpp.example' id='second' version='1.0'><stream:features/>",
      3);
  CHECK(rec.authenticated_how == std::vector<PeerAuth>{PeerAuth::sasl_external});
  CHECK_FALSE(rec.closed);
}
