#include "common/config/shared_sections.h"

#include "common/core/log.h"

namespace xf::config {

void read_relay_link(ConfigSection& relay, RelayLinkConfig& out) {
  out.certificate = relay.required_string("certificate");
  out.private_key = relay.required_string("private_key");
  out.ca_file = relay.required_string("ca_file");
  out.heartbeat_interval_s =
      relay.integer("heartbeat_interval_s", out.heartbeat_interval_s, 1, 600);
  out.dead_peer_timeout_s = relay.integer("dead_peer_timeout_s", out.dead_peer_timeout_s, 2, 3600);
  if (out.dead_peer_timeout_s <= out.heartbeat_interval_s) {
    relay.error("dead_peer_timeout_s", "must be greater than heartbeat_interval_s");
  }
}

std::string read_log_level(ConfigSection& root) {
  std::string text = root.string("log_level", "info");
  log::Level level;
  if (!log::parse_level(text, level)) {
    root.error("log_level", "must be one of debug|info|warn|error");
  }
  return text;
}

}  // namespace xf::config
