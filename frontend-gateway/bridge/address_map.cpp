#include "frontend-gateway/bridge/address_map.h"

#include <cstring>

#include "common/core/log.h"
#include "common/xmpp/jid_escape.h"
#include "frontend-gateway/sip/sip_syntax.h"
#include "frontend-gateway/sip/sip_uri.h"

namespace xf::bridge {

namespace {

// RFC 3261 paramchar without escaping: unreserved / param-unreserved.
std::string escape_param(std::string_view value) {
  std::string out;
  sip::percent_encode(value, "-_.!~*'()[]/:&+$", out);
  return out;
}

bool is_ascii_host(std::string_view host) {
  for (char ch : host) {
    const auto c = static_cast<unsigned char>(ch);
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    ch == '-' || ch == '.' || ch == '[' || ch == ']' || ch == ':';
    if (!ok) return false;
  }
  return !host.empty();
}

}  // namespace

Result<xmpp::Jid> jid_for_sip_uri(std::string_view uri_text) {
  auto uri = sip::SipUri::parse(uri_text);
  if (!uri) return fail(uri.error());
  std::string local;
  if (!uri->user.empty()) {
    if (!sip::is_header_safe(uri->user)) {
      return fail(Errc::invalid_argument, "SIP user part holds a control character");
    }
    auto escaped = xmpp::jid_escape_localpart(uri->user);
    if (!escaped) {
      return fail(Errc::invalid_argument,
                  log::cat("SIP user part cannot be a JID localpart: ", escaped.error().detail));
    }
    // Nodeprep may fold or drop characters; a reply must still reach the same SIP user.
    auto back = xmpp::jid_unescape(*escaped);
    if (!back || *back != sip::ascii_lower(uri->user)) {
      return fail(Errc::invalid_argument,
                  "SIP user part changes under Nodeprep and would not map back unchanged");
    }
    local = std::move(escaped.value());
  }
  std::string resource;
  if (auto gr = uri->param("gr"); gr && !gr->empty()) {
    auto decoded = sip::percent_decode(*gr);
    if (!decoded) return fail(decoded.error());
    resource = std::move(decoded.value());
  }
  auto jid = xmpp::Jid::from_parts(local, uri->host, resource);
  if (!jid) {
    return fail(Errc::invalid_argument,
                log::cat("SIP URI does not map to a JID: ", jid.error().detail));
  }
  return jid;
}

Result<std::string> sip_uri_for_jid(const xmpp::Jid& jid, const SipUriOptions& options) {
  if (options.scheme != "sip" && options.scheme != "sips") {
    return fail(Errc::invalid_argument, "scheme must be sip or sips");
  }
  if (jid.empty()) return fail(Errc::invalid_argument, "empty JID");
  if (!is_ascii_host(jid.domain())) {
    return fail(Errc::invalid_argument, "JID domain is not an ASCII host name");
  }
  std::string out(options.scheme);
  out += ':';
  if (!jid.local().empty()) {
    auto user = xmpp::jid_unescape(jid.local());
    if (!user) {
      return fail(Errc::invalid_argument,
                  log::cat("JID localpart does not unescape: ", user.error().detail));
    }
    // A localpart with a needless escape (a\5cb for a\b) would come back as another JID.
    auto again = xmpp::jid_escape_localpart(*user);
    if (!again || *again != jid.local()) {
      return fail(Errc::invalid_argument,
                  "JID localpart is not in canonical XEP-0106 form and would not map back");
    }
    out += sip::escape_user(*user);
    out += '@';
  }
  out += jid.domain();
  if (options.resource_as_gruu && !jid.resource().empty()) {
    out += ";gr=";
    out += escape_param(jid.resource());
  }
  // Belt and braces: what we hand out must parse as a SIP URI and be safe inside <...>.
  if (!sip::SipUri::parse(out) || out.find_first_of("\r\n <>\"") != std::string::npos) {
    return fail(Errc::internal, "built a SIP URI that does not parse");
  }
  return out;
}

}  // namespace xf::bridge
