// XEP-0185 dialback keys. Every edge of a pool derives keys from the same configured secret,
// so any of them can answer a db:verify for a key another one sent.
#pragma once

#include <string>
#include <string_view>

namespace xf::xmpp {

// hex(HMAC-SHA256(key = hex(SHA256(secret)), receiving ' ' originating ' ' stream_id)),
// lower-case hex, 64 characters (XEP-0185 §2).
std::string dialback_key(std::string_view secret, std::string_view receiving_server,
                         std::string_view originating_server, std::string_view stream_id);

// Compares two keys in time independent of where they differ (lengths are not secret).
bool dialback_key_equal(std::string_view a, std::string_view b);

// Recomputes the key for a db:verify and compares it with the presented one.
bool verify_dialback_key(std::string_view presented, std::string_view secret,
                         std::string_view receiving_server, std::string_view originating_server,
                         std::string_view stream_id);

}  // namespace xf::xmpp
