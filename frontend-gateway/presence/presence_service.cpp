#include "frontend-gateway/presence/presence_service.h"

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza_error_reply.h"

namespace xf::gw {

PresenceService::PresenceService(const GatewayParts& parts, store::StateStore& store)
    : parts_(parts),
      cache_(store),
      subscriber_(parts, store, cache_),
      notifier_(parts, store, cache_) {
  subscriber_.load();
  notifier_.load();
}

void PresenceService::on_partner_presence(const xml::Element& presence,
                                          const relay::RoutingFacts& facts) {
  auto from = xmpp::Jid::parse(presence.attr("from"));
  auto to = xmpp::Jid::parse(presence.attr("to"));
  const bridge::PresenceKind kind = bridge::classify_presence(presence);
  if (!from.ok() || !to.ok() || to->local().empty()) {
    log_.info("presence ", bridge::to_string(kind), " from '", presence.attr("from"), "' to '",
              presence.attr("to"), "': not addressed to a user; ignored");
    return;
  }
  const xmpp::Jid user = to->bare();
  switch (kind) {
    case bridge::PresenceKind::subscribe: subscriber_.on_subscribe(*from, user); return;
    case bridge::PresenceKind::unsubscribe: subscriber_.on_unsubscribe(*from, user); return;
    case bridge::PresenceKind::probe: subscriber_.on_probe(*from, user); return;
    case bridge::PresenceKind::subscribed: notifier_.on_subscribed(*from, user); return;
    case bridge::PresenceKind::unsubscribed: notifier_.on_unsubscribed(*from, user); return;
    case bridge::PresenceKind::available:
    case bridge::PresenceKind::unavailable: {
      auto doc = mapper_.to_pidf(presence);
      if (!doc.ok()) {
        log_.info("presence from ", from->to_string(),
                  " not mapped: ", xmpp::to_string(doc.error().condition), " (", doc.error().text,
                  ")");
        parts_.relay.reply_error(presence, facts, doc.error().condition, doc.error().text);
        return;
      }
      notifier_.on_presence(*from, user, *doc);
      return;
    }
    case bridge::PresenceKind::error:
      notifier_.on_error(*from, user, xmpp::error_condition(presence));
      return;
    case bridge::PresenceKind::unknown:
      parts_.relay.reply_error(presence, facts, xmpp::StanzaError::bad_request,
                               "unknown presence type");
      return;
  }
}

void PresenceService::on_sip_request(std::uint64_t connection, const sip::SipMessage& request) {
  const std::string method = request.method();
  if (method == "SUBSCRIBE") {
    notifier_.on_subscribe(connection, request);
  } else if (method == "NOTIFY") {
    subscriber_.on_notify(connection, request);
  } else {
    parts_.responder.respond(connection, request, 405, parts_.tokens.hex());
  }
}

void PresenceService::on_timer(Millis now) {
  subscriber_.on_timer(now);
  notifier_.on_timer(now);
}

Millis PresenceService::next_deadline() const {
  return std::min(subscriber_.next_deadline(), notifier_.next_deadline());
}

void PresenceService::shutdown() {
  // Subscriptions stay in the store for the next start; requests without an answer are
  // forgotten, and the refresh timers redo them then.
  if (std::size_t n = subscriber_.forget_requests() + notifier_.forget_requests(); n > 0) {
    log_.info(n, " presence request(s) without an answer forgotten at shutdown");
  }
}

}  // namespace xf::gw
