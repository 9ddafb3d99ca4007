#include "frontend-gateway/sip/event_header.h"

#include "frontend-gateway/sip/header_params.h"
#include "frontend-gateway/sip/sip_syntax.h"

namespace xf::sip {

namespace {

bool is_token_nodot(std::string_view text) {
  return is_token(text) && text.find('.') == std::string_view::npos;
}

}  // namespace

Result<EventHeader> EventHeader::parse(std::string_view value) {
  auto parsed = HeaderValue::parse(value);
  if (!parsed) return fail(parsed.error());
  EventHeader out;
  std::string_view type = parsed->head;
  bool first = true;
  while (true) {
    const auto dot = type.find('.');
    const std::string_view part = type.substr(0, dot);
    if (!is_token_nodot(part)) return fail(Errc::parse_error, "event type is malformed");
    if (first) {
      out.package = std::string(part);
      first = false;
    } else {
      out.templates.emplace_back(part);
    }
    if (dot == std::string_view::npos) break;
    type = type.substr(dot + 1);
  }
  if (auto id = parsed->param("id")) {
    if (!is_token(*id)) return fail(Errc::parse_error, "event id is not a token");
    out.id = *id;
  }
  return out;
}

Result<EventHeader> EventHeader::of(const SipMessage& message) {
  auto value = message.header("Event");
  if (!value) return fail(Errc::not_found, "no Event header");
  return parse(*value);
}

std::string EventHeader::event_type() const {
  std::string out = package;
  for (const auto& t : templates) out += "." + t;
  return out;
}

Result<std::string> EventHeader::to_string() const {
  if (!is_token_nodot(package)) return fail(Errc::invalid_argument, "event package not a token");
  for (const auto& t : templates) {
    if (!is_token_nodot(t)) return fail(Errc::invalid_argument, "event template not a token");
  }
  if (!id.empty() && !is_token(id)) return fail(Errc::invalid_argument, "event id not a token");
  std::string out = event_type();
  if (!id.empty()) out += ";id=" + id;
  return out;
}

bool EventHeader::matches(const EventHeader& other) const {
  return package == other.package && templates == other.templates && id == other.id;
}

std::vector<std::string> allow_events(const SipMessage& message) {
  return message.header_values("Allow-Events");
}

Result<std::string> build_allow_events(const std::vector<std::string>& event_types) {
  std::string out;
  for (const auto& type : event_types) {
    if (!is_token(type)) return fail(Errc::invalid_argument, "event type is not a token");
    if (!out.empty()) out += ", ";
    out += type;
  }
  return out;
}

}  // namespace xf::sip
