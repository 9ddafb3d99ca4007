// The config layer on arbitrary bytes: JSON parsing with its bounds, then a ConfigReader
// walking a schema shaped like the daemons' (nested objects, arrays of objects, ranges,
// choices). Invariants: nothing throws, a value read without error is within its range, and
// finish() fails exactly when errors were recorded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/config/config_reader.h"
#include "common/config/json_file.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

enum class Tls { required, optional, not_supported };

void read_partner(xf::config::ConfigSection p) {
  p.required_string("domain");
  p.string_array("additional_domains");
  p.choice("tls", Tls::required,
           {{"required", Tls::required},
            {"optional", Tls::optional},
            {"not_supported", Tls::not_supported}});
  p.choice_index("partner_type", 0, {"federated", "public_verified", "public_unverified"});
  p.boolean("dialback", true);
  const auto limit = p.integer("connection_limit", 20, 1, 1000);
  check(limit >= 1 && limit <= 1000);
  p.optional_string("proxy_fqdn");
  p.ignore("description");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = xf::config::parse_json_text(text, "fuzz.json");
  if (!doc.ok()) {
    check(!doc.error().detail.empty());
    return 0;
  }
  xf::config::ConfigReader reader(*doc);
  xf::config::ConfigSection root = reader.root();
  const auto port = root.required_object("listen").integer("port", 5269, 1, 65535);
  check(port >= 1 && port <= 65535);
  root.required_string("dialback_secret");
  root.boolean("log_message_bodies", false);
  for (auto p : root.object_array("partners")) read_partner(p);
  for (auto& [name, domain] : root.object_map("domains")) {
    check(domain.pointer().size() > name.size());
    domain.required_string("certificate");
    domain.string("key", "");
  }
  const auto errors_before = reader.errors().size();
  const auto st = reader.finish();
  check(st.ok() == reader.errors().empty());
  check(reader.errors().size() >= errors_before);
  return 0;
}
