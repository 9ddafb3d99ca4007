// What both daemons share at their edges: command-line handling and the exit codes.
#pragma once

#include <string>

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

}  // namespace xf
