// Session-mode instant messaging as Lync / Skype for Business clients start it: an INVITE
// offering "m=message <port> sip <uri>" (sip/sdp.h) creates a SIP dialog, and the MESSAGEs of
// the conversation travel inside it. The gateway is the UAS of every such session.
//
//   INVITE (no To tag)   policy as for page-mode MESSAGE (PartnerPolicy::outbound_im), then the
//                        offer: 200 with the SDP answer, Contact = the gateway, Record-Route
//                        copied (RFC 3261 §12.1.1); an offer without an IM stream -> 488; no
//                        relay link -> 503; unknown partner user cannot be checked here (XMPP
//                        has no session), so the first MESSAGE gets the mapped error.
//   re-INVITE            the same answer in the same dialog; unknown dialog -> 481.
//   ACK                  confirms the session; without one within 64*T1 the session ends with
//                        a BYE (RFC 3261 §13.3.1.4).
//   MESSAGE in dialog    -> <message type='chat'> carrying the session's <thread>, which stays
//                        the same for the whole session; unknown dialog -> 481, CSeq going
//                        backwards -> 500 (§12.2.2).
//   BYE                  ends the session: 200 (unknown dialog -> 481).
//   XMPP -> SIP          a message from the partner user to an internal user with a confirmed
//                        session goes inside that dialog (Request-URI = remote target, Route =
//                        route set, next CSeq); otherwise it is a page-mode MESSAGE.
//   idle                 a session with no request either way for kIdleTimeout ends with a BYE.
//
// CANCEL is ImService's business (RFC 3261 §9.2): INVITEs are answered at once, so a CANCEL
// always finds its INVITE answered and only gets its own 200.
//
// Sessions live in memory only: a restart forgets them, and the SIP side's next in-dialog
// request gets 481, after which Lync starts a new session.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/core/clock.h"
#include "common/core/deadline_set.h"
#include "common/core/log.h"
#include "common/core/result.h"
#include "frontend-gateway/bridge/message_mapper.h"
#include "frontend-gateway/config/gateway_config.h"
#include "frontend-gateway/core/partner_policy.h"
#include "frontend-gateway/sip/dialog.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::gw {

// What on_invite needs besides the request.
struct InviteContext {
  std::string to_tag;  // Our To tag for the answer (and the dialog's local tag).
  std::string thread;  // The XMPP <thread> of the session, a fresh unique token.
  bool relay_up = false;
  // The local address of the next-hop connection ("host:port"), used for the Contact when the
  // gateway listens on a wildcard address; nullopt when that connection is not open.
  std::optional<std::string> next_hop_sent_by;
  Millis now = 0;
};

class ImSessions {
 public:
  // Live sessions; each is a dialog of a few hundred bytes. Lync keeps one per open
  // conversation window, so 10000 covers thousands of users.
  static constexpr std::size_t kMaxSessions = 10000;
  // A session with no request either way for an hour ends: Lync closes idle conversations much
  // sooner, and a session whose BYE was lost must not live forever.
  static constexpr Millis kIdleTimeout = 60 * 60 * 1000;

  // Keeps references: config and policy must outlive the sessions.
  ImSessions(const GatewayConfig& config, const PartnerPolicy& policy);

  // An INVITE (new or re-INVITE): the response to send through the server transaction.
  Result<sip::SipMessage> on_invite(const sip::SipMessage& invite, const InviteContext& context);
  // An ACK for a 2xx (the transaction layer absorbs the others).
  void on_ack(const sip::SipMessage& ack, Millis now);
  // A BYE: 200 when it ended a session, 481 otherwise.
  Result<sip::SipMessage> on_bye(const sip::SipMessage& bye, std::string_view to_tag);
  // A MESSAGE with a To tag: the session's thread, or how to refuse it.
  Result<std::string, bridge::SipFailure> on_message(const sip::SipMessage& message, Millis now);

  // The MESSAGE for an XMPP message: inside the confirmed session between the two users when
  // there is one, else a page-mode request with this From tag and Call-ID (CSeq 1). The caller
  // adds the Via.
  Result<sip::SipMessage> request_for(const bridge::SipImRequest& im, std::string_view from_tag,
                                      std::string_view call_id, Millis now);

  // Ends expired sessions; returns their BYEs (without Via) for the caller to send.
  std::vector<sip::SipMessage> on_timer(Millis now);
  Millis next_deadline() const;

  std::size_t size() const { return sessions_.size(); }
  // The thread of the session with this Call-ID, "" when there is none (tests, diagnostics).
  std::string thread_of_call(std::string_view call_id) const;

 private:
  struct Session {
    sip::Dialog dialog;
    std::string thread;
    std::string internal_jid;  // Bare JID of the SIP user (the caller).
    std::string partner_jid;   // Bare JID of the partner user (the callee).
    std::string sdp_address;   // Our address in the SDP answers of this session.
    bool confirmed = false;    // The ACK arrived.
  };
  using Pair = std::pair<std::string, std::string>;  // (internal, partner) bare JIDs.

  Result<sip::SipMessage> new_invite(const sip::SipMessage& invite, const InviteContext& context);
  Result<sip::SipMessage> reinvite(const sip::SipMessage& invite, const InviteContext& context);
  // 200 with the SDP answer, or 488 when the offer has no IM stream.
  Result<sip::SipMessage> answer(const sip::SipMessage& invite, std::string_view to_tag,
                                 std::string_view contact, std::string_view sdp_address,
                                 Millis now);
  void erase(const std::string& key);

  const GatewayConfig& config_;
  const PartnerPolicy& policy_;
  Logger log_{"im-session"};
  std::map<std::string, Session> sessions_;  // By DialogId::key().
  std::map<Pair, std::string> by_pair_;      // The newest session of each pair of users.
  DeadlineSet<std::string> deadlines_;       // By DialogId::key(): ACK missing or idle too long.
};

}  // namespace xf::gw
