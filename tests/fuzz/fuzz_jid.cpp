// JID preparation and XEP-0106 escaping on arbitrary bytes. Invariants checked:
// - a parsed JID prints to a string that parses back to the same JID (preparation is
//   idempotent on its own output);
// - the ASCII fast path and the libidn path agree;
// - unescape(escape(s)) == s for any s that does not start or end with a space.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/xmpp/jid.h"
#include "common/xmpp/jid_escape.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  using xf::xmpp::Jid;

  auto jid = Jid::parse(in);
  auto slow = Jid::parse(in, xf::xmpp::PrepPath::full);
  check(jid.ok() == slow.ok());
  if (jid.ok()) {
    check(*jid == *slow);
    check(!jid->domain().empty());
    const std::string printed = jid->to_string();
    auto again = Jid::parse(printed);
    check(again.ok());
    check(*again == *jid);
    check(jid->bare().is_bare());
    check(jid->bare_string() == jid->bare().to_string());
  }

  const std::string escaped = xf::xmpp::jid_escape(in);
  auto back = xf::xmpp::jid_unescape(escaped);
  if (!in.empty() && in.front() != ' ' && in.back() != ' ') {
    check(back.ok());
    check(*back == in);
  }
  auto local = xf::xmpp::jid_escape_localpart(in);
  if (local.ok()) check(Jid::from_parts(*local, "example.com").ok());
  return 0;
}
