#include "common/config/json_file.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using xf::config::load_json_file;
using xf::config::parse_json_text;

namespace {

// A scratch directory removed at the end of each test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "xmppfed-config-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

}  // namespace

TEST_CASE("load_json_file reads a valid file", "[unit][config]") {
  TempDir dir;
  auto doc = load_json_file(dir.write("ok.json", R"({"a": [1, 2], "b": {"c": "d"}})"));
  REQUIRE(doc.ok());
  CHECK((*doc)["b"]["c"] == "d");
}

TEST_CASE("load_json_file explains missing and unreadable files", "[unit][config]") {
  TempDir dir;
  const std::string missing = (dir.path / "nope.json").string();
  auto r = load_json_file(missing);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == xf::Errc::io_error);
  CHECK(r.error().detail == missing + ": cannot open: No such file or directory");

  auto d = load_json_file(dir.path.string());
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().detail == dir.path.string() + ": cannot read: Is a directory");

  if (geteuid() != 0) {  // root reads anything, so the permission check means nothing there
    const std::string locked = dir.write("locked.json", "{}");
    fs::permissions(locked, fs::perms::none);
    auto l = load_json_file(locked);
    REQUIRE_FALSE(l.ok());
    CHECK(l.error().detail == locked + ": cannot open: Permission denied");
  }
}

TEST_CASE("load_json_file reports syntax errors with line and column", "[unit][config]") {
  TempDir dir;
  const std::string path = dir.write("bad.json", "{\n  \"a\": 1,\n  \"b\": tru\n}\n");
  auto r = load_json_file(path);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == xf::Errc::config_error);
  INFO(r.error().detail);
  CHECK(r.error().detail.rfind(path + ":3:", 0) == 0);
  CHECK(r.error().detail.find("syntax error") != std::string::npos);

  auto trailing = parse_json_text("{\"a\": 1,}", "t.json");
  REQUIRE_FALSE(trailing.ok());
  CHECK(trailing.error().detail.rfind("t.json:1:", 0) == 0);

  auto empty = parse_json_text("", "e.json");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().detail.rfind("e.json:1:1: ", 0) == 0);
}

TEST_CASE("parse_json_text refuses duplicate keys by pointer", "[unit][config]") {
  auto r =
      parse_json_text(R"({"a": 1, "p": [{"x": 1}, {"tls": "a", "tls": "b"}], "a": 2})", "d.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().detail == "d.json: /p/1/tls: duplicate key\nd.json: /a: duplicate key");
  CHECK(parse_json_text(R"({"a": {"k": 1}, "b": {"k": 1}})").ok());
}

TEST_CASE("parse_json_text bounds depth and size", "[unit][config]") {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  auto r = parse_json_text(deep, "deep.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().detail == "deep.json: nested deeper than 64 levels");
  const std::string ok = std::string(60, '[') + std::string(60, ']');
  CHECK(parse_json_text(ok).ok());
  const std::string big(xf::config::kMaxConfigFileBytes + 1, ' ');
  CHECK(parse_json_text(big, "big.json").error().detail == "big.json: larger than 4194304 bytes");
}

TEST_CASE("json_pointer_segment escapes per RFC 6901", "[unit][config]") {
  CHECK(xf::config::json_pointer_segment("a/b~c") == "a~1b~0c");
  CHECK(xf::config::json_pointer_segment("plain") == "plain");
}
