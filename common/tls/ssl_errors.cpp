#include "common/tls/ssl_errors.h"

#include <openssl/err.h>

namespace xf::tls {

std::string take_ssl_errors() {
  std::string text;
  char buf[256];
  while (unsigned long code = ERR_get_error()) {
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text;
}

void clear_ssl_errors() { ERR_clear_error(); }

}  // namespace xf::tls
