// Loading a JSON config document: the file layer under ConfigReader. Errors are values whose
// detail is one line a human can act on ("edge.json:12:7: syntax error ...").
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/core/result.h"

namespace xf::config {

// A config is a few kilobytes; anything this large is a mistake (a log or a binary file).
inline constexpr std::size_t kMaxConfigFileBytes = 4 * 1024 * 1024;
// Deep enough for any schema we write, shallow enough that nothing recursive over the
// document can exhaust the stack.
inline constexpr std::size_t kMaxConfigDepth = 64;

// Parses JSON text; `origin` (a file name) prefixes every message. Duplicate keys in an
// object are an error: nlohmann keeps the last one silently, which would hide a typo.
Result<nlohmann::json> parse_json_text(std::string_view text, std::string_view origin = "config");

// Reads and parses a file: missing, unreadable, too large and malformed files each give
// their own message (Errc::config_error or Errc::io_error for the OS failures).
Result<nlohmann::json> load_json_file(const std::string& path);

// Escapes a key for use as a JSON pointer segment (RFC 6901: '~' -> "~0", '/' -> "~1").
std::string json_pointer_segment(std::string_view key);

}  // namespace xf::config
