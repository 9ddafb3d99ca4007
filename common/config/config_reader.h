// Typed reading of a JSON config document (parse, then validate, then freeze).
//
// A daemon walks its document with ConfigSection getters and fills its own frozen config
// struct; every problem is recorded (not thrown) with the JSON pointer it concerns, and
// finish() adds every key nobody asked for as "unknown key". Messages read exactly:
//   /partners/3/tls: must be one of required|optional|not_supported
//   /listen/port: must be an integer in 1..65535
//   /foo: unknown key
//   /bar: required key is missing
//
//   ConfigReader reader(doc);
//   ConfigSection root = reader.root();
//   cfg.port = root.integer("port", 5269, 1, 65535);
//   for (ConfigSection p : root.object_array("partners")) cfg.partners.push_back(read(p));
//   if (Status st = reader.finish(); !st) { /* st.error().detail lists every error */ }
#pragma once

#include <deque>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/config_section.h"
#include "common/core/result.h"

namespace xf::config {

// Owns the error list and the record of every object visited and every key used.
class ConfigReader {
 public:
  // Reads the object at `base_pointer` of `doc` (the document root by default). `doc` must
  // outlive the reader and every section.
  explicit ConfigReader(const nlohmann::json& doc, std::string base_pointer = "");
  ConfigReader(const ConfigReader&) = delete;
  ConfigReader& operator=(const ConfigReader&) = delete;

  ConfigSection root();

  // Adds "unknown key" errors for every visited object, then returns a config_error whose
  // detail is every error, one per line, or success. Call it once, after reading everything.
  Status finish();

  bool ok() const { return errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  void add_error(std::string pointer, std::string_view message);

 private:
  friend class ConfigSection;
  struct Visit {
    std::string pointer;
    const nlohmann::json* value;
    std::set<std::string, std::less<>> used;
  };

  std::size_t visit(const nlohmann::json* value, std::string pointer);

  const nlohmann::json& doc_;
  std::string base_pointer_;
  std::deque<Visit> visits_;  // A deque, so that references stay valid as it grows.
  std::vector<std::string> errors_;
  bool finished_ = false;
};

}  // namespace xf::config
