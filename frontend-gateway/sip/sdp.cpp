#include "frontend-gateway/sip/sdp.h"

#include <algorithm>

#include "frontend-gateway/sip/sip_syntax.h"

namespace xf::sip {

namespace {

std::vector<std::string> split_spaces(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

bool admits_text_plain(const std::vector<std::string>& types) {
  if (types.empty()) return true;
  return std::any_of(types.begin(), types.end(), [](const std::string& t) {
    return t == "text/plain" || t == "text/*" || t == "*/*";
  });
}

// A value written on an SDP line: printable, no line break, non-empty.
bool is_sdp_value(std::string_view value) {
  return !value.empty() && is_header_safe(value) && value.find('\t') == std::string_view::npos;
}

bool is_sdp_token(std::string_view value) {
  return is_sdp_value(value) && value.find(' ') == std::string_view::npos;
}

}  // namespace

std::optional<std::string> SdpMedia::attribute(std::string_view name) const {
  for (const auto& a : attributes) {
    const auto colon = a.find(':');
    const std::string_view key = std::string_view(a).substr(0, colon);
    if (key == name) return colon == std::string::npos ? std::string{} : a.substr(colon + 1);
  }
  return std::nullopt;
}

Result<SessionDescription> SessionDescription::parse(std::string_view text) {
  if (text.size() > kMaxBytes) return fail(Errc::limit_exceeded, "SDP too large");
  SessionDescription out;
  std::size_t lines = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;  // Trailing blank lines are common; they carry nothing.
    if (++lines > kMaxLines) return fail(Errc::limit_exceeded, "SDP has too many lines");
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
      return fail(Errc::parse_error, "SDP line is not <letter>=<value>");
    }
    if (!is_header_safe(line)) return fail(Errc::parse_error, "SDP line holds a control character");
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (lines == 1 && line != "v=0") return fail(Errc::parse_error, "SDP does not start with v=0");
    if (type == 'm') {
      if (out.media.size() >= kMaxMedia) return fail(Errc::limit_exceeded, "too many m= lines");
      auto fields = split_spaces(value);
      if (fields.size() < 4)
        return fail(Errc::parse_error, "m= line needs media, port, proto, fmt");
      SdpMedia m;
      m.media = ascii_lower(fields[0]);
      m.port = fields[1];
      const std::string_view port_digits = std::string_view(m.port).substr(0, m.port.find('/'));
      if (port_digits.empty() || port_digits.size() > 5 ||
          port_digits.find_first_not_of("0123456789") != std::string_view::npos) {
        return fail(Errc::parse_error, "m= port is not a number");
      }
      m.proto = fields[2];
      m.formats.assign(fields.begin() + 3, fields.end());
      out.media.push_back(std::move(m));
    } else if (out.media.empty()) {
      out.session_lines.emplace_back(line);
    } else if (type == 'a') {
      out.media.back().attributes.emplace_back(value);
    }
    // Other media-level lines (c=, b=, i=, k=) do not matter for a "sip" stream.
  }
  if (lines == 0) return fail(Errc::parse_error, "empty SDP");
  return out;
}

Result<ImSessionOffer> find_im_session(std::string_view sdp) {
  auto parsed = SessionDescription::parse(sdp);
  if (!parsed) return fail(parsed.error());
  for (std::size_t i = 0; i < parsed->media.size(); ++i) {
    const SdpMedia& m = parsed->media[i];
    if (m.media != "message" || !iequals(m.proto, "sip") || m.disabled()) continue;
    std::vector<std::string> types;
    if (auto list = m.attribute("accept-types")) {
      for (auto& t : split_spaces(*list)) types.push_back(ascii_lower(t));
    }
    if (!admits_text_plain(types)) continue;
    ImSessionOffer offer;
    offer.media_index = i;
    offer.uri = m.formats.front();
    offer.accept_types = std::move(types);
    offer.offered = std::move(parsed->media);
    return offer;
  }
  return fail(Errc::not_found, "no m=message sip stream accepting text/plain in the offer");
}

Result<std::string> build_im_answer(const ImSessionOffer& offer, const SdpAnswerParams& params) {
  if (!is_sdp_token(params.address) || !is_sdp_token(params.port) || !is_sdp_token(params.uri)) {
    return fail(Errc::invalid_argument, "SDP answer address, port or URI is malformed");
  }
  if (offer.media_index >= offer.offered.size()) {
    return fail(Errc::invalid_argument, "offer has no such media line");
  }
  const std::string addr_type = params.address.find(':') != std::string::npos ? "IP6" : "IP4";
  std::string out = "v=0\r\n";
  out += "o=- " + std::to_string(params.session_id) + " " + std::to_string(params.session_version) +
         " IN " + addr_type + " " + params.address + "\r\n";
  out += "s=session\r\n";
  out += "c=IN " + addr_type + " " + params.address + "\r\n";
  out += "t=0 0\r\n";
  for (std::size_t i = 0; i < offer.offered.size(); ++i) {
    const SdpMedia& m = offer.offered[i];
    if (i == offer.media_index) {
      out += "m=message " + params.port + " sip " + params.uri + "\r\n";
      out += "a=accept-types:text/plain\r\n";
      continue;
    }
    // RFC 3264 §6: a refused stream keeps its line with port 0 and at least one format.
    out += "m=" + m.media + " 0 " + m.proto;
    for (const auto& f : m.formats) out += " " + f;
    out += "\r\n";
  }
  return out;
}

}  // namespace xf::sip
