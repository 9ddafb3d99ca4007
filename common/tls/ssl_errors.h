// BoringSSL's per-thread error queue, turned into text for Error::detail.
#pragma once

#include <string>

namespace xf::tls {

// Drains the calling thread's error queue and returns its entries ("A; B"), or "" if empty.
std::string take_ssl_errors();

// Forgets stale entries, so that the text after the next call describes only that call.
void clear_ssl_errors();

}  // namespace xf::tls
