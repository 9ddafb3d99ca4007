#include "frontend-gateway/presence/presence_subscriber.h"

#include <algorithm>
#include <limits>

#include "frontend-gateway/bridge/address_map.h"
#include "frontend-gateway/bridge/pidf.h"
#include "frontend-gateway/presence/dialog_record.h"
#include "frontend-gateway/sip/event_header.h"
#include "frontend-gateway/sip/expires_policy.h"
#include "frontend-gateway/sip/subscription_state.h"

namespace xf::gw {

namespace {

using Kind = PresenceRequest::Kind;

// A fetch that has no NOTIFY after this long is forgotten (the notifier sends it at once).
constexpr Millis kFetchLifetimeMs = 64 * 1000;

// A subscription whose SIP side ended while the XMPP side lasts is tried again after 30 s, then
// twice as long each time up to 30 minutes, unless the notifier gave a retry-after.
constexpr Millis kRetryFirstMs = 30 * 1000;
constexpr Millis kRetryMaxMs = 30 * 60 * 1000;

// Final responses to a new SUBSCRIBE that say the internal user refuses the watcher, as opposed
// to being offline or unreachable for now (RFC 3261 §21.4.4, §21.6.4; RFC 6665 §8.3.1).
bool refuses_for_good(int status) { return status == 403 || status == 603 || status == 489; }

std::uint32_t requested_interval(const GatewayConfig& config) {
  const std::int64_t s = config.gateway.subscription_refresh_interval_s;
  return static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(s, 1, std::numeric_limits<std::uint32_t>::max()));
}

std::string uri_for(std::string_view bare_jid) {
  auto jid = xmpp::Jid::parse(bare_jid);
  if (!jid.ok()) return {};
  auto uri = bridge::sip_uri_for_jid(jid->bare());
  return uri.ok() ? *uri : std::string();
}

}  // namespace

PresenceSubscriber::PresenceSubscriber(const GatewayParts& parts, store::StateStore& store,
                                       PresenceCache& cache)
    : parts_(parts), store_(store), cache_(cache), requests_(parts.sip, *this) {}

std::string PresenceSubscriber::key(const std::string& watcher, const std::string& sip_uri) {
  return watcher + "\n" + sip_uri;
}

void PresenceSubscriber::load() {
  auto live = store_.list_xmpp_to_sip_live();
  if (!live.ok()) {
    log_.error("cannot read the stored subscriptions: ", live.error().detail);
    return;
  }
  for (const store::XmppToSipSubscription& record : *live) {
    if (record.dialog.remote_tag.empty()) {
      // The SUBSCRIBE was never answered before the stop: the timer starts it again (load()
      // only reads, so that it can run before the transports are up).
      refreshes_.arm(key(record.watcher_jid, record.sip_uri), parts_.clock.now());
      continue;
    }
    arm_refresh(record);
  }
  log_.info(live->size(), " stored XMPP -> SIP subscription(s) resumed");
}

void PresenceSubscriber::forget_lapse(const std::string& k) {
  auto r = retries_.find(k);
  if (r == retries_.end()) return;
  r->second.failures = 0;
  const std::string sip_uri = k.substr(k.find('\n') + 1);
  if (auto l = lapsed_.find(sip_uri); l != lapsed_.end()) {
    l->second.erase(k);
    if (l->second.empty()) lapsed_.erase(l);
  }
}

void PresenceSubscriber::on_user_seen(std::string_view sip_uri) {
  auto uri = bridge::jid_for_sip_uri(std::string(sip_uri));
  if (!uri.ok()) return;
  auto canonical = bridge::sip_uri_for_jid(uri->bare());
  if (!canonical.ok()) return;
  auto l = lapsed_.find(*canonical);
  if (l == lapsed_.end()) return;
  const Millis now = parts_.clock.now();
  for (const std::string& k : l->second) {
    // Not sooner than kUserSeenSpacing after the last failure, so that a chatty client that
    // never takes a SUBSCRIBE does not get one per MESSAGE.
    const Millis at = std::max(now, retries_[k].last_lapse + kUserSeenSpacing);
    if (auto found = live(k); !found || !found->dialog.call_id.empty()) continue;  // In flight.
    if (refreshes_.armed(k) && refreshes_.deadline(k) <= at) continue;
    log_.info("subscription ", k.substr(0, k.find('\n')), " -> ", *canonical,
              ": the user is back, SUBSCRIBE in ", (at - now) / 1000, " s");
    refreshes_.arm(k, at);
  }
}

void PresenceSubscriber::erase(const std::string& watcher, const std::string& sip_uri) {
  forget_lapse(key(watcher, sip_uri));
  retries_.erase(key(watcher, sip_uri));
  if (auto gone = store_.delete_xmpp_to_sip(watcher, sip_uri); !gone.ok()) {
    log_.error("subscription ", watcher, " -> ", sip_uri, " not deleted: ", gone.error().detail);
  }
}

void PresenceSubscriber::save(const store::XmppToSipSubscription& record) {
  store::XmppToSipSubscription copy = record;
  copy.updated_at = parts_.clock.wall_now();
  if (copy.created_at == 0) copy.created_at = copy.updated_at;
  if (Status st = store_.upsert_xmpp_to_sip(copy); !st.ok()) {
    log_.error("subscription ", record.watcher_jid, " -> ", record.sip_uri,
               " not stored: ", st.error().detail);
  }
}

// ---- Partner stanzas ------------------------------------------------------------------------

void PresenceSubscriber::on_subscribe(const xmpp::Jid& watcher, const xmpp::Jid& user) {
  const std::string watcher_jid = watcher.bare_string();
  auto sip_uri = bridge::sip_uri_for_jid(user.bare());
  if (!sip_uri.ok()) {
    log_.info("subscribe ", watcher_jid, " -> ", user.bare_string(), ": no SIP URI (",
              sip_uri.error().detail, "): unsubscribed");
    send_subscription(bridge::SubscriptionType::unsubscribed, uri_for(user.bare_string()),
                      watcher_jid);
    return;
  }
  auto existing = store_.get_xmpp_to_sip(watcher_jid, *sip_uri);
  if (existing.ok() && existing->has_value()) {
    const store::XmppToSipSubscription& record = **existing;
    if (record.state == store::SubscriptionState::active) {
      // RFC 6121 §3.1.3: a request for a subscription that exists is answered at once.
      log_.info("subscribe ", watcher_jid, " -> ", *sip_uri, ": already active");
      send_subscription(bridge::SubscriptionType::subscribed, *sip_uri, watcher_jid);
      if (auto doc = cache_.internal(*sip_uri)) send_presence_of(*sip_uri, *doc, watcher_jid);
      return;
    }
    if (record.state == store::SubscriptionState::pending) {
      log_.info("subscribe ", watcher_jid, " -> ", *sip_uri,
                ": already waiting for the user's answer");
      return;
    }
  }
  store::XmppToSipSubscription record;
  record.watcher_jid = watcher_jid;
  record.sip_uri = *sip_uri;
  record.state = store::SubscriptionState::pending;
  log_.info("subscribe ", watcher_jid, " -> ", *sip_uri, ": SUBSCRIBE");
  subscribe(std::move(record));
}

void PresenceSubscriber::on_unsubscribe(const xmpp::Jid& watcher, const xmpp::Jid& user) {
  const std::string watcher_jid = watcher.bare_string();
  auto sip_uri = bridge::sip_uri_for_jid(user.bare());
  if (!sip_uri.ok()) return;
  auto existing = store_.get_xmpp_to_sip(watcher_jid, *sip_uri);
  if (!existing.ok() || !existing->has_value()) {
    log_.info("unsubscribe ", watcher_jid, " -> ", *sip_uri, ": no subscription; nothing to end");
    return;
  }
  store::XmppToSipSubscription record = std::move(**existing);
  refreshes_.disarm(key(record.watcher_jid, record.sip_uri));
  awaiting_notify_.disarm(key(record.watcher_jid, record.sip_uri));
  if (record.dialog.remote_tag.empty()) {
    // Not established: the 2xx, if it still comes, finds no record and ends the dialog.
    log_.info("unsubscribe ", watcher_jid, " -> ", *sip_uri, ": subscription not established yet");
    erase(record.watcher_jid, record.sip_uri);
    return;
  }
  auto dialog = dialog_of(record);
  Result<sip::SipMessage> request = dialog.ok() ? dialog->make_request("SUBSCRIBE")
                                                : Result<sip::SipMessage>(fail(dialog.error()));
  if (request.ok()) {
    if (Status st = add_subscribe_headers(*request, 0); !st.ok()) request = fail(st.error());
  }
  if (!request.ok()) {
    log_.warn("unsubscribe ", watcher_jid, " -> ", *sip_uri, ": ", request.error().detail,
              "; subscription deleted");
    erase(record.watcher_jid, record.sip_uri);
    return;
  }
  record.local_cseq = dialog->state().local_cseq;
  record.state = store::SubscriptionState::terminated;
  save(record);
  log_.info("unsubscribe ", watcher_jid, " -> ", *sip_uri, ": SUBSCRIBE Expires: 0");
  if (Status st = requests_.send(std::move(*request),
                                 {Kind::unsubscribe, record.watcher_jid, record.sip_uri});
      !st.ok()) {
    log_.warn("un-SUBSCRIBE ", watcher_jid, " -> ", *sip_uri, " not sent: ", st.error().detail);
    erase(record.watcher_jid, record.sip_uri);
  }
}

void PresenceSubscriber::on_probe(const xmpp::Jid& prober, const xmpp::Jid& user) {
  const std::string watcher_jid = prober.bare_string();
  auto sip_uri = bridge::sip_uri_for_jid(user.bare());
  if (!sip_uri.ok()) return;
  auto existing = store_.get_xmpp_to_sip(watcher_jid, *sip_uri);
  const bool active = existing.ok() && existing->has_value() &&
                      (*existing)->state == store::SubscriptionState::active;
  if (active) {
    if (auto doc = cache_.internal(*sip_uri)) {
      log_.info("probe ", prober.to_string(), " -> ", *sip_uri, ": answered from the cache");
      send_presence_of(*sip_uri, *doc, prober.to_string());
      return;
    }
  }
  // No cached state the prober may see: ask the notifier, which applies its own authorization.
  auto from_uri = bridge::sip_uri_for_jid(prober.bare());
  auto request = sip::SipMessage::make_request("SUBSCRIBE", *sip_uri);
  Fetch fetch{prober.to_string(), *sip_uri, parts_.tokens.hex(),
              parts_.clock.now() + kFetchLifetimeMs};
  const std::string call_id = parts_.new_call_id("pres-");
  Status built =
      from_uri.ok() && request.ok() ? Status() : Status(fail(Errc::invalid_argument, "no SIP URI"));
  if (built.ok()) built = request->set_from({"", *from_uri, fetch.local_tag});
  if (built.ok()) built = request->set_to({"", *sip_uri, ""});
  if (built.ok()) built = request->set_call_id(call_id);
  if (built.ok()) built = request->set_cseq(1, "SUBSCRIBE");
  if (built.ok()) built = request->set_max_forwards(SipClient::kMaxForwards);
  if (built.ok()) built = request->set_contact(parts_.contact("gateway"));
  if (built.ok()) built = add_subscribe_headers(*request, 0);
  if (built.ok()) {
    built = requests_.send(std::move(*request), {Kind::fetch, watcher_jid, *sip_uri});
  }
  if (!built.ok()) {
    log_.warn("probe ", prober.to_string(), " -> ", *sip_uri, ": fetch not sent (",
              built.error().detail, ")");
    return;
  }
  log_.info("probe ", prober.to_string(), " -> ", *sip_uri, ": one-shot SUBSCRIBE");
  fetches_.emplace(call_id, std::move(fetch));
}

// ---- SIP ------------------------------------------------------------------------------------

Status PresenceSubscriber::add_subscribe_headers(sip::SipMessage& request, std::uint32_t expires) {
  Status st = request.set_header("Event", "presence");
  if (st.ok()) st = request.set_header("Accept", bridge::kPidfContentType);
  if (st.ok()) st = request.set_header("Expires", std::to_string(expires));
  return st;
}

Result<sip::Dialog> PresenceSubscriber::dialog_of(const store::XmppToSipSubscription& record) {
  return restore_dialog(record.dialog, {uri_for(record.watcher_jid),
                                        record.sip_uri,
                                        parts_.contact("gateway"),
                                        record.local_cseq,
                                        {}});
}

void PresenceSubscriber::subscribe(store::XmppToSipSubscription record) {
  const std::uint32_t expires = requested_interval(parts_.config);
  refreshes_.disarm(key(record.watcher_jid, record.sip_uri));
  awaiting_notify_.disarm(key(record.watcher_jid, record.sip_uri));
  record.dialog = {};
  record.dialog.call_id = parts_.new_call_id("pres-");
  record.dialog.local_tag = parts_.tokens.hex();
  record.local_cseq = 1;
  record.last_refresh = parts_.clock.wall_now();
  record.expires_at = record.last_refresh + static_cast<store::UnixMillis>(expires) * 1000;
  const std::string from_uri = uri_for(record.watcher_jid);
  auto request = sip::SipMessage::make_request("SUBSCRIBE", record.sip_uri);
  Status built = request.ok() ? Status() : Status(fail(request.error()));
  if (built.ok()) built = request->set_from({"", from_uri, record.dialog.local_tag});
  if (built.ok()) built = request->set_to({"", record.sip_uri, ""});
  if (built.ok()) built = request->set_call_id(record.dialog.call_id);
  if (built.ok()) built = request->set_cseq(1, "SUBSCRIBE");
  if (built.ok()) built = request->set_max_forwards(SipClient::kMaxForwards);
  if (built.ok()) built = request->set_contact(parts_.contact("gateway"));
  if (built.ok()) built = add_subscribe_headers(*request, expires);
  if (built.ok()) {
    save(record);
    built =
        requests_.send(std::move(*request), {Kind::subscribe, record.watcher_jid, record.sip_uri});
  }
  if (!built.ok()) {
    log_.warn("SUBSCRIBE ", record.watcher_jid, " -> ", record.sip_uri,
              " not sent: ", built.error().detail);
    end(record, "the SUBSCRIBE could not be sent");
  }
}

void PresenceSubscriber::refresh(store::XmppToSipSubscription record) {
  const std::uint32_t expires = requested_interval(parts_.config);
  auto dialog = dialog_of(record);
  Result<sip::SipMessage> request = dialog.ok() ? dialog->make_request("SUBSCRIBE")
                                                : Result<sip::SipMessage>(fail(dialog.error()));
  if (request.ok()) {
    if (Status st = add_subscribe_headers(*request, expires); !st.ok()) request = fail(st.error());
  }
  if (!request.ok()) {
    log_.warn("refresh ", record.watcher_jid, " -> ", record.sip_uri, ": ", request.error().detail,
              "; subscribing again");
    subscribe(std::move(record));
    return;
  }
  record.local_cseq = dialog->state().local_cseq;
  record.last_refresh = parts_.clock.wall_now();
  save(record);
  log_.info("refresh ", record.watcher_jid, " -> ", record.sip_uri, " (CSeq ", record.local_cseq,
            ")");
  if (Status st =
          requests_.send(std::move(*request), {Kind::refresh, record.watcher_jid, record.sip_uri});
      !st.ok()) {
    log_.warn("refresh ", record.watcher_jid, " -> ", record.sip_uri,
              " not sent: ", st.error().detail, "; retrying in a minute");
    refreshes_.arm(key(record.watcher_jid, record.sip_uri), parts_.clock.now() + 60 * 1000);
  }
}

// The refresh time follows from what was granted at the last refresh, so that it is the same
// before and after a restart: last_refresh + refresh_deadline(granted), in wall time.
void PresenceSubscriber::arm_refresh(const store::XmppToSipSubscription& record) {
  const store::UnixMillis granted_ms =
      std::max<store::UnixMillis>(0, record.expires_at - record.last_refresh);
  const auto granted = static_cast<std::uint32_t>(
      std::min<store::UnixMillis>(granted_ms / 1000, std::numeric_limits<std::uint32_t>::max()));
  const store::UnixMillis at_wall = record.last_refresh + sip::refresh_deadline(0, granted);
  const Millis at =
      parts_.clock.now() + std::max<store::UnixMillis>(0, at_wall - parts_.clock.wall_now());
  refreshes_.arm(key(record.watcher_jid, record.sip_uri), at);
}

void PresenceSubscriber::on_outcome(PresenceOutcome&& outcome) {
  const PresenceRequest& why = outcome.why;
  const bool ok = outcome.status >= 200 && outcome.status < 300;
  switch (why.kind) {
    case Kind::subscribe: subscribe_outcome(std::move(outcome)); return;
    case Kind::refresh: {
      auto existing = store_.get_xmpp_to_sip(why.watcher, why.target);
      if (!existing.ok() || !existing->has_value()) return;
      store::XmppToSipSubscription record = std::move(**existing);
      if (record.state == store::SubscriptionState::terminated ||
          record.dialog.call_id != outcome.request.call_id()) {
        return;  // Unsubscribed or replaced meanwhile.
      }
      if (!ok) {
        // RFC 6665 §4.1.2.2: a failed refresh ends the subscription; the XMPP one lasts, so a
        // new dialog takes over.
        log_.info("refresh ", why.watcher, " -> ", why.target, " failed (", outcome.status,
                  "): subscribing again");
        subscribe(std::move(record));
        return;
      }
      const std::uint32_t granted =
          outcome.response->expires().value_or(requested_interval(parts_.config));
      record.expires_at = record.last_refresh + static_cast<store::UnixMillis>(granted) * 1000;
      if (auto target = outcome.response->contact_uri()) record.dialog.remote_target = *target;
      save(record);
      arm_refresh(record);
      log_.debug("refresh ", why.watcher, " -> ", why.target, " granted ", granted, " s");
      return;
    }
    case Kind::unsubscribe:
      if (!ok) {
        log_.info("un-SUBSCRIBE ", why.watcher, " -> ", why.target, ": ", outcome.status,
                  "; the subscription is gone anyway");
      }
      // The final NOTIFY normally deletes the record; without one nothing else will.
      if (auto existing = store_.get_xmpp_to_sip(why.watcher, why.target);
          existing.ok() && existing->has_value() &&
          (*existing)->state == store::SubscriptionState::terminated && !ok) {
        erase(why.watcher, why.target);
      }
      return;
    case Kind::fetch:
      if (!ok) {
        log_.info("probe ", why.watcher, " -> ", why.target, ": fetch answered ", outcome.status,
                  "; no presence to send");
        fetches_.erase(outcome.request.call_id());
        if (outcome.status == 404) {
          send_subscription(bridge::SubscriptionType::unsubscribed, why.target, why.watcher);
        }
      }
      return;
    case Kind::notify: return;  // Not ours.
  }
}

void PresenceSubscriber::subscribe_outcome(PresenceOutcome&& outcome) {
  const PresenceRequest& why = outcome.why;
  const int status = outcome.status;
  auto existing = store_.get_xmpp_to_sip(why.watcher, why.target);
  const bool current = existing.ok() && existing->has_value() &&
                       (*existing)->dialog.call_id == outcome.request.call_id() &&
                       (*existing)->state != store::SubscriptionState::terminated;
  if (!current) {
    if (status >= 200 && status < 300) {
      // Unsubscribed before the answer came: end the dialog the 2xx created.
      auto dialog =
          sip::Dialog::create_uac(outcome.request, *outcome.response, parts_.contact("gateway"));
      if (!dialog.ok()) return;
      auto request = dialog->make_request("SUBSCRIBE");
      if (request.ok() && add_subscribe_headers(*request, 0).ok()) {
        log_.info("SUBSCRIBE ", why.watcher, " -> ", why.target,
                  " answered after the unsubscribe: ending it");
        if (Status st =
                requests_.send(std::move(*request), {Kind::unsubscribe, why.watcher, why.target});
            !st.ok()) {
          log_.warn("un-SUBSCRIBE ", why.watcher, " -> ", why.target,
                    " not sent: ", st.error().detail);
        }
      }
    }
    return;
  }
  store::XmppToSipSubscription record = std::move(**existing);
  if (status < 200 || status >= 300) {
    log_.info("SUBSCRIBE ", why.watcher, " -> ", why.target, " refused: ", status, " ",
              outcome.response ? outcome.response->reason_phrase() : "(timeout)");
    // Once the internal user has accepted the watcher, only a refusal ends the XMPP side; an
    // offline or unreachable user (404, 408, 480, 5xx...) is tried again later.
    if (record.state == store::SubscriptionState::active && !refuses_for_good(status)) {
      lapse(std::move(record), "the SUBSCRIBE failed",
            outcome.response ? outcome.response->retry_after() : std::nullopt);
      return;
    }
    end(record, "the SUBSCRIBE was refused");
    return;
  }
  const std::uint32_t granted =
      outcome.response->expires().value_or(requested_interval(parts_.config));
  record.expires_at = record.last_refresh + static_cast<store::UnixMillis>(granted) * 1000;
  if (record.dialog.remote_tag.empty()) {
    auto dialog =
        sip::Dialog::create_uac(outcome.request, *outcome.response, parts_.contact("gateway"));
    if (!dialog.ok()) {
      log_.warn("SUBSCRIBE ", why.watcher, " -> ", why.target, ": 2xx without a usable dialog (",
                dialog.error().detail, ")");
      end(record, "the 2xx did not create a dialog");
      return;
    }
    record.dialog = to_record(dialog->state());
    // No NOTIFY came before the 2xx (one would have set the remote tag): one must follow.
    awaiting_notify_.arm(key(why.watcher, why.target),
                         parts_.clock.now() + parts_.txn.config().timers.timeout());
  }
  save(record);
  arm_refresh(record);
  log_.info("SUBSCRIBE ", why.watcher, " -> ", why.target, " accepted (", status, "), ", granted,
            " s");
}

void PresenceSubscriber::on_notify(std::uint64_t connection, const sip::SipMessage& notify) {
  auto event = sip::EventHeader::of(notify);
  if (!event.ok()) {
    parts_.responder.respond(connection, notify, 400);
    return;
  }
  if (event->package != "presence" || !event->templates.empty()) {
    log_.info("NOTIFY for event ", event->event_type(), ": 489");
    parts_.responder.respond(connection, notify, 489, {}, {{"Allow-Events", "presence"}});
    return;
  }
  auto state = sip::SubscriptionState::of(notify);
  if (!state.ok()) {
    parts_.responder.respond(connection, notify, 400);
    return;
  }
  const std::string call_id = notify.call_id();
  if (auto f = fetches_.find(call_id); f != fetches_.end()) {
    Fetch fetch = f->second;
    if (state->state == sip::SubState::terminated) fetches_.erase(f);
    notify_fetch(connection, notify, fetch);
    return;
  }
  auto found = store_.find_xmpp_to_sip_by_call_id(call_id);
  if (!found.ok() || !found->has_value() || (*found)->dialog.local_tag != notify.to().tag) {
    log_.info("NOTIFY from ", notify.from().uri, " (Call-ID ", call_id,
              ") matches no subscription: 481");
    parts_.responder.respond(connection, notify, 481);
    return;
  }
  store::XmppToSipSubscription record = std::move(**found);
  if (!record.dialog.remote_tag.empty() && record.dialog.remote_tag != notify.from().tag) {
    // A second notifier (a forked SUBSCRIBE): RFC 6665 §4.1.2.4 allows ending it; one is enough.
    parts_.responder.respond(connection, notify, 481);
    return;
  }
  if (record.dialog.remote_tag.empty()) {
    // RFC 6665 §4.1.2.4: the NOTIFY came before the 2xx and creates the dialog.
    record.dialog.remote_tag = notify.from().tag;
    if (auto target = notify.contact_uri()) record.dialog.remote_target = *target;
    record.dialog.route_set = notify.record_routes();
  }
  parts_.responder.respond(connection, notify, 200);
  apply_notify(notify, std::move(record));
}

void PresenceSubscriber::apply_notify(const sip::SipMessage& notify,
                                      store::XmppToSipSubscription record) {
  auto state = sip::SubscriptionState::of(notify);
  const std::string k = key(record.watcher_jid, record.sip_uri);
  awaiting_notify_.disarm(k);
  if (record.state == store::SubscriptionState::terminated) {
    // We unsubscribed: this is the notifier's last word.
    if (state->state == sip::SubState::terminated) {
      erase(record.watcher_jid, record.sip_uri);
      log_.info("subscription ", record.watcher_jid, " -> ", record.sip_uri, " ended");
    }
    return;
  }
  std::optional<bridge::PresenceDoc> doc;
  const std::string body = notify.body();
  if (!body.empty() && notify.content_type() == bridge::kPidfContentType) {
    auto parsed = bridge::parse_pidf(body);
    if (parsed.ok()) {
      doc = std::move(parsed.value());
    } else {
      log_.info("NOTIFY for ", record.sip_uri, ": PIDF refused (", parsed.error().detail, ")");
    }
  } else if (!body.empty()) {
    log_.info("NOTIFY for ", record.sip_uri, ": body type '", notify.content_type(),
              "' is not PIDF; ignored");
  }
  if (doc) cache_.put_internal(record.sip_uri, body, parts_.clock.wall_now());

  switch (state->state) {
    case sip::SubState::active: {
      forget_lapse(k);
      const bool first = record.state != store::SubscriptionState::active;
      record.state = store::SubscriptionState::active;
      if (state->expires) {
        record.expires_at =
            parts_.clock.wall_now() + static_cast<store::UnixMillis>(*state->expires) * 1000;
      }
      save(record);
      if (first) {
        log_.info("subscription ", record.watcher_jid, " -> ", record.sip_uri,
                  " active: subscribed");
        // The internal user accepted the partner user: that counts as adding the contact.
        store::Authorization auth{record.sip_uri, record.watcher_jid,
                                  store::AuthorizationDecision::allowed, 0,
                                  parts_.clock.wall_now()};
        auth.created_at = auth.updated_at;
        if (Status st = store_.upsert_authorization(auth); !st.ok()) {
          log_.warn("authorization ", record.sip_uri, " / ", record.watcher_jid,
                    " not stored: ", st.error().detail);
        }
        send_subscription(bridge::SubscriptionType::subscribed, record.sip_uri, record.watcher_jid);
      }
      if (doc) send_presence_of(record.sip_uri, *doc, record.watcher_jid);
      if (!refreshes_.armed(k)) arm_refresh(record);
      return;
    }
    case sip::SubState::pending:
    case sip::SubState::extension:
      save(record);
      if (!refreshes_.armed(k)) arm_refresh(record);
      log_.debug("subscription ", record.watcher_jid, " -> ", record.sip_uri, " pending");
      return;
    case sip::SubState::terminated: {
      refreshes_.disarm(k);
      const std::string_view reason =
          state->reason_text.empty() ? "no reason" : std::string_view(state->reason_text);
      log_.info("subscription ", record.watcher_jid, " -> ", record.sip_uri, " terminated (",
                reason, ")");
      // RFC 6665 §4.1.3: only rejected, noresource and invariant forbid subscribing again. A SIP
      // subscription is soft state that clients end at every logout; the XMPP one is roster
      // state, so an accepted watcher keeps it and sees the user unavailable meanwhile.
      const sip::RetryAdvice advice = state->retry_advice();
      if (record.state != store::SubscriptionState::active || advice == sip::RetryAdvice::never) {
        end(record, "terminated by the notifier");
        return;
      }
      Retry& retry = retries_[k];
      const Millis now = parts_.clock.now();
      if (advice == sip::RetryAdvice::now && !state->retry_after &&
          now - retry.last_immediate >= kImmediateRetrySpacing) {
        retry.last_immediate = now;
        log_.info("subscription ", record.watcher_jid, " -> ", record.sip_uri,
                  ": subscribing again at once");
        subscribe(std::move(record));
        return;
      }
      lapse(std::move(record), "terminated by the notifier", state->retry_after);
      return;
    }
  }
}

void PresenceSubscriber::notify_fetch(std::uint64_t connection, const sip::SipMessage& notify,
                                      const Fetch& fetch) {
  if (notify.to().tag != fetch.local_tag) {
    parts_.responder.respond(connection, notify, 481);
    return;
  }
  parts_.responder.respond(connection, notify, 200);
  const std::string body = notify.body();
  if (body.empty() || notify.content_type() != bridge::kPidfContentType) return;
  auto doc = bridge::parse_pidf(body);
  if (!doc.ok()) {
    log_.info("probe answer for ", fetch.sip_uri, ": PIDF refused (", doc.error().detail, ")");
    return;
  }
  log_.info("probe ", fetch.prober, " -> ", fetch.sip_uri, ": answered from the notifier");
  send_presence_of(fetch.sip_uri, *doc, fetch.prober);
}

void PresenceSubscriber::lapse(store::XmppToSipSubscription record, std::string_view why,
                               std::optional<std::uint32_t> retry_after_s) {
  const std::string k = key(record.watcher_jid, record.sip_uri);
  awaiting_notify_.disarm(k);
  Retry& retry = retries_[k];
  const Millis delay = retry_after_s
                           ? static_cast<Millis>(*retry_after_s) * 1000
                           : std::min(kRetryMaxMs, kRetryFirstMs << std::min(retry.failures, 10));
  if (retry.failures == 0) {
    // The watcher saw the user available: from now on, unavailable until a NOTIFY says more.
    bridge::PresenceDoc closed;
    closed.entity = record.sip_uri;
    bridge::Tuple tuple;
    tuple.id = "gateway";
    tuple.basic = bridge::Basic::closed;
    closed.tuples.push_back(std::move(tuple));
    cache_.put_internal(record.sip_uri, bridge::build_pidf(closed), parts_.clock.wall_now());
    send_presence_of(record.sip_uri, closed, record.watcher_jid);
  }
  ++retry.failures;
  retry.last_lapse = parts_.clock.now();
  lapsed_[record.sip_uri].insert(k);
  record.dialog = {};  // The next attempt is a new dialog (on_timer).
  save(record);
  refreshes_.arm(k, parts_.clock.now() + delay);
  log_.info("subscription ", record.watcher_jid, " -> ", record.sip_uri, " lapsed (", why,
            "): unavailable, the XMPP subscription kept, SUBSCRIBE again in ", delay / 1000, " s");
}

void PresenceSubscriber::end(const store::XmppToSipSubscription& record, std::string_view why) {
  refreshes_.disarm(key(record.watcher_jid, record.sip_uri));
  awaiting_notify_.disarm(key(record.watcher_jid, record.sip_uri));
  erase(record.watcher_jid, record.sip_uri);
  log_.info("subscription ", record.watcher_jid, " -> ", record.sip_uri, " over (", why,
            "): unsubscribed");
  send_subscription(bridge::SubscriptionType::unsubscribed, record.sip_uri, record.watcher_jid);
}

void PresenceSubscriber::send_subscription(bridge::SubscriptionType type,
                                           const std::string& sip_uri, const std::string& watcher) {
  auto from = bridge::jid_for_sip_uri(sip_uri);
  auto to = xmpp::Jid::parse(watcher);
  if (!from.ok() || !to.ok()) {
    log_.warn("no JIDs for ", sip_uri, " / ", watcher, ": subscription answer not sent");
    return;
  }
  xml::Element stanza = bridge::make_subscription_presence(type, from->bare(), *to);
  (void)parts_.relay.send(stanza, from->domain(), to->domain());  // Nobody waits for it.
}

void PresenceSubscriber::send_presence_of(const std::string& sip_uri,
                                          const bridge::PresenceDoc& doc, const std::string& to) {
  auto from = bridge::jid_for_sip_uri(sip_uri);
  auto to_jid = xmpp::Jid::parse(to);
  if (!from.ok() || !to_jid.ok()) return;
  xml::Element stanza = mapper_.to_xmpp(doc, from->bare(), *to_jid);
  (void)parts_.relay.send(stanza, from->domain(), xmpp::domain_of(to));  // Nobody waits for it.
}

// ---- Timers ---------------------------------------------------------------------------------

std::optional<store::XmppToSipSubscription> PresenceSubscriber::live(const std::string& k) {
  const std::size_t nl = k.find('\n');
  auto existing = store_.get_xmpp_to_sip(k.substr(0, nl), k.substr(nl + 1));
  if (!existing.ok() || !existing->has_value()) return std::nullopt;
  if ((*existing)->state == store::SubscriptionState::terminated) return std::nullopt;
  return std::move(*existing);
}

void PresenceSubscriber::on_timer(Millis now) {
  for (const std::string& k : refreshes_.take_due(now)) {
    std::optional<store::XmppToSipSubscription> found = live(k);
    if (!found) continue;
    store::XmppToSipSubscription record = std::move(*found);
    if (record.dialog.remote_tag.empty()) {
      subscribe(std::move(record));
    } else {
      refresh(std::move(record));
    }
  }
  for (const std::string& k : awaiting_notify_.take_due(now)) {
    std::optional<store::XmppToSipSubscription> found = live(k);
    if (!found) continue;
    log_.info("SUBSCRIBE ", found->watcher_jid, " -> ", found->sip_uri,
              ": no NOTIFY within 64*T1 of its 2xx (Timer N)");
    if (found->state == store::SubscriptionState::active) {
      lapse(std::move(*found), "no NOTIFY followed the 2xx", std::nullopt);
    } else {
      end(*found, "no NOTIFY followed the 2xx");
    }
  }
  for (auto it = fetches_.begin(); it != fetches_.end();) {
    it = it->second.expires <= now ? fetches_.erase(it) : std::next(it);
  }
}

Millis PresenceSubscriber::next_deadline() const {
  Millis next = std::min(refreshes_.next(), awaiting_notify_.next());
  for (const auto& [id, fetch] : fetches_) next = std::min(next, fetch.expires);
  return next;
}

}  // namespace xf::gw
