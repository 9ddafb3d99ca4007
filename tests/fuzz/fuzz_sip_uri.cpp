// SIP URI parsing (frontend-gateway/sip/sip_uri: libosip2 plus the checks on top) on arbitrary
// text. Invariants checked:
// - what parses writes back (to_string) as text made of URI characters only, safe between < and >
//   in a header;
// - that text parses again to the same scheme, user, host, port and parameters.
// Links xmppfed_gw_core besides xmppfed_proto.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "frontend-gateway/sip/sip_uri.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

bool same(const xf::sip::SipUri& a, const xf::sip::SipUri& b) {
  return a.scheme == b.scheme && a.user == b.user && a.host == b.host && a.port == b.port &&
         a.params == b.params;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto uri = xf::sip::SipUri::parse(text);
  if (!uri) return 0;
  const std::string written = uri->to_string();
  check(written.find_first_of(std::string_view("\r\n\t \"<>\0", 8)) == std::string::npos);
  auto again = xf::sip::SipUri::parse(written);
  check(again.ok());
  check(same(*uri, *again));
  return 0;
}
