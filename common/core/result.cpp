#include "common/core/result.h"

namespace xf {

const char* to_string(Errc code) {
  switch (code) {
    case Errc::invalid_argument: return "invalid-argument";
    case Errc::parse_error: return "parse-error";
    case Errc::limit_exceeded: return "limit-exceeded";
    case Errc::not_found: return "not-found";
    case Errc::tls_error: return "tls-error";
    case Errc::io_error: return "io-error";
    case Errc::timeout: return "timeout";
    case Errc::protocol_error: return "protocol-error";
    case Errc::policy: return "policy";
    case Errc::config_error: return "config-error";
    case Errc::internal: return "internal";
  }
  return "unknown";
}

}  // namespace xf
