// The SIP requests of the presence service on their way: each is sent through the gateway's SIP
// client with the reason it was sent, so that its outcome can be read in those terms. The
// subscriber and the notifier each own one and are the SIP client owner of their requests.
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

class PresenceRequests {
 public:
  // Outcomes go to `owner`, which hands them back to take(). The client must outlive this.
  PresenceRequests(SipClient& client, SipClient::Owner& owner) : client_(client), owner_(owner) {}

  // While the next-hop connection cannot be opened the request keeps waiting: presence upkeep
  // may go late, and a proxy that is briefly away must not end subscriptions.
  Status send(sip::SipMessage request, PresenceRequest why);
  // The outcome in presence terms; nullopt when the ticket is not one of ours (forgotten).
  std::optional<PresenceOutcome> take(SipOutcome&& outcome);
  std::size_t size() const { return requests_.size(); }
  // Forgets the requests without an outcome (shutdown); returns how many there were.
  std::size_t clear();

 private:
  SipClient& client_;
  SipClient::Owner& owner_;
  std::map<std::uint64_t, PresenceRequest> requests_;  // By SipClient ticket.
};

}  // namespace xf::gw
