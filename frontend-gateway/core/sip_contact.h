// The gateway's own SIP address as it puts it in Contact headers (dialogs of SUBSCRIBE and
// INVITE): one rule for every place that needs it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "frontend-gateway/config/gateway_config.h"

namespace xf::gw {

// The host of our Contact: the listen address; for a wildcard listener the address the
// next-hop connection leaves from (the proxy demonstrably reaches it), else 127.0.0.1.
// IPv6 addresses come bracketed.
std::string contact_host(const SipSettings& sip,
                         const std::optional<std::string>& next_hop_sent_by);

// "sip:[user@]host:port;transport=tcp|tls" for the SIP listener.
std::string contact_uri(const SipSettings& sip, const std::optional<std::string>& next_hop_sent_by,
                        std::string_view user = {});

}  // namespace xf::gw
