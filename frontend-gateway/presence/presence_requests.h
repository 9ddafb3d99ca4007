// The SIP requests of the presence service on their way: each is sent through the gateway's SIP
// client with the reason it was sent, so that its outcome comes back in those terms. The
// subscriber and the notifier each own one, so each gets the outcomes of its own requests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/core/result.h"
#include "frontend-gateway/core/sip_client.h"
#include "frontend-gateway/sip/sip_message.h"

namespace xf::gw {

// Why the presence service sent a SIP request: what its final response means.
struct PresenceRequest {
  enum class Kind {
    subscribe,    // Initial SUBSCRIBE for a partner watcher (XMPP -> SIP).
    refresh,      // Refresh SUBSCRIBE inside an established subscription dialog.
    unsubscribe,  // SUBSCRIBE Expires: 0 ending a subscription.
    fetch,        // One-shot SUBSCRIBE Expires: 0 answering a probe.
    notify,       // NOTIFY to an internal watcher (SIP -> XMPP).
  };
  Kind kind = Kind::subscribe;
  std::string watcher;  // Partner bare JID (XMPP -> SIP) or the watcher's SIP URI (SIP -> XMPP).
  std::string target;   // Internal user's SIP URI (XMPP -> SIP) or partner bare JID (SIP -> XMPP).
};

const char* to_string(PresenceRequest::Kind kind);

// The final answer to one of our requests.
struct PresenceOutcome {
  PresenceRequest why;
  sip::SipMessage request;                  // As sent (without our Via).
  std::optional<sip::SipMessage> response;  // nullopt: no answer (timeout, transport failure).
  int status = 408;  // The response's status; 408 for a timeout, 503 for a transport failure.
};

class PresenceRequests final : private SipClient::Owner {
 public:
  // Who gets the outcomes.
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void on_outcome(PresenceOutcome&& outcome) = 0;
  };

  // The client and the handler must outlive this.
  PresenceRequests(SipClient& client, Handler& handler) : client_(client), handler_(handler) {}
  PresenceRequests(const PresenceRequests&) = delete;
  PresenceRequests& operator=(const PresenceRequests&) = delete;

  // While the next-hop connection cannot be opened the request keeps waiting: presence upkeep
  // may go late, and a proxy that is briefly away must not end subscriptions.
  Status send(sip::SipMessage request, PresenceRequest why);
  std::size_t size() const { return requests_.size(); }
  // Forgets the requests without an outcome (shutdown); returns how many there were.
  std::size_t clear();

 private:
  // SipClient::Owner: the outcome in presence terms, to the handler; nothing for a request
  // forgotten by clear().
  void on_sip_outcome(SipOutcome&& outcome) override;

  SipClient& client_;
  Handler& handler_;
  std::map<std::uint64_t, PresenceRequest> requests_;  // By SipClient ticket.
};

}  // namespace xf::gw
