// The spool of messages waiting to be sent. See ad/spool.h.
#include "ad/mail/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <random>

#include "ad/core/clock.h"
#include "ad/core/error.h"
#include "ad/core/io.h"
#include "ad/mail/mime.h"

namespace ad::mail {

namespace {

constexpr std::string_view kFromField = "X-Ad-Envelope-From: ";
constexpr std::string_view kToField = "X-Ad-Envelope-To: ";

void make_dirs(const std::string& dir) {
  std::string partial;
  std::size_t pos = 0;
  while (pos <= dir.size()) {
    std::size_t slash = dir.find('/', pos);
    if (slash == std::string::npos) slash = dir.size();
    partial = dir.substr(0, slash);
    pos = slash + 1;
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
      throw errno_error("cannot create the spool directory " + partial, errno);
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) throw errno_error("cannot open the spool " + dir, errno);
  if (!S_ISDIR(st.st_mode)) throw io_error("the spool " + dir + " is not a directory");
}

std::string stamp() {
  std::int64_t ms = now_ms();
  time_t s = static_cast<time_t>(ms / 1000);
  struct tm tm;
  ::gmtime_r(&s, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d.%03ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long>(ms % 1000));
  return buf;
}

// Reads one envelope field "Name: <a>, <b>\r\n" at pos; returns the addresses.
std::vector<std::string> envelope_field(const std::string& data, std::size_t& pos,
                                        std::string_view name, const std::string& path,
                                        std::uint64_t line) {
  Location where{path, line, 0, {}};
  if (data.compare(pos, name.size(), name) != 0)
    throw data_error("not a spooled message: expected '" + std::string(name) + "...'", where);
  std::size_t nl = data.find('\n', pos);
  if (nl == std::string::npos) throw data_error("not a spooled message: truncated", where);
  std::string value = data.substr(pos + name.size(), nl - pos - name.size());
  if (!value.empty() && value.back() == '\r') value.pop_back();
  pos = nl + 1;
  std::vector<std::string> out;
  try {
    for (const mime::Address& a : mime::parse_address_list(value, name.substr(0, name.size() - 2)))
      out.push_back(a.addr);
  } catch (const Error& e) {
    throw data_error("not a spooled message: " + e.message(), where);
  }
  return out;
}

}  // namespace

std::string Spool::default_dir() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state && *state == '/') return std::string(state) + "/ad/spool";
  const char* home = std::getenv("HOME");
  if (home && *home) return std::string(home) + "/.local/state/ad/spool";
  throw usage_error("no spool directory: set HOME or XDG_STATE_HOME, or give --spool DIR");
}

std::string Spool::put(const Envelope& envelope, std::string_view message) const {
  make_dirs(dir_);
  static std::mt19937_64 rng{std::random_device{}()};
  char rand[17];
  std::snprintf(rand, sizeof rand, "%016llx", static_cast<unsigned long long>(rng()));
  // Names sort oldest first: time, then a per-process sequence for messages spooled in
  // the same millisecond, then the process and a random part against collisions.
  static std::atomic<std::uint64_t> sequence{0};
  char seq[24];
  std::snprintf(seq, sizeof seq, "%08llu", static_cast<unsigned long long>(sequence++));
  std::string path =
      dir_ + "/" + stamp() + "-" + seq + "-" + std::to_string(::getpid()) + "-" + rand + ".eml";
  AtomicFile file(path);
  ::fchmod(file.out().fd(), 0600);
  Output& out = file.out();
  out.write(kFromField);
  out.write("<" + envelope.from + ">\r\n");
  out.write(kToField);
  for (std::size_t i = 0; i < envelope.to.size(); ++i) {
    if (i) out.write(", ");
    out.write("<" + envelope.to[i] + ">");
  }
  out.write("\r\n");
  out.write(message);
  file.commit();
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {  // make the new name durable too
    ::fsync(dfd);
    ::close(dfd);
  }
  return path;
}

std::vector<std::string> Spool::list() const {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir_.c_str());
  if (!d) {
    if (errno == ENOENT) return out;
    throw errno_error("cannot open the spool " + dir_, errno);
  }
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (name.size() > 4 && name.front() != '.' && name.substr(name.size() - 4) == ".eml")
      out.push_back(dir_ + "/" + std::string(name));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

SpooledMessage Spool::load(const std::string& path) const {
  std::string data = read_file(path);
  SpooledMessage m;
  m.path = path;
  std::size_t pos = 0;
  std::vector<std::string> from = envelope_field(data, pos, kFromField, path, 1);
  if (from.size() != 1) throw data_error("not a spooled message: one sender expected", {path, 1});
  m.envelope.from = from[0];
  m.envelope.to = envelope_field(data, pos, kToField, path, 2);
  m.message = data.substr(pos);
  return m;
}

Spool::FlushResult Spool::flush(const std::function<void(const SpooledMessage&)>& send,
                                const std::function<bool(const std::exception&)>& stop_after) const {
  FlushResult result;
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) {
    if (errno == ENOENT) return result;
    throw errno_error("cannot open the spool " + dir_, errno);
  }
  while (::flock(dfd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int e = errno;
    ::close(dfd);
    throw errno_error("cannot lock the spool " + dir_, e);
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{dfd};

  std::vector<std::string> paths = list();
  for (std::size_t i = 0; i < paths.size(); ++i) {
    auto fail = [&](const std::string& message) {
      ++result.failed;
      if (result.first_error.empty()) result.first_error = message;
    };
    SpooledMessage m;
    try {
      m = load(paths[i]);
    } catch (const Error& e) {
      if (e.status() == Status::kIo && ::access(paths[i].c_str(), F_OK) != 0) continue;  // gone
      fail(e.what());
      continue;
    }
    try {
      send(m);
    } catch (const Error& e) {
      fail(e.what());
      if (stop_after(e)) {
        result.failed += paths.size() - i - 1;
        break;
      }
      continue;
    }
    if (::unlink(paths[i].c_str()) != 0 && errno != ENOENT)
      throw errno_error("sent, but cannot remove " + paths[i] + " from the spool", errno);
    ++result.sent;
  }
  return result;
}

}  // namespace ad::mail
