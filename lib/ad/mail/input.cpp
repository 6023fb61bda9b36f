// ad-mail's input and stop signals. See ad/mail/input.h.
#include "ad/mail/input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "ad/core/error.h"

namespace ad::mail {

namespace {

constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};
volatile sig_atomic_t g_stop_signal = 0;

extern "C" void on_stop_signal(int sig) {
  if (g_stop_signal) {
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    return;
  }
  g_stop_signal = sig;
}

}  // namespace

Input::~Input() {
  reader.reset();
  if (owned) ::close(fd);
}

void open_input(const std::string& path, Input& in) {
  std::string name = csv::display_name(path);
  bool is_stdin = path.empty() || path == "-";
  struct stat st;
  int rc = is_stdin ? ::fstat(STDIN_FILENO, &st) : ::stat(path.c_str(), &st);
  if (rc != 0) throw errno_error("cannot open " + name, errno);
  if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISSOCK(st.st_mode)) {
    in.reader = std::make_unique<csv::Reader>(path);  // files: csv.h's fast reader
    return;
  }
  in.fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in.fd < 0) throw errno_error("cannot open " + name, errno);
  in.owned = !is_stdin;
  in.reader = std::make_unique<csv::Reader>(csv::fd_lines(in.fd, name), name);
}

StopSignals::StopSignals() {
  g_stop_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &sa, &old_[i]);
}

StopSignals::~StopSignals() {
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &old_[i], nullptr);
}

bool StopSignals::requested() const { return g_stop_signal != 0; }

int StopSignals::signal() const { return static_cast<int>(g_stop_signal); }

}  // namespace ad::mail
