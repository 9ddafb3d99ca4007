#include "common/config/config_section.h"

#include <limits>

#include "common/config/config_reader.h"
#include "common/config/json_file.h"

namespace xf::config {
namespace {

constexpr std::string_view kMissing = "required key is missing";

std::string range_message(std::int64_t min, std::int64_t max) {
  return "must be an integer in " + std::to_string(min) + ".." + std::to_string(max);
}

std::string choice_message(const std::vector<std::string_view>& allowed) {
  std::string out = "must be one of ";
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) out += '|';
    out += allowed[i];
  }
  return out;
}

}  // namespace

ConfigSection::ConfigSection(ConfigReader* reader, const nlohmann::json* value, std::size_t visit,
                             bool failed)
    : reader_(reader), value_(value), visit_(visit), failed_(failed) {}

const std::string& ConfigSection::pointer() const { return reader_->visits_[visit_].pointer; }

std::string ConfigSection::pointer_of(std::string_view key) const {
  return pointer() + "/" + json_pointer_segment(key);
}

bool ConfigSection::has(std::string_view key) const {
  if (value_ == nullptr) return false;
  const auto it = value_->find(key);
  return it != value_->end() && !it->is_null();
}

const nlohmann::json* ConfigSection::member(std::string_view key) {
  if (value_ == nullptr || failed_) return nullptr;
  reader_->visits_[visit_].used.emplace(key);
  const auto it = value_->find(key);
  // An explicit null reads as "not set", as config generators commonly write it.
  if (it == value_->end() || it->is_null()) return nullptr;
  return &*it;
}

void ConfigSection::report(std::string_view key, std::string_view message) {
  if (failed_) return;
  reader_->add_error(pointer_of(key), message);
}

void ConfigSection::error(std::string_view key, std::string_view message) {
  reader_->add_error(pointer_of(key), message);
}

void ConfigSection::member_error(std::string_view key, std::string_view name,
                                 std::string_view message) {
  reader_->add_error(pointer_of(key) + "/" + json_pointer_segment(name), message);
}

void ConfigSection::ignore(std::string_view key) { member(key); }

ConfigSection ConfigSection::child(const nlohmann::json* value, std::string pointer, bool failed) {
  return ConfigSection(reader_, failed ? nullptr : value,
                       reader_->visit(failed ? nullptr : value, std::move(pointer)),
                       failed || failed_);
}

// ---- strings ----------------------------------------------------------------------------

std::string ConfigSection::required_string(std::string_view key) {
  const nlohmann::json* v = member(key);
  if (v == nullptr) {
    report(key, kMissing);
    return {};
  }
  if (!v->is_string()) {
    report(key, "must be a string");
    return {};
  }
  return v->get<std::string>();
}

std::string ConfigSection::string(std::string_view key, std::string_view fallback) {
  auto v = optional_string(key);
  return v ? std::move(*v) : std::string(fallback);
}

std::optional<std::string> ConfigSection::optional_string(std::string_view key) {
  const nlohmann::json* v = member(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    report(key, "must be a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

// ---- booleans ---------------------------------------------------------------------------

bool ConfigSection::required_boolean(std::string_view key) {
  if (member(key) == nullptr) {
    report(key, kMissing);
    return false;
  }
  return boolean(key, false);
}

bool ConfigSection::boolean(std::string_view key, bool fallback) {
  const nlohmann::json* v = member(key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) {
    report(key, "must be true or false");
    return fallback;
  }
  return v->get<bool>();
}

// ---- integers ---------------------------------------------------------------------------

std::int64_t ConfigSection::required_integer(std::string_view key, std::int64_t min,
                                             std::int64_t max) {
  if (member(key) == nullptr) {
    report(key, kMissing);
    return min;
  }
  return integer(key, min, min, max);
}

std::int64_t ConfigSection::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                    std::int64_t max) {
  const nlohmann::json* v = member(key);
  if (v == nullptr) return fallback;
  bool in_range = false;
  std::int64_t value = fallback;
  if (v->is_number_unsigned()) {
    const auto u = v->get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      value = static_cast<std::int64_t>(u);
      in_range = value >= min && value <= max;
    }
  } else if (v->is_number_integer()) {
    value = v->get<std::int64_t>();
    in_range = value >= min && value <= max;
  }
  // Never clamp: an out-of-range value is an error, and the fallback stands in meanwhile.
  if (!in_range) {
    report(key, range_message(min, max));
    return fallback;
  }
  return value;
}

// ---- choices ----------------------------------------------------------------------------

std::size_t ConfigSection::required_choice_index(std::string_view key,
                                                 const std::vector<std::string_view>& allowed) {
  if (member(key) == nullptr) {
    report(key, kMissing);
    return allowed.size();
  }
  return choice_index(key, allowed.size(), allowed);
}

std::size_t ConfigSection::choice_index(std::string_view key, std::size_t fallback_index,
                                        const std::vector<std::string_view>& allowed) {
  const nlohmann::json* v = member(key);
  if (v == nullptr) return fallback_index;
  if (v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      if (s == allowed[i]) return i;
    }
  }
  report(key, choice_message(allowed));
  return fallback_index;
}

// ---- arrays of strings ------------------------------------------------------------------

std::vector<std::string> ConfigSection::string_array(std::string_view key) {
  const nlohmann::json* v = member(key);
  std::vector<std::string> out;
  if (v == nullptr) return out;
  if (!v->is_array()) {
    report(key, "must be an array of strings");
    return out;
  }
  const std::string base = pointer_of(key);
  for (std::size_t i = 0; i < v->size(); ++i) {
    const nlohmann::json& item = (*v)[i];
    if (!item.is_string()) {
      reader_->add_error(base + "/" + std::to_string(i), "must be a string");
      continue;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<std::string> ConfigSection::required_string_array(std::string_view key) {
  if (member(key) == nullptr) {
    report(key, kMissing);
    return {};
  }
  return string_array(key);
}

// ---- objects ----------------------------------------------------------------------------

ConfigSection ConfigSection::object(std::string_view key) {
  const nlohmann::json* v = member(key);
  if (v != nullptr && !v->is_object()) {
    report(key, "must be an object");
    return child(nullptr, pointer_of(key), true);
  }
  return child(v, pointer_of(key), false);
}

ConfigSection ConfigSection::required_object(std::string_view key) {
  if (member(key) == nullptr) {
    report(key, kMissing);
    return child(nullptr, pointer_of(key), true);
  }
  return object(key);
}

std::vector<ConfigSection> ConfigSection::object_array(std::string_view key) {
  const nlohmann::json* v = member(key);
  std::vector<ConfigSection> out;
  if (v == nullptr) return out;
  if (!v->is_array()) {
    report(key, "must be an array of objects");
    return out;
  }
  const std::string base = pointer_of(key);
  for (std::size_t i = 0; i < v->size(); ++i) {
    const nlohmann::json& item = (*v)[i];
    std::string item_pointer = base + "/" + std::to_string(i);
    if (!item.is_object()) {
      reader_->add_error(std::move(item_pointer), "must be an object");
      continue;
    }
    out.push_back(child(&item, std::move(item_pointer), false));
  }
  return out;
}

std::vector<ConfigSection> ConfigSection::required_object_array(std::string_view key) {
  if (member(key) == nullptr) {
    report(key, kMissing);
    return {};
  }
  return object_array(key);
}

std::vector<std::pair<std::string, ConfigSection>> ConfigSection::object_map(std::string_view key) {
  const nlohmann::json* v = member(key);
  std::vector<std::pair<std::string, ConfigSection>> out;
  if (v == nullptr) return out;
  if (!v->is_object()) {
    report(key, "must be an object");
    return out;
  }
  const std::string base = pointer_of(key);
  for (const auto& [name, item] : v->items()) {
    std::string item_pointer = base + "/" + json_pointer_segment(name);
    if (!item.is_object()) {
      reader_->add_error(std::move(item_pointer), "must be an object");
      continue;
    }
    out.emplace_back(name, child(&item, std::move(item_pointer), false));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ConfigSection::string_map(std::string_view key) {
  const nlohmann::json* v = member(key);
  std::vector<std::pair<std::string, std::string>> out;
  if (v == nullptr) return out;
  if (!v->is_object()) {
    report(key, "must be an object");
    return out;
  }
  for (const auto& [name, item] : v->items()) {
    if (!item.is_string()) {
      member_error(key, name, "must be a string");
      continue;
    }
    out.emplace_back(name, item.get<std::string>());
  }
  return out;
}

}  // namespace xf::config
