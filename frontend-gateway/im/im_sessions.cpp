#include "frontend-gateway/im/im_sessions.h"

#include "common/xmpp/jid.h"
#include "frontend-gateway/bridge/address_map.h"
#include "frontend-gateway/core/sip_client.h"
#include "frontend-gateway/core/sip_contact.h"
#include "frontend-gateway/sip/sdp.h"
#include "frontend-gateway/sip/transaction_timers.h"

namespace xf::gw {

namespace {

constexpr std::string_view kSdpType = "application/sdp";

// The bare JID a SIP URI stands for, "" when it stands for none.
std::string bare_jid_of(std::string_view uri) {
  auto jid = bridge::jid_for_sip_uri(uri);
  return jid.ok() ? jid->bare().to_string() : std::string();
}

}  // namespace

ImSessions::ImSessions(const GatewayConfig& config, const PartnerPolicy& policy)
    : config_(config), policy_(policy) {}

Result<sip::SipMessage> ImSessions::on_invite(const sip::SipMessage& invite,
                                              const InviteContext& context) {
  if (!invite.to().tag.empty()) return reinvite(invite, context);
  return new_invite(invite, context);
}

Result<sip::SipMessage> ImSessions::new_invite(const sip::SipMessage& invite,
                                               const InviteContext& context) {
  const std::string caller = invite.from().uri;
  const std::string internal = bare_jid_of(caller);
  const std::string partner = bare_jid_of(invite.to().uri);
  if (internal.empty()) {
    log_.info("INVITE from ", caller, ": From maps to no JID (400)");
    return sip::SipMessage::make_response(invite, 400, {}, context.to_tag);
  }
  if (partner.empty() || partner.find('@') == std::string::npos) {
    log_.info("INVITE ", caller, " -> ", invite.to().uri, ": To names no partner user (404)");
    return sip::SipMessage::make_response(invite, 404, {}, context.to_tag);
  }
  if (PolicyVerdict v = policy_.outbound_im(xmpp::domain_of(internal), xmpp::domain_of(partner));
      v != PolicyVerdict::allow) {
    log_.info("INVITE ", internal, " -> ", partner, " refused (403): ", to_string(v));
    return sip::SipMessage::make_response(invite, 403, {}, context.to_tag);
  }
  if (!context.relay_up) {
    log_.warn("INVITE ", internal, " -> ", partner, ": no relay link is up (503)");
    return sip::SipMessage::make_response(invite, 503, {}, context.to_tag);
  }
  if (sessions_.size() >= kMaxSessions) {
    log_.warn("INVITE ", internal, " -> ", partner, ": ", sessions_.size(),
              " sessions already live (503)");
    return sip::SipMessage::make_response(invite, 503, {}, context.to_tag);
  }
  const std::string host = contact_host(config_.sip, context.next_hop_sent_by);
  const std::string contact = contact_uri(config_.sip, context.next_hop_sent_by);
  // SDP writes IPv6 addresses without brackets (RFC 4566 §5.7).
  std::string sdp_address = host;
  if (sdp_address.size() > 2 && sdp_address.front() == '[') {
    sdp_address = sdp_address.substr(1, sdp_address.size() - 2);
  }
  auto response = answer(invite, context.to_tag, contact, sdp_address, context.now);
  if (!response || response->status_code() != 200) return response;
  auto dialog = sip::Dialog::create_uas(invite, context.to_tag, contact);
  if (!dialog) {
    log_.info("INVITE ", internal, " -> ", partner, ": no dialog (", dialog.error().detail,
              "): 400");
    return sip::SipMessage::make_response(invite, 400, {}, context.to_tag);
  }
  const std::string key = dialog->id().key();
  if (sessions_.count(key) != 0) {
    return sip::SipMessage::make_response(invite, 482, {}, context.to_tag);  // A loop.
  }
  sessions_.emplace(key, Session{std::move(dialog.value()), context.thread, internal, partner,
                                 sdp_address, false});
  by_pair_[{internal, partner}] = key;
  // The ACK must come within 64*T1, the time a UAS retransmits its 2xx (§13.3.1.4).
  deadlines_.arm(key, context.now + sip::TransactionTimers{config_.sip.t1_ms}.timeout());
  log_.info("session ", internal, " -> ", partner, " started (Call-ID ", invite.call_id(),
            ", thread ", context.thread, ")");
  return response;
}

Result<sip::SipMessage> ImSessions::reinvite(const sip::SipMessage& invite,
                                             const InviteContext& context) {
  const std::string key = sip::DialogId::of_incoming_request(invite).key();
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return sip::SipMessage::make_response(invite, 481, {}, context.to_tag);
  if (it->second.dialog.on_request(invite) == sip::Dialog::Verdict::out_of_order) {
    return sip::SipMessage::make_response(invite, 500, {}, context.to_tag);
  }
  deadlines_.arm(key, context.now + kIdleTimeout);
  return answer(invite, context.to_tag, it->second.dialog.state().local_contact,
                it->second.sdp_address, context.now);
}

Result<sip::SipMessage> ImSessions::answer(const sip::SipMessage& invite, std::string_view to_tag,
                                           std::string_view contact, std::string_view sdp_address,
                                           Millis now) {
  // Offers in the ACK (RFC 3261 §13.2.1 late offer) are not supported: Lync always offers in
  // the INVITE.
  if (invite.content_type() != kSdpType) {
    log_.info("INVITE from ", invite.from().uri, " offers no SDP (", invite.content_type(),
              "): 488");
    return sip::SipMessage::make_response(invite, sip::kSdpRefusalStatus, {}, to_tag,
                                          {{"Accept", std::string(kSdpType)}});
  }
  auto offer = sip::find_im_session(invite.body());
  if (!offer) {
    log_.info("INVITE from ", invite.from().uri, " offers no IM session (", offer.error().detail,
              "): 488");
    return sip::SipMessage::make_response(invite, sip::kSdpRefusalStatus, {}, to_tag);
  }
  sip::SdpAnswerParams params;
  params.address = std::string(sdp_address);
  params.session_id = static_cast<std::uint64_t>(now);
  params.session_version = static_cast<std::uint64_t>(now);
  params.port = std::to_string(config_.sip.listen_port);
  auto sdp = sip::build_im_answer(*offer, params);
  if (!sdp) return fail(sdp.error());
  auto response = sip::SipMessage::make_response(invite, 200, {}, to_tag);
  if (!response) return response;
  if (Status ok = sip::add_dialog_headers(*response, invite, contact); !ok) return fail(ok.error());
  if (Status ok = response->set_body(kSdpType, *sdp); !ok) return fail(ok.error());
  return response;
}

void ImSessions::on_ack(const sip::SipMessage& ack, Millis now) {
  const std::string key = sip::DialogId::of_incoming_request(ack).key();
  auto it = sessions_.find(key);
  if (it == sessions_.end()) {
    log_.debug("ACK for no live session (Call-ID ", ack.call_id(), ") ignored");
    return;
  }
  it->second.confirmed = true;
  deadlines_.arm(key, now + kIdleTimeout);
}

Result<sip::SipMessage> ImSessions::on_bye(const sip::SipMessage& bye, std::string_view to_tag) {
  const std::string key = sip::DialogId::of_incoming_request(bye).key();
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return sip::SipMessage::make_response(bye, 481, {}, to_tag);
  log_.info("session ", it->second.internal_jid, " -> ", it->second.partner_jid,
            " ended by BYE (Call-ID ", bye.call_id(), ")");
  erase(key);
  return sip::SipMessage::make_response(bye, 200, {}, to_tag);
}

Result<std::string, bridge::SipFailure> ImSessions::on_message(const sip::SipMessage& message,
                                                               Millis now) {
  const std::string key = sip::DialogId::of_incoming_request(message).key();
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return fail(bridge::SipFailure{481, "in no live session", {}});
  if (it->second.dialog.on_request(message) != sip::Dialog::Verdict::accept) {
    return fail(bridge::SipFailure{500, "CSeq out of order in its session", {}});
  }
  // A MESSAGE proves the caller has the dialog even if its ACK was lost on the way.
  it->second.confirmed = true;
  deadlines_.arm(key, now + kIdleTimeout);
  return it->second.thread;
}

Result<sip::SipMessage> ImSessions::request_for(const bridge::SipImRequest& im,
                                                std::string_view from_tag, std::string_view call_id,
                                                Millis now) {
  auto pair = by_pair_.find({bare_jid_of(im.to_uri), bare_jid_of(im.from_uri)});
  if (pair != by_pair_.end()) {
    auto it = sessions_.find(pair->second);
    if (it != sessions_.end() && it->second.confirmed) {
      auto request = it->second.dialog.make_request("MESSAGE");
      if (!request) return request;
      Status ok = request->set_body(im.content_type, im.body);
      if (ok && !im.subject.empty()) ok = request->set_header("Subject", im.subject);
      if (ok && !im.content_language.empty()) {
        ok = request->set_header("Content-Language", im.content_language);
      }
      if (!ok) return fail(ok.error());
      deadlines_.arm(pair->second, now + kIdleTimeout);
      return request;
    }
  }
  auto request = sip::SipMessage::make_request("MESSAGE", im.to_uri);
  if (!request) return request;
  Status ok = im.apply_to(*request, from_tag);
  if (ok) ok = request->set_call_id(call_id);
  if (ok) ok = request->set_cseq(1, "MESSAGE");
  if (ok) ok = request->set_max_forwards(SipClient::kMaxForwards);
  if (!ok) return fail(ok.error());
  return request;
}

std::vector<sip::SipMessage> ImSessions::on_timer(Millis now) {
  std::vector<sip::SipMessage> byes;
  for (const std::string& key : deadlines_.take_due(now)) {
    auto it = sessions_.find(key);
    if (it != sessions_.end()) {
      log_.info("session ", it->second.internal_jid, " -> ", it->second.partner_jid,
                it->second.confirmed ? " idle too long" : " never acknowledged", ": BYE");
      auto bye = it->second.dialog.make_request("BYE");
      if (bye) {
        byes.push_back(std::move(bye.value()));
      } else {
        log_.warn("cannot build the BYE: ", bye.error().detail);
      }
    }
    erase(key);
  }
  return byes;
}

Millis ImSessions::next_deadline() const { return deadlines_.next(); }

std::string ImSessions::thread_of_call(std::string_view call_id) const {
  for (const auto& [key, session] : sessions_) {
    if (session.dialog.state().call_id == call_id) return session.thread;
  }
  return {};
}

void ImSessions::erase(const std::string& key) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  deadlines_.disarm(key);
  auto pair = by_pair_.find({it->second.internal_jid, it->second.partner_jid});
  if (pair != by_pair_.end() && pair->second == key) by_pair_.erase(pair);
  sessions_.erase(it);
}

}  // namespace xf::gw
