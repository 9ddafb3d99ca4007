#include "common/config/json_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

namespace xf::config {
namespace {

using nlohmann::json;

// Thrown from the parser callback to stop parsing a document nested too deeply; caught in
// parse_json_text, so it never leaves this file.
struct TooDeep {};

// Tracks where the parser is, so that a duplicate key can be reported by its JSON pointer.
class DuplicateKeyFinder {
 public:
  bool on_event(int depth, json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (static_cast<std::size_t>(depth) >= kMaxConfigDepth) throw TooDeep{};
        frames_.push_back(
            Frame{event == json::parse_event_t::array_start, 0, {}, {}, next_segment()});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!frames_.empty()) frames_.pop_back();
        break;
      case json::parse_event_t::key:
        if (!frames_.empty() && parsed.is_string()) {
          Frame& top = frames_.back();
          top.key = parsed.get<std::string>();
          if (!top.keys.insert(top.key).second) {
            duplicates_.push_back(pointer() + "/" + json_pointer_segment(top.key));
          }
        }
        break;
      case json::parse_event_t::value: next_segment(); break;
    }
    return true;
  }

  const std::vector<std::string>& duplicates() const { return duplicates_; }

 private:
  struct Frame {
    bool is_array;
    std::size_t index;
    std::string key;
    std::set<std::string> keys;
    std::string segment;  // This container's own segment in its parent.
  };

  // The segment of the value that starts now in the current container (and advances the
  // array index past it).
  std::string next_segment() {
    if (frames_.empty()) return {};
    Frame& top = frames_.back();
    if (top.is_array) return std::to_string(top.index++);
    return json_pointer_segment(top.key);
  }

  std::string pointer() const {
    std::string out;
    for (std::size_t i = 1; i < frames_.size(); ++i) {
      out += '/';
      out += frames_[i].segment;
    }
    return out;
  }

  std::vector<Frame> frames_;
  std::vector<std::string> duplicates_;
};

// nlohmann's message reads "[json.exception.parse_error.101] parse error at line 4,
// column 0: syntax error ...", counting a newline it has just read as the start of the next
// line. The position reported here is that of the last character read, so that an error at
// the end of a line points into that line: "origin:3:11: syntax error ...".
std::string syntax_error_message(std::string_view origin, std::string_view text,
                                 const nlohmann::json::parse_error& e) {
  const std::size_t index = std::min(e.byte == 0 ? 0 : e.byte - 1, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < index; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  const std::size_t column = index - line_start + 1;
  std::string_view what = e.what();
  constexpr std::string_view kColumn = ", column ";
  if (const auto at = what.find(kColumn); at != std::string_view::npos) {
    what.remove_prefix(at + kColumn.size());
    if (const auto colon = what.find(": "); colon != std::string_view::npos) {
      what.remove_prefix(colon + 2);
    }
  }
  std::string out(origin);
  out += ':' + std::to_string(line) + ':' + std::to_string(column) + ": ";
  out += what;
  return out;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::string json_pointer_segment(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

Result<json> parse_json_text(std::string_view text, std::string_view origin) {
  if (text.size() > kMaxConfigFileBytes) {
    return fail(Errc::config_error, std::string(origin) + ": larger than " +
                                        std::to_string(kMaxConfigFileBytes) + " bytes");
  }
  DuplicateKeyFinder finder;
  json doc;
  try {
    doc = json::parse(text.begin(), text.end(),
                      [&finder](int depth, json::parse_event_t event, json& parsed) {
                        return finder.on_event(depth, event, parsed);
                      });
  } catch (const TooDeep&) {
    return fail(Errc::config_error, std::string(origin) + ": nested deeper than " +
                                        std::to_string(kMaxConfigDepth) + " levels");
  } catch (const json::parse_error& e) {
    return fail(Errc::config_error, syntax_error_message(origin, text, e));
  } catch (const json::exception& e) {
    return fail(Errc::config_error, std::string(origin) + ": " + e.what());
  }
  if (!finder.duplicates().empty()) {
    std::string detail;
    for (const auto& pointer : finder.duplicates()) {
      if (!detail.empty()) detail += '\n';
      detail += std::string(origin) + ": " + pointer + ": duplicate key";
    }
    return fail(Errc::config_error, std::move(detail));
  }
  return doc;
}

Result<json> load_json_file(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    const int err = errno;
    return fail(Errc::io_error, path + ": cannot open: " + std::strerror(err));
  }
  std::string text;
  std::vector<char> buf(64 * 1024);
  while (true) {
    const std::size_t n = std::fread(buf.data(), 1, buf.size(), file.get());
    text.append(buf.data(), n);
    if (text.size() > kMaxConfigFileBytes) {
      return fail(Errc::config_error,
                  path + ": larger than " + std::to_string(kMaxConfigFileBytes) + " bytes");
    }
    if (n < buf.size()) {
      if (std::ferror(file.get())) {
        const int err = errno;
        return fail(Errc::io_error, path + ": cannot read: " + std::strerror(err));
      }
      break;
    }
  }
  return parse_json_text(text, path);
}

}  // namespace xf::config
