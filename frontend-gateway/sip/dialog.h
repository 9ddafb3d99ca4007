// A SIP dialog (RFC 3261 §12) as plain state, sans-IO: created from a dialog-creating request and
// its 2xx (or, for SUBSCRIBE, the first NOTIFY: RFC 6665 §4.1.2.4), it builds the requests this
// side sends inside the dialog (§12.2.1.1), checks the ones the peer sends (§12.2.2), follows
// target refreshes, and is rebuilt from its plain state (restore) after the gateway restarts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/result.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::sip {

// Call-ID and both tags, seen from this side (RFC 3261 §12).
struct DialogId {
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;

  // A request the peer sent: our tag is in To, theirs in From.
  static DialogId of_incoming_request(const SipMessage& request);
  // A response to a request this side sent: our tag is in From, theirs in To.
  static DialogId of_incoming_response(const SipMessage& response);

  // A map or database key. '\n' cannot occur in any of the three parts.
  std::string key() const;
  bool operator==(const DialogId& other) const = default;
};

// Everything a dialog is, as strings and numbers, for persistence and inspection.
struct DialogState {
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;  // Empty only for a peer that sent no tag (RFC 2543).
  std::string local_uri;   // URI only, e.g. "sip:romeo@partner.example".
  std::string remote_uri;
  std::string remote_target;     // The peer's Contact URI: the Request-URI of our requests.
  std::string local_contact;     // Our own Contact URI, written into target-refresh requests.
  std::uint32_t local_cseq = 0;  // Last CSeq number we sent; 0 before the first.
  std::optional<std::uint32_t> remote_cseq;  // Last CSeq number the peer sent.
  std::vector<std::string> route_set;        // Name-addrs in the order our requests list them.
  bool secure = false;                       // Created by a sips: request (RFC 3261 §12.1.1).
  bool operator==(const DialogState& other) const = default;
};

class Dialog {
 public:
  // Bounds for restored state; the route set of a real deployment holds two or three proxies.
  static constexpr std::size_t kMaxRoutes = 32;
  // CSeq numbers stay below 2^31 (RFC 3261 §8.1.1.5).
  static constexpr std::uint32_t kMaxCseq = 0x7fffffffu;

  // UAC side (§12.1.2): `request` is what this side sent, `response` the 2xx that came back.
  // The route set is the response's Record-Route reversed; the remote target its Contact.
  static Result<Dialog> create_uac(const SipMessage& request, const SipMessage& response,
                                   std::string_view local_contact);
  // RFC 6665 §4.1.2.4: a NOTIFY may create the subscription's dialog before the SUBSCRIBE's 2xx
  // arrives. The NOTIFY is a request to us, so its Record-Route is used in order.
  static Result<Dialog> create_uac_from_notify(const SipMessage& subscribe,
                                               const SipMessage& notify,
                                               std::string_view local_contact);
  // UAS side (§12.1.1): `request` created the dialog, local_tag is the To tag of our 2xx. The
  // route set is the request's Record-Route in order; the remote target its Contact.
  static Result<Dialog> create_uas(const SipMessage& request, std::string_view local_tag,
                                   std::string_view local_contact);

  // Rebuilds a dialog from persisted state after checking every field.
  static Result<Dialog> restore(DialogState state);

  const DialogState& state() const { return state_; }
  DialogId id() const { return {state_.call_id, state_.local_tag, state_.remote_tag}; }

  // The next request of this side (§12.2.1.1): Request-URI and Route from the remote target and
  // the route set (loose or strict routing), From/To with tags, Call-ID, the next CSeq,
  // Max-Forwards 70, and Contact for target-refresh methods. The caller adds Via and a body.
  Result<SipMessage> make_request(std::string_view method);

  enum class Verdict {
    accept,           // In this dialog and in order; target refreshes have been applied.
    out_of_order,     // CSeq lower than the last one seen: answer 500 (§12.2.2).
    not_this_dialog,  // Call-ID or tags differ: answer 481 unless another dialog matches.
  };
  // Checks an in-dialog request from the peer and records its CSeq.
  Verdict on_request(const SipMessage& request);
  // A 2xx to a target-refresh request this side sent moves the remote target (§12.2.1.2).
  void on_response(const SipMessage& response);

  // The gateway's address may change between runs; later requests carry the new Contact.
  Status set_local_contact(std::string_view uri);

  // INVITE, UPDATE, SUBSCRIBE, NOTIFY and REFER refresh the remote target (RFC 3261 §12.2,
  // RFC 6665 §4.1.2.2, §4.2.2).
  static bool is_target_refresh(std::string_view method);

 private:
  explicit Dialog(DialogState state) : state_(std::move(state)) {}
  DialogState state_;
};

// Dialog headers of a 2xx to a dialog-creating or target-refresh request (RFC 3261 §12.1.1):
// the request's Record-Route copied in order, and our Contact.
Status add_dialog_headers(SipMessage& response, const SipMessage& request,
                          std::string_view local_contact);

}  // namespace xf::sip
