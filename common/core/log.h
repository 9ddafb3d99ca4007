// Logging: every line names the object that logs, e.g. "[s2s-in 7f3a partner.example] ...".
// Output goes to stderr (journald picks it up under systemd). Bodies of messages are never
// logged unless the operator enables log_message_bodies.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace xf::log {

enum class Level { debug, info, warn, error };

void set_level(Level level);
Level level();
bool enabled(Level level);
// Parses "debug" | "info" | "warn" | "error"; returns false for anything else.
bool parse_level(std::string_view text, Level& out);
void write(Level level, std::string_view object, std::string_view message);

// Concatenates any streamable values: log::cat("stream ", id, " closed").
template <class... Args>
std::string cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

}  // namespace xf::log

namespace xf {

// A logger bound to one object's name; cheap to copy.
class Logger {
 public:
  Logger() = default;
  explicit Logger(std::string object) : object_(std::move(object)) {}
  const std::string& object() const { return object_; }
  void set_object(std::string object) { object_ = std::move(object); }

  template <class... Args>
  void debug(const Args&... args) const {
    emit(log::Level::debug, args...);
  }
  template <class... Args>
  void info(const Args&... args) const {
    emit(log::Level::info, args...);
  }
  template <class... Args>
  void warn(const Args&... args) const {
    emit(log::Level::warn, args...);
  }
  template <class... Args>
  void error(const Args&... args) const {
    emit(log::Level::error, args...);
  }

 private:
  template <class... Args>
  void emit(log::Level level, const Args&... args) const {
    if (log::enabled(level)) log::write(level, object_, log::cat(args...));
  }
  std::string object_;
};

}  // namespace xf
