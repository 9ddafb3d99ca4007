#include "common/config/config_reader.h"

#include "common/config/json_file.h"

namespace xf::config {

ConfigReader::ConfigReader(const nlohmann::json& doc, std::string base_pointer)
    : doc_(doc), base_pointer_(std::move(base_pointer)) {}

ConfigSection ConfigReader::root() {
  const nlohmann::json* value = &doc_;
  if (!base_pointer_.empty()) {
    value = nullptr;
    try {
      const nlohmann::json::json_pointer ptr(base_pointer_);
      if (doc_.contains(ptr)) value = &doc_.at(ptr);
    } catch (const nlohmann::json::exception&) {
      // A malformed pointer is the caller's bug; it reads as a missing object.
    }
    if (value == nullptr) {
      add_error(base_pointer_, "required key is missing");
      return ConfigSection(this, nullptr, visit(nullptr, base_pointer_), true);
    }
  }
  if (!value->is_object()) {
    add_error(base_pointer_.empty() ? "(root)" : base_pointer_, "must be an object");
    return ConfigSection(this, nullptr, visit(nullptr, base_pointer_), true);
  }
  return ConfigSection(this, value, visit(value, base_pointer_), false);
}

std::size_t ConfigReader::visit(const nlohmann::json* value, std::string pointer) {
  visits_.push_back(Visit{std::move(pointer), value, {}});
  return visits_.size() - 1;
}

void ConfigReader::add_error(std::string pointer, std::string_view message) {
  pointer += ": ";
  pointer += message;
  errors_.push_back(std::move(pointer));
}

Status ConfigReader::finish() {
  if (!finished_) {
    finished_ = true;
    for (const Visit& v : visits_) {
      if (v.value == nullptr || !v.value->is_object()) continue;
      for (const auto& [key, unused] : v.value->items()) {
        if (!v.used.contains(key))
          add_error(v.pointer + "/" + json_pointer_segment(key), "unknown key");
      }
    }
  }
  if (errors_.empty()) return {};
  std::string detail;
  for (const auto& e : errors_) {
    if (!detail.empty()) detail += '\n';
    detail += e;
  }
  return fail(Errc::config_error, std::move(detail));
}

}  // namespace xf::config
