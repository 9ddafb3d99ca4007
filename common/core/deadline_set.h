// At most one deadline per key, soonest first: the timer bookkeeping of every sans-IO core that
// reports next_deadline() (subscriptions, pending requests, sessions, transactions). Arming a
// key again moves its deadline; the owner keeps its own state per key and asks for the keys that
// are due when its clock port says a deadline passed.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "common/core/clock.h"

namespace xf {

template <typename Key>
class DeadlineSet {
 public:
  // kNoDeadline disarms the key.
  void arm(const Key& key, Millis at) {
    disarm(key);
    if (at == kNoDeadline) return;
    by_key_.emplace(key, at);
    order_.emplace(at, key);
  }
  void disarm(const Key& key) {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return;
    order_.erase({it->second, key});
    by_key_.erase(it);
  }
  bool armed(const Key& key) const { return by_key_.count(key) != 0; }
  // The key's deadline, kNoDeadline when it has none.
  Millis deadline(const Key& key) const {
    auto it = by_key_.find(key);
    return it == by_key_.end() ? kNoDeadline : it->second;
  }
  Millis next() const { return order_.empty() ? kNoDeadline : order_.begin()->first; }
  // Removes and returns the first key due at `now`, if any: for owners whose handling of one
  // key may arm or disarm others.
  bool take_one_due(Millis now, Key& key) {
    if (order_.empty() || order_.begin()->first > now) return false;
    key = order_.begin()->second;
    by_key_.erase(key);
    order_.erase(order_.begin());
    return true;
  }
  // Removes and returns every key due at `now`, soonest first.
  std::vector<Key> take_due(Millis now) {
    std::vector<Key> due;
    Key key{};
    while (take_one_due(now, key)) due.push_back(key);
    return due;
  }
  std::size_t size() const { return by_key_.size(); }
  bool empty() const { return by_key_.empty(); }
  void clear() {
    by_key_.clear();
    order_.clear();
  }

 private:
  std::map<Key, Millis> by_key_;
  std::set<std::pair<Millis, Key>> order_;
};

}  // namespace xf
