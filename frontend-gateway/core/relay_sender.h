// Stanzas from the gateway to partners, through the relay port: the routing facts of an
// outbound stanza, its serialisation, the error replies to partner stanzas, and the edge's
// verdict on what was sent. The relay names each stanza frame by a reference (link, sequence);
// a stanza sent with an owner keeps that reference tagged with it, and the edge's Delivered or
// Bounce for the reference goes to that owner and nowhere else.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "common/core/log.h"
#include "common/core/result.h"
#include "common/relay/messages.h"
#include "common/xml/element.h"
#include "common/xmpp/stream_error.h"
#include "frontend-gateway/core/relay_port.h"

namespace xf::gw {

class RelaySender {
 public:
  // Who waits for the edge's verdict on a stanza it sent.
  class Owner {
   public:
    virtual ~Owner() = default;
    // The edge wrote the stanza to the partner's stream.
    virtual void on_delivered(RelayRef ref) = 0;
    // The edge could not deliver it; condition names the stanza error it reported.
    virtual void on_bounced(RelayRef ref, xmpp::StanzaError condition) = 0;
  };

  // max_tagged bounds the references waiting for a verdict: the edge answers every frame, so
  // the bound only guards against an edge that stops answering while its link stays up; the
  // oldest reference is forgotten then, and its owner's own timeout answers for it.
  RelaySender(RelayPort& relay, std::size_t max_tagged);
  RelaySender(const RelaySender&) = delete;
  RelaySender& operator=(const RelaySender&) = delete;

  bool can_relay() const { return relay_.can_relay(); }

  // A stanza from our domain `local` to the partner domain `remote`. With an owner, the edge's
  // verdict on it goes to that owner; without one nobody waits for it. A failure is logged.
  Result<RelayRef> send(const xml::Element& stanza, std::string_view local, std::string_view remote,
                        Owner* owner = nullptr);
  // The error reply to a partner stanza, back between the domains it came by (facts of its
  // arrival). Nothing is sent for an error stanza (RFC 6120 §8.3.1).
  void reply_error(const xml::Element& original, const relay::RoutingFacts& facts,
                   xmpp::StanzaError condition, std::string_view text = {});
  // The same for a SIP status the stanza's request was answered with (RFC 7247 table).
  void reply_sip_status(const xml::Element& original, const relay::RoutingFacts& facts, int status,
                        std::string_view reason);

  // The edge's verdicts: to the owner the reference is tagged with.
  void on_delivered(RelayRef ref);
  void on_bounce(RelayRef ref, xmpp::StanzaError condition);
  // The gateway is done with a partner stanza (RelayPort::complete).
  void complete(const InboundRef& inbound) { relay_.complete(inbound); }

  std::size_t tagged() const { return owners_.size(); }

 private:
  RelayPort& relay_;
  std::size_t max_tagged_;
  Logger log_{"relay-out"};
  std::map<RelayRef, Owner*> owners_;
  std::string scratch_;
};

}  // namespace xf::gw
