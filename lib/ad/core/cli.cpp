#include "ad/core/cli.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <iostream>
#include <mutex>

#include "ad/core/io.h"
#include "ad/core/roles.h"
#include "ad/core/timestamp.h"
#include "ad/version.h"

namespace ad::cli {

const char* version() { return AD_VERSION; }

namespace {

// Temporary files to remove on a fatal signal. Fixed-size storage, so that the
// handler only touches memory that is valid at any time.
constexpr int kMaxTemps = 8;
constexpr int kMaxPath = 4096;
char g_temps[kMaxTemps][kMaxPath];
std::mutex g_temps_mutex;

extern "C" void on_fatal_signal(int sig) {
  for (auto& t : g_temps)
    if (t[0] != '\0') ::unlink(t);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers() {
  ::signal(SIGPIPE, SIG_IGN);  // writes then fail with EPIPE, see Output::flush
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction sa {};
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
  }
}

}  // namespace

void register_temp_file(const std::string& path) {
  std::lock_guard<std::mutex> lock(g_temps_mutex);
  if (path.size() >= kMaxPath) return;
  for (auto& t : g_temps)
    if (t[0] == '\0') {
      std::memcpy(t, path.c_str(), path.size() + 1);
      return;
    }
}

void unregister_temp_file(const std::string& path) {
  std::lock_guard<std::mutex> lock(g_temps_mutex);
  for (auto& t : g_temps)
    if (path == t) t[0] = '\0';
}

Tool::Tool(std::string name, std::string description)
    : name_(std::move(name)), app_(std::move(description), name_) {
  app_.set_version_flag("--version", name_ + " (ad) " + AD_VERSION);
  app_.add_flag("-q,--quiet", quiet_, "Print no progress notes on stderr (warnings still show)");
  app_.get_formatter()->column_width(34);
}

void Tool::warn(const std::string& message) const {
  std::cerr << name_ << ": warning: " << message << '\n';
}

void Tool::note(const std::string& message) const {
  if (!quiet_) std::cerr << name_ << ": " << message << '\n';
}

int Tool::run(int argc, char** argv, const std::function<void()>& body) {
  install_handlers();
  try {
    app_.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app_.exit(e);              // prints to stdout, returns 0
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    std::cerr << name_ << ": " << what << '\n'
              << "Try '" << name_ << " --help' for more information.\n";
    return static_cast<int>(Status::kUsage);
  }
  try {
    body();
    standard_output().flush();
    return static_cast<int>(Status::kOk);
  } catch (const BrokenPipe&) {
    return static_cast<int>(Status::kOk);
  } catch (const Error& e) {
    std::cerr << name_ << ": " << e.what() << '\n';
    if (e.status() == Status::kUsage)
      std::cerr << "Try '" << name_ << " --help' for more information.\n";
    return static_cast<int>(e.status());
  } catch (const std::bad_alloc&) {
    std::cerr << name_ << ": out of memory\n";
    return static_cast<int>(Status::kIo);
  } catch (const std::exception& e) {
    std::cerr << name_ << ": internal error: " << e.what() << '\n';
    return static_cast<int>(Status::kInternal);
  }
}

void InputOptions::add_to(CLI::App& app) {
  add_row_options(app);
  app.add_option("--threads", threads, "Threads to use (default: all cores)")
      ->check(CLI::Range(0, 1024))
      ->type_name("N");
  app.add_option("--format", format,
                 "The input is a known export: entra (Entra ID sign-in CSV download); "
                 "--map overrides its columns")
      ->type_name("NAME");
  app.add_option("FILE", path, "Input CSV (default: standard input)");
}

std::vector<CLI::Option*> InputOptions::add_row_options(CLI::App& app) {
  auto* m = app.add_option("--map", map, "Use COLUMN for ROLE (time, user, ip, country, city, latitude, "
                                         "longitude, device, user_agent, outcome, activity, id)")
                ->type_name("ROLE=COLUMN")
                ->allow_extra_args(false);  // one ROLE=COLUMN per --map, so a FILE may follow
  auto* e = app.add_option("--on-error", on_error,
                           "On a bad row: fail, or skip it (warn about the first ten, count them all) "
                           "(default " + on_error + ")")
                ->check(CLI::IsMember({"fail", "skip"}))
                ->type_name("fail|skip");
  auto* z = app.add_option("--assume-tz", assume_tz, "UTC offset of timestamps without a zone (default UTC)")
                ->type_name("OFFSET");
  return {m, e, z};
}

int InputOptions::assume_tz_s() const {
  auto off = parse_utc_offset(assume_tz);
  if (!off) throw usage_error("--assume-tz expects UTC or an offset such as +02:00, got '" + assume_tz + "'");
  return *off;
}

std::map<std::string, std::string> InputOptions::role_map() const {
  auto roles = format_preset(format).roles;
  for (auto& [role, column] : parse_assignments(map, "--map")) roles[role] = column;
  return roles;
}

std::map<std::string, std::string> parse_assignments(const std::vector<std::string>& items,
                                                     const std::string& option) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      throw usage_error(option + " expects NAME=VALUE, got '" + item + "'");
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

}  // namespace ad::cli
