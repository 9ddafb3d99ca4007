// Instant messages between partner XMPP users and internal SIP users, both ways: page mode
// (RFC 3428, RFC 7572), session mode as Lync starts it (im_sessions.h) and chat states, as the
// message mapper maps them (bridge/message_mapper.h), with errors mapped by RFC 7247 §8.
//
// XMPP -> SIP: a partner <message> that passed the partner policy becomes a MESSAGE, inside the
// session between the two users when there is one. A 2xx ends it; another final response, a
// timeout or a transport failure becomes an error reply to the sender.
// SIP -> XMPP: a MESSAGE becomes a <message> to the partner, and its SIP answer waits for the
// edge's verdict (PendingRequests): 202 once the edge delivered it and the delivery grace
// window passed without an error stanza from the partner's server; the mapped error for a
// bounce or for such an error stanza; 408 without a verdict within 64*T1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/core/clock.h"
#include "common/core/log.h"
#include "common/relay/messages.h"
#include "common/xml/element.h"
#include "frontend-gateway/bridge/message_mapper.h"
#include "frontend-gateway/core/gateway_parts.h"
#include "frontend-gateway/im/im_sessions.h"
#include "frontend-gateway/im/pending_requests.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::gw {

class ImService final : private SipClient::Owner, private RelaySender::Owner {
 public:
  // What became of the messages, for the operator's status log: per-message lines are debug.
  struct Counters {
    std::uint64_t to_sip = 0;            // Partner messages sent as SIP MESSAGEs.
    std::uint64_t to_sip_accepted = 0;   // ... answered 2xx.
    std::uint64_t to_sip_refused = 0;    // ... answered with an error, timed out or not sent.
    std::uint64_t to_xmpp = 0;           // SIP MESSAGEs relayed to the edge.
    std::uint64_t to_xmpp_accepted = 0;  // ... answered 202 (delivered to the partner stream).
    std::uint64_t to_xmpp_refused = 0;   // ... answered with an error (a verdict or 408).
    std::uint64_t refused_503 = 0;       // SIP MESSAGEs answered 503 here: no link, or full.
  };

  // The parts must outlive the service.
  explicit ImService(const GatewayParts& parts);
  ImService(const ImService&) = delete;
  ImService& operator=(const ImService&) = delete;

  // XMPP -> SIP: a partner <message> that passed the partner policy. True when a SIP MESSAGE
  // now carries it: the service completes `inbound` (RelayPort::complete) once that ends; false
  // when it was answered or dropped at once and the caller completes it.
  bool on_partner_message(xml::Element&& message, const relay::RoutingFacts& facts,
                          const InboundRef& inbound);
  // An error <message> from a partner's server: it answers the SIP MESSAGE it refers to (same
  // id, addresses reversed) with the mapped status while that request is open; false when
  // none is, and the stanza then goes the way of every partner stanza.
  bool on_partner_error(const xml::Element& error);

  // SIP -> XMPP: new server transactions, answered with to_tag.
  void on_message(std::uint64_t connection, sip::SipMessage&& request, const std::string& to_tag);
  void on_invite(std::uint64_t connection, const sip::SipMessage& invite,
                 const std::string& to_tag);
  void on_bye(std::uint64_t connection, const sip::SipMessage& bye, const std::string& to_tag);
  // match_id is the CANCEL's server transaction id.
  void on_cancel(std::uint64_t connection, const sip::SipMessage& cancel,
                 const std::string& match_id, const std::string& to_tag);
  // An ACK for a 2xx, which is no transaction of its own.
  void on_ack(const sip::SipMessage& ack);

  // Pending requests whose verdict or grace window is due (first, while their server
  // transactions still exist), then sessions that expired (their BYEs).
  void on_timer(Millis now);
  Millis next_deadline() const;
  // Answers every pending SIP request 503 (202 when the edge delivered it already). An XMPP
  // message still waiting for SIP is left incomplete: the edge holds it and sends it again to
  // the gateway that starts next (relay.hold_max_age_s).
  void shutdown();

  std::size_t pending_count() const { return pending_.size(); }
  const Counters& counters() const { return counters_; }
  const ImSessions& sessions() const { return sessions_; }

 private:
  // An XMPP message on its way to SIP: the original stanza (for an error reply) and the facts
  // it arrived with (the reply leaves by the same domains).
  struct OutboundIm {
    xml::Element stanza;
    relay::RoutingFacts facts;
    InboundRef inbound;  // Completed when the MESSAGE ends.
  };

  // True when the MESSAGE went out (see on_partner_message).
  bool send_request(OutboundIm&& im, const bridge::SipImRequest& request);
  // A request inside a dialog that expects nothing (a BYE); its outcome is only logged.
  void send_in_dialog(sip::SipMessage&& request);
  // SipClient::Owner: how a MESSAGE (or a BYE) we sent ended.
  void on_sip_outcome(SipOutcome&& outcome) override;
  // Nothing for a 2xx; the mapped error reply to the partner otherwise.
  void answer_partner(const OutboundIm& im, const SipOutcome& outcome);
  // RelaySender::Owner, for the stanzas SIP MESSAGEs became. Delivered: 202 now, or after the
  // delivery grace window (sip.delivery_grace_ms); bounced: the mapped SIP error.
  void on_delivered(RelayRef ref) override;
  void on_bounced(RelayRef ref, xmpp::StanzaError condition) override;
  void verdict(RelayRef ref, int status, std::string_view why);

  GatewayParts parts_;
  Logger log_{"im"};
  bridge::MessageMapper mapper_;
  ImSessions sessions_;
  PendingRequests pending_;
  // SipClient ticket -> the XMPP message its MESSAGE carries, until its outcome.
  std::map<std::uint64_t, OutboundIm> sip_requests_;
  Counters counters_;
};

}  // namespace xf::gw
