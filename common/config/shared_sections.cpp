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
  out.session.max_frames = static_cast<std::size_t>(relay.integer(
      "hold_max_frames", static_cast<std::int64_t>(out.session.max_frames), 1, 10000000));
  out.session.max_bytes = static_cast<std::size_t>(relay.integer(
      "hold_max_bytes", static_cast<std::int64_t>(out.session.max_bytes), 65536, 1LL << 34));
  out.session.max_age_ms =
      relay.integer("hold_max_age_s", out.session.max_age_ms / 1000, 1, 3600) * 1000;
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
