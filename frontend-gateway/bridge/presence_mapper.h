// Presence between XMPP <presence/> stanzas and PIDF (RFC 8048 §6; docs/mapping.md).
//
// XMPP -> PIDF (to_pidf): one tuple for the sending resource.
//   no type            basic open
//   type='unavailable' basic closed (no activities, no priority)
//   <show>away|xa      RPID <away/> (xa has no RPID equivalent: also away)
//   <show>dnd          RPID <busy/>
//   <show>chat, none   no activity
//   <status>           <note>, one per non-empty <status> (trimmed), xml:lang kept (inherited
//                      from the stanza when the <status> has none, as XML says)
//   resource           tuple id (tuple_id_for_resource: an xs:ID cannot hold every resource)
//   <priority>         <contact priority> with the sender's SIP URI (GRUU form for a full JID):
//                      p > 0 -> p/127 in thousandths, p <= 0 -> 0 (a PIDF priority cannot be
//                      negative; 0 is its "least preferred")
//   from (bare JID)    entity, as a pres: URI
// Activities go into the RFC 4479 <dm:person>, where RFC 4480 puts them.
//
// PIDF -> XMPP (to_xmpp): one <presence/> from the tuple that is "most available":
//   1. basic open beats a tuple without <basic/>, which beats closed;
//   2. then the availability its activities give: none (plain available) beats away, away
//      beats xa, xa beats dnd (the order RFC 6121 §4.7.2.1 lists the <show/> values in);
//   3. then the higher contact priority (none counts as 0);
//   4. then document order.
//   No tuple at all, or a best tuple that is not open, gives type='unavailable'. A tuple's
//   activities are its own, else the person's:
//     away                                                    -> <show>away</show>
//     vacation, holiday, permanent-absence, sleeping, travel  -> <show>xa</show>
//     busy, on-the-phone, meeting, appointment, presentation,
//     performance                                             -> <show>dnd</show>
//     anything else                                           -> no <show/>
//   with several, the least available wins (dnd over xa over away). Notes -> <status>: the
//   tuple's, else the person's, else the document's; one per language, the first one wins.
//   Contact priority q -> <priority> round(q * 127) when the tuple has one.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/core/log.h"
#include "common/core/result.h"
#include "common/xml/element.h"
#include "common/xmpp/jid.h"
#include "frontend-gateway/bridge/message_mapper.h"
#include "frontend-gateway/bridge/pidf.h"

namespace xf::bridge {

// What a presence stanza asks for, from its type attribute (RFC 6121 §4.7.1).
enum class PresenceKind {
  available,     // No type: availability broadcast or directed presence.
  unavailable,   // type='unavailable'.
  subscribe,     // A subscription request.
  subscribed,    // The request was approved.
  unsubscribe,   // The subscriber cancels.
  unsubscribed,  // The request was denied or the subscription cancelled.
  probe,         // A server asks for current presence.
  error,         // A bounce of a presence we sent; never answered.
  unknown,       // Any other type value; RFC 6121 says to treat it as an error (bad-request).
};

PresenceKind classify_presence(const xml::Element& presence);
std::string_view to_string(PresenceKind kind);

enum class SubscriptionType { subscribe, subscribed, unsubscribe, unsubscribed, probe };

// <presence xmlns='jabber:server' type='...' from='...' to='...' id='...'/>; no id attribute
// when id is empty.
xml::Element make_subscription_presence(SubscriptionType type, const xmpp::Jid& from,
                                        const xmpp::Jid& to, std::string_view id = {});

// A resource as an xs:ID (RFC 3863 tuple id): "xmpp-" followed by the resource with every
// byte outside [A-Za-z0-9.-] written as _XX (hex); "xmpp" for a bare JID. Reversible, and
// distinct resources get distinct ids.
std::string tuple_id_for_resource(std::string_view resource);

// The tuple to_xmpp reads (see the rule above), or nullptr when the document has none.
const Tuple* most_available_tuple(const PresenceDoc& doc);

struct PresenceMapperLimits {
  // <status> text either way; longer text is cut at a UTF-8 boundary: presence is state, and a
  // shortened note is better than none. Matches PidfLimits::max_note_bytes.
  std::size_t max_status_bytes = 4096;
  // <status> elements either way (one per language in practice).
  std::size_t max_statuses = 8;
};

class PresenceMapper {
 public:
  explicit PresenceMapper(PresenceMapperLimits limits = {}, Logger log = Logger("pres-map"));

  // An available or unavailable <presence/> (other kinds are refused with bad-request: they
  // are subscription traffic, not state). The sender (from) must be a JID; a malformed one is
  // jid-malformed, an unknown <show/> or a <priority/> outside -128..127 is bad-request.
  Result<PresenceDoc, StanzaFailure> to_pidf(const xml::Element& presence) const;

  // The <presence xmlns='jabber:server'/> for a PIDF document, from and to as given (the
  // gateway decides whether the SIP user appears as a bare or full JID).
  xml::Element to_xmpp(const PresenceDoc& doc, const xmpp::Jid& from, const xmpp::Jid& to) const;

 private:
  PresenceMapperLimits limits_;
  Logger log_;
};

}  // namespace xf::bridge
