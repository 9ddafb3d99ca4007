// The presence cache on top of the state store: the last PIDF document of each internal user
// (what their notifier sent, for probes) and of each partner user's resources (merged into one
// document for the NOTIFYs to internal watchers, and kept across restarts).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/core/log.h"
#include "frontend-gateway/bridge/pidf.h"
#include "frontend-gateway/store/state_store.h"

namespace xf::gw {

class PresenceCache {
 public:
  explicit PresenceCache(store::StateStore& store) : store_(store) {}

  // An internal user's document as their notifier sent it (sip_uri is canonical).
  void put_internal(const std::string& sip_uri, std::string_view pidf, store::UnixMillis now);
  std::optional<bridge::PresenceDoc> internal(const std::string& sip_uri);

  // A partner user's resource: the document its last presence stanza maps to.
  void put_partner(const std::string& bare_jid, const std::string& resource,
                   const bridge::PresenceDoc& doc, store::UnixMillis now);
  // The partner user as one document: the tuples of every available resource with the newest
  // one's person and notes; when none is available, the newest document (closed, with its
  // note); with nothing cached, one closed tuple.
  bridge::PresenceDoc partner(const std::string& bare_jid);

 private:
  store::StateStore& store_;
  Logger log_{"presence-cache"};
};

}  // namespace xf::gw
