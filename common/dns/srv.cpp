#include "common/dns/srv.h"

#include <algorithm>
#include <memory>
#include <numeric>
#include <random>

namespace xf::dns {

bool SrvAnswer::decidedly_unavailable() const {
  return status == SrvStatus::found && records.size() == 1 &&
         (records[0].target.empty() || records[0].target == ".");
}

PickFn random_pick(std::uint64_t seed) {
  auto rng = std::make_shared<std::mt19937>(seed != 0 ? static_cast<std::mt19937::result_type>(seed)
                                                      : std::random_device{}());
  return [rng](std::uint32_t bound) {
    return std::uniform_int_distribution<std::uint32_t>(0, bound)(*rng);
  };
}

std::vector<std::size_t> rfc2782_order(const std::vector<SrvRecord>& records, const PickFn& pick) {
  std::vector<std::size_t> by_priority(records.size());
  std::iota(by_priority.begin(), by_priority.end(), 0);
  // Stable, so that zero-weight records stay ahead only through the partition below, and the
  // order of equal records is the answer's.
  std::stable_sort(by_priority.begin(), by_priority.end(), [&](std::size_t a, std::size_t b) {
    return records[a].priority < records[b].priority;
  });
  std::vector<std::size_t> out;
  out.reserve(records.size());
  for (auto first = by_priority.begin(); first != by_priority.end();) {
    auto last = std::find_if(first, by_priority.end(), [&](std::size_t i) {
      return records[i].priority != records[*first].priority;
    });
    std::vector<std::size_t> group(first, last);
    std::stable_partition(group.begin(), group.end(),
                          [&](std::size_t i) { return records[i].weight == 0; });
    while (!group.empty()) {
      std::uint32_t total = 0;
      for (std::size_t i : group) total += records[i].weight;
      const std::uint32_t drawn = pick(total);
      std::uint32_t running = 0;
      auto chosen = group.begin();
      for (auto it = group.begin(); it != group.end(); ++it) {
        running += records[*it].weight;
        if (running >= drawn) {
          chosen = it;
          break;
        }
      }
      out.push_back(*chosen);
      group.erase(chosen);
    }
    first = last;
  }
  return out;
}

std::string normalize_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

}  // namespace xf::dns
