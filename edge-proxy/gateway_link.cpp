#include "edge-proxy/gateway_link.h"

namespace xf::edge {

std::string GatewayLink::describe() const {
  return log::cat(channel_.peer_identity(), " from ", channel_.peer_address(), ", rtt ",
                  channel_.link().rtt(), " ms");
}

}  // namespace xf::edge
