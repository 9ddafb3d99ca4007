// One SIP request or response (RFC 3261 §7), a move-only owner of a libosip2 osip_message_t.
// Accessors return copies so that callers never hold pointers into libosip2's structures.
// Setters check every value for characters that would inject a header (see sip_syntax.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/core/result.h"

struct osip_message;

namespace xf::sip {

// A From or To header: "Display" <uri>;tag=...
struct NameAddr {
  std::string display_name;  // Unquoted; empty when absent.
  std::string uri;           // As written in the message, e.g. "sip:alice@example.com".
  std::string tag;           // Empty when absent.
};

class SipMessage {
 public:
  // Parses one complete message (a StreamFramer frame). Requests must carry the headers
  // RFC 3261 §8.1.1 makes mandatory (To, From, CSeq, Call-ID, Via); so must responses.
  static Result<SipMessage> parse(std::string_view bytes);

  // A request with its request line only; the caller adds From/To/Call-ID/CSeq/Via.
  static Result<SipMessage> make_request(std::string_view method, std::string_view request_uri);

  // A response to a request per RFC 3261 §8.2.6: copies every Via, From, To, Call-ID and CSeq.
  // to_tag is added to To when the request's To has no tag and to_tag is not empty. An empty
  // reason uses the standard phrase.
  static Result<SipMessage> make_response(const SipMessage& request, int status_code,
                                          std::string_view reason = {},
                                          std::string_view to_tag = {});
  // The same with extra headers (name, value) appended in order, e.g. Accept with a 415,
  // Retry-After with a 503 or Allow with a 405; fails when one is not header-safe.
  using HeaderList = std::vector<std::pair<std::string, std::string>>;
  static Result<SipMessage> make_response(const SipMessage& request, int status_code,
                                          std::string_view reason, std::string_view to_tag,
                                          const HeaderList& headers);

  SipMessage(SipMessage&& other) noexcept;
  SipMessage& operator=(SipMessage&& other) noexcept;
  SipMessage(const SipMessage&) = delete;
  SipMessage& operator=(const SipMessage&) = delete;
  ~SipMessage();

  Result<SipMessage> clone() const;

  bool is_request() const;
  bool is_response() const { return !is_request(); }

  // Request line (empty for responses).
  std::string method() const;
  std::string request_uri() const;
  // Status line (0 / "" for requests).
  int status_code() const;
  std::string reason_phrase() const;

  NameAddr from() const;
  NameAddr to() const;
  std::string call_id() const;
  // CSeq; number 0 and method "" when absent or unparsable.
  std::uint32_t cseq_number() const;
  std::string cseq_method() const;

  std::size_t via_count() const;
  // Top Via's branch parameter, "" when absent.
  std::string top_via_branch() const;
  // Top Via's sent-by as "host" or "host:port" (lowercased host), "" when absent.
  std::string top_via_sent_by() const;
  // Top Via's transport ("TCP", "TLS", ...), uppercase as written.
  std::string top_via_transport() const;

  std::optional<int> max_forwards() const;
  // "type/subtype" lowercased, "" when there is no Content-Type.
  std::string content_type() const;
  // A Content-Type parameter such as "charset" (value unquoted), or nullopt.
  std::optional<std::string> content_type_param(std::string_view name) const;
  std::optional<std::size_t> content_length() const;
  // The body bytes (the first part if libosip2 split a multipart body).
  std::string body() const;

  // First value of a header that libosip2 does not model itself (Subject, Max-Forwards,
  // Content-Language, Expires, X-...), matched case-insensitively; nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;

  // Every value of a header libosip2 does not model itself (Supported, Require, Allow-Events,
  // ...), in order, comma-separated lists split and trimmed; compact forms are matched too.
  std::vector<std::string> header_values(std::string_view name) const;

  // Record-Route and Route entries (RFC 3261 §20.30, §20.34), top first, one per route even when
  // a header joined several with commas, each as name-addr text: "<sip:127.0.0.4;lr>".
  std::vector<std::string> record_routes() const;
  std::vector<std::string> routes() const;
  // URI of the first Contact ("sip:alice@10.0.0.5:5060;transport=tcp"); nullopt when there is
  // none or it is "*".
  std::optional<std::string> contact_uri() const;
  // Expires as delta-seconds (RFC 3261 §20.19); nullopt when absent or not a number. Values above
  // 2^32-1 saturate.
  std::optional<std::uint32_t> expires() const;
  // The delta-seconds of Retry-After (RFC 3261 §20.33), without its comment or parameters;
  // nullopt when absent or not a number of at most 9 digits.
  std::optional<std::uint32_t> retry_after() const;

  // Setters. Each returns invalid_argument for values that are not header-safe.
  Status set_from(const NameAddr& value);
  Status set_to(const NameAddr& value);
  Status set_to_tag(std::string_view tag);
  Status set_call_id(std::string_view call_id);
  Status set_cseq(std::uint32_t number, std::string_view method);
  // Adds a Via on top: "SIP/2.0/<transport> <sent_by>;branch=<branch>".
  Status push_via(std::string_view transport, std::string_view sent_by, std::string_view branch);
  Status set_max_forwards(int hops);
  // Sets the body, Content-Type and Content-Length. An empty content_type removes the type.
  Status set_body(std::string_view content_type, std::string_view body);
  // Replaces (set) or appends (add) a header libosip2 does not model itself; names of modelled
  // headers (From, To, Via, Call-ID, CSeq, Content-Type, Content-Length, ...) are refused.
  Status set_header(std::string_view name, std::string_view value);
  Status add_header(std::string_view name, std::string_view value);

  // Replaces every Contact with "<uri>" (the gateway's own address, RFC 3261 §8.1.1.8).
  Status set_contact(std::string_view uri);
  // Appends one Route or Record-Route entry: a name-addr ("<sip:p.example.com;lr>") or a bare URI.
  Status add_route(std::string_view value);
  Status add_record_route(std::string_view value);
  // RFC 3261 §12.1.1: a response to a dialog-creating request carries the request's
  // Record-Route entries, in order. Replaces any this message holds.
  Status copy_record_routes(const SipMessage& request);

  // The wire form, with a Content-Length header.
  Result<std::string> to_string() const;

 private:
  explicit SipMessage(osip_message* msg) : msg_(msg) {}
  osip_message* msg_ = nullptr;
};

// Standard reason phrase for a status code ("Not Found"), "" when unknown.
std::string_view reason_phrase_for(int status_code);

}  // namespace xf::sip
