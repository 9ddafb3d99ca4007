#include "frontend-gateway/sip/sip_message.h"

#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include <algorithm>
#include <array>
#include <mutex>

#include "common/core/log.h"
#include "frontend-gateway/sip/sip_syntax.h"

namespace xf::sip {

namespace {

void discard_trace(const char*, int, osip_trace_level_t, const char*, va_list) {}

// libosip2 builds its header-name tables in parser_init(); it must run once per process.
void ensure_parser() {
  static std::once_flag once;
  std::call_once(once, [] {
    parser_init();
    // Parse failures come back as values and are logged by the caller, not on stderr.
    osip_trace_initialize_func(TRACE_LEVEL0, &discard_trace);
    for (int level = TRACE_LEVEL0; level < END_TRACE_LEVEL; ++level) {
      osip_trace_disable_level(static_cast<osip_trace_level_t>(level));
    }
  });
}

// Owns a string allocated by libosip2.
struct OsipString {
  char* ptr = nullptr;
  ~OsipString() {
    if (ptr != nullptr) osip_free(ptr);
  }
  std::string str() const { return ptr == nullptr ? std::string{} : std::string(ptr); }
};

// libosip2 takes parameter names as char*; hand it a writable copy instead of a literal.
osip_generic_param_t* find_param(osip_list_t* params, std::string_view name) {
  std::string copy(name);
  osip_generic_param_t* param = nullptr;
  if (osip_generic_param_get_byname(params, copy.data(), &param) != 0) return nullptr;
  return param;
}

std::string cstr(const char* p) { return p == nullptr ? std::string{} : std::string(p); }

// Headers that libosip2 keeps in typed fields; the generic header API must not touch them.
// clang-format off
constexpr std::array<std::string_view, 26> kModelledHeaders = {
    "from", "f", "to", "t", "via", "v", "call-id", "i", "cseq", "content-type", "c",
    "content-length", "l", "contact", "m", "route", "record-route", "mime-version",
    "authorization", "proxy-authorization", "www-authenticate", "proxy-authenticate",
    "call-info", "error-info", "content-encoding", "e"};
// clang-format on

bool is_modelled(std::string_view name) {
  const std::string lower = ascii_lower(name);
  for (auto h : kModelledHeaders) {
    if (h == lower) return true;
  }
  return false;
}

// Compact forms (RFC 3261 §7.3.3 and extensions) for headers libosip2 leaves generic.
std::string_view compact_form(std::string_view lower_name) {
  if (lower_name == "subject") return "s";
  if (lower_name == "supported") return "k";
  if (lower_name == "event") return "o";
  if (lower_name == "allow-events") return "u";
  if (lower_name == "refer-to") return "r";
  if (lower_name == "referred-by") return "b";
  if (lower_name == "session-expires") return "x";
  return {};
}

std::optional<std::uint64_t> parse_digits(std::string_view text, std::size_t max_digits) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

NameAddr name_addr(osip_from_t* header) {
  NameAddr out;
  if (header == nullptr) return out;
  out.display_name = unquote_display_name(cstr(header->displayname));
  if (header->url != nullptr) {
    OsipString s;
    if (osip_uri_to_str(header->url, &s.ptr) == 0) out.uri = s.str();
  }
  if (const osip_generic_param_t* tag = find_param(&header->gen_params, "tag")) {
    out.tag = cstr(tag->gvalue);
  }
  return out;
}

Result<std::string> name_addr_text(const NameAddr& value) {
  if (!is_header_safe(value.display_name) || !is_header_safe(value.uri)) {
    return fail(Errc::invalid_argument, "From/To value holds a control character");
  }
  if (value.uri.empty() || value.uri.find_first_of("<> \t\"") != std::string::npos) {
    return fail(Errc::invalid_argument, "From/To URI is empty or holds <, >, quote or space");
  }
  if (!value.tag.empty() && !is_token(value.tag)) {
    return fail(Errc::invalid_argument, "tag is not a token");
  }
  std::string text;
  if (!value.display_name.empty()) {
    text += quote_display_name(value.display_name);
    text += ' ';
  }
  text += '<';
  text += value.uri;
  text += '>';
  if (!value.tag.empty()) {
    text += ";tag=";
    text += value.tag;
  }
  return text;
}

osip_via_t* top_via(const osip_message_t* msg) {
  if (osip_list_size(&msg->vias) <= 0) return nullptr;
  return static_cast<osip_via_t*>(osip_list_get(&msg->vias, 0));
}

// libosip2 parses a few list headers (Accept, Allow, ...) into typed lists; the generic
// header() accessor reads the first element of those back as text.
std::optional<std::string> modelled_list_header(const osip_message_t* msg, std::string_view lower) {
  OsipString s;
  int rc = -1;
  if (lower == "accept" && osip_list_size(&msg->accepts) > 0) {
    rc = osip_accept_to_str(static_cast<osip_accept_t*>(osip_list_get(&msg->accepts, 0)), &s.ptr);
  } else if (lower == "allow" && osip_list_size(&msg->allows) > 0) {
    rc = osip_content_length_to_str(static_cast<osip_allow_t*>(osip_list_get(&msg->allows, 0)),
                                    &s.ptr);
  } else if (lower == "accept-language" && osip_list_size(&msg->accept_languages) > 0) {
    rc = osip_accept_encoding_to_str(
        static_cast<osip_accept_language_t*>(osip_list_get(&msg->accept_languages, 0)), &s.ptr);
  } else if (lower == "accept-encoding" && osip_list_size(&msg->accept_encodings) > 0) {
    rc = osip_accept_encoding_to_str(
        static_cast<osip_accept_encoding_t*>(osip_list_get(&msg->accept_encodings, 0)), &s.ptr);
  } else if (lower == "contact" && osip_list_size(&msg->contacts) > 0) {
    rc =
        osip_contact_to_str(static_cast<osip_contact_t*>(osip_list_get(&msg->contacts, 0)), &s.ptr);
  }
  if (rc != 0) return std::nullopt;
  return s.str();
}

// Splits a header value at commas that stand outside quotes and angle brackets; parts trimmed,
// empty parts dropped.
std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> out;
  auto push = [&out](std::string_view part) {
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
  };
  bool quoted = false;
  bool angled = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      angled = true;
    } else if (c == '>') {
      angled = false;
    } else if (c == ',' && !angled) {
      push(value.substr(start, i - start));
      start = i + 1;
    }
  }
  push(value.substr(start));
  return out;
}

// Route, Record-Route and Contact share libosip2's From representation.
std::vector<std::string> name_addr_list(const osip_list_t* list) {
  std::vector<std::string> out;
  for (int i = 0; i < osip_list_size(list); ++i) {
    const auto* h = static_cast<const osip_from_t*>(osip_list_get(list, i));
    OsipString s;
    if (h != nullptr && osip_from_to_str(h, &s.ptr) == 0) out.push_back(s.str());
  }
  return out;
}

void clear_name_addr_list(osip_list_t* list) {
  while (osip_list_size(list) > 0) {
    auto* h = static_cast<osip_from_t*>(osip_list_get(list, 0));
    osip_list_remove(list, 0);
    osip_from_free(h);
  }
}

// A Route or Record-Route value from a caller: a name-addr, or a bare URI that is bracketed so
// that its parameters (";lr") stay URI parameters.
Result<std::string> route_text(std::string_view value) {
  if (value.empty() || !is_header_safe(value)) {
    return fail(Errc::invalid_argument, "route is empty or holds a control character");
  }
  if (value.find(',') != std::string_view::npos) {
    return fail(Errc::invalid_argument, "one route at a time");
  }
  if (value.find('<') != std::string_view::npos) return std::string(value);
  if (value.find_first_of(" \t\">") != std::string_view::npos) {
    return fail(Errc::invalid_argument, "bare route URI holds a space, quote or '>'");
  }
  return "<" + std::string(value) + ">";
}

bool is_sip_version(std::string_view text) { return iequals(text, "SIP/2.0"); }

// RFC 3261 §7.1 and §7.2: "Method SP Request-URI SP SIP-Version" or
// "SIP-Version SP Status-Code SP Reason-Phrase". libosip2 finds the end of a request line by
// looking for the SIP version after the second space, wherever that is: a line without one runs
// on into the headers, and the header block it then parses is not the one checked here.
Status check_start_line(std::string_view line) {
  const auto first = line.find(' ');
  if (first == std::string_view::npos) return fail(Errc::parse_error, "malformed start line");
  const std::string_view lead = line.substr(0, first);
  const std::string_view rest = line.substr(first + 1);
  const auto second = rest.find(' ');
  if (is_sip_version(lead)) {
    // Some agents drop the space before an empty reason phrase; that is harmless.
    const std::string_view code = rest.substr(0, second);
    if (code.size() != 3 || code.find_first_not_of("0123456789") != std::string_view::npos) {
      return fail(Errc::parse_error, "malformed status code");
    }
    return {};
  }
  if (second == std::string_view::npos) return fail(Errc::parse_error, "malformed request line");
  const std::string_view uri = rest.substr(0, second);
  if (!is_token(lead) || uri.empty() || !is_sip_version(rest.substr(second + 1))) {
    return fail(Errc::parse_error, "malformed request line");
  }
  return {};
}

// libosip2 is lenient with line ends and control characters, and what it makes of them does
// not always serialize back to something parsable. RFC 3261 §7 requires CRLF line ends, so the
// header block is checked first: a well-formed start line, CRLF only, no control characters but
// HTAB.
Status check_header_block(std::string_view bytes) {
  // Keep-alive CRLFs are the framer's business; a message starts with its start line.
  if (bytes.empty() || bytes.front() == '\r' || bytes.front() == '\n') {
    return fail(Errc::parse_error, "message does not start with a start line");
  }
  const auto end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) return fail(Errc::parse_error, "header block not terminated");
  const std::string_view head = bytes.substr(0, end + 2);
  if (auto ok = check_start_line(head.substr(0, head.find("\r\n"))); !ok) return ok;
  for (std::size_t i = 0; i < head.size(); ++i) {
    const auto c = static_cast<unsigned char>(head[i]);
    if (c == '\r') {
      if (i + 1 >= head.size() || head[i + 1] != '\n') return fail(Errc::parse_error, "bare CR");
      ++i;
    } else if (c == '\n') {
      return fail(Errc::parse_error, "bare LF in header block");
    } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
      return fail(Errc::parse_error, "control character in header block");
    }
  }
  return {};
}

// True when a header that responses echo (From, To, Via) prints back as text that libosip2
// parses again into a header that prints the same text. Junk that libosip2 accepted but cannot
// reproduce is refused at parse time, so that make_response() never writes a header the peer
// cannot read. Parsing once is not enough: libosip2 reads "sip:%u@1.2:5:%u@1.2:5061" as a host
// it then prints in brackets, which parses as something that no longer prints parsably; asking
// for a fixed point makes every later generation (our response, the peer's reading of it) equal.
template <class Header, int (*ToStr)(const Header*, char**), int (*Init)(Header**),
          int (*Parse)(Header*, const char*), void (*Free)(Header*)>
bool reprints(const Header* header) {
  OsipString text;
  if (ToStr(header, &text.ptr) != 0 || text.ptr == nullptr) return false;
  // A control character here would make the response unparsable (or inject a line).
  if (!is_header_safe(text.ptr)) return false;
  Header* again = nullptr;
  if (Init(&again) != 0) return false;
  bool ok = Parse(again, text.ptr) == 0;
  if (ok) {
    OsipString second;
    ok = ToStr(again, &second.ptr) == 0 && second.ptr != nullptr &&
         std::string_view(second.ptr) == std::string_view(text.ptr);
  }
  Free(again);
  return ok;
}

bool echoed_headers_reprint(const osip_message_t* msg) {
  if (!reprints<osip_from_t, osip_from_to_str, osip_from_init, osip_from_parse, osip_from_free>(
          msg->from) ||
      !reprints<osip_to_t, osip_to_to_str, osip_to_init, osip_to_parse, osip_to_free>(msg->to)) {
    return false;
  }
  for (int i = 0; i < osip_list_size(&msg->vias); ++i) {
    const auto* via = static_cast<const osip_via_t*>(osip_list_get(&msg->vias, i));
    if (!reprints<osip_via_t, osip_via_to_str, osip_via_init, osip_via_parse, osip_via_free>(via)) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<SipMessage> SipMessage::parse(std::string_view bytes) {
  ensure_parser();
  osip_message_t* raw = nullptr;
  if (osip_message_init(&raw) != 0) return fail(Errc::internal, "osip_message_init failed");
  SipMessage msg(raw);
  if (auto ok = check_header_block(bytes); !ok) return fail(ok.error());
  if (osip_message_parse(raw, bytes.data(), bytes.size()) != 0) {
    return fail(Errc::parse_error, "malformed SIP message");
  }
  if (raw->from == nullptr || raw->to == nullptr || raw->call_id == nullptr ||
      raw->cseq == nullptr || top_via(raw) == nullptr) {
    return fail(Errc::parse_error, "SIP message lacks From, To, Call-ID, CSeq or Via");
  }
  if (raw->from->url == nullptr || raw->to->url == nullptr) {
    return fail(Errc::parse_error, "From or To has no URI");
  }
  if (raw->cseq->method == nullptr || raw->cseq->number == nullptr ||
      !parse_digits(raw->cseq->number, 10) || *parse_digits(raw->cseq->number, 10) > 0xffffffffu) {
    return fail(Errc::parse_error, "malformed CSeq");
  }
  if (!echoed_headers_reprint(raw)) {
    return fail(Errc::parse_error, "From, To or Via does not survive re-serialization");
  }
  if (raw->content_type != nullptr &&
      (raw->content_type->type == nullptr || raw->content_type->subtype == nullptr ||
       !is_token(raw->content_type->type) || !is_token(raw->content_type->subtype))) {
    return fail(Errc::parse_error, "malformed Content-Type");
  }
  if (MSG_IS_REQUEST(raw)) {
    if (raw->sip_method == nullptr || raw->req_uri == nullptr) {
      return fail(Errc::parse_error, "request line lacks method or URI");
    }
    if (std::string_view(raw->sip_method) != raw->cseq->method) {
      return fail(Errc::parse_error, "CSeq method differs from the request method");
    }
  } else if (raw->status_code < 100 || raw->status_code > 699) {
    return fail(Errc::parse_error, "status code out of range");
  }
  return msg;
}

Result<SipMessage> SipMessage::make_request(std::string_view method, std::string_view request_uri) {
  ensure_parser();
  if (!is_token(method)) return fail(Errc::invalid_argument, "method is not a token");
  if (!is_header_safe(request_uri) ||
      request_uri.find_first_of("<> \t\"") != std::string_view::npos) {
    return fail(Errc::invalid_argument, "request URI holds a forbidden character");
  }
  osip_message_t* raw = nullptr;
  if (osip_message_init(&raw) != 0) return fail(Errc::internal, "osip_message_init failed");
  SipMessage msg(raw);
  osip_uri_t* uri = nullptr;
  if (osip_uri_init(&uri) != 0) return fail(Errc::internal, "osip_uri_init failed");
  const std::string uri_text(request_uri);
  if (osip_uri_parse(uri, uri_text.c_str()) != 0) {
    osip_uri_free(uri);
    return fail(Errc::invalid_argument, "request URI does not parse");
  }
  const std::string method_text(method);
  osip_message_set_method(raw, osip_strdup(method_text.c_str()));
  osip_message_set_version(raw, osip_strdup("SIP/2.0"));
  osip_message_set_uri(raw, uri);
  osip_message_set_content_length(raw, "0");
  return msg;
}

Result<SipMessage> SipMessage::make_response(const SipMessage& request, int status_code,
                                             std::string_view reason, std::string_view to_tag,
                                             const HeaderList& headers) {
  auto response = make_response(request, status_code, reason, to_tag);
  if (!response.ok()) return response;
  for (const auto& [name, value] : headers) {
    if (Status st = response->add_header(name, value); !st.ok()) return fail(st.error());
  }
  return response;
}

Result<SipMessage> SipMessage::make_response(const SipMessage& request, int status_code,
                                             std::string_view reason, std::string_view to_tag) {
  ensure_parser();
  if (!request.is_request()) return fail(Errc::invalid_argument, "not a request");
  if (status_code < 100 || status_code > 699) {
    return fail(Errc::invalid_argument, "status code out of range");
  }
  std::string reason_text(reason.empty() ? reason_phrase_for(status_code) : reason);
  if (!is_header_safe(reason_text)) return fail(Errc::invalid_argument, "reason not header-safe");
  if (!to_tag.empty() && !is_token(to_tag)) return fail(Errc::invalid_argument, "bad To tag");
  const osip_message_t* req = request.msg_;
  if (req->from == nullptr || req->to == nullptr || req->call_id == nullptr ||
      req->cseq == nullptr) {
    return fail(Errc::invalid_argument, "request lacks From, To, Call-ID or CSeq");
  }
  osip_message_t* raw = nullptr;
  if (osip_message_init(&raw) != 0) return fail(Errc::internal, "osip_message_init failed");
  SipMessage msg(raw);
  osip_message_set_version(raw, osip_strdup("SIP/2.0"));
  osip_message_set_status_code(raw, status_code);
  osip_message_set_reason_phrase(raw, osip_strdup(reason_text.c_str()));
  for (int i = 0; i < osip_list_size(&req->vias); ++i) {
    const auto* via = static_cast<const osip_via_t*>(osip_list_get(&req->vias, i));
    osip_via_t* copy = nullptr;
    if (osip_via_clone(via, &copy) != 0) return fail(Errc::internal, "Via clone failed");
    osip_list_add(&raw->vias, copy, -1);
  }
  if (osip_from_clone(req->from, &raw->from) != 0 || osip_to_clone(req->to, &raw->to) != 0 ||
      osip_call_id_clone(req->call_id, &raw->call_id) != 0 ||
      osip_cseq_clone(req->cseq, &raw->cseq) != 0) {
    return fail(Errc::internal, "header clone failed");
  }
  if (!to_tag.empty()) {
    if (find_param(&raw->to->gen_params, "tag") == nullptr) {
      const std::string tag_text(to_tag);
      osip_to_set_tag(raw->to, osip_strdup(tag_text.c_str()));
    }
  }
  osip_message_set_content_length(raw, "0");
  return msg;
}

SipMessage::SipMessage(SipMessage&& other) noexcept : msg_(other.msg_) { other.msg_ = nullptr; }

SipMessage& SipMessage::operator=(SipMessage&& other) noexcept {
  if (this != &other) {
    if (msg_ != nullptr) osip_message_free(msg_);
    msg_ = other.msg_;
    other.msg_ = nullptr;
  }
  return *this;
}

SipMessage::~SipMessage() {
  if (msg_ != nullptr) osip_message_free(msg_);
}

Result<SipMessage> SipMessage::clone() const {
  osip_message_t* copy = nullptr;
  if (osip_message_clone(msg_, &copy) != 0) return fail(Errc::internal, "message clone failed");
  return SipMessage(copy);
}

bool SipMessage::is_request() const { return MSG_IS_REQUEST(msg_); }

std::string SipMessage::method() const { return is_request() ? cstr(msg_->sip_method) : ""; }

std::string SipMessage::request_uri() const {
  if (!is_request() || msg_->req_uri == nullptr) return {};
  OsipString s;
  if (osip_uri_to_str(msg_->req_uri, &s.ptr) != 0) return {};
  return s.str();
}

int SipMessage::status_code() const { return msg_->status_code; }

std::string SipMessage::reason_phrase() const { return cstr(msg_->reason_phrase); }

NameAddr SipMessage::from() const { return name_addr(msg_->from); }

NameAddr SipMessage::to() const { return name_addr(msg_->to); }

std::string SipMessage::call_id() const {
  if (msg_->call_id == nullptr) return {};
  OsipString s;
  if (osip_call_id_to_str(msg_->call_id, &s.ptr) != 0) return {};
  return s.str();
}

std::uint32_t SipMessage::cseq_number() const {
  if (msg_->cseq == nullptr || msg_->cseq->number == nullptr) return 0;
  const auto n = parse_digits(msg_->cseq->number, 10);
  return n && *n <= 0xffffffffu ? static_cast<std::uint32_t>(*n) : 0;
}

std::string SipMessage::cseq_method() const {
  return msg_->cseq == nullptr ? std::string{} : cstr(msg_->cseq->method);
}

std::size_t SipMessage::via_count() const {
  const int n = osip_list_size(&msg_->vias);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

std::string SipMessage::top_via_branch() const {
  osip_via_t* via = top_via(msg_);
  if (via == nullptr) return {};
  const osip_generic_param_t* branch = find_param(&via->via_params, "branch");
  return branch == nullptr ? std::string{} : cstr(branch->gvalue);
}

std::string SipMessage::top_via_sent_by() const {
  osip_via_t* via = top_via(msg_);
  if (via == nullptr || via->host == nullptr) return {};
  std::string out = ascii_lower(via->host);
  if (via->port != nullptr) {
    out += ':';
    out += via->port;
  }
  return out;
}

std::string SipMessage::top_via_transport() const {
  osip_via_t* via = top_via(msg_);
  return via == nullptr ? std::string{} : cstr(via->protocol);
}

std::optional<int> SipMessage::max_forwards() const {
  const auto value = header("Max-Forwards");
  if (!value) return std::nullopt;
  const auto n = parse_digits(*value, 3);
  if (!n || *n > 255) return std::nullopt;
  return static_cast<int>(*n);
}

std::string SipMessage::content_type() const {
  const osip_content_type_t* ct = msg_->content_type;
  if (ct == nullptr || ct->type == nullptr || ct->subtype == nullptr) return {};
  return ascii_lower(ct->type) + "/" + ascii_lower(ct->subtype);
}

std::optional<std::string> SipMessage::content_type_param(std::string_view name) const {
  osip_content_type_t* ct = msg_->content_type;
  if (ct == nullptr) return std::nullopt;
  for (int i = 0; i < osip_list_size(&ct->gen_params); ++i) {
    const auto* p = static_cast<const osip_generic_param_t*>(osip_list_get(&ct->gen_params, i));
    if (p->gname != nullptr && iequals(p->gname, name)) {
      return unquote_display_name(cstr(p->gvalue));
    }
  }
  return std::nullopt;
}

std::optional<std::size_t> SipMessage::content_length() const {
  if (msg_->content_length == nullptr || msg_->content_length->value == nullptr) {
    return std::nullopt;
  }
  const auto n = parse_digits(msg_->content_length->value, 9);
  if (!n) return std::nullopt;
  return static_cast<std::size_t>(*n);
}

std::string SipMessage::body() const {
  if (osip_list_size(&msg_->bodies) <= 0) return {};
  const auto* b = static_cast<const osip_body_t*>(osip_list_get(&msg_->bodies, 0));
  if (b == nullptr || b->body == nullptr) return {};
  return std::string(b->body, b->length);
}

std::optional<std::string> SipMessage::header(std::string_view name) const {
  const std::string lower = ascii_lower(name);
  const std::string_view compact = compact_form(lower);
  for (int i = 0; i < osip_list_size(&msg_->headers); ++i) {
    const auto* h = static_cast<const osip_header_t*>(osip_list_get(&msg_->headers, i));
    if (h->hname == nullptr) continue;
    if (iequals(h->hname, lower) || (!compact.empty() && iequals(h->hname, compact))) {
      return cstr(h->hvalue);
    }
  }
  return modelled_list_header(msg_, lower);
}

Status SipMessage::set_from(const NameAddr& value) {
  auto text = name_addr_text(value);
  if (!text) return fail(text.error());
  osip_from_t* parsed = nullptr;
  if (osip_from_init(&parsed) != 0) return fail(Errc::internal, "osip_from_init failed");
  if (osip_from_parse(parsed, text->c_str()) != 0) {
    osip_from_free(parsed);
    return fail(Errc::invalid_argument, "From value does not parse");
  }
  if (msg_->from != nullptr) osip_from_free(msg_->from);
  msg_->from = parsed;
  osip_message_force_update(msg_);
  return {};
}

Status SipMessage::set_to(const NameAddr& value) {
  auto text = name_addr_text(value);
  if (!text) return fail(text.error());
  osip_to_t* parsed = nullptr;
  if (osip_to_init(&parsed) != 0) return fail(Errc::internal, "osip_to_init failed");
  if (osip_to_parse(parsed, text->c_str()) != 0) {
    osip_to_free(parsed);
    return fail(Errc::invalid_argument, "To value does not parse");
  }
  if (msg_->to != nullptr) osip_to_free(msg_->to);
  msg_->to = parsed;
  osip_message_force_update(msg_);
  return {};
}

Status SipMessage::set_to_tag(std::string_view tag) {
  if (!is_token(tag)) return fail(Errc::invalid_argument, "tag is not a token");
  if (msg_->to == nullptr) return fail(Errc::invalid_argument, "message has no To");
  const std::string text(tag);
  if (osip_generic_param_t* existing = find_param(&msg_->to->gen_params, "tag")) {
    if (existing->gvalue != nullptr) osip_free(existing->gvalue);
    existing->gvalue = osip_strdup(text.c_str());
  } else {
    osip_to_set_tag(msg_->to, osip_strdup(text.c_str()));
  }
  osip_message_force_update(msg_);
  return {};
}

Status SipMessage::set_call_id(std::string_view call_id) {
  if (call_id.empty() || !is_header_safe(call_id) ||
      call_id.find_first_of(" \t<>\"") != std::string_view::npos) {
    return fail(Errc::invalid_argument, "Call-ID is empty or holds a forbidden character");
  }
  if (msg_->call_id != nullptr) {
    osip_call_id_free(msg_->call_id);
    msg_->call_id = nullptr;
  }
  const std::string text(call_id);
  if (osip_message_set_call_id(msg_, text.c_str()) != 0) {
    return fail(Errc::invalid_argument, "Call-ID does not parse");
  }
  return {};
}

Status SipMessage::set_cseq(std::uint32_t number, std::string_view method) {
  if (!is_token(method)) return fail(Errc::invalid_argument, "CSeq method is not a token");
  if (msg_->cseq != nullptr) {
    osip_cseq_free(msg_->cseq);
    msg_->cseq = nullptr;
  }
  const std::string text = std::to_string(number) + " " + std::string(method);
  if (osip_message_set_cseq(msg_, text.c_str()) != 0) {
    return fail(Errc::invalid_argument, "CSeq does not parse");
  }
  return {};
}

Status SipMessage::push_via(std::string_view transport, std::string_view sent_by,
                            std::string_view branch) {
  if (!is_token(transport) || !is_token(branch) || sent_by.empty() || !is_header_safe(sent_by) ||
      sent_by.find_first_of(" \t;,<>\"") != std::string_view::npos) {
    return fail(Errc::invalid_argument, "Via transport, sent-by or branch is malformed");
  }
  const std::string text = "SIP/2.0/" + std::string(transport) + " " + std::string(sent_by) +
                           ";branch=" + std::string(branch);
  osip_via_t* via = nullptr;
  if (osip_via_init(&via) != 0) return fail(Errc::internal, "osip_via_init failed");
  if (osip_via_parse(via, text.c_str()) != 0) {
    osip_via_free(via);
    return fail(Errc::invalid_argument, "Via does not parse");
  }
  osip_list_add(&msg_->vias, via, 0);
  osip_message_force_update(msg_);
  return {};
}

Status SipMessage::set_max_forwards(int hops) {
  if (hops < 0 || hops > 255) return fail(Errc::invalid_argument, "Max-Forwards out of range");
  return set_header("Max-Forwards", std::to_string(hops));
}

Status SipMessage::set_body(std::string_view content_type, std::string_view body) {
  if (!is_header_safe(content_type)) {
    return fail(Errc::invalid_argument, "Content-Type holds a control character");
  }
  osip_content_type_t* ct = nullptr;
  if (!content_type.empty()) {
    if (osip_content_type_init(&ct) != 0) return fail(Errc::internal, "content type init");
    const std::string text(content_type);
    if (osip_content_type_parse(ct, text.c_str()) != 0) {
      osip_content_type_free(ct);
      return fail(Errc::invalid_argument, "Content-Type does not parse");
    }
  }
  while (osip_list_size(&msg_->bodies) > 0) {
    auto* b = static_cast<osip_body_t*>(osip_list_get(&msg_->bodies, 0));
    osip_list_remove(&msg_->bodies, 0);
    osip_body_free(b);
  }
  if (msg_->content_type != nullptr) osip_content_type_free(msg_->content_type);
  msg_->content_type = ct;
  if (msg_->content_length != nullptr) {
    osip_content_length_free(msg_->content_length);
    msg_->content_length = nullptr;
  }
  if (!body.empty() && osip_message_set_body(msg_, body.data(), body.size()) != 0) {
    return fail(Errc::internal, "osip_message_set_body failed");
  }
  const std::string length = std::to_string(body.size());
  osip_message_set_content_length(msg_, length.c_str());
  osip_message_force_update(msg_);
  return {};
}

Status SipMessage::set_header(std::string_view name, std::string_view value) {
  if (auto ok = check_header(name, value); !ok) return ok;
  if (is_modelled(name)) return fail(Errc::invalid_argument, "header has a typed setter");
  for (int i = 0; i < osip_list_size(&msg_->headers);) {
    auto* h = static_cast<osip_header_t*>(osip_list_get(&msg_->headers, i));
    if (h->hname != nullptr && iequals(h->hname, name)) {
      osip_list_remove(&msg_->headers, i);
      osip_header_free(h);
    } else {
      ++i;
    }
  }
  return add_header(name, value);
}

Status SipMessage::add_header(std::string_view name, std::string_view value) {
  if (auto ok = check_header(name, value); !ok) return ok;
  if (is_modelled(name)) return fail(Errc::invalid_argument, "header has a typed setter");
  const std::string n(name);
  const std::string v(value);
  if (osip_message_set_header(msg_, n.c_str(), v.c_str()) != 0) {
    return fail(Errc::internal, "osip_message_set_header failed");
  }
  osip_message_force_update(msg_);
  return {};
}

Result<std::string> SipMessage::to_string() const {
  osip_message_force_update(msg_);
  char* text = nullptr;
  std::size_t length = 0;
  if (osip_message_to_str(msg_, &text, &length) != 0 || text == nullptr) {
    return fail(Errc::internal, "osip_message_to_str failed");
  }
  std::string out(text, length);
  osip_free(text);
  return out;
}

std::vector<std::string> SipMessage::header_values(std::string_view name) const {
  std::vector<std::string> out;
  const std::string lower = ascii_lower(name);
  const std::string_view compact = compact_form(lower);
  for (int i = 0; i < osip_list_size(&msg_->headers); ++i) {
    const auto* h = static_cast<const osip_header_t*>(osip_list_get(&msg_->headers, i));
    if (h->hname == nullptr || h->hvalue == nullptr) continue;
    if (iequals(h->hname, lower) || (!compact.empty() && iequals(h->hname, compact))) {
      for (auto& part : split_list(h->hvalue)) out.push_back(std::move(part));
    }
  }
  return out;
}

std::vector<std::string> SipMessage::record_routes() const {
  return name_addr_list(&msg_->record_routes);
}

std::vector<std::string> SipMessage::routes() const { return name_addr_list(&msg_->routes); }

std::optional<std::string> SipMessage::contact_uri() const {
  if (osip_list_size(&msg_->contacts) <= 0) return std::nullopt;
  const auto* c = static_cast<const osip_contact_t*>(osip_list_get(&msg_->contacts, 0));
  if (c == nullptr || c->url == nullptr) return std::nullopt;  // "Contact: *" has no URI.
  OsipString s;
  if (osip_uri_to_str(c->url, &s.ptr) != 0) return std::nullopt;
  return s.str();
}

std::optional<std::uint32_t> SipMessage::expires() const {
  const auto value = header("Expires");
  if (!value) return std::nullopt;
  // 20 digits fit in 64 bits; anything longer is junk rather than a long interval.
  const auto n = parse_digits(*value, 19);
  if (!n) return std::nullopt;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(*n, 0xffffffffu));
}

std::optional<std::uint32_t> SipMessage::retry_after() const {
  const auto value = header("Retry-After");
  if (!value) return std::nullopt;
  std::string_view text = *value;
  text = text.substr(0, text.find_first_of(" \t(;"));
  const auto n = parse_digits(text, 9);
  if (!n) return std::nullopt;
  return static_cast<std::uint32_t>(*n);
}

Status SipMessage::set_contact(std::string_view uri) {
  if (uri.empty() || !is_header_safe(uri) ||
      uri.find_first_of("<> \t\",") != std::string_view::npos) {
    return fail(Errc::invalid_argument, "Contact URI is empty or holds a forbidden character");
  }
  const std::string text = "<" + std::string(uri) + ">";
  osip_contact_t* parsed = nullptr;
  if (osip_contact_init(&parsed) != 0) return fail(Errc::internal, "osip_contact_init failed");
  if (osip_contact_parse(parsed, text.c_str()) != 0 || parsed->url == nullptr) {
    osip_contact_free(parsed);
    return fail(Errc::invalid_argument, "Contact does not parse");
  }
  while (osip_list_size(&msg_->contacts) > 0) {
    auto* c = static_cast<osip_contact_t*>(osip_list_get(&msg_->contacts, 0));
    osip_list_remove(&msg_->contacts, 0);
    osip_contact_free(c);
  }
  osip_list_add(&msg_->contacts, parsed, -1);
  osip_message_force_update(msg_);
  return {};
}

Status SipMessage::add_route(std::string_view value) {
  auto text = route_text(value);
  if (!text) return fail(text.error());
  osip_route_t* parsed = nullptr;
  if (osip_route_init(&parsed) != 0) return fail(Errc::internal, "osip_route_init failed");
  if (osip_route_parse(parsed, text->c_str()) != 0 || parsed->url == nullptr) {
    osip_route_free(parsed);
    return fail(Errc::invalid_argument, "Route does not parse");
  }
  osip_list_add(&msg_->routes, parsed, -1);
  osip_message_force_update(msg_);
  return {};
}

Status SipMessage::add_record_route(std::string_view value) {
  auto text = route_text(value);
  if (!text) return fail(text.error());
  osip_record_route_t* parsed = nullptr;
  if (osip_record_route_init(&parsed) != 0) {
    return fail(Errc::internal, "osip_record_route_init failed");
  }
  if (osip_record_route_parse(parsed, text->c_str()) != 0 || parsed->url == nullptr) {
    osip_record_route_free(parsed);
    return fail(Errc::invalid_argument, "Record-Route does not parse");
  }
  osip_list_add(&msg_->record_routes, parsed, -1);
  osip_message_force_update(msg_);
  return {};
}

Status SipMessage::copy_record_routes(const SipMessage& request) {
  if (&request == this) return {};
  clear_name_addr_list(&msg_->record_routes);
  for (int i = 0; i < osip_list_size(&request.msg_->record_routes); ++i) {
    const auto* rr =
        static_cast<const osip_record_route_t*>(osip_list_get(&request.msg_->record_routes, i));
    osip_record_route_t* copy = nullptr;
    if (osip_record_route_clone(rr, &copy) != 0) {
      return fail(Errc::internal, "Record-Route clone failed");
    }
    osip_list_add(&msg_->record_routes, copy, -1);
  }
  osip_message_force_update(msg_);
  return {};
}

std::string_view reason_phrase_for(int status_code) {
  const char* reason = osip_message_get_reason(status_code);
  return reason == nullptr ? std::string_view{} : std::string_view(reason);
}

}  // namespace xf::sip
