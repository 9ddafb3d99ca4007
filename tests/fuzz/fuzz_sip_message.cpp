// SIP stream framing and parsing on arbitrary bytes, then the SIP -> XMPP mapping of whatever
// parses. Invariants checked:
// - the framer never hands out more than its limits allow and never keeps more than
//   max_header_bytes + max_body_bytes (+ the last feed) buffered;
// - framing does not depend on where the stream is split;
// - the response to a request that parses (the only place parsed headers are written back out:
//   Via, From, To, Call-ID, CSeq) parses again with the same Call-ID, CSeq and top Via branch.
// A parsed message is serialized too, but libosip2 does not promise that junk it accepted
// prints back as parsable text, so that output is not checked.
// Links xmppfed_gw_core (frontend-gateway/sip and bridge) besides xmppfed_proto.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "frontend-gateway/bridge/address_map.h"
#include "frontend-gateway/bridge/message_mapper.h"
#include "frontend-gateway/sip/sip_message.h"
#include "frontend-gateway/sip/sip_uri.h"
#include "frontend-gateway/sip/stream_framer.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

// Small limits so that the fuzzer reaches them quickly.
constexpr xf::sip::FramerLimits kLimits{2048, 4096};

std::vector<std::string> frame_all(std::string_view in, std::size_t split) {
  xf::sip::StreamFramer framer(kLimits);
  std::vector<std::string> out;
  for (std::string_view piece : {in.substr(0, split), in.substr(split)}) {
    framer.feed(piece);
    while (auto frame = framer.next()) {
      if (frame->kind == xf::sip::Frame::Kind::ping) {
        out.emplace_back("<ping>");
      } else {
        check(frame->bytes.size() <= kLimits.max_header_bytes + kLimits.max_body_bytes);
        out.push_back(std::move(frame->bytes));
      }
    }
    check(framer.buffered() <= kLimits.max_header_bytes + kLimits.max_body_bytes + in.size());
  }
  if (framer.error() != xf::sip::FrameError::none) out.emplace_back("<error>");
  return out;
}

void exercise(const std::string& bytes) {
  auto msg = xf::sip::SipMessage::parse(bytes);
  if (!msg) return;
  (void)msg->from();
  (void)msg->to();
  (void)msg->max_forwards();
  (void)msg->content_type_param("charset");
  (void)msg->header("Subject");
  (void)msg->header("Accept");
  (void)xf::sip::SipUri::parse(msg->request_uri());
  (void)xf::bridge::jid_for_sip_uri(msg->from().uri);

  (void)msg->to_string();
  if (msg->is_request()) {
    (void)xf::bridge::MessageMapper().to_xmpp(*msg, "fuzz");
    auto response = xf::sip::SipMessage::make_response(*msg, 200, {}, "fuzz");
    check(response.ok());
    auto text = response->to_string();
    check(text.ok());
    auto again = xf::sip::SipMessage::parse(*text);
    check(again.ok());
    check(again->status_code() == 200);
    check(again->call_id() == msg->call_id());
    check(again->cseq_number() == msg->cseq_number());
    check(again->top_via_branch() == msg->top_via_branch());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t split = size == 0 ? 0 : data[0] % (size + 1);
  const auto whole = frame_all(in, size);
  check(frame_all(in, split) == whole);
  for (const auto& frame : whole) {
    if (frame != "<ping>" && frame != "<error>") exercise(frame);
  }
  // The parser must also survive bytes that no framer checked.
  exercise(std::string(in));
  return 0;
}
