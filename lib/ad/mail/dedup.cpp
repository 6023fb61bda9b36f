// The alert state: keys of events already alerted. See ad/dedup.h.
#include "ad/mail/dedup.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "ad/core/error.h"
#include "ad/core/io.h"

namespace ad::mail {

namespace {

constexpr std::string_view kHeader = "# ad-mail state 1";

struct Hasher {  // FNV-1a 64, then a splitmix64 finaliser for a good spread
  std::uint64_t h = 0xcbf29ce484222325ull;
  void byte(unsigned char c) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  void bytes(std::string_view s) {
    std::uint64_t n = s.size();  // length first, so ("ab","c") != ("a","bc")
    for (int i = 0; i < 8; ++i) byte(static_cast<unsigned char>(n >> (8 * i)));
    for (char c : s) byte(static_cast<unsigned char>(c));
  }
  std::uint64_t done() const {
    std::uint64_t z = h + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

std::string read_all(int fd, const std::string& path) {
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw errno_error("cannot read " + path, errno);
    if (n == 0) return data;
    data.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

std::uint64_t key_of_id(std::string_view id) {
  Hasher h;
  h.byte('i');
  h.bytes(id);
  return h.done();
}

std::uint64_t key_of_fields(const std::vector<std::string_view>& fields) {
  Hasher h;
  h.byte('f');
  for (std::string_view f : fields) h.bytes(f);
  return h.done();
}

AlertState::AlertState(std::string path, std::size_t capacity)
    : path_(std::move(path)), capacity_(std::max<std::size_t>(capacity, 1)) {}

AlertState::~AlertState() { unlock(); }

void AlertState::lock() {
  if (lock_fd_ >= 0) return;
  std::string lock_path = path_ + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw errno_error("cannot open the state lock " + lock_path, errno);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int e = errno;
    ::close(fd);
    throw errno_error("cannot lock " + lock_path, e);
  }
  lock_fd_ = fd;
  try {
    load();
  } catch (...) {
    unlock();
    throw;
  }
}

void AlertState::unlock() {
  if (lock_fd_ < 0) return;
  ::close(lock_fd_);  // releases the flock
  lock_fd_ = -1;
}

void AlertState::load() {
  keys_.clear();
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return;
    throw errno_error("cannot open the state file " + path_, errno);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw io_error("the state file " + path_ + " is not a regular file");
  }
  std::string data;
  try {
    data = read_all(fd, path_);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (data.empty()) return;
  std::uint64_t line_no = 0;
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t nl = data.find('\n', pos);
    std::string_view line(data.data() + pos, (nl == std::string::npos ? data.size() : nl) - pos);
    pos = nl == std::string::npos ? data.size() : nl + 1;
    ++line_no;
    if (line_no == 1) {
      if (line != kHeader)
        throw data_error("not an ad-mail state file (it must start with '" + std::string(kHeader) +
                             "'); refusing to overwrite it",
                         Location{path_, 1, 0, {}});
      continue;
    }
    if (line.empty()) continue;
    std::uint64_t key = 0;
    std::int64_t when = 0;
    auto sp = line.find(' ');
    bool ok = sp == 16;
    if (ok) {
      auto r1 = std::from_chars(line.data(), line.data() + 16, key, 16);
      auto r2 = std::from_chars(line.data() + 17, line.data() + line.size(), when);
      ok = r1.ec == std::errc() && r1.ptr == line.data() + 16 && r2.ec == std::errc() &&
           r2.ptr == line.data() + line.size() && sp + 1 < line.size();
    }
    if (!ok)
      throw data_error("malformed state entry (expected '<16 hex digits> <epoch seconds>')",
                       Location{path_, line_no, 0, {}});
    auto [it, fresh] = keys_.emplace(key, when);
    if (!fresh) it->second = std::max(it->second, when);
  }
}

void AlertState::insert(std::uint64_t key, std::int64_t when_s) {
  auto [it, fresh] = keys_.emplace(key, when_s);
  if (!fresh) it->second = std::max(it->second, when_s);
}

void AlertState::commit() {
  std::vector<std::pair<std::int64_t, std::uint64_t>> entries;
  entries.reserve(keys_.size());
  for (const auto& [key, when] : keys_) entries.emplace_back(when, key);
  std::sort(entries.begin(), entries.end());
  if (entries.size() > capacity_) entries.erase(entries.begin(), entries.end() - capacity_);
  AtomicFile file(path_);
  Output& out = file.out();
  out.write(kHeader);
  out.put('\n');
  static const char* kHex = "0123456789abcdef";
  for (const auto& [when, key] : entries) {
    char hex[16];
    for (int i = 0; i < 16; ++i) hex[i] = kHex[(key >> (60 - 4 * i)) & 15];
    out.write(std::string_view(hex, 16));
    out.put(' ');
    out.write(std::to_string(when));
    out.put('\n');
  }
  file.commit();
  keys_.clear();
  for (const auto& [when, key] : entries) keys_.emplace(key, when);
  unlock();
}

}  // namespace ad::mail
