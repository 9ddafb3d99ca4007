#include "frontend-gateway/core/sip_responder.h"

namespace xf::gw {

Result<sip::SipMessage> build_response(const sip::SipMessage& request, int status,
                                       std::string_view to_tag, const HeaderList& headers) {
  auto response = sip::SipMessage::make_response(request, status, {}, to_tag);
  if (!response.ok()) return response;
  for (const auto& [name, value] : headers) {
    if (Status st = response->add_header(name, value); !st.ok()) return fail(st.error());
  }
  return response;
}

void send_response(sip::TransactionLayer& txn, SipPort& sip, Millis now, const Logger& log,
                   std::uint64_t connection, Result<sip::SipMessage> response) {
  if (!response.ok()) {
    log.error("cannot build a SIP response: ", response.error().detail);
    return;
  }
  auto bytes = txn.send_response(*response, now);
  if (!bytes.ok()) {
    log.warn("SIP ", response->status_code(), " not sent: ", bytes.error().detail);
    return;
  }
  if (!sip.send_on(connection, std::move(bytes.value()))) {
    log.info("SIP ", response->status_code(), " not sent: connection ", connection, " is gone");
  }
}

}  // namespace xf::gw
