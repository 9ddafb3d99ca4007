#include "frontend-gateway/core/sip_responder.h"

#include <utility>

namespace xf::gw {

SipResponder::SipResponder(sip::TransactionLayer& txn, SipPort& port, GatewayClock& clock)
    : txn_(txn), port_(port), clock_(clock) {}

void SipResponder::respond(std::uint64_t connection, const sip::SipMessage& request, int status,
                           std::string_view to_tag, const sip::SipMessage::HeaderList& headers) {
  send(connection, sip::SipMessage::make_response(request, status, {}, to_tag, headers));
}

void SipResponder::send(std::uint64_t connection, Result<sip::SipMessage> response) {
  if (!response.ok()) {
    log_.error("cannot build a SIP response: ", response.error().detail);
    return;
  }
  auto bytes = txn_.send_response(*response, clock_.now());
  if (!bytes.ok()) {
    log_.debug("SIP ", response->status_code(), " not sent: ", bytes.error().detail);
    return;
  }
  if (!port_.send_on(connection, std::move(bytes.value()))) {
    log_.debug("SIP ", response->status_code(), " not sent: connection ", connection, " is gone");
  }
}

void SipResponder::respond_stateless(std::uint64_t connection, const sip::SipMessage& request,
                                     int status, std::string_view to_tag) {
  auto response = sip::SipMessage::make_response(request, status, {}, to_tag);
  auto bytes = response.ok() ? response->to_string() : Result<std::string>(fail(response.error()));
  if (!bytes.ok()) {
    log_.error("cannot build a SIP ", status, ": ", bytes.error().detail);
    return;
  }
  port_.send_on(connection, std::move(bytes.value()));
}

}  // namespace xf::gw
