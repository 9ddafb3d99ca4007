#include "edge-proxy/gateway_link.h"

namespace xf::edge {

// A write that overflows the socket queue closes the channel, and with it this object, from
// inside the channel call: nothing here touches a member after calling into the channel.

Result<std::uint64_t> GatewayLink::send_stanza(const relay::RoutingFacts& facts,
                                               std::string_view xml) {
  return channel_.send_stanza(facts, xml);
}

void GatewayLink::send_delivered(std::uint64_t ref_seq) {
  // A link that is no longer established cannot carry the report; see GatewayPort.
  if (channel_.link().send_delivered(ref_seq).ok()) channel_.flush_link();
}

void GatewayLink::send_bounce(std::uint64_t ref_seq, xmpp::StanzaError condition,
                              const relay::RoutingFacts& facts, std::string_view xml) {
  if (channel_.link().send_bounce(ref_seq, condition, facts, xml).ok()) channel_.flush_link();
}

void GatewayLink::set_reading(bool on) {
  if (on) {
    channel_.resume_reading();
  } else {
    channel_.pause_reading();
  }
}

std::string GatewayLink::describe() const {
  return log::cat(channel_.peer_identity(), " from ", channel_.peer_address(), ", rtt ",
                  channel_.link().rtt(), " ms");
}

}  // namespace xf::edge
