#include "frontend-gateway/core/relay_sender.h"

#include "frontend-gateway/bridge/error_reply.h"

namespace xf::gw {

RelaySender::RelaySender(RelayPort& relay, std::size_t max_tagged)
    : relay_(relay), max_tagged_(max_tagged) {}

Result<RelayRef> RelaySender::send(const xml::Element& stanza, std::string_view local,
                                   std::string_view remote, Owner* owner) {
  relay::RoutingFacts facts{std::string(local), std::string(remote), relay::Direction::outbound,
                            relay::PartnerAuth::none, ""};
  scratch_.clear();
  xml::serialize(stanza, scratch_);
  auto ref = relay_.send_stanza(facts, scratch_);
  if (!ref.ok()) {
    log_.debug("<", stanza.name(), " type='", stanza.attr("type"), "'> ", stanza.attr("from"),
               " -> ", stanza.attr("to"), " not relayed: ", ref.error().detail);
    return ref;
  }
  if (owner != nullptr) {
    if (owners_.size() >= max_tagged_ && owners_.count(*ref) == 0) {
      log_.debug(owners_.size(), " stanzas wait for the edge's verdict: forgetting frame ",
                 owners_.begin()->first.seq, " on link ", owners_.begin()->first.link);
      owners_.erase(owners_.begin());
    }
    owners_.insert_or_assign(*ref, owner);
  }
  return ref;
}

void RelaySender::reply_error(const xml::Element& original, const relay::RoutingFacts& facts,
                              xmpp::StanzaError condition, std::string_view text) {
  if (auto reply = bridge::error_reply(original, condition, text)) {
    (void)send(*reply, facts.local_domain, facts.remote_domain);
  }
}

void RelaySender::reply_sip_status(const xml::Element& original, const relay::RoutingFacts& facts,
                                   int status, std::string_view reason) {
  if (auto reply = bridge::error_reply_for_sip_status(original, status, reason)) {
    (void)send(*reply, facts.local_domain, facts.remote_domain);
  }
}

void RelaySender::on_delivered(RelayRef ref) {
  auto it = owners_.find(ref);
  if (it == owners_.end()) {
    log_.debug("frame ", ref.seq, " on link ", ref.link, " delivered (nobody waits for it)");
    return;
  }
  Owner* owner = it->second;
  owners_.erase(it);
  owner->on_delivered(ref);
}

void RelaySender::on_bounce(RelayRef ref, xmpp::StanzaError condition) {
  auto it = owners_.find(ref);
  if (it == owners_.end()) {
    log_.debug("frame ", ref.seq, " on link ", ref.link, " bounced (", xmpp::to_string(condition),
               "; nobody waits for it)");
    return;
  }
  Owner* owner = it->second;
  owners_.erase(it);
  owner->on_bounced(ref, condition);
}

}  // namespace xf::gw
