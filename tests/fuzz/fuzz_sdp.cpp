// SDP offers (session-mode IM, frontend-gateway/sip/sdp.h) on arbitrary bytes: the INVITE body
// of a SIP client is untrusted. Invariants checked:
// - a description that parses respects its bounds, and every m= line has a numeric port and
//   at least one format;
// - find_im_session agrees with parse (it fails exactly when parse fails, or finds no line),
//   and what it finds is an enabled "message ... sip" line whose first format is the URI;
// - the answer to a found offer builds, and (when it fits the size bound) parses again with one
//   m= line per offered line: the IM line at the same index, every other line refused with
//   port 0 and the offered media, proto and formats; finding the IM session in the answer gives
//   the same index.
// Links xmppfed_gw_core (frontend-gateway/sip) besides xmppfed_proto.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontend-gateway/sip/sdp.h"

namespace {

using xf::sip::SessionDescription;

void check(bool condition) {
  if (!condition) std::abort();
}

bool is_port(std::string_view port) {
  const std::string_view digits = port.substr(0, port.find('/'));
  return !digits.empty() && digits.size() <= 5 &&
         digits.find_first_not_of("0123456789") == std::string_view::npos;
}

void check_parsed(const SessionDescription& sdp) {
  check(sdp.media.size() <= SessionDescription::kMaxMedia);
  check(sdp.session_lines.size() <= SessionDescription::kMaxLines);
  for (const xf::sip::SdpMedia& m : sdp.media) {
    check(is_port(m.port));
    check(!m.formats.empty());
    check(!m.media.empty() && !m.proto.empty());
  }
}

void check_answer(const xf::sip::ImSessionOffer& offer, const xf::sip::SdpAnswerParams& params) {
  auto answer = xf::sip::build_im_answer(offer, params);
  check(answer.ok());
  if (answer->size() > SessionDescription::kMaxBytes) return;  // Longer than any offer we take.
  auto parsed = SessionDescription::parse(*answer);
  check(parsed.ok());
  check_parsed(*parsed);
  check(parsed->media.size() == offer.offered.size());
  for (std::size_t i = 0; i < parsed->media.size(); ++i) {
    const xf::sip::SdpMedia& got = parsed->media[i];
    if (i == offer.media_index) {
      check(got.media == "message" && got.proto == "sip" && got.port == params.port);
      check(got.formats.size() == 1 && got.formats[0] == params.uri);
      check(got.attribute("accept-types") == std::optional<std::string>("text/plain"));
      continue;
    }
    const xf::sip::SdpMedia& offered = offer.offered[i];
    check(got.disabled());
    check(got.media == offered.media && got.proto == offered.proto);
    check(got.formats == offered.formats);
  }
  auto again = xf::sip::find_im_session(*answer);
  check(again.ok());
  check(again->media_index == offer.media_index);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto sdp = SessionDescription::parse(in);
  if (sdp.ok()) check_parsed(*sdp);

  auto offer = xf::sip::find_im_session(in);
  if (!sdp.ok()) {
    check(!offer.ok());
    return 0;
  }
  if (!offer.ok()) {
    check(offer.error().code == xf::Errc::not_found);
    return 0;
  }
  check(offer->media_index < offer->offered.size());
  check(offer->offered.size() == sdp->media.size());
  const xf::sip::SdpMedia& im = offer->offered[offer->media_index];
  check(im.media == "message" && !im.disabled());
  check(offer->uri == im.formats.front());

  xf::sip::SdpAnswerParams v4;
  v4.address = "127.0.0.11";
  v4.session_id = 3912345678U;
  v4.session_version = 1;
  check_answer(*offer, v4);
  xf::sip::SdpAnswerParams v6 = v4;
  v6.address = "2001:db8::11";
  v6.uri = "sip:gateway@sip.example;transport=tcp";
  check_answer(*offer, v6);
  return 0;
}
