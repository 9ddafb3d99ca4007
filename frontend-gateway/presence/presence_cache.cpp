#include "frontend-gateway/presence/presence_cache.h"

#include <vector>

namespace xf::gw {

namespace {

bool is_open(const bridge::PresenceDoc& doc) {
  for (const bridge::Tuple& t : doc.tuples) {
    if (t.basic == bridge::Basic::open) return true;
  }
  return false;
}

}  // namespace

void PresenceCache::put_internal(const std::string& sip_uri, std::string_view pidf,
                                 store::UnixMillis now) {
  store::PresenceRecord record{sip_uri, "", std::string(bridge::kPidfContentType),
                               std::string(pidf), now};
  if (Status st = store_.upsert_presence(record); !st.ok()) {
    log_.warn("presence of ", sip_uri, " not cached: ", st.error().detail);
  }
}

std::optional<bridge::PresenceDoc> PresenceCache::internal(const std::string& sip_uri) {
  auto record = store_.get_presence(sip_uri, "");
  if (!record.ok() || !record->has_value()) return std::nullopt;
  auto doc = bridge::parse_pidf((*record)->document);
  if (!doc.ok()) return std::nullopt;
  return std::move(doc.value());
}

void PresenceCache::put_partner(const std::string& bare_jid, const std::string& resource,
                                const bridge::PresenceDoc& doc, store::UnixMillis now) {
  store::PresenceRecord record{bare_jid, resource, std::string(bridge::kPidfContentType),
                               bridge::build_pidf(doc), now};
  if (Status st = store_.upsert_presence(record); !st.ok()) {
    log_.warn("presence of ", bare_jid, "/", resource, " not cached: ", st.error().detail);
  }
}

bridge::PresenceDoc PresenceCache::partner(const std::string& bare_jid) {
  bridge::PresenceDoc out;
  out.entity = "pres:" + bare_jid;
  std::vector<std::pair<store::UnixMillis, bridge::PresenceDoc>> docs;
  if (auto records = store_.list_presence(bare_jid); records.ok()) {
    for (const store::PresenceRecord& r : *records) {
      if (auto doc = bridge::parse_pidf(r.document); doc.ok()) {
        docs.emplace_back(r.updated_at, std::move(doc.value()));
      }
    }
  } else {
    log_.warn("presence of ", bare_jid, " not readable: ", records.error().detail);
  }
  const bridge::PresenceDoc* newest_open = nullptr;
  const bridge::PresenceDoc* newest = nullptr;
  store::UnixMillis newest_open_at = 0;
  store::UnixMillis newest_at = 0;
  for (const auto& [at, doc] : docs) {
    if (newest == nullptr || at >= newest_at) {
      newest = &doc;
      newest_at = at;
    }
    if (!is_open(doc)) continue;
    for (const bridge::Tuple& t : doc.tuples) out.tuples.push_back(t);
    if (newest_open == nullptr || at >= newest_open_at) {
      newest_open = &doc;
      newest_open_at = at;
    }
  }
  if (newest_open != nullptr) {
    out.notes = newest_open->notes;
    out.person = newest_open->person;
    return out;
  }
  if (newest != nullptr) {
    bridge::PresenceDoc closed = *newest;
    closed.entity = out.entity;
    return closed;
  }
  bridge::Tuple offline;
  offline.id = "xmpp";
  offline.basic = bridge::Basic::closed;
  out.tuples.push_back(std::move(offline));
  return out;
}

}  // namespace xf::gw
