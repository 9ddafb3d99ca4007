#include "frontend-gateway/presence/presence_notifier.h"

#include <algorithm>
#include <limits>

#include "frontend-gateway/bridge/address_map.h"
#include "frontend-gateway/bridge/pidf.h"
#include "frontend-gateway/presence/dialog_record.h"
#include "frontend-gateway/sip/event_header.h"

namespace xf::gw {

namespace {

using Kind = PresenceRequest::Kind;

// The canonical SIP URI of a SIP address (parameters dropped), via its JID.
Result<std::string> canonical_uri(const xmpp::Jid& jid) {
  return bridge::sip_uri_for_jid(jid.bare());
}

bool accepts_pidf(const sip::SipMessage& subscribe) {
  const std::vector<std::string> accept = subscribe.header_values("Accept");
  if (accept.empty()) return true;  // RFC 3856 §6.7: PIDF is the default.
  for (const std::string& a : accept) {
    std::string type = a.substr(0, a.find(';'));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    std::transform(type.begin(), type.end(), type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (type == bridge::kPidfContentType || type == "*/*" || type == "application/*") return true;
  }
  return false;
}

}  // namespace

PresenceNotifier::PresenceNotifier(const GatewayParts& parts, store::StateStore& store,
                                   PresenceCache& cache)
    : parts_(parts), store_(store), cache_(cache), requests_(parts.sip, *this) {}

std::string PresenceNotifier::key(const std::string& watcher_uri, const std::string& partner_jid) {
  return watcher_uri + "\n" + partner_jid;
}

void PresenceNotifier::load() {
  auto live = store_.list_sip_to_xmpp_live();
  if (!live.ok()) {
    log_.error("cannot read the stored subscriptions: ", live.error().detail);
    return;
  }
  for (const store::SipToXmppSubscription& record : *live) arm_expiry(record);
  log_.info(live->size(), " stored SIP -> XMPP subscription(s) resumed");
}

void PresenceNotifier::erase(const std::string& watcher_uri, const std::string& partner_jid) {
  if (auto gone = store_.delete_sip_to_xmpp(watcher_uri, partner_jid); !gone.ok()) {
    log_.error("subscription ", watcher_uri, " -> ", partner_jid,
               " not deleted: ", gone.error().detail);
  }
}

void PresenceNotifier::save(const store::SipToXmppSubscription& record) {
  store::SipToXmppSubscription copy = record;
  copy.updated_at = parts_.clock.wall_now();
  if (copy.created_at == 0) copy.created_at = copy.updated_at;
  if (Status st = store_.upsert_sip_to_xmpp(copy); !st.ok()) {
    log_.error("subscription ", record.watcher_uri, " -> ", record.partner_jid,
               " not stored: ", st.error().detail);
  }
}

void PresenceNotifier::arm_expiry(const store::SipToXmppSubscription& record) {
  const Millis at = parts_.clock.now() +
                    std::max<store::UnixMillis>(0, record.expires_at - parts_.clock.wall_now());
  expiries_.arm(key(record.watcher_uri, record.partner_jid), at);
}

std::uint32_t PresenceNotifier::seconds_left(const store::SipToXmppSubscription& record) const {
  const store::UnixMillis left = (record.expires_at - parts_.clock.wall_now() + 999) / 1000;
  return static_cast<std::uint32_t>(std::clamp<store::UnixMillis>(left, 0, 0x7fffffff));
}

Result<sip::Dialog> PresenceNotifier::dialog_of(const store::SipToXmppSubscription& record) {
  auto partner = xmpp::Jid::parse(record.partner_jid);
  if (!partner.ok()) return fail(partner.error());
  auto local_uri = canonical_uri(*partner);
  if (!local_uri.ok()) return fail(local_uri.error());
  return restore_dialog(record.dialog, {*local_uri, record.watcher_uri, parts_.contact("gateway"),
                                        record.notify_cseq, record.remote_cseq});
}

// ---- SUBSCRIBE ------------------------------------------------------------------------------

void PresenceNotifier::on_subscribe(std::uint64_t connection, const sip::SipMessage& subscribe) {
  auto event = sip::EventHeader::of(subscribe);
  if (!event.ok()) {
    log_.info("SUBSCRIBE from ", subscribe.from().uri, " without a valid Event: 400");
    parts_.responder.respond(connection, subscribe, 400, parts_.tokens.hex());
    return;
  }
  if (event->package != "presence" || !event->templates.empty()) {
    log_.info("SUBSCRIBE from ", subscribe.from().uri, " for event ", event->event_type(), ": 489");
    parts_.responder.respond(connection, subscribe, 489, parts_.tokens.hex(),
                             {{"Allow-Events", "presence"}});
    return;
  }
  if (subscribe.to().tag.empty()) {
    new_subscription(connection, subscribe);
  } else {
    in_dialog(connection, subscribe);
  }
}

void PresenceNotifier::new_subscription(std::uint64_t connection,
                                        const sip::SipMessage& subscribe) {
  const std::string to_tag = parts_.tokens.hex();
  auto watcher = bridge::jid_for_sip_uri(subscribe.from().uri);
  auto partner = bridge::jid_for_sip_uri(subscribe.request_uri());
  if (!watcher.ok() || !partner.ok() || watcher->local().empty() || partner->local().empty()) {
    log_.info("SUBSCRIBE ", subscribe.from().uri, " -> ", subscribe.request_uri(),
              ": addresses do not map to JIDs: 400");
    parts_.responder.respond(connection, subscribe, 400, to_tag);
    return;
  }
  const PolicyVerdict verdict = parts_.policy.outbound_im(watcher->domain(), partner->domain());
  if (verdict != PolicyVerdict::allow) {
    log_.info("SUBSCRIBE ", watcher->bare_string(), " -> ", partner->bare_string(),
              " refused (403): ", to_string(verdict));
    parts_.responder.respond(connection, subscribe, 403, to_tag);
    return;
  }
  if (!accepts_pidf(subscribe)) {
    parts_.responder.respond(connection, subscribe, 406, to_tag,
                             {{"Accept", std::string(bridge::kPidfContentType)}});
    return;
  }
  auto watcher_uri = canonical_uri(*watcher);
  if (!watcher_uri.ok()) {
    parts_.responder.respond(connection, subscribe, 400, to_tag);
    return;
  }
  const std::string partner_jid = partner->bare_string();
  const sip::ExpiresDecision decision = expires_.decide(subscribe);
  switch (decision.kind) {
    case sip::ExpiresDecision::Kind::malformed:
      parts_.responder.respond(connection, subscribe, 400, to_tag);
      return;
    case sip::ExpiresDecision::Kind::too_brief:
      parts_.responder.respond(connection, subscribe, 423, to_tag,
                               {{"Min-Expires", std::to_string(decision.expires)}});
      return;
    case sip::ExpiresDecision::Kind::fetch:
      fetch(connection, subscribe, *watcher_uri, partner_jid);
      return;
    case sip::ExpiresDecision::Kind::accept: break;
  }
  auto existing = store_.get_sip_to_xmpp(*watcher_uri, partner_jid);
  const bool subscribed = existing.ok() && existing->has_value() &&
                          (*existing)->xmpp_state == store::XmppSubscriptionState::subscribed;
  if (!subscribed && !parts_.relay.can_relay()) {
    log_.warn("SUBSCRIBE ", *watcher_uri, " -> ", partner_jid, ": no relay link is up (503)");
    parts_.responder.respond(connection, subscribe, 503, to_tag);
    return;
  }
  auto dialog = sip::Dialog::create_uas(subscribe, to_tag, parts_.contact("gateway"));
  if (!dialog.ok()) {
    log_.info("SUBSCRIBE ", *watcher_uri, " -> ", partner_jid, ": ", dialog.error().detail,
              " (400)");
    parts_.responder.respond(connection, subscribe, 400, to_tag);
    return;
  }
  store::SipToXmppSubscription record;
  record.watcher_uri = *watcher_uri;
  record.partner_jid = partner_jid;
  record.state = subscribed ? store::SubscriptionState::active : store::SubscriptionState::pending;
  record.dialog = to_record(dialog->state());
  record.remote_cseq = subscribe.cseq_number();
  record.notify_cseq = 0;
  record.expires_at =
      parts_.clock.wall_now() + static_cast<store::UnixMillis>(decision.expires) * 1000;
  record.xmpp_state =
      subscribed ? store::XmppSubscriptionState::subscribed : store::XmppSubscriptionState::none;
  if (existing.ok() && existing->has_value()) {
    record.created_at = (*existing)->created_at;
    rates_.erase(key(record.watcher_uri, record.partner_jid));
  }
  save(record);
  // The internal user asked for the partner user's presence: that is adding the contact.
  store::Authorization auth{record.watcher_uri, partner_jid, store::AuthorizationDecision::allowed,
                            parts_.clock.wall_now(), parts_.clock.wall_now()};
  if (Status st = store_.upsert_authorization(auth); !st.ok()) {
    log_.warn("authorization ", record.watcher_uri, " / ", partner_jid,
              " not stored: ", st.error().detail);
  }

  auto response = sip::SipMessage::make_response(subscribe, 202, {}, to_tag);
  Status built = response.ok() ? Status() : Status(fail(response.error()));
  if (built.ok()) built = sip::add_dialog_headers(*response, subscribe, parts_.contact("gateway"));
  if (built.ok()) built = response->set_header("Expires", std::to_string(decision.expires));
  if (!built.ok()) {
    parts_.responder.send(connection, fail(built.error()));
    return;
  }
  parts_.responder.send(connection, std::move(response));
  log_.info("SUBSCRIBE ", record.watcher_uri, " -> ", partner_jid, " accepted (202, ",
            decision.expires, " s)", subscribed ? ", already subscribed" : "");
  arm_expiry(record);
  if (subscribed) {
    notify(record, sip::SubscriptionState::active(seconds_left(record)), true);
    return;
  }
  // RFC 6665 §4.2.1: a NOTIFY goes at once, even while the partner has not answered.
  notify(record, sip::SubscriptionState::pending(seconds_left(record)), false);
  send_to_partner(bridge::SubscriptionType::subscribe, record.watcher_uri, partner_jid, &record);
}

// Expires: 0 on a new dialog: one NOTIFY with what the watcher may see, then nothing.
void PresenceNotifier::fetch(std::uint64_t connection, const sip::SipMessage& subscribe,
                             const std::string& watcher_uri, const std::string& partner_jid) {
  const std::string to_tag = parts_.tokens.hex();
  auto dialog = sip::Dialog::create_uas(subscribe, to_tag, parts_.contact("gateway"));
  if (!dialog.ok()) {
    parts_.responder.respond(connection, subscribe, 400, to_tag);
    return;
  }
  auto response = sip::SipMessage::make_response(subscribe, 200, {}, to_tag);
  Status built = response.ok() ? Status() : Status(fail(response.error()));
  if (built.ok()) built = sip::add_dialog_headers(*response, subscribe, parts_.contact("gateway"));
  if (built.ok()) built = response->set_header("Expires", "0");
  if (!built.ok()) {
    parts_.responder.send(connection, fail(built.error()));
    return;
  }
  parts_.responder.send(connection, std::move(response));
  auto existing = store_.get_sip_to_xmpp(watcher_uri, partner_jid);
  const bool may_see = existing.ok() && existing->has_value() &&
                       (*existing)->xmpp_state == store::XmppSubscriptionState::subscribed;
  auto request = dialog->make_request("NOTIFY");
  auto state = sip::SubscriptionState::terminated(sip::TerminationReason::timeout).to_string();
  built = request.ok() && state.ok() ? Status() : Status(fail(Errc::invalid_argument, "NOTIFY"));
  if (built.ok()) built = request->set_header("Event", "presence");
  if (built.ok()) built = request->set_header("Subscription-State", *state);
  if (built.ok() && may_see) {
    built = request->set_body(bridge::kPidfContentType,
                              bridge::build_pidf(cache_.partner(partner_jid)));
  }
  if (built.ok()) {
    built = requests_.send(std::move(*request), {Kind::notify, watcher_uri, partner_jid});
  }
  log_.info("fetch ", watcher_uri, " -> ", partner_jid,
            may_see ? ": presence sent" : ": not subscribed, no presence");
  if (!built.ok()) log_.warn("fetch NOTIFY not sent: ", built.error().detail);
}

void PresenceNotifier::in_dialog(std::uint64_t connection, const sip::SipMessage& subscribe) {
  auto found = store_.find_sip_to_xmpp_by_call_id(subscribe.call_id());
  if (!found.ok() || !found->has_value()) {
    log_.info("SUBSCRIBE ", subscribe.from().uri, " in an unknown dialog: 481");
    parts_.responder.respond(connection, subscribe, 481);
    return;
  }
  store::SipToXmppSubscription record = std::move(**found);
  if (record.state == store::SubscriptionState::terminated) {
    log_.info("SUBSCRIBE ", subscribe.from().uri, " in an ended dialog: 481");
    parts_.responder.respond(connection, subscribe, 481);
    return;
  }
  auto dialog = dialog_of(record);
  if (!dialog.ok()) {
    log_.warn("subscription ", record.watcher_uri, " -> ", record.partner_jid,
              ": stored dialog unusable (", dialog.error().detail, "): 481");
    parts_.responder.respond(connection, subscribe, 481);
    return;
  }
  switch (dialog->on_request(subscribe)) {
    case sip::Dialog::Verdict::not_this_dialog:
      parts_.responder.respond(connection, subscribe, 481);
      return;
    case sip::Dialog::Verdict::out_of_order:
      parts_.responder.respond(connection, subscribe, 500);
      return;
    case sip::Dialog::Verdict::accept: break;
  }
  record.remote_cseq = subscribe.cseq_number();
  record.dialog.remote_target = dialog->state().remote_target;
  const sip::ExpiresDecision decision = expires_.decide(subscribe);
  switch (decision.kind) {
    case sip::ExpiresDecision::Kind::malformed:
      parts_.responder.respond(connection, subscribe, 400);
      return;
    case sip::ExpiresDecision::Kind::too_brief:
      parts_.responder.respond(connection, subscribe, 423, {},
                               {{"Min-Expires", std::to_string(decision.expires)}});
      return;
    case sip::ExpiresDecision::Kind::fetch: {
      parts_.responder.respond(connection, subscribe, 200, {}, {{"Expires", "0"}});
      log_.info("unsubscribe ", record.watcher_uri, " -> ", record.partner_jid);
      // SIP clients unsubscribe at every logout, so this ends the dialog, not the roster entry
      // of the partner user: no 'unsubscribe' goes to the partner (see docs/mapping.md).
      terminate(std::move(record), sip::TerminationReason::timeout, "the watcher unsubscribed",
                Afterwards::keep_dormant);
      return;
    }
    case sip::ExpiresDecision::Kind::accept: break;
  }
  record.expires_at =
      parts_.clock.wall_now() + static_cast<store::UnixMillis>(decision.expires) * 1000;
  save(record);
  arm_expiry(record);
  parts_.responder.respond(connection, subscribe, 200, {},
                           {{"Expires", std::to_string(decision.expires)}});
  log_.info("refresh ", record.watcher_uri, " -> ", record.partner_jid, " (", decision.expires,
            " s)");
  // RFC 6665 §4.2.2: every accepted SUBSCRIBE, refreshes included, gets a NOTIFY at once.
  if (record.state == store::SubscriptionState::active) {
    notify(record, sip::SubscriptionState::active(seconds_left(record)), true);
  } else {
    notify(record, sip::SubscriptionState::pending(seconds_left(record)), false);
  }
}

// ---- Partner stanzas ------------------------------------------------------------------------

std::optional<store::SipToXmppSubscription> PresenceNotifier::find_any(const xmpp::Jid& partner,
                                                                       const xmpp::Jid& watcher) {
  auto uri = canonical_uri(watcher);
  if (!uri.ok()) return std::nullopt;
  auto found = store_.get_sip_to_xmpp(*uri, partner.bare_string());
  if (!found.ok() || !found->has_value()) return std::nullopt;
  return std::move(**found);
}

std::optional<store::SipToXmppSubscription> PresenceNotifier::find(const xmpp::Jid& partner,
                                                                   const xmpp::Jid& watcher) {
  auto found = find_any(partner, watcher);
  if (found && found->state == store::SubscriptionState::terminated) return std::nullopt;
  return found;
}

void PresenceNotifier::on_subscribed(const xmpp::Jid& partner, const xmpp::Jid& watcher) {
  auto record = find_any(partner, watcher);
  if (record && record->state == store::SubscriptionState::terminated) {
    // The watcher logged out before the partner user answered: remember the answer.
    if (record->xmpp_state != store::XmppSubscriptionState::subscribed) {
      record->xmpp_state = store::XmppSubscriptionState::subscribed;
      save(*record);
      log_.info("subscribed ", partner.bare_string(), " -> ", record->watcher_uri,
                ": kept for the watcher's next SUBSCRIBE");
    }
    return;
  }
  if (!record) {
    // RFC 6121 §3.1.5: a 'subscribed' nobody asked for is ignored.
    log_.info("subscribed ", partner.bare_string(), " -> ", watcher.bare_string(),
              ": no SIP subscription waits for it; ignored");
    return;
  }
  const bool was_active = record->state == store::SubscriptionState::active;
  record->state = store::SubscriptionState::active;
  record->xmpp_state = store::XmppSubscriptionState::subscribed;
  save(*record);
  log_.info("subscribed ", partner.bare_string(), " -> ", record->watcher_uri,
            was_active ? " (already active)" : ": NOTIFY active");
  if (!was_active) notify(*record, sip::SubscriptionState::active(seconds_left(*record)), true);
}

void PresenceNotifier::on_unsubscribed(const xmpp::Jid& partner, const xmpp::Jid& watcher) {
  auto record = find_any(partner, watcher);
  if (record && record->state == store::SubscriptionState::terminated) {
    log_.info("unsubscribed ", partner.bare_string(), " -> ", record->watcher_uri,
              ": the dormant subscription is forgotten");
    erase(record->watcher_uri, record->partner_jid);
    return;
  }
  if (!record) {
    log_.info("unsubscribed ", partner.bare_string(), " -> ", watcher.bare_string(),
              ": no SIP subscription; ignored");
    return;
  }
  const bool active = record->state == store::SubscriptionState::active;
  terminate(std::move(*record),
            active ? sip::TerminationReason::deactivated : sip::TerminationReason::rejected,
            active ? "the partner user cancelled it" : "the partner user refused it");
}

void PresenceNotifier::on_presence(const xmpp::Jid& partner, const xmpp::Jid& watcher,
                                   const bridge::PresenceDoc& doc) {
  auto record = find_any(partner, watcher);
  if (!record) {
    log_.debug("presence ", partner.to_string(), " -> ", watcher.bare_string(),
               ": no SIP watcher; not cached");
    return;
  }
  cache_.put_partner(partner.bare_string(), partner.resource(), doc, parts_.clock.wall_now());
  if (record->state == store::SubscriptionState::terminated) {
    log_.debug("presence ", partner.to_string(), " -> ", record->watcher_uri,
               ": cached for the watcher's next SUBSCRIBE");
    return;
  }
  if (record->state != store::SubscriptionState::active) {
    log_.debug("presence ", partner.to_string(), " -> ", record->watcher_uri,
               ": cached (subscription pending)");
    return;
  }
  notify_state(*record);
}

void PresenceNotifier::on_error(const xmpp::Jid& partner, const xmpp::Jid& watcher,
                                std::string_view condition) {
  auto record = find_any(partner, watcher);
  if (record && record->state == store::SubscriptionState::terminated) {
    log_.info("presence error (", condition, ") ", partner.bare_string(), " -> ",
              record->watcher_uri, ": the dormant subscription is forgotten");
    erase(record->watcher_uri, record->partner_jid);
    return;
  }
  if (!record) {
    log_.info("presence error (", condition, ") ", partner.bare_string(), " -> ",
              watcher.bare_string(), ": no SIP subscription; ignored");
    return;
  }
  const bool gone = condition == "item-not-found" || condition == "remote-server-not-found" ||
                    condition == "gone" || condition == "jid-malformed";
  terminate(std::move(*record),
            gone ? sip::TerminationReason::noresource : sip::TerminationReason::rejected,
            std::string("presence error ") + std::string(condition));
}

void PresenceNotifier::on_bounced(RelayRef ref, xmpp::StanzaError condition) {
  auto it = subscribe_refs_.find(ref);
  if (it == subscribe_refs_.end()) return;  // Forgotten: more than kMaxSubscribeRefs waited.
  const std::string k = it->second;
  subscribe_refs_.erase(it);
  const std::size_t nl = k.find('\n');
  auto found = store_.get_sip_to_xmpp(k.substr(0, nl), k.substr(nl + 1));
  if (!found.ok() || !found->has_value()) return;
  log_.info("subscribe to ", (*found)->partner_jid, " bounced by the edge (",
            xmpp::to_string(condition), ")");
  if ((*found)->state == store::SubscriptionState::terminated) {
    erase((*found)->watcher_uri, (*found)->partner_jid);  // Dormant: no dialog to tell.
    return;
  }
  const bool gone = condition == xmpp::StanzaError::item_not_found ||
                    condition == xmpp::StanzaError::remote_server_not_found;
  terminate(std::move(**found),
            gone ? sip::TerminationReason::noresource : sip::TerminationReason::rejected,
            std::string("bounced: ") + std::string(xmpp::to_string(condition)));
}

void PresenceNotifier::send_to_partner(bridge::SubscriptionType type,
                                       const std::string& watcher_uri,
                                       const std::string& partner_jid,
                                       store::SipToXmppSubscription* record) {
  auto from = bridge::jid_for_sip_uri(watcher_uri);
  auto to = xmpp::Jid::parse(partner_jid);
  if (!from.ok() || !to.ok()) return;
  xml::Element stanza = bridge::make_subscription_presence(type, from->bare(), *to);
  if (record == nullptr) {
    (void)parts_.relay.send(stanza, from->domain(), to->domain());  // Nobody waits for it.
    return;
  }
  auto ref = parts_.relay.send(stanza, from->domain(), to->domain(), this);
  if (!ref.ok()) {
    terminate(*record, sip::TerminationReason::probation, "the subscribe could not be relayed");
    return;
  }
  record->xmpp_state = store::XmppSubscriptionState::pending;
  save(*record);
  if (subscribe_refs_.size() >= kMaxSubscribeRefs) subscribe_refs_.erase(subscribe_refs_.begin());
  subscribe_refs_.emplace(*ref, key(watcher_uri, partner_jid));
}

// ---- NOTIFY ---------------------------------------------------------------------------------

void PresenceNotifier::notify(store::SipToXmppSubscription& record,
                              const sip::SubscriptionState& state, bool with_state) {
  auto dialog = dialog_of(record);
  Result<sip::SipMessage> request =
      dialog.ok() ? dialog->make_request("NOTIFY") : Result<sip::SipMessage>(fail(dialog.error()));
  auto state_text = state.to_string();
  Status built = request.ok() ? Status() : Status(fail(request.error()));
  if (built.ok() && !state_text.ok()) built = fail(state_text.error());
  if (built.ok()) built = request->set_header("Event", "presence");
  if (built.ok()) built = request->set_header("Subscription-State", *state_text);
  if (built.ok() && with_state) {
    built = request->set_body(bridge::kPidfContentType,
                              bridge::build_pidf(cache_.partner(record.partner_jid)));
  }
  if (!built.ok()) {
    log_.warn("NOTIFY to ", record.watcher_uri, " for ", record.partner_jid,
              " not built: ", built.error().detail);
    return;
  }
  record.notify_cseq = dialog->state().local_cseq;
  if (state.state != sip::SubState::terminated) save(record);
  Rate& rate = rates_[key(record.watcher_uri, record.partner_jid)];
  rate.last = parts_.clock.now();
  rate.dirty = false;
  rate_timers_.disarm(key(record.watcher_uri, record.partner_jid));
  log_.debug("NOTIFY ", *state_text, " to ", record.watcher_uri, " for ", record.partner_jid);
  if (Status st = requests_.send(std::move(*request),
                                 {Kind::notify, record.watcher_uri, record.partner_jid});
      !st.ok()) {
    log_.warn("NOTIFY to ", record.watcher_uri, " not sent: ", st.error().detail);
  }
}

void PresenceNotifier::notify_state(store::SipToXmppSubscription& record) {
  const std::string k = key(record.watcher_uri, record.partner_jid);
  auto it = rates_.find(k);
  const Millis now = parts_.clock.now();
  if (it != rates_.end() && now - it->second.last < kMinNotifyIntervalMs) {
    it->second.dirty = true;
    rate_timers_.arm(k, it->second.last + kMinNotifyIntervalMs);
    log_.debug("NOTIFY to ", record.watcher_uri, " for ", record.partner_jid, " coalesced");
    return;
  }
  notify(record, sip::SubscriptionState::active(seconds_left(record)), true);
}

void PresenceNotifier::terminate(store::SipToXmppSubscription record, sip::TerminationReason reason,
                                 std::string_view why, Afterwards afterwards) {
  const bool with_state = record.state == store::SubscriptionState::active;
  notify(record, sip::SubscriptionState::terminated(reason), with_state);
  log_.info("subscription ", record.watcher_uri, " -> ", record.partner_jid, " terminated (",
            sip::to_string(reason), "): ", why);
  if (afterwards == Afterwards::keep_dormant) {
    lapse(std::move(record), why);
    return;
  }
  const std::string k = key(record.watcher_uri, record.partner_jid);
  expiries_.disarm(k);
  rate_timers_.disarm(k);
  rates_.erase(k);
  erase(record.watcher_uri, record.partner_jid);
}

void PresenceNotifier::lapse(store::SipToXmppSubscription record, std::string_view why) {
  const std::string k = key(record.watcher_uri, record.partner_jid);
  expiries_.disarm(k);
  rate_timers_.disarm(k);
  rates_.erase(k);
  if (record.xmpp_state == store::XmppSubscriptionState::none) {
    erase(record.watcher_uri, record.partner_jid);  // Nothing was asked of the partner user.
    return;
  }
  record.state = store::SubscriptionState::terminated;
  save(record);
  log_.info("subscription ", record.watcher_uri, " -> ", record.partner_jid, " dormant (", why,
            "); the XMPP subscription (", store::to_string(record.xmpp_state), ") is kept");
}

void PresenceNotifier::on_outcome(PresenceOutcome&& outcome) {
  const PresenceRequest& why = outcome.why;
  if (outcome.status >= 200 && outcome.status < 300) return;
  // RFC 6665 §4.2.2: 481, a timeout or a transport failure means the watcher is gone.
  if (outcome.status == 481 || outcome.status == 408 || outcome.status == 503) {
    auto found = store_.get_sip_to_xmpp(why.watcher, why.target);
    if (found.ok() && found->has_value() && (*found)->dialog.call_id == outcome.request.call_id()) {
      log_.info("NOTIFY to ", why.watcher, " for ", why.target, " answered ", outcome.status,
                ": the watcher is gone");
      lapse(std::move(**found), "the watcher is gone");
    }
    return;
  }
  log_.info("NOTIFY to ", why.watcher, " for ", why.target, " answered ", outcome.status);
}

// ---- Timers ---------------------------------------------------------------------------------

void PresenceNotifier::on_timer(Millis now) {
  for (const std::string& k : rate_timers_.take_due(now)) {
    auto it = rates_.find(k);
    if (it == rates_.end() || !it->second.dirty) continue;
    const std::size_t nl = k.find('\n');
    auto found = store_.get_sip_to_xmpp(k.substr(0, nl), k.substr(nl + 1));
    if (!found.ok() || !found->has_value()) continue;
    store::SipToXmppSubscription record = std::move(**found);
    if (record.state != store::SubscriptionState::active) continue;
    notify(record, sip::SubscriptionState::active(seconds_left(record)), true);
  }
  for (const std::string& k : expiries_.take_due(now)) {
    const std::size_t nl = k.find('\n');
    auto found = store_.get_sip_to_xmpp(k.substr(0, nl), k.substr(nl + 1));
    if (!found.ok() || !found->has_value()) continue;
    store::SipToXmppSubscription record = std::move(**found);
    if (record.expires_at > parts_.clock.wall_now()) {
      arm_expiry(record);  // Refreshed meanwhile.
      continue;
    }
    terminate(std::move(record), sip::TerminationReason::timeout, "not refreshed in time",
              Afterwards::keep_dormant);
  }
}

Millis PresenceNotifier::next_deadline() const {
  return std::min(expiries_.next(), rate_timers_.next());
}

}  // namespace xf::gw
