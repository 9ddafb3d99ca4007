#include "common/xmpp/s2s_stream.h"

#include <openssl/base64.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdint>
#include <optional>

#include "common/xmpp/dialback_key.h"
#include "common/xmpp/jid.h"

namespace xf::xmpp {
namespace {

std::string random_stream_id() {
  unsigned char raw[12];
  RAND_bytes(raw, sizeof raw);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(sizeof raw * 2);
  for (unsigned char c : raw) {
    id.push_back(kHex[c >> 4]);
    id.push_back(kHex[c & 15]);
  }
  return id;
}

// RFC 6120 §6.4.5: the receiving entity allows at least 2 and at most 5 retries; after the
// third failed attempt a further <auth> ends the stream with policy-violation.
constexpr int kMaxSaslFailures = 3;
constexpr std::string_view kSaslFailureOpen = "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>";

// RFC 4648 base64 as SASL carries it (no line breaks); nullopt when it is not.
std::optional<std::string> base64_decode(std::string_view text) {
  std::size_t max_len = 0;
  if (!EVP_DecodedLength(&max_len, text.size())) return std::nullopt;
  std::string out(max_len, '\0');
  std::size_t len = 0;
  if (!EVP_DecodeBase64(reinterpret_cast<std::uint8_t*>(out.data()), &len, max_len,
                        reinterpret_cast<const std::uint8_t*>(text.data()), text.size())) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

void append_attr(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "='";
  xml::escape_attr(value, out);
  out += '\'';
}

}  // namespace

std::string_view to_string(PeerAuth auth) {
  switch (auth) {
    case PeerAuth::none: return "none";
    case PeerAuth::dialback: return "dialback";
    case PeerAuth::sasl_external: return "sasl-external";
    case PeerAuth::tls_verified: return "tls-verified";
  }
  return "?";
}

StanzaError undelivered_condition(bool stream_was_authenticated, bool timed_out) {
  return stream_was_authenticated || timed_out ? StanzaError::remote_server_timeout
                                               : StanzaError::remote_server_not_found;
}

S2sStream::S2sStream(Settings settings, Events& events)
    : settings_(std::move(settings)), events_(events), parser_(*this, settings_.limits) {
  if (!settings_.make_stream_id) settings_.make_stream_id = random_stream_id;
}

S2sStream::~S2sStream() = default;

void S2sStream::start(Millis now) {
  now_ = now;
  last_read_ = now;
  last_write_ = now;
  if (settings_.establishment_timeout_ms > 0) {
    established_deadline_ = now + settings_.establishment_timeout_ms;
  }
  state_ = State::awaiting_header;
  if (settings_.role == Role::outbound) send_header();
}

void S2sStream::start_with_tls(Millis now) {
  tls_active_ = true;
  start(now);
}

void S2sStream::feed(std::string_view bytes, Millis now) {
  if (state_ == State::closed) return;
  now_ = now;
  last_read_ = now;
  auto result = parser_.feed(bytes);
  if (!result.ok() && state_ != State::closed) {
    fail(result.error().condition, result.error().text);
  }
}

void S2sStream::tls_established(Millis now) {
  if (state_ != State::negotiating_tls) return;
  tls_active_ = true;
  now_ = now;
  last_read_ = now;
  parser_.reset();
  state_ = State::awaiting_header;
  if (settings_.role == Role::outbound) send_header();
}

void S2sStream::send(std::string_view bytes) {
  if (close_sent_) return;
  last_write_ = now_;
  events_.on_send(bytes);
}

void S2sStream::send_header() {
  out_.clear();
  out_ +=
      "<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
      "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback'";
  if (!settings_.local_domain.empty()) append_attr(out_, "from", settings_.local_domain);
  if (!settings_.remote_domain.empty()) append_attr(out_, "to", settings_.remote_domain);
  if (settings_.role == Role::inbound) append_attr(out_, "id", stream_id_);
  out_ += " version='1.0' xml:lang='en'>";
  send(out_);
}

void S2sStream::send_features() {
  out_.clear();
  out_ += "<stream:features>";
  if (!tls_active_ && settings_.tls_available) {
    out_ += "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>";
    if (settings_.tls_required) out_ += "<required/>";
    out_ += "</starttls>";
  }
  // XEP-0178 §3: EXTERNAL only when the certificate authenticates the domain in the header's
  // `from`, and only before anything on this connection is authenticated.
  if (tls_active_ && !sasl_done_ && authenticated_.empty() && !settings_.remote_domain.empty() &&
      events_.peer_certificate_authenticates(settings_.remote_domain)) {
    sasl_offered_for_ = settings_.remote_domain;
    out_ +=
        "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism>"
        "</mechanisms>";
  }
  if (tls_active_ || !settings_.tls_required) {
    out_ += "<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>";
  }
  out_ += "</stream:features>";
  send(out_);
}

void S2sStream::on_stream_open(const xml::StreamHeader& header) {
  if (state_ != State::awaiting_header) {
    fail(StreamError::bad_format, "unexpected stream header");
    return;
  }
  if (header.content_ns != kServerNs) {
    fail(StreamError::invalid_namespace, "stream namespace is not jabber:server");
    return;
  }
  if (settings_.role == Role::inbound) {
    std::string to = domain_of(header.to);
    if (header.to.empty() || to.empty() || !settings_.is_hosted || !settings_.is_hosted(to)) {
      // RFC 6120 §4.9.1.3: the header goes out before the error.
      fail(StreamError::host_unknown, "this server does not serve '" + header.to + "'");
      return;
    }
    settings_.local_domain = to;
    if (!header.from.empty()) {
      std::string from = domain_of(header.from);
      if (!from.empty() && settings_.is_hosted(from)) {
        // Our own domain cannot be a peer: a stream "from" it is spoofed or a loop.
        send_header();
        fail(StreamError::invalid_from, "'" + from + "' is served by this server");
        return;
      }
      settings_.remote_domain = from;
    }
    stream_id_ = settings_.make_stream_id();
    sasl_offered_for_.clear();
    sasl_awaiting_response_ = false;
    if (header.version.empty()) {
      // RFC 6120 §4.7.5: a peer without version='1.0' cannot negotiate TLS (unless it is
      // already on: direct TLS).
      if (settings_.tls_required && !tls_active_) {
        send_header();
        fail(StreamError::unsupported_version, "TLS is required; version 1.0 streams only");
        return;
      }
    }
    send_header();
    state_ = State::open;
    if (!header.version.empty()) send_features();
    return;
  }
  // Outbound: the receiving server's id is the input of our dialback key.
  stream_id_ = header.id;
  if (header.version.empty()) {
    state_ = State::open;
    if (settings_.tls_required && !tls_active_) {
      fail(StreamError::unsupported_version, "partner offers no version 1.0 stream; TLS required");
      return;
    }
    ready_for_verify_ = true;
    events_.on_ready_for_verify();
    return;
  }
  state_ = State::awaiting_features;
}

void S2sStream::on_element(xml::Element&& element) {
  if (state_ == State::closed) return;
  const std::string& ns = element.xmlns();
  if (element.name() == "features" && ns == kStreamsNs) {
    if (settings_.role == Role::outbound && state_ == State::awaiting_features) {
      handle_features(element);
    } else {
      fail(StreamError::unsupported_stanza_type, "unexpected stream features");
    }
    return;
  }
  if (element.name() == "error" && ns == kStreamsNs) {
    StreamFailure failure;
    for (const xml::Element* child : element.children()) {
      if (child->xmlns() != kStreamErrorNs) continue;
      if (auto cond = parse_stream_error(child->name())) failure.condition = *cond;
      if (child->name() == "text") failure.text = child->text();
    }
    // The peer ends the stream: answer with our close and report its reason.
    if (!close_sent_) send("</stream:stream>");
    close_sent_ = true;
    failure.text = "peer sent stream error: " + std::string(to_string(failure.condition)) +
                   (failure.text.empty() ? "" : " (" + failure.text + ")");
    finish(&failure);
    return;
  }
  if (ns == kTlsNs) {
    if (settings_.role == Role::inbound && element.name() == "starttls" && state_ == State::open &&
        !tls_active_ && settings_.tls_available) {
      send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      state_ = State::negotiating_tls;
      parser_.stop();
      events_.on_start_tls();
      return;
    }
    if (settings_.role == Role::outbound && element.name() == "proceed" &&
        state_ == State::negotiating_tls) {
      parser_.stop();
      events_.on_start_tls();
      return;
    }
    if (settings_.role == Role::outbound && element.name() == "failure") {
      fail(StreamError::policy_violation, "partner refused STARTTLS");
      return;
    }
    fail(StreamError::unsupported_feature, "unexpected STARTTLS element <" + element.name() + ">");
    return;
  }
  if (ns == kSaslNs) {
    handle_sasl(element);
    return;
  }
  if (state_ != State::open) {
    fail(StreamError::not_authorized, "<" + element.name() + "> before the stream is ready");
    return;
  }
  if (settings_.tls_required && !tls_active_) {
    fail(StreamError::policy_violation, "TLS is required before <" + element.name() + ">");
    return;
  }
  if (ns == kDialbackNs) {
    if (element.name() == "result") {
      handle_dialback_result(element);
    } else if (element.name() == "verify") {
      handle_dialback_verify(element);
    } else {
      fail(StreamError::unsupported_stanza_type, "unknown dialback element");
    }
    return;
  }
  if (ns == kServerNs &&
      (element.name() == "message" || element.name() == "presence" || element.name() == "iq")) {
    handle_stanza(std::move(element));
    return;
  }
  fail(StreamError::unsupported_stanza_type,
       "unsupported element <" + element.name() + " xmlns='" + ns + "'>");
}

void S2sStream::on_stream_close() {
  if (state_ == State::closed) return;
  if (!close_sent_) send("</stream:stream>");
  close_sent_ = true;
  finish(nullptr);
}

void S2sStream::handle_features(const xml::Element& features) {
  const xml::Element* starttls = features.child("starttls", kTlsNs);
  if (!tls_active_ && starttls != nullptr && settings_.tls_available) {
    send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    state_ = State::negotiating_tls;
    return;
  }
  if (!tls_active_ && settings_.tls_required) {
    fail(StreamError::policy_violation, "partner does not offer STARTTLS and TLS is required");
    return;
  }
  if (tls_active_ && settings_.sasl_external && !sasl_tried_ && !authenticated()) {
    const xml::Element* mechanisms = features.child("mechanisms", kSaslNs);
    bool external = false;
    if (mechanisms != nullptr) {
      for (const xml::Element* m : mechanisms->children()) {
        external = external || (m->name() == "mechanism" && m->text() == "EXTERNAL");
      }
    }
    if (external) {
      sasl_tried_ = true;
      state_ = State::authenticating;
      // RFC 6120 §6.3.8: no authorization identity unless acting for another entity; the
      // certificate names the domain we act for, so the initial response is empty ("=").
      send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
      return;
    }
  }
  state_ = State::open;
  ready_for_verify_ = true;
  events_.on_ready_for_verify();
  if (state_ == State::closed) return;
  if (sasl_done_ && !authenticated()) {
    authenticated_.emplace(std::pair(settings_.local_domain, settings_.remote_domain),
                           PeerAuth::sasl_external);
    established_deadline_ = kNoDeadline;
    events_.on_authenticated(settings_.local_domain, settings_.remote_domain,
                             PeerAuth::sasl_external);
    return;
  }
  if (dialback_sent_ || authenticated()) return;
  start_dialback();
}

void S2sStream::start_dialback() {
  // XEP-0220 §2.1: the originating server sends its key; XEP-0185 derives it from the secret.
  dialback_sent_ = true;
  std::string key = dialback_key(settings_.dialback_secret, settings_.remote_domain,
                                 settings_.local_domain, stream_id_);
  out_.clear();
  out_ += "<db:result";
  append_attr(out_, "from", settings_.local_domain);
  append_attr(out_, "to", settings_.remote_domain);
  out_ += '>';
  out_ += key;
  out_ += "</db:result>";
  send(out_);
}

void S2sStream::restart_stream() {
  // RFC 6120 §6.4.6: both sides start a new stream over the same TLS layer.
  parser_.reset();
  state_ = State::awaiting_header;
  sasl_offered_for_.clear();
  sasl_awaiting_response_ = false;
}

void S2sStream::handle_sasl(const xml::Element& element) {
  const std::string& name = element.name();
  if (settings_.role == Role::outbound) {
    if (state_ != State::authenticating) {
      fail(StreamError::unsupported_stanza_type, "unexpected SASL element <" + name + ">");
      return;
    }
    if (name == "success") {
      // RFC 6120 §6.4.6: a new stream at once; the pair counts as authenticated (and stanzas
      // may go) once the partner's features on it say that negotiation is complete.
      sasl_done_ = true;
      restart_stream();
      send_header();
      return;
    }
    if (name == "failure") {
      std::string condition = "unknown";
      for (const xml::Element* child : element.children()) {
        if (child->name() != "text") {
          condition = child->name();
          break;
        }
      }
      events_.on_sasl_failure(condition, false);
      if (state_ == State::closed) return;
      // XEP-0178 §3 / XEP-0220: fall back to dialback on the same stream.
      state_ = State::open;
      ready_for_verify_ = true;
      events_.on_ready_for_verify();
      if (state_ == State::closed || dialback_sent_) return;
      start_dialback();
      return;
    }
    fail(StreamError::unsupported_stanza_type, "unexpected SASL element <" + name + ">");
    return;
  }
  if (state_ != State::open) {
    fail(StreamError::not_authorized, "<" + name + "> before the stream is ready");
    return;
  }
  if (name == "auth") {
    if (sasl_done_) {
      fail(StreamError::policy_violation, "SASL already succeeded on this connection");
      return;
    }
    if (sasl_failures_ >= kMaxSaslFailures) {
      fail(StreamError::policy_violation, "too many failed SASL attempts");
      return;
    }
    sasl_awaiting_response_ = false;
    if (element.attr("mechanism") != "EXTERNAL") {
      sasl_refuse("invalid-mechanism");
      return;
    }
    if (!tls_active_) {
      sasl_refuse("encryption-required");
      return;
    }
    if (sasl_offered_for_.empty()) {
      // Not offered: the certificate does not authenticate the peer's domain.
      sasl_refuse("not-authorized");
      return;
    }
    std::string response = element.text();
    if (response.empty()) {
      // RFC 6120 §6.4.3: no initial response; ask for it with an empty challenge.
      sasl_awaiting_response_ = true;
      send("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
      return;
    }
    sasl_external_response(response);
    return;
  }
  if (name == "response" && sasl_awaiting_response_) {
    sasl_awaiting_response_ = false;
    std::string response = element.text();
    sasl_external_response(response.empty() ? "=" : response);
    return;
  }
  if (name == "abort") {
    sasl_awaiting_response_ = false;
    sasl_refuse("aborted");
    return;
  }
  fail(StreamError::unsupported_stanza_type, "unexpected SASL element <" + name + ">");
}

void S2sStream::sasl_external_response(std::string_view response) {
  std::string authzid;
  if (response != "=") {
    auto decoded = base64_decode(response);
    if (!decoded) {
      sasl_refuse("incorrect-encoding");
      return;
    }
    authzid = std::move(*decoded);
  }
  if (!authzid.empty()) {
    // XEP-0178 §3: an authorization identity, when sent, is the domain the certificate names.
    auto jid = Jid::parse(authzid);
    if (!jid.ok() || !jid->local().empty() || !jid->resource().empty() ||
        jid->domain() != sasl_offered_for_) {
      sasl_refuse("invalid-authzid");
      return;
    }
  }
  std::string local = settings_.local_domain;
  std::string remote = sasl_offered_for_;
  send("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
  sasl_done_ = true;
  authenticated_.emplace(std::pair(local, remote), PeerAuth::sasl_external);
  established_deadline_ = kNoDeadline;
  restart_stream();
  events_.on_authenticated(local, remote, PeerAuth::sasl_external);
}

void S2sStream::sasl_refuse(std::string_view condition) {
  ++sasl_failures_;
  out_.clear();
  out_ += kSaslFailureOpen;
  out_ += '<';
  out_ += condition;
  out_ += "/></failure>";
  send(out_);
  events_.on_sasl_failure(condition, true);
}

void S2sStream::handle_dialback_result(const xml::Element& element) {
  std::string from = domain_of(element.attr("from"));
  std::string to = domain_of(element.attr("to"));
  if (from.empty() || to.empty()) {
    fail(StreamError::improper_addressing, "db:result without valid from/to");
    return;
  }
  std::string_view type = element.attr("type");
  if (settings_.role == Role::outbound) {
    // The receiving server's verdict on our key (XEP-0220 §2.4).
    if (to != settings_.local_domain || from != settings_.remote_domain) {
      fail(StreamError::invalid_from, "db:result for a pair this stream did not ask for");
      return;
    }
    if (type == "valid") {
      authenticated_.emplace(std::pair(to, from), PeerAuth::dialback);
      established_deadline_ = kNoDeadline;
      events_.on_authenticated(to, from, PeerAuth::dialback);
      return;
    }
    fail(StreamError::not_authorized,
         "partner rejected our dialback key (type='" + std::string(type) + "')");
    return;
  }
  // Inbound: the originating server claims `from` and wants to send to our `to`.
  if (!settings_.is_hosted || !settings_.is_hosted(to)) {
    fail(StreamError::host_unknown, "dialback for a domain this server does not serve: " + to);
    return;
  }
  if (settings_.is_hosted(from)) {
    // Verifying it would make this server dial itself.
    fail(StreamError::invalid_from, "db:result from '" + from + "', which this server serves");
    return;
  }
  if (!settings_.remote_domain.empty() && settings_.remote_domain != from &&
      authenticated_.empty() && pending_.empty()) {
    // A header `from` names the peer; a different first claim is a spoofing attempt.
    fail(StreamError::invalid_from,
         "db:result from '" + from + "' on a stream opened by '" + settings_.remote_domain + "'");
    return;
  }
  if (settings_.remote_domain.empty()) settings_.remote_domain = from;
  std::string key = element.text();
  if (key.empty()) {
    fail(StreamError::bad_format, "db:result without a key");
    return;
  }
  pending_.emplace(to, from);
  events_.on_dialback_request(DialbackRequest{stream_id_, from, to, std::move(key)});
}

void S2sStream::handle_dialback_verify(const xml::Element& element) {
  std::string from = domain_of(element.attr("from"));
  std::string to = domain_of(element.attr("to"));
  std::string id(element.attr("id"));
  if (from.empty() || to.empty() || id.empty()) {
    fail(StreamError::improper_addressing, "db:verify without valid from/to/id");
    return;
  }
  if (settings_.role == Role::outbound) {
    // The authoritative server's answer to our send_verify().
    events_.on_verify_result(id, from, to, element.attr("type") == "valid");
    return;
  }
  // Inbound: we are the authoritative server for `to`; recompute the key we would have sent.
  bool valid =
      settings_.is_hosted && settings_.is_hosted(to) &&
      dialback_key_equal(dialback_key(settings_.dialback_secret, from, to, id), element.text());
  out_.clear();
  out_ += "<db:verify";
  append_attr(out_, "from", to);
  append_attr(out_, "to", from);
  append_attr(out_, "id", id);
  append_attr(out_, "type", valid ? "valid" : "invalid");
  out_ += "/>";
  send(out_);
}

void S2sStream::handle_stanza(xml::Element&& element) {
  if (settings_.role == Role::outbound) {
    fail(StreamError::unsupported_stanza_type, "stanza on an outbound stream without bidi");
    return;
  }
  std::string_view from_attr = element.attr("from");
  std::string_view to_attr = element.attr("to");
  if (from_attr.empty() || to_attr.empty()) {
    fail(StreamError::improper_addressing, "<" + element.name() + "> without from or to");
    return;
  }
  std::string from = domain_of(from_attr);
  std::string to = domain_of(to_attr);
  const bool malformed = from.empty() || to.empty();
  if (malformed) {
    // The domains may still name an authenticated pair; then only this stanza is at fault.
    from = domainpart_of(from_attr);
    to = domainpart_of(to_attr);
    if (from.empty() || to.empty()) {
      fail(StreamError::improper_addressing, "<" + element.name() + "> with a malformed domain");
      return;
    }
  }
  if (!settings_.is_hosted || !settings_.is_hosted(to)) {
    fail(StreamError::host_unknown, "stanza to '" + to + "', which this server does not serve");
    return;
  }
  PeerAuth how = auth_of(to, from);
  if (how == PeerAuth::none) {
    fail(StreamError::invalid_from,
         "stanza from '" + from + "' to '" + to + "', a pair not authenticated on this stream");
    return;
  }
  if (malformed) {
    events_.on_stanza_refused(std::move(element), from, to, StanzaError::jid_malformed);
    return;
  }
  events_.on_stanza(std::move(element), from, to, how);
}

void S2sStream::send_stanza(const xml::Element& stanza, Millis now) {
  if (state_ == State::closed) return;
  out_.clear();
  xml::serialize(stanza, out_, kServerNs);
  now_ = now;
  send(out_);
}

void S2sStream::send_verify(const DialbackRequest& request, Millis now) {
  if (state_ == State::closed) return;
  out_.clear();
  out_ += "<db:verify";
  append_attr(out_, "from", request.local_domain);
  append_attr(out_, "to", request.remote_domain);
  append_attr(out_, "id", request.stream_id);
  out_ += '>';
  xml::escape_text(request.key, out_);
  out_ += "</db:verify>";
  now_ = now;
  send(out_);
}

void S2sStream::complete_dialback(std::string_view remote_domain, std::string_view local_domain,
                                  bool valid, Millis now) {
  if (state_ == State::closed) return;
  auto it = pending_.find({std::string(local_domain), std::string(remote_domain)});
  if (it == pending_.end()) return;
  pending_.erase(it);
  out_.clear();
  out_ += "<db:result";
  append_attr(out_, "from", local_domain);
  append_attr(out_, "to", remote_domain);
  append_attr(out_, "type", valid ? "valid" : "invalid");
  out_ += "/>";
  now_ = now;
  send(out_);
  if (!valid) {
    fail(StreamError::not_authorized,
         "dialback key for '" + std::string(remote_domain) + "' did not verify");
    return;
  }
  authenticated_.emplace(std::pair(std::string(local_domain), std::string(remote_domain)),
                         PeerAuth::dialback);
  established_deadline_ = kNoDeadline;
  events_.on_authenticated(local_domain, remote_domain, PeerAuth::dialback);
}

bool S2sStream::is_authenticated(std::string_view local_domain,
                                 std::string_view remote_domain) const {
  return auth_of(local_domain, remote_domain) != PeerAuth::none;
}

PeerAuth S2sStream::auth_of(std::string_view local_domain, std::string_view remote_domain) const {
  auto it = authenticated_.find({std::string(local_domain), std::string(remote_domain)});
  return it == authenticated_.end() ? PeerAuth::none : it->second;
}

void S2sStream::fail(StreamError condition, std::string text) {
  StreamFailure failure{condition, std::move(text)};
  close(&failure);
}

void S2sStream::close(const StreamFailure* failure) {
  if (state_ == State::closed) return;
  parser_.stop();
  if (failure != nullptr) {
    if (settings_.role == Role::inbound && state_ == State::awaiting_header) {
      // RFC 6120 §4.9.1.1: a stream error needs an open stream; open ours first.
      if (stream_id_.empty()) stream_id_ = settings_.make_stream_id();
      send_header();
    }
    out_.clear();
    out_ += "<stream:error><";
    out_ += to_string(failure->condition);
    out_ += " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>";
    if (!failure->text.empty()) {
      out_ += "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>";
      xml::escape_text(failure->text, out_);
      out_ += "</text>";
    }
    out_ += "</stream:error>";
    send(out_);
  }
  if (state_ != State::idle) send("</stream:stream>");
  close_sent_ = true;
  finish(failure);
}

void S2sStream::finish(const StreamFailure* failure) {
  if (state_ == State::closed) return;
  state_ = State::closed;
  parser_.stop();
  events_.on_closed(failure);
}

Millis S2sStream::next_deadline() const {
  if (state_ == State::closed || state_ == State::idle) return kNoDeadline;
  Millis deadline = established_deadline_;
  if (settings_.inactivity_timeout_ms > 0) {
    deadline = std::min(deadline, last_read_ + settings_.inactivity_timeout_ms);
  }
  if (settings_.keepalive_interval_ms > 0 && state_ == State::open) {
    deadline = std::min(deadline, last_write_ + settings_.keepalive_interval_ms);
  }
  return deadline;
}

void S2sStream::on_timer(Millis now) {
  if (state_ == State::closed || state_ == State::idle) return;
  now_ = now;
  if (!authenticated() && now >= established_deadline_) {
    fail(StreamError::connection_timeout, "stream not authenticated in time");
    return;
  }
  if (settings_.inactivity_timeout_ms > 0 && now >= last_read_ + settings_.inactivity_timeout_ms) {
    fail(StreamError::connection_timeout, "no data from the peer for too long");
    return;
  }
  if (settings_.keepalive_interval_ms > 0 && state_ == State::open &&
      now >= last_write_ + settings_.keepalive_interval_ms) {
    // RFC 6120 §4.6.1: whitespace between stanzas keeps middleboxes and the peer content.
    send(" ");
  }
}

}  // namespace xf::xmpp
