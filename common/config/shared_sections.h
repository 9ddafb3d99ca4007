// Config sections both daemons read the same way: the relay link between them and the log
// level. One reader each, so that the keys, defaults and messages cannot drift apart.
#pragma once

#include <cstdint>
#include <string>

#include "common/config/config_section.h"
#include "common/relay/link.h"

namespace xf::config {

// The part of a daemon's "relay" object that describes the link itself. Each daemon's relay
// settings derive from it and add their own keys (listen address, edges, ...).
struct RelayLinkConfig {
  std::string certificate;  // PEM chain this daemon presents on the mutually authenticated link.
  std::string private_key;
  std::string ca_file;  // Internal CA that signs the other daemon's certificate.
  // The link's own defaults (relay/link.h says why), in the seconds the config speaks.
  std::int64_t heartbeat_interval_s = relay::kDefaultHeartbeatIntervalMs / 1000;
  std::int64_t dead_peer_timeout_s = relay::kDefaultDeadPeerTimeoutMs / 1000;
  // What this daemon holds for the other while it does not acknowledge (link down, restart):
  // hold_max_frames, hold_max_bytes, hold_max_age_s (relay/session.h).
  relay::SessionLimits session;
};

// Reads certificate, private_key, ca_file, heartbeat_interval_s, dead_peer_timeout_s and the
// hold_* bounds, then checks that a peer is declared dead only after it missed heartbeats.
void read_relay_link(ConfigSection& relay, RelayLinkConfig& out);

// Reads "log_level": debug|info|warn|error, info by default.
std::string read_log_level(ConfigSection& root);

}  // namespace xf::config
