#include "frontend-gateway/bridge/error_map.h"

#include <catch2/catch.hpp>
#include <utility>
#include <vector>

using xf::bridge::sip_status_for;
using xf::bridge::SipErrorHints;
using xf::bridge::stanza_error_for;
using E = xf::xmpp::StanzaError;

TEST_CASE("XMPP stanza errors map to SIP statuses (RFC 7247 8)", "[unit][bridge]") {
  const std::vector<std::pair<E, int>> rows = {
      {E::bad_request, 400},
      {E::conflict, 400},
      {E::feature_not_implemented, 501},
      {E::forbidden, 403},
      {E::gone, 410},
      {E::internal_server_error, 500},
      {E::item_not_found, 404},
      {E::jid_malformed, 400},
      {E::not_acceptable, 406},
      {E::not_allowed, 405},
      {E::not_authorized, 401},
      {E::policy_violation, 403},
      {E::recipient_unavailable, 480},
      {E::redirect, 302},
      {E::registration_required, 400},
      {E::remote_server_not_found, 404},
      {E::remote_server_timeout, 408},
      {E::resource_constraint, 500},
      {E::service_unavailable, 503},
      {E::subscription_required, 400},
      {E::undefined_condition, 400},
      {E::unexpected_request, 400},
  };
  for (const auto& [condition, status] : rows) {
    INFO(xf::xmpp::to_string(condition));
    CHECK(sip_status_for(condition) == status);
  }
  CHECK(rows.size() == 22);  // Every RFC 6120 condition.
}

TEST_CASE("XMPP->SIP special cases pick the alternative status", "[unit][bridge]") {
  SipErrorHints method;
  method.for_method = true;
  CHECK(sip_status_for(E::feature_not_implemented, method) == 405);
  SipErrorHints timed_out;
  timed_out.timed_out = true;
  CHECK(sip_status_for(E::remote_server_not_found, timed_out) == 408);
  SipErrorHints moved;
  moved.has_new_address = true;
  CHECK(sip_status_for(E::gone, moved) == 301);
  SipErrorHints pending;
  pending.request_pending = true;
  CHECK(sip_status_for(E::unexpected_request, pending) == 491);
  // Hints do not change unrelated conditions.
  CHECK(sip_status_for(E::forbidden, method) == 403);
}

TEST_CASE("SIP statuses map to XMPP stanza errors (RFC 7247 8)", "[unit][bridge]") {
  const std::vector<std::pair<int, E>> rows = {
      {300, E::redirect},
      {301, E::gone},
      {302, E::redirect},
      {305, E::redirect},
      {380, E::redirect},
      {400, E::bad_request},
      {401, E::not_authorized},
      {402, E::bad_request},
      {403, E::forbidden},
      {404, E::item_not_found},
      {405, E::not_allowed},
      {406, E::not_acceptable},
      {407, E::registration_required},
      {408, E::remote_server_timeout},
      {410, E::gone},
      {413, E::policy_violation},
      {414, E::policy_violation},
      {415, E::not_acceptable},
      {420, E::bad_request},
      {480, E::recipient_unavailable},
      {481, E::item_not_found},
      {484, E::item_not_found},
      {485, E::item_not_found},
      {486, E::recipient_unavailable},
      {488, E::not_acceptable},
      {491, E::unexpected_request},
      {499, E::bad_request},
      {500, E::internal_server_error},
      {501, E::feature_not_implemented},
      {502, E::remote_server_not_found},
      {503, E::service_unavailable},
      {504, E::remote_server_timeout},
      {505, E::internal_server_error},
      {513, E::policy_violation},
      {600, E::service_unavailable},
      {603, E::service_unavailable},
      {604, E::item_not_found},
      {606, E::not_acceptable},
      {699, E::service_unavailable},
  };
  for (const auto& [status, condition] : rows) {
    INFO(status);
    CHECK(stanza_error_for(status) == condition);
  }
  // Not failures at all: a caller bug, reported as undefined-condition.
  CHECK(stanza_error_for(200) == E::undefined_condition);
  CHECK(stanza_error_for(100) == E::undefined_condition);
  CHECK(stanza_error_for(700) == E::undefined_condition);
}
