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

constexpr std::string_view kHeaderV1 = "# ad-mail state 1";
constexpr std::string_view kHeaderV2 = "# ad-mail state 2";

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

bool parse_hex16(std::string_view s, std::uint64_t& key) {
  if (s.size() != 16) return false;
  auto r = std::from_chars(s.data(), s.data() + 16, key, 16);
  return r.ec == std::errc() && r.ptr == s.data() + 16;
}

bool parse_int(std::string_view s, std::int64_t& v) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// "<16 hex digits> <epoch seconds>"
bool parse_event(std::string_view line, std::uint64_t& key, std::int64_t& when) {
  return line.size() > 17 && line[16] == ' ' && parse_hex16(line.substr(0, 16), key) &&
         parse_int(line.substr(17), when);
}

// "i <16 hex digits> <band 0-3> <epoch seconds>"
bool parse_incident(std::string_view line, std::uint64_t& key, scored::Band& band,
                    std::int64_t& when) {
  if (line.size() < 22 || line.substr(0, 2) != "i " || line[18] != ' ' || line[20] != ' ' ||
      line[19] < '0' || line[19] >= '0' + scored::kBandCount)
    return false;
  band = static_cast<scored::Band>(line[19] - '0');
  return parse_hex16(line.substr(2, 16), key) && parse_int(line.substr(21), when);
}

std::string hex16(std::uint64_t key) {
  static const char* kHex = "0123456789abcdef";
  std::string hex(16, '0');
  for (int i = 0; i < 16; ++i) hex[static_cast<std::size_t>(i)] = kHex[(key >> (60 - 4 * i)) & 15];
  return hex;
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

std::uint64_t key_of_incident(std::string_view id) {
  Hasher h;
  h.byte('n');
  h.bytes(id);
  return h.done();
}

AlertedIncidents::AlertedIncidents(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)) {}

const AlertedIncidents::Entry* AlertedIncidents::find(std::uint64_t key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void AlertedIncidents::alerted(std::uint64_t key, scored::Band band, std::int64_t when_s) {
  auto [it, fresh] = entries_.emplace(key, Entry{band, when_s});
  if (fresh) return;
  it->second.band = std::max(it->second.band, band);
  it->second.seen_s = std::max(it->second.seen_s, when_s);
}

void AlertedIncidents::seen(std::uint64_t key, std::int64_t when_s) {
  auto it = entries_.find(key);
  if (it != entries_.end()) it->second.seen_s = std::max(it->second.seen_s, when_s);
}

void AlertedIncidents::trim() {
  if (entries_.size() <= capacity_) return;
  std::vector<std::pair<std::int64_t, std::uint64_t>> order;
  order.reserve(entries_.size());
  for (const auto& [key, e] : entries_) order.emplace_back(e.seen_s, key);
  std::sort(order.begin(), order.end());
  for (std::size_t i = 0; i + capacity_ < order.size(); ++i) entries_.erase(order[i].second);
}

AlertState::AlertState(std::string path, std::size_t capacity, std::size_t incident_capacity)
    : path_(std::move(path)),
      capacity_(std::max<std::size_t>(capacity, 1)),
      incidents_(incident_capacity) {}

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
  incidents_.clear();
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
  int version = 0;
  while (pos < data.size()) {
    std::size_t nl = data.find('\n', pos);
    std::string_view line(data.data() + pos, (nl == std::string::npos ? data.size() : nl) - pos);
    pos = nl == std::string::npos ? data.size() : nl + 1;
    ++line_no;
    if (line_no == 1) {
      version = line == kHeaderV1 ? 1 : line == kHeaderV2 ? 2 : 0;
      if (version == 0)
        throw data_error("not an ad-mail state file (it must start with '" + std::string(kHeaderV2) +
                             "' or '" + std::string(kHeaderV1) + "'); refusing to overwrite it",
                         Location{path_, 1, 0, {}});
      continue;
    }
    if (line.empty()) continue;
    load_line(line, version, line_no);
  }
}

void AlertState::load_line(std::string_view line, int version, std::uint64_t line_no) {
  std::uint64_t key = 0;
  std::int64_t when = 0;
  scored::Band band{};
  if (version >= 2 && line.substr(0, 2) == "i ") {
    if (!parse_incident(line, key, band, when))
      throw data_error("malformed state entry (expected 'i <16 hex digits> <band 0-3> <epoch seconds>')",
                       Location{path_, line_no, 0, {}});
    incidents_.alerted(key, band, when);
    return;
  }
  if (!parse_event(line, key, when))
    throw data_error("malformed state entry (expected '<16 hex digits> <epoch seconds>')",
                     Location{path_, line_no, 0, {}});
  insert(key, when);
}

void AlertState::insert(std::uint64_t key, std::int64_t when_s) {
  auto [it, fresh] = keys_.emplace(key, when_s);
  if (!fresh) it->second = std::max(it->second, when_s);
  if (keys_.size() > 2 * capacity_) trim_keys();  // the same newest `capacity` as commit()
}

std::vector<std::pair<std::int64_t, std::uint64_t>> AlertState::newest() const {
  std::vector<std::pair<std::int64_t, std::uint64_t>> entries;
  entries.reserve(keys_.size());
  for (const auto& [key, when] : keys_) entries.emplace_back(when, key);
  std::sort(entries.begin(), entries.end());
  if (entries.size() > capacity_) entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(capacity_));
  return entries;
}

void AlertState::trim_keys() {
  auto entries = newest();
  keys_.clear();
  for (const auto& [when, key] : entries) keys_.emplace(key, when);
}

void AlertState::commit() {
  auto entries = newest();
  incidents_.trim();
  AtomicFile file(path_);
  Output& out = file.out();
  out.write(incidents_.size() == 0 ? kHeaderV1 : kHeaderV2);
  out.put('\n');
  for (const auto& [when, key] : entries) {
    out.write(hex16(key));
    out.put(' ');
    out.write(std::to_string(when));
    out.put('\n');
  }
  std::vector<std::pair<std::int64_t, std::uint64_t>> incidents;
  for (const auto& [key, e] : incidents_.entries()) incidents.emplace_back(e.seen_s, key);
  std::sort(incidents.begin(), incidents.end());
  for (const auto& [when, key] : incidents) {
    out.write("i " + hex16(key) + " " +
              std::to_string(static_cast<int>(incidents_.find(key)->band)) + " " +
              std::to_string(when) + "\n");
  }
  file.commit();
  keys_.clear();
  for (const auto& [when, key] : entries) keys_.emplace(key, when);
  unlock();
}

}  // namespace ad::mail
