// One deadline per key (a subscription), for the presence service's refresh, expiry and
// rate-limit timers: arming a key again moves its deadline.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/core/clock.h"

namespace xf::gw {

class PresenceTimers {
 public:
  void arm(const std::string& key, Millis at);
  void disarm(const std::string& key);
  bool armed(const std::string& key) const { return by_key_.count(key) != 0; }
  Millis next() const { return order_.empty() ? kNoDeadline : order_.begin()->first; }
  // Removes and returns the keys due at `now`, soonest first.
  std::vector<std::string> take_due(Millis now);
  std::size_t size() const { return by_key_.size(); }

 private:
  std::map<std::string, Millis> by_key_;
  std::set<std::pair<Millis, std::string>> order_;
};

}  // namespace xf::gw
