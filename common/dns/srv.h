// DNS SRV records (RFC 2782) and the order in which a client tries their targets. Sans-IO: the
// net layer's resolver fills SrvAnswer, and the caller hands in the random numbers, so that
// tests can pin the weighted choice.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace xf::dns {

struct SrvRecord {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;  // Lower case, no trailing dot; "." is the root ("no service").

  bool operator==(const SrvRecord&) const = default;
};

// What one SRV query returned.
enum class SrvStatus {
  found,       // At least one SRV record.
  no_records,  // NXDOMAIN, or the name exists without SRV records (NODATA).
  failed,      // No usable answer: timeout, SERVFAIL, refused, malformed reply.
};

struct SrvAnswer {
  SrvStatus status = SrvStatus::no_records;
  std::vector<SrvRecord> records;

  // RFC 2782: a single record whose target is "." means the service is decidedly not
  // available at this domain.
  bool decidedly_unavailable() const;
};

// A uniformly drawn integer in [0, bound] (both ends included).
using PickFn = std::function<std::uint32_t(std::uint32_t bound)>;

// A PickFn on a seeded std::mt19937 (seed 0 draws one from std::random_device).
PickFn random_pick(std::uint64_t seed = 0);

// The order in which to try the records (RFC 2782, "Usage rules"), as indexes into records:
// priorities ascending; within one priority, repeatedly the record chosen by a running sum of
// weights against pick(total weight), zero-weight records put first so that they keep a small
// chance when others carry weight.
std::vector<std::size_t> rfc2782_order(const std::vector<SrvRecord>& records, const PickFn& pick);

// Lower case without the trailing dot, as targets are compared and cached ("" for the root).
std::string normalize_name(std::string_view name);

}  // namespace xf::dns
