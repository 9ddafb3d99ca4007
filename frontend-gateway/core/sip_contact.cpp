#include "frontend-gateway/core/sip_contact.h"

namespace xf::gw {

std::string contact_host(const SipSettings& sip,
                         const std::optional<std::string>& next_hop_sent_by) {
  const std::string& listen = sip.listen_address;
  if (listen != "0.0.0.0" && listen != "::" && !listen.empty()) {
    return listen.find(':') != std::string::npos ? "[" + listen + "]" : listen;
  }
  if (next_hop_sent_by && !next_hop_sent_by->empty()) {
    const std::string& sent_by = *next_hop_sent_by;
    const std::size_t colon = sent_by.rfind(':');
    // "host:port" or "[v6]:port": drop the port; a bare "[v6]" has none.
    if (colon != std::string::npos && sent_by.back() != ']') return sent_by.substr(0, colon);
    return sent_by;
  }
  return "127.0.0.1";
}

std::string contact_uri(const SipSettings& sip, const std::optional<std::string>& next_hop_sent_by,
                        std::string_view user) {
  std::string uri = "sip:";
  if (!user.empty()) {
    uri += user;
    uri += '@';
  }
  uri += contact_host(sip, next_hop_sent_by);
  uri += ':';
  uri += std::to_string(sip.listen_port);
  uri += ";transport=";
  uri += uri_transport(sip.listen_transport);
  return uri;
}

}  // namespace xf::gw
