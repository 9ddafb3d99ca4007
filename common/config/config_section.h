// One JSON object of a config document being read by a ConfigReader (config_reader.h has the
// overview and the message formats).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xf::config {

class ConfigReader;

// One JSON object of the document being read. Cheap to copy; valid while its reader lives.
// A section for an absent optional object answers every optional getter with its default.
// A section whose value had the wrong type (already reported) answers everything with
// defaults and reports nothing more, so one mistake gives one message.
class ConfigSection {
 public:
  // The JSON pointer of this object ("" for the document root).
  const std::string& pointer() const;
  // The pointer of one of its keys, for messages of cross-field checks.
  std::string pointer_of(std::string_view key) const;
  bool present() const { return value_ != nullptr; }
  bool has(std::string_view key) const;

  std::string required_string(std::string_view key);
  std::string string(std::string_view key, std::string_view fallback);
  std::optional<std::string> optional_string(std::string_view key);

  bool required_boolean(std::string_view key);
  bool boolean(std::string_view key, bool fallback);

  // Integers in an inclusive range; a float, a string or an out-of-range value is an error.
  std::int64_t required_integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max);

  // One of a fixed list of strings; returns the index in `allowed` (or `fallback_index`).
  std::size_t required_choice_index(std::string_view key,
                                    const std::vector<std::string_view>& allowed);
  std::size_t choice_index(std::string_view key, std::size_t fallback_index,
                           const std::vector<std::string_view>& allowed);
  // The same, mapped straight to a value, usually an enum class:
  //   tls = p.choice("tls", Tls::required, {{"required", Tls::required}, ...});
  template <class T>
  T choice(std::string_view key, T fallback,
           std::initializer_list<std::pair<std::string_view, T>> table);
  template <class T>
  T required_choice(std::string_view key,
                    std::initializer_list<std::pair<std::string_view, T>> table);

  // Arrays of strings; an absent optional array is empty.
  std::vector<std::string> string_array(std::string_view key);
  std::vector<std::string> required_string_array(std::string_view key);

  // Nested objects. An absent optional object gives a section with present() == false.
  ConfigSection object(std::string_view key);
  ConfigSection required_object(std::string_view key);
  // Arrays of objects; elements that are not objects are reported and skipped.
  std::vector<ConfigSection> object_array(std::string_view key);
  std::vector<ConfigSection> required_object_array(std::string_view key);
  // Objects used as maps ("domains": {"a.example": {...}}): every member must be an object.
  std::vector<std::pair<std::string, ConfigSection>> object_map(std::string_view key);
  // Objects used as maps of strings ("routes": {"a.example": "host:5269"}): every member must be
  // a string.
  std::vector<std::pair<std::string, std::string>> string_map(std::string_view key);

  // Marks a key as known without reading it (e.g. a "comment" key).
  void ignore(std::string_view key);
  // Records an error about one of this object's keys (cross-field checks).
  void error(std::string_view key, std::string_view message);
  // Records an error about one member of a map-valued key ("/s2s/routes/a.example: ...").
  void member_error(std::string_view key, std::string_view name, std::string_view message);

 private:
  friend class ConfigReader;
  ConfigSection(ConfigReader* reader, const nlohmann::json* value, std::size_t visit, bool failed);

  // The member `key`, marked as used; nullptr when absent, null, or the section is not
  // readable.
  const nlohmann::json* member(std::string_view key);
  void report(std::string_view key, std::string_view message);
  ConfigSection child(const nlohmann::json* value, std::string pointer, bool failed);

  ConfigReader* reader_ = nullptr;
  const nlohmann::json* value_ = nullptr;
  std::size_t visit_ = 0;  // Index of this object's record in the reader.
  bool failed_ = false;
};

template <class T>
T ConfigSection::choice(std::string_view key, T fallback,
                        std::initializer_list<std::pair<std::string_view, T>> table) {
  std::vector<std::string_view> names;
  for (const auto& entry : table) names.push_back(entry.first);
  const std::size_t index = choice_index(key, names.size(), names);
  return index < names.size() ? (table.begin() + index)->second : fallback;
}

template <class T>
T ConfigSection::required_choice(std::string_view key,
                                 std::initializer_list<std::pair<std::string_view, T>> table) {
  std::vector<std::string_view> names;
  for (const auto& entry : table) names.push_back(entry.first);
  const std::size_t index = required_choice_index(key, names);
  return index < names.size() ? (table.begin() + index)->second : T{};
}

}  // namespace xf::config
