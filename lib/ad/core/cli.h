// cli.h: what every ad tool shares on the command line.
//
// Each tool's main() builds a cli::Tool, adds its own options to tool.app() (CLI11),
// and hands one function to tool.run(). run() owns the process-wide manners of the
// family, so that no tool repeats them:
//   - `--help` goes to stdout with status 0; `--version` prints "ad-x (ad) X.Y.Z".
//   - A usage error prints "ad-x: <message>" and "Try 'ad-x --help' for more
//     information." on stderr, with Status::kUsage (CLI11's own codes of 100 and up
//     are mapped to it).
//   - ad::Error becomes "ad-x: <file:line:col: message>" and its status.
//   - A closed pipe on stdout (SIGPIPE/EPIPE) ends the tool quietly with status 0.
//   - Standard output is flushed and checked before exit, so /dev/full is an error.
// The exit statuses themselves are ad::Status, in error.h.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ad/core/error.h"

namespace ad::cli {

// "X.Y.Z", the project version.
const char* version();

class Tool {
 public:
  Tool(std::string name, std::string description);

  CLI::App& app() { return app_; }
  const std::string& name() const { return name_; }
  bool quiet() const { return quiet_; }

  // Parses the command line, then calls body. Returns the process exit status.
  int run(int argc, char** argv, const std::function<void()>& body);

  // "ad-x: warning: message" on stderr (always shown).
  void warn(const std::string& message) const;
  // "ad-x: message" on stderr, unless --quiet.
  void note(const std::string& message) const;

 private:
  std::string name_;
  CLI::App app_;
  bool quiet_ = false;
};

// The input options every tool that reads CSV shares, spelled the same in each.
struct InputOptions {
  std::vector<std::string> map;  // --map ROLE=COLUMN, repeatable
  std::string on_error = "fail"; // --on-error fail|skip (set "skip" before add_* for that default)
  std::string assume_tz = "UTC"; // --assume-tz OFFSET
  int threads = 0;               // --threads N
  std::string path;              // FILE, or "-"
  std::string format;            // --format NAME: a known export's columns (roles.h format_preset)
  // Adds the options above, --format and the FILE positional to app.
  void add_to(CLI::App& app);
  // Adds only --map, --on-error and --assume-tz (for a tool with its own FILE arguments).
  // Returns the three options, in that order, for a tool that limits where they go.
  std::vector<CLI::Option*> add_row_options(CLI::App& app);
  bool skip_bad_rows() const { return on_error == "skip"; }
  // --assume-tz in seconds east of UTC: what every tool's assume_tz_s field holds.
  // Throws ad::Error(kUsage).
  int assume_tz_s() const;
  // The --format preset's columns, overridden role by role by --map.
  // Throws ad::Error(kUsage).
  std::map<std::string, std::string> role_map() const;
};

// Parses repeated "role=column" options (for --map) into a map.
// Throws ad::Error(kUsage) on a malformed entry.
std::map<std::string, std::string> parse_assignments(const std::vector<std::string>& items,
                                                     const std::string& option);

// Registers a temporary file to be removed if the process dies from SIGINT, SIGTERM or
// SIGHUP; unregister it once it is renamed or removed. Used by AtomicFile.
void register_temp_file(const std::string& path);
void unregister_temp_file(const std::string& path);

}  // namespace ad::cli
