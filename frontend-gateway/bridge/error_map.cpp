#include "frontend-gateway/bridge/error_map.h"

namespace xf::bridge {

using xmpp::StanzaError;

int sip_status_for(StanzaError condition, const SipErrorHints& hints) {
  switch (condition) {
    case StanzaError::bad_request:
    case StanzaError::conflict: return 400;
    case StanzaError::feature_not_implemented: return hints.for_method ? 405 : 501;
    case StanzaError::forbidden: return 403;
    case StanzaError::gone: return hints.has_new_address ? 301 : 410;
    case StanzaError::internal_server_error: return 500;
    case StanzaError::item_not_found: return 404;
    case StanzaError::jid_malformed: return 400;
    case StanzaError::not_acceptable: return 406;
    case StanzaError::not_allowed: return 405;
    case StanzaError::not_authorized: return 401;
    case StanzaError::policy_violation: return 403;
    case StanzaError::recipient_unavailable: return 480;
    case StanzaError::redirect: return 302;
    case StanzaError::registration_required: return 400;
    case StanzaError::remote_server_not_found: return hints.timed_out ? 408 : 404;
    case StanzaError::remote_server_timeout: return 408;
    case StanzaError::resource_constraint: return 500;
    case StanzaError::service_unavailable: return 503;
    case StanzaError::subscription_required:
    case StanzaError::undefined_condition: return 400;
    // 491 Request Pending only fits a request that collides with one in progress.
    case StanzaError::unexpected_request: return hints.request_pending ? 491 : 400;
  }
  return 500;
}

StanzaError stanza_error_for(int sip_status) {
  switch (sip_status) {
    case 301: return StanzaError::gone;
    case 400: return StanzaError::bad_request;
    case 401: return StanzaError::not_authorized;
    case 403: return StanzaError::forbidden;
    case 404:
    case 481:
    case 484:
    case 485:
    case 604: return StanzaError::item_not_found;
    case 405: return StanzaError::not_allowed;
    case 406: return StanzaError::not_acceptable;
    case 407: return StanzaError::registration_required;
    case 408:
    case 504: return StanzaError::remote_server_timeout;
    case 410: return StanzaError::gone;
    case 413:
    case 414:
    case 513: return StanzaError::policy_violation;
    case 415:
    case 488:
    case 606: return StanzaError::not_acceptable;
    case 480:
    case 486: return StanzaError::recipient_unavailable;
    case 491: return StanzaError::unexpected_request;
    case 500: return StanzaError::internal_server_error;
    case 501: return StanzaError::feature_not_implemented;
    case 502: return StanzaError::remote_server_not_found;
    case 503:
    case 600:
    case 603: return StanzaError::service_unavailable;
    default: break;
  }
  if (sip_status >= 300 && sip_status < 400) return StanzaError::redirect;
  if (sip_status >= 400 && sip_status < 500) return StanzaError::bad_request;
  if (sip_status >= 500 && sip_status < 600) return StanzaError::internal_server_error;
  if (sip_status >= 600 && sip_status < 700) return StanzaError::service_unavailable;
  return StanzaError::undefined_condition;
}

}  // namespace xf::bridge
