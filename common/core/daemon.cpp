#include "common/core/daemon.h"

#include <string_view>

namespace xf {

CommandLine parse_command_line(int argc, char** argv) {
  CommandLine cl;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" || arg == "-c") {
      if (i + 1 >= argc) {
        cl.error = "--config needs a file name";
        return cl;
      }
      cl.config_path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      cl.config_path = std::string(arg.substr(9));
    } else if (arg == "--check-config") {
      cl.check_config = true;
    } else if (arg == "--help" || arg == "-h") {
      cl.help = true;
    } else if (arg == "--version") {
      cl.version = true;
    } else {
      cl.error = "unknown argument: " + std::string(arg);
      return cl;
    }
  }
  if (cl.config_path.empty() && !cl.help && !cl.version) cl.error = "--config FILE is required";
  return cl;
}

std::string usage(const char* program) {
  return std::string("usage: ") + program +
         " --config FILE [--check-config] | --version | --help\n"
         "  --config FILE     JSON configuration (see deploy/*.example.json)\n"
         "  --check-config    validate the configuration and exit (0 = valid)\n"
         "  --version         print the version and exit\n";
}

}  // namespace xf
