#include "frontend-gateway/sip/sdp.h"

#include <catch2/catch.hpp>
#include <string>

namespace {

using xf::sip::find_im_session;
using xf::sip::SdpAnswerParams;
using xf::sip::SessionDescription;

// A Lync 2013 / Skype for Business client's session-mode IM offer.
const std::string kLyncOffer =
    "v=0\r\n"
    "o=- 0 0 IN IP4 192.168.10.23\r\n"
    "s=session\r\n"
    "c=IN IP4 192.168.10.23\r\n"
    "t=0 0\r\n"
    "m=message 5060 sip null\r\n"
    "a=accept-types:text/plain multipart/alternative image/gif text/rtf text/html "
    "application/x-ms-ink application/ms-imdn+xml text/x-msmsgsinvite\r\n";

const std::string kAudioOnly =
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 10.0.0.5\r\n"
    "s=-\r\n"
    "c=IN IP4 10.0.0.5\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0 8 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n";

SdpAnswerParams params() {
  SdpAnswerParams p;
  p.address = "127.0.0.9";
  p.session_id = 1234;
  p.session_version = 1;
  return p;
}

}  // namespace

TEST_CASE("SDP: Lync session-mode IM offer is found and answered", "[unit][sip]") {
  auto offer = find_im_session(kLyncOffer);
  REQUIRE(offer.ok());
  CHECK(offer->media_index == 0);
  CHECK(offer->uri == "null");
  REQUIRE(offer->accept_types.size() == 8);
  CHECK(offer->accept_types[0] == "text/plain");
  auto answer = build_im_answer(*offer, params());
  REQUIRE(answer.ok());
  CHECK(*answer ==
        "v=0\r\n"
        "o=- 1234 1 IN IP4 127.0.0.9\r\n"
        "s=session\r\n"
        "c=IN IP4 127.0.0.9\r\n"
        "t=0 0\r\n"
        "m=message 5060 sip null\r\n"
        "a=accept-types:text/plain\r\n");
  // The answer is itself an acceptable offer.
  CHECK(find_im_session(*answer).ok());
}

TEST_CASE("SDP: audio-only, MSRP, disabled and text-less offers are refused", "[unit][sip]") {
  CHECK(xf::sip::kSdpRefusalStatus == 488);
  auto audio = find_im_session(kAudioOnly);
  REQUIRE_FALSE(audio.ok());
  CHECK(audio.error().code == xf::Errc::not_found);

  const std::string msrp =
      "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n"
      "m=message 7394 TCP/MSRP *\r\na=accept-types:text/plain\r\n"
      "a=path:msrp://10.0.0.5:7394/s111271;tcp\r\n";
  CHECK(find_im_session(msrp).error().code == xf::Errc::not_found);

  std::string disabled = kLyncOffer;
  disabled.replace(disabled.find("5060"), 4, "0");
  CHECK_FALSE(find_im_session(disabled).ok());

  std::string rtf_only = kLyncOffer;
  rtf_only.replace(rtf_only.find("text/plain "), 11, "");
  rtf_only.replace(rtf_only.find("multipart/alternative"), 21, "text/rtf");
  CHECK_FALSE(find_im_session(rtf_only).ok());

  // Wildcards and a missing accept-types admit text/plain.
  std::string wildcard = kLyncOffer;
  wildcard.replace(wildcard.find("text/plain"), 10, "TEXT/*");
  CHECK(find_im_session(wildcard).ok());
  std::string bare = kLyncOffer.substr(0, kLyncOffer.find("a=accept-types"));
  CHECK(find_im_session(bare).ok());
}

TEST_CASE("SDP: mixed offer refuses the other streams with port 0", "[unit][sip]") {
  const std::string mixed = kAudioOnly +
                            "m=message 5060 sip sip:bob@sip.example.com\r\n"
                            "a=accept-types:text/plain\r\n";
  auto offer = find_im_session(mixed);
  REQUIRE(offer.ok());
  CHECK(offer->media_index == 1);
  CHECK(offer->uri == "sip:bob@sip.example.com");
  SdpAnswerParams p = params();
  p.address = "2001:db8::9";
  auto answer = build_im_answer(*offer, p);
  REQUIRE(answer.ok());
  CHECK(answer->find("c=IN IP6 2001:db8::9\r\n") != std::string::npos);
  CHECK(answer->find("m=audio 0 RTP/AVP 0 8 101\r\nm=message 5060 sip null\r\n") !=
        std::string::npos);
  p.address = "1.2.3.4\r\nm=audio 1 RTP/AVP 0";
  CHECK_FALSE(build_im_answer(*offer, p).ok());
}

TEST_CASE("SDP parser: malformed and oversized input", "[unit][sip]") {
  CHECK(SessionDescription::parse("").error().code == xf::Errc::parse_error);
  CHECK_FALSE(SessionDescription::parse("o=- 0 0 IN IP4 1.2.3.4\r\nv=0\r\n").ok());
  CHECK_FALSE(SessionDescription::parse("v=0\r\nm=message 5060 sip\r\n").ok());
  CHECK_FALSE(SessionDescription::parse("v=0\r\nm=message port sip null\r\n").ok());
  CHECK_FALSE(SessionDescription::parse("v=0\r\nnot a line\r\n").ok());
  CHECK_FALSE(SessionDescription::parse("v=0\r\nX=upper\r\n").ok());
  CHECK_FALSE(SessionDescription::parse("v=0\r\ns=a\x01 b\r\n").ok());
  // LF-only line ends and trailing blank lines are tolerated.
  auto lf =
      SessionDescription::parse("v=0\nm=message 5060 sip null\na=accept-types:text/plain\n\n");
  REQUIRE(lf.ok());
  REQUIRE(lf->media.size() == 1);
  CHECK(lf->media[0].attribute("accept-types") == std::optional<std::string>("text/plain"));
  CHECK_FALSE(lf->media[0].attribute("path").has_value());

  std::string many = "v=0\r\n";
  for (int i = 0; i < 17; ++i) many += "m=audio 0 RTP/AVP 0\r\n";
  CHECK(SessionDescription::parse(many).error().code == xf::Errc::limit_exceeded);
  CHECK(
      SessionDescription::parse(std::string(SessionDescription::kMaxBytes + 1, 'a')).error().code ==
      xf::Errc::limit_exceeded);

  // Every prefix of the Lync offer parses or fails cleanly; those ending a line parse.
  for (std::size_t n = 1; n <= kLyncOffer.size(); ++n) {
    auto part = SessionDescription::parse(kLyncOffer.substr(0, n));
    if (kLyncOffer[n - 1] == '\n') CHECK(part.ok());
  }
}
