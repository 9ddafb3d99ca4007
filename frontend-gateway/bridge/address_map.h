// Address mapping between SIP URIs and JIDs (RFC 7247 §5, docs/mapping.md).
//
// SIP -> XMPP: sip:, sips:, im: and pres: URIs. The user part (percent-decoded) becomes the
// localpart, escaped per XEP-0106 where it holds characters a localpart cannot, then Nodeprep'd;
// the host becomes the domainpart. A GRUU instance (";gr=...") becomes the resource, since only
// there does the SIP side name one instance. Port, other parameters and URI headers are dropped.
// A user part that does not survive the trip back unchanged (apart from case) is refused.
//
// XMPP -> SIP: the localpart is unescaped and percent-encoded as RFC 3261 requires; the domain
// becomes the host. The resource is carried as ";gr=" only when asked for. Domains must be
// ASCII (an internationalised domain needs IDNA ToASCII first, which is not done here).
#pragma once

#include <string>
#include <string_view>

#include "common/core/result.h"
#include "common/xmpp/jid.h"

namespace xf::bridge {

// SIP URI text -> JID. Errors are parse_error / invalid_argument with a detail saying why.
Result<xmpp::Jid> jid_for_sip_uri(std::string_view uri);

struct SipUriOptions {
  std::string_view scheme = "sip";  // "sip" or "sips".
  bool resource_as_gruu = false;    // Append ";gr=<resource>" for a full JID.
};

// JID -> SIP URI text, safe to place inside <...> in a header (no CR, LF, space, <, >, ").
Result<std::string> sip_uri_for_jid(const xmpp::Jid& jid, const SipUriOptions& options = {});

}  // namespace xf::bridge
