// What both daemons share at their edges: command-line handling and the exit codes.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <variant>

#include "common/core/log.h"
#include "common/core/result.h"

namespace xf {

struct CommandLine {
  std::string config_path;
  bool check_config = false;
  bool help = false;
  bool version = false;
  std::string error;  // Set when the arguments are unusable.
};

// Parses: --config FILE, --check-config, --help, --version.
CommandLine parse_command_line(int argc, char** argv);
std::string usage(const char* program);

// Exit codes (sysexits.h values, which systemd and operators recognise).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;     // EX_USAGE: bad command line.
inline constexpr int kExitConfig = 78;    // EX_CONFIG: the configuration is invalid.
inline constexpr int kExitSoftware = 70;  // EX_SOFTWARE: start-up failed (ports, certificates).

// What every daemon's main does before it starts: parses the command line, answers --help and
// --version, loads and validates the configuration (load), runs the extra checks of
// --check-config (check: e.g. loading certificates), and sets the log level. Returns the frozen
// config, or the exit code for main to return now.
template <class Config>
std::variant<Config, int> prepare_daemon(int argc, char** argv, const char* version,
                                         Result<Config> (*load)(const std::string&),
                                         const std::function<Status(const Config&)>& check = {}) {
  CommandLine cl = parse_command_line(argc, argv);
  if (cl.help) {
    std::fputs(usage(argv[0]).c_str(), stdout);
    return kExitOk;
  }
  if (cl.version) {
    std::puts(version);
    return kExitOk;
  }
  if (!cl.error.empty()) {
    std::fprintf(stderr, "%s\n%s", cl.error.c_str(), usage(argv[0]).c_str());
    return kExitUsage;
  }
  Result<Config> loaded = load(cl.config_path);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s: invalid configuration:\n%s\n", cl.config_path.c_str(),
                 loaded.error().detail.c_str());
    return kExitConfig;
  }
  if (cl.check_config) {
    if (check) {
      if (Status st = check(*loaded); !st.ok()) {
        std::fprintf(stderr, "%s: %s\n", cl.config_path.c_str(), st.error().detail.c_str());
        return kExitConfig;
      }
    }
    std::printf("%s: configuration is valid\n", cl.config_path.c_str());
    return kExitOk;
  }
  log::Level level = log::Level::info;
  log::parse_level(loaded->log_level, level);
  log::set_level(level);
  return std::move(loaded).value();
}

}  // namespace xf
