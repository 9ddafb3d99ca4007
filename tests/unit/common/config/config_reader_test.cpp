#include "common/config/config_reader.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/config/json_file.h"
#include "common/config/shared_sections.h"

using nlohmann::json;
using xf::config::ConfigReader;
using xf::config::ConfigSection;

namespace {

json doc(std::string_view text) {
  auto parsed = xf::config::parse_json_text(text, "test.json");
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

enum class Tls { required, optional, not_supported };

const std::initializer_list<std::pair<std::string_view, Tls>> kTlsTable = {
    {"required", Tls::required},
    {"optional", Tls::optional},
    {"not_supported", Tls::not_supported}};

}  // namespace

TEST_CASE("ConfigReader reads typed values and defaults", "[unit][config]") {
  const json d = doc(R"({
    "name": "edge-1", "verbose": true, "workers": 4,
    "listen": {"address": "127.0.0.1", "port": 5269},
    "domains": ["a.example", "b.example"],
    "partners": [{"domain": "p.example", "tls": "optional"}, {"domain": "q.example"}]
  })");
  ConfigReader reader(d);
  ConfigSection root = reader.root();
  CHECK(root.pointer().empty());
  CHECK(root.required_string("name") == "edge-1");
  CHECK(root.string("description", "none") == "none");
  CHECK_FALSE(root.optional_string("proxy").has_value());
  CHECK(root.boolean("verbose", false));
  CHECK(root.boolean("quiet", true));
  CHECK(root.integer("workers", 1, 1, 64) == 4);
  CHECK(root.integer("threads", 2, 1, 64) == 2);
  ConfigSection listen = root.required_object("listen");
  CHECK(listen.present());
  CHECK(listen.pointer() == "/listen");
  CHECK(listen.required_string("address") == "127.0.0.1");
  CHECK(listen.required_integer("port", 1, 65535) == 5269);
  CHECK(root.string_array("domains") == std::vector<std::string>{"a.example", "b.example"});
  CHECK(root.string_array("aliases").empty());
  auto partners = root.object_array("partners");
  REQUIRE(partners.size() == 2);
  CHECK(partners[1].pointer() == "/partners/1");
  CHECK(partners[0].choice("tls", Tls::required, kTlsTable) == Tls::optional);
  CHECK(partners[1].choice("tls", Tls::required, kTlsTable) == Tls::required);
  CHECK(partners[0].required_string("domain") == "p.example");
  CHECK(partners[1].required_string("domain") == "q.example");
  ConfigSection limits = root.object("limits");
  CHECK_FALSE(limits.present());
  CHECK(limits.integer("stanza_size", 65536, 10000, 1 << 24) == 65536);
  CHECK(reader.finish().ok());
  CHECK(reader.errors().empty());
}

TEST_CASE("ConfigReader error messages name the JSON pointer", "[unit][config]") {
  const json d = doc(R"({
    "listen": {"port": 70000},
    "partners": [{"tls": "required"}, {"tls": "required"}, {"tls": "required"},
                 {"tls": "mandatory"}],
    "name": 5, "flag": "yes", "ratio": 1.5, "count": -1, "huge": 18446744073709551615,
    "list": ["a", 2, "c"], "notlist": "x", "obj": [], "objs": [{}, 3], "choice": 1
  })");
  ConfigReader reader(d);
  ConfigSection root = reader.root();
  CHECK(root.required_object("listen").required_integer("port", 1, 65535) == 1);
  for (ConfigSection p : root.object_array("partners")) {
    p.choice_index("tls", 0, {"required", "optional", "not_supported"});
  }
  root.required_string("bar");
  CHECK(root.required_string("name").empty());
  CHECK(root.boolean("flag", true));
  CHECK(root.integer("ratio", 7, 0, 10) == 7);
  CHECK(root.integer("count", 3, 0, 10) == 3);
  CHECK(root.integer("huge", 3, 0, 10) == 3);
  CHECK(root.string_array("list") == std::vector<std::string>{"a", "c"});
  CHECK(root.string_array("notlist").empty());
  ConfigSection obj = root.object("obj");
  CHECK_FALSE(obj.present());
  obj.required_string("inner");  // Already reported as the wrong type: no second message.
  CHECK(root.object_array("objs").size() == 1);
  root.required_choice_index("choice", {"a", "b"});
  root.required_object_array("partners_missing");
  root.required_boolean("b_missing");
  const auto st = reader.finish();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == xf::Errc::config_error);
  const std::vector<std::string> expected = {
      "/listen/port: must be an integer in 1..65535",
      "/partners/3/tls: must be one of required|optional|not_supported",
      "/bar: required key is missing",
      "/name: must be a string",
      "/flag: must be true or false",
      "/ratio: must be an integer in 0..10",
      "/count: must be an integer in 0..10",
      "/huge: must be an integer in 0..10",
      "/list/1: must be a string",
      "/notlist: must be an array of strings",
      "/obj: must be an object",
      "/objs/1: must be an object",
      "/choice: must be one of a|b",
      "/partners_missing: required key is missing",
      "/b_missing: required key is missing",
  };
  CHECK(reader.errors() == expected);
  std::string joined;
  for (const auto& e : expected) joined += (joined.empty() ? "" : "\n") + e;
  CHECK(st.error().detail == joined);
}

TEST_CASE("ConfigReader reports unknown keys of every visited object", "[unit][config]") {
  const json d = doc(R"({
    "foo": 1, "known": 2, "comment": "ignored on purpose",
    "listen": {"port": 5269, "prot": 5270},
    "partners": [{"domain": "a.example"}, {"domain": "b.example", "tsl": "required"}],
    "domains": {"x.example": {"cert": "x.pem", "kee": "x.key"}},
    "a/b~c": true,
    "unvisited": {"deep": 1}
  })");
  ConfigReader reader(d);
  ConfigSection root = reader.root();
  root.integer("known", 0, 0, 10);
  root.ignore("comment");
  root.object("listen").integer("port", 5269, 1, 65535);
  for (ConfigSection p : root.object_array("partners")) p.required_string("domain");
  for (auto& [name, section] : root.object_map("domains")) {
    CHECK(name == "x.example");
    CHECK(section.pointer() == "/domains/x.example");
    section.required_string("cert");
  }
  const auto st = reader.finish();
  REQUIRE_FALSE(st.ok());
  // Unknown keys are listed per object in visit order, each object's keys sorted; an object
  // nobody read is one unknown key, not a list of its contents.
  const std::vector<std::string> expected = {
      "/a~1b~0c: unknown key",        "/foo: unknown key",
      "/unvisited: unknown key",      "/listen/prot: unknown key",
      "/partners/1/tsl: unknown key", "/domains/x.example/kee: unknown key",
  };
  CHECK(reader.errors() == expected);
}

TEST_CASE("ConfigReader cross-field errors and absent sections", "[unit][config]") {
  const json d = doc(R"({"sasl": "required", "tls": "not_supported", "opt": null})");
  ConfigReader reader(d);
  ConfigSection root = reader.root();
  const auto sasl = root.required_choice_index("sasl", {"required", "optional", "not_supported"});
  const auto tls = root.required_choice("tls", kTlsTable);
  CHECK(root.has("sasl"));
  CHECK_FALSE(root.has("opt"));
  CHECK_FALSE(root.optional_string("opt").has_value());  // null reads as absent
  if (sasl == 0 && tls == Tls::not_supported) {
    root.error("sasl", "required needs tls other than not_supported");
  }
  CHECK(root.pointer_of("a/b") == "/a~1b");
  ConfigSection missing = root.object("limits");
  missing.required_integer("max", 1, 10);
  const auto st = reader.finish();
  REQUIRE_FALSE(st.ok());
  CHECK(reader.errors() ==
        std::vector<std::string>{"/sasl: required needs tls other than not_supported",
                                 "/limits/max: required key is missing"});
}

TEST_CASE("ConfigReader checks the root and a base pointer", "[unit][config]") {
  {
    const json d = json::array();
    ConfigReader reader(d);
    reader.root().required_string("x");
    CHECK(reader.errors() == std::vector<std::string>{"(root): must be an object"});
  }
  {
    const json d = doc(R"({"edge": {"port": 0, "extra": 1}, "gateway": {}})");
    ConfigReader reader(d, "/edge");
    ConfigSection edge = reader.root();
    CHECK(edge.pointer() == "/edge");
    edge.integer("port", 5269, 1, 65535);
    CHECK_FALSE(reader.finish().ok());
    CHECK(reader.errors() == std::vector<std::string>{"/edge/port: must be an integer in 1..65535",
                                                      "/edge/extra: unknown key"});
  }
  {
    const json d = doc(R"({})");
    ConfigReader reader(d, "/edge");
    reader.root().required_string("x");
    CHECK(reader.errors() == std::vector<std::string>{"/edge: required key is missing"});
  }
}

TEST_CASE("read_relay_link reads the shared relay keys with the link's defaults",
          "[unit][config]") {
  const json d = doc(R"({"relay": {"certificate": "c.pem", "private_key": "k.pem",
                                   "ca_file": "ca.pem", "extra": 1}})");
  ConfigReader reader(d);
  ConfigSection relay = reader.root().required_object("relay");
  xf::config::RelayLinkConfig link;
  xf::config::read_relay_link(relay, link);
  relay.ignore("extra");  // A daemon's own key, read by the daemon.
  REQUIRE(reader.finish().ok());
  CHECK(link.certificate == "c.pem");
  CHECK(link.private_key == "k.pem");
  CHECK(link.ca_file == "ca.pem");
  CHECK(link.heartbeat_interval_s * 1000 == xf::relay::kDefaultHeartbeatIntervalMs);
  CHECK(link.dead_peer_timeout_s * 1000 == xf::relay::kDefaultDeadPeerTimeoutMs);
}

TEST_CASE("read_relay_link names each problem by its JSON pointer", "[unit][config]") {
  const json d = doc(R"({"relay": {"certificate": "c.pem", "heartbeat_interval_s": 20,
                                   "dead_peer_timeout_s": 20}})");
  ConfigReader reader(d);
  ConfigSection relay = reader.root().required_object("relay");
  xf::config::RelayLinkConfig link;
  xf::config::read_relay_link(relay, link);
  auto st = reader.finish();
  REQUIRE_FALSE(st.ok());
  const std::string& detail = st.error().detail;
  CHECK(detail.find("/relay/private_key: required key is missing") != std::string::npos);
  CHECK(detail.find("/relay/ca_file: required key is missing") != std::string::npos);
  CHECK(detail.find("/relay/dead_peer_timeout_s: must be greater than heartbeat_interval_s") !=
        std::string::npos);
}

TEST_CASE("read_relay_link reads the hold bounds and refuses them out of range", "[unit][config]") {
  const json d = doc(R"({"relay": {"certificate": "c.pem", "private_key": "k.pem",
                                   "ca_file": "ca.pem", "hold_max_frames": 500,
                                   "hold_max_bytes": 1048576, "hold_max_age_s": 5}})");
  ConfigReader reader(d);
  ConfigSection relay = reader.root().required_object("relay");
  xf::config::RelayLinkConfig link;
  CHECK(link.session.max_frames == 100000);
  CHECK(link.session.max_age_ms == 30000);
  xf::config::read_relay_link(relay, link);
  REQUIRE(reader.finish().ok());
  CHECK(link.session.max_frames == 500);
  CHECK(link.session.max_bytes == 1048576);
  CHECK(link.session.max_age_ms == 5000);

  const json bad = doc(R"({"relay": {"certificate": "c.pem", "private_key": "k.pem",
                                     "ca_file": "ca.pem", "hold_max_frames": 0,
                                     "hold_max_age_s": 3601}})");
  ConfigReader bad_reader(bad);
  ConfigSection bad_relay = bad_reader.root().required_object("relay");
  xf::config::read_relay_link(bad_relay, link);
  auto st = bad_reader.finish();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().detail.find("/relay/hold_max_frames") != std::string::npos);
  CHECK(st.error().detail.find("/relay/hold_max_age_s") != std::string::npos);
}

TEST_CASE("read_log_level accepts the four levels and defaults to info", "[unit][config]") {
  const json absent = doc("{}");
  ConfigReader r1(absent);
  ConfigSection root1 = r1.root();
  CHECK(xf::config::read_log_level(root1) == "info");
  CHECK(r1.finish().ok());

  const json debug = doc(R"({"log_level": "debug"})");
  ConfigReader r2(debug);
  ConfigSection root2 = r2.root();
  CHECK(xf::config::read_log_level(root2) == "debug");
  CHECK(r2.finish().ok());

  const json loud = doc(R"({"log_level": "loud"})");
  ConfigReader r3(loud);
  ConfigSection root3 = r3.root();
  (void)xf::config::read_log_level(root3);
  auto st = r3.finish();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().detail.find("/log_level: must be one of debug|info|warn|error") !=
        std::string::npos);
}
