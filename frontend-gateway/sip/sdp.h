// Just enough SDP (RFC 4566) for session-mode IM as Lync / Skype for Business clients start it:
// the INVITE offers "m=message 5060 sip null" with "a=accept-types:text/plain ...", meaning that
// the MESSAGEs of the conversation travel inside the INVITE's SIP dialog (no media stream). The
// gateway accepts such an offer with the same media line (RFC 3264 offer/answer: one answer line
// per offered line, other streams refused with port 0) and answers anything else with
// 488 Not Acceptable Here. Audio/video and MSRP (RFC 4975) are not supported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"

namespace xf::sip {

// One "m=" line and the "a=" lines under it.
struct SdpMedia {
  std::string media;                    // "message", "audio", ...
  std::string port;                     // As written: "5060", "0", "49170/2".
  std::string proto;                    // "sip", "RTP/AVP", "TCP/MSRP", ...
  std::vector<std::string> formats;     // For "message sip": the URI, or "null".
  std::vector<std::string> attributes;  // Each "a=" value: "accept-types:text/plain".

  // Value of "a=<name>:<value>" ("" for a flag "a=<name>"), nullopt when absent.
  std::optional<std::string> attribute(std::string_view name) const;
  bool disabled() const { return port == "0"; }
};

struct SessionDescription {
  // Bounds: an IM offer has about ten lines; Lync's audio/video offers a few hundred.
  static constexpr std::size_t kMaxBytes = 16 * 1024;
  static constexpr std::size_t kMaxLines = 512;
  static constexpr std::size_t kMaxMedia = 16;

  std::vector<std::string> session_lines;  // "v=0", "o=...", ... up to the first "m=".
  std::vector<SdpMedia> media;

  // Lines end in CRLF (a bare LF is tolerated); "v=0" comes first; every line is "<x>=<value>".
  static Result<SessionDescription> parse(std::string_view text);
};

// What the gateway accepted of an offer.
struct ImSessionOffer {
  std::size_t media_index = 0;            // Which "m=" line is the IM stream.
  std::string uri;                        // The offered format: "null" or a SIP URI.
  std::vector<std::string> accept_types;  // Lowercased; empty when the offer listed none.
  std::vector<SdpMedia> offered;          // Every offered line, to answer each one.
};

// Every failure here is answered 488 Not Acceptable Here (RFC 3261 §21.4.26).
inline constexpr int kSdpRefusalStatus = 488;

// Finds the first enabled "m=message <port> sip <uri>" line whose accept-types admit text/plain
// (text/plain, text/* or */*; no accept-types counts as text/plain). parse_error for broken SDP,
// not_found when no such line is offered (an audio-only call, MSRP, ...).
Result<ImSessionOffer> find_im_session(std::string_view sdp);

struct SdpAnswerParams {
  std::string address;           // The gateway's address, IPv4 or IPv6 literal.
  std::uint64_t session_id = 0;  // o= session id; any number unique enough (e.g. time).
  std::uint64_t session_version = 0;
  std::string port = "5060";  // Meaningless for "sip" streams; Lync writes its SIP port.
  std::string uri = "null";   // Our format on the message line; Lync accepts "null".
};

// The answer (RFC 3264 §6): the IM line with "a=accept-types:text/plain", every other offered
// line with port 0. invalid_argument when a parameter would not fit on an SDP line.
Result<std::string> build_im_answer(const ImSessionOffer& offer, const SdpAnswerParams& params);

}  // namespace xf::sip
