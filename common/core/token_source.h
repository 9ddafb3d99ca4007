// The one source of random tokens of a sans-IO core: SIP tags, Call-ID parts, Via branches and
// relay references. A seed makes every token reproducible in tests; without one it is drawn
// from the system's random device. Tokens must be unguessable enough that a peer cannot forge
// an answer to a request it did not see (RFC 3261 §8.1.1.7, §19.3), not secret keys.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace xf {

class TokenSource {
 public:
  // seed 0 draws one from std::random_device.
  explicit TokenSource(std::uint64_t seed = 0) : rng_(seed != 0 ? seed : draw_seed()) {}

  std::uint64_t next() { return rng_(); }
  // 64 random bits as 16 lowercase hex digits, appended to out.
  void append_hex(std::string& out) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t bits = rng_();
    for (int i = 0; i < 16; ++i) {
      out += kHex[bits & 0xf];
      bits >>= 4;
    }
  }
  std::string hex() {
    std::string out;
    out.reserve(16);
    append_hex(out);
    return out;
  }

 private:
  static std::uint64_t draw_seed() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }

  std::mt19937_64 rng_;
};

}  // namespace xf
