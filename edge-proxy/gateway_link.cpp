#include "edge-proxy/gateway_link.h"

namespace xf::edge {

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
