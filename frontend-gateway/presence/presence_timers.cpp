#include "frontend-gateway/presence/presence_timers.h"

namespace xf::gw {

void PresenceTimers::arm(const std::string& key, Millis at) {
  disarm(key);
  by_key_.emplace(key, at);
  order_.emplace(at, key);
}

void PresenceTimers::disarm(const std::string& key) {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return;
  order_.erase({it->second, key});
  by_key_.erase(it);
}

std::vector<std::string> PresenceTimers::take_due(Millis now) {
  std::vector<std::string> due;
  while (!order_.empty() && order_.begin()->first <= now) {
    due.push_back(order_.begin()->second);
    by_key_.erase(order_.begin()->second);
    order_.erase(order_.begin());
  }
  return due;
}

}  // namespace xf::gw
