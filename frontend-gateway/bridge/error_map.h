// The error tables of RFC 7247 §8 (docs/mapping.md): one table from XMPP stanza error
// conditions to SIP response codes and one back. Every failure the gateway relays crosses one
// of these.
#pragma once

#include "common/xmpp/stream_error.h"

namespace xf::bridge {

// Facts about the failure that pick between the alternatives RFC 7247 lists for one condition.
struct SipErrorHints {
  bool for_method = false;       // feature-not-implemented about a SIP method: 405, not 501.
  bool timed_out = false;        // remote-server-not-found after a timeout: 408, not 404.
  bool has_new_address = false;  // gone with a forwarding address: 301, not 410.
  bool request_pending = false;  // unexpected-request while a request is pending: 491.
};

// XMPP -> SIP: the final response status for a stanza error condition.
int sip_status_for(xmpp::StanzaError condition, const SipErrorHints& hints = {});

// SIP -> XMPP: the stanza error condition for a final non-2xx status (300-699). A Timer F
// timeout is reported as status 408. Anything below 300 is a caller bug and yields
// undefined-condition.
xmpp::StanzaError stanza_error_for(int sip_status);

}  // namespace xf::bridge
