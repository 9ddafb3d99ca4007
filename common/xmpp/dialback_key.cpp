#include "common/xmpp/dialback_key.h"

#include <openssl/digest.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>

namespace xf::xmpp {
namespace {

std::string to_hex(const std::uint8_t* data, std::size_t len) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (std::size_t i = 0; i < len; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0x0F];
  }
  return out;
}

const std::uint8_t* bytes(std::string_view s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

}  // namespace

std::string dialback_key(std::string_view secret, std::string_view receiving_server,
                         std::string_view originating_server, std::string_view stream_id) {
  // The secret is hashed first so that the HMAC key is never shorter than half the output
  // size, and used in hex form as the XEP's example does.
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> secret_hash{};
  SHA256(bytes(secret), secret.size(), secret_hash.data());
  const std::string key = to_hex(secret_hash.data(), secret_hash.size());

  std::string message;
  message.reserve(receiving_server.size() + originating_server.size() + stream_id.size() + 2);
  message += receiving_server;
  message += ' ';
  message += originating_server;
  message += ' ';
  message += stream_id;

  std::array<std::uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), key.size(), bytes(message), message.size(), mac.data(), &mac_len);
  return to_hex(mac.data(), mac_len);
}

bool dialback_key_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool verify_dialback_key(std::string_view presented, std::string_view secret,
                         std::string_view receiving_server, std::string_view originating_server,
                         std::string_view stream_id) {
  return dialback_key_equal(presented,
                            dialback_key(secret, receiving_server, originating_server, stream_id));
}

}  // namespace xf::xmpp
