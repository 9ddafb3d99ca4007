// A bounded map whose entries expire: DNS answers kept for their TTL. Sans-IO: every call takes
// `now` (loop milliseconds). When full, expired entries go first, then the one that would
// expire soonest, so a burst of new names cannot grow it past its bound.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "common/core/clock.h"

namespace xf::dns {

template <class V>
class TtlCache {
 public:
  explicit TtlCache(std::size_t max_entries) : max_entries_(max_entries) {}

  // The value stored under key, unless it has expired (then it is dropped).
  std::optional<V> get(const std::string& key, Millis now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (it->second.expires <= now) {
      entries_.erase(it);
      return std::nullopt;
    }
    return it->second.value;
  }

  // Keeps value for ttl_ms; a TTL of 0 or a cache of size 0 keeps nothing.
  void put(const std::string& key, V value, Millis ttl_ms, Millis now) {
    if (max_entries_ == 0 || ttl_ms <= 0) return;
    entries_.erase(key);
    if (entries_.size() >= max_entries_) evict(now);
    entries_.emplace(key, Entry{std::move(value), now + ttl_ms});
  }

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    V value;
    Millis expires;
  };

  void evict(Millis now) {
    std::erase_if(entries_, [now](const auto& e) { return e.second.expires <= now; });
    if (entries_.size() < max_entries_) return;
    auto soonest = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.expires < soonest->second.expires) soonest = it;
    }
    entries_.erase(soonest);
  }

  std::size_t max_entries_;
  std::map<std::string, Entry> entries_;
};

}  // namespace xf::dns
