// Flagged rows in a temporary file. See ad/mail/row_spool.h.
#include "ad/mail/row_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "ad/core/error.h"
#include "ad/mail/alert.h"

namespace ad::mail {

namespace {

constexpr std::size_t kBufferBytes = 1 << 16;

std::string temp_dir() {
  const char* dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

// An unnamed file for the rows: O_TMPFILE, else a named one removed at once.
int open_temp() {
  std::string dir = temp_dir();
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string path = dir + "/ad-mail-rows.XXXXXX";
  fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) throw errno_error("cannot keep the flagged rows in a temporary file in " + dir, errno);
  ::unlink(path.c_str());
  return fd;
}

template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

void put_text(std::string& out, const std::string& s) {
  put(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

// Reads the file back through a buffer.
class Cursor {
 public:
  explicit Cursor(int fd) : fd_(fd) {}
  bool at_end() {
    fill(1);
    return begin_ == buf_.size();
  }
  void read(void* p, std::size_t n) {
    fill(n);
    if (buf_.size() - begin_ < n) throw io_error("the flagged rows' temporary file is cut short");
    std::memcpy(p, buf_.data() + begin_, n);
    begin_ += n;
  }
  template <typename T>
  T get() {
    T v;
    read(&v, sizeof v);
    return v;
  }
  void get_text(std::string& s) {
    s.resize(get<std::uint32_t>());
    read(s.data(), s.size());
  }

 private:
  // Makes at least n bytes available, unless the file ends first.
  void fill(std::size_t n) {
    if (buf_.size() - begin_ >= n) return;
    buf_.erase(0, begin_);
    begin_ = 0;
    std::string chunk(std::max(n, kBufferBytes), '\0');
    while (buf_.size() < n) {
      ssize_t got = ::pread(fd_, chunk.data(), chunk.size(), at_);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw errno_error("cannot read the flagged rows back from " + temp_dir(), errno);
      if (got == 0) return;
      buf_.append(chunk.data(), static_cast<std::size_t>(got));
      at_ += got;
    }
  }

  int fd_;
  off_t at_ = 0;
  std::string buf_;
  std::size_t begin_ = 0;
};

}  // namespace

RowSpool::RowSpool(RowSpool&& other) noexcept
    : fd_(other.fd_), rows_(other.rows_), pending_(std::move(other.pending_)) {
  other.fd_ = -1;
  other.rows_ = 0;
}

RowSpool& RowSpool::operator=(RowSpool&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    rows_ = other.rows_;
    pending_ = std::move(other.pending_);
    other.fd_ = -1;
    other.rows_ = 0;
  }
  return *this;
}

RowSpool::~RowSpool() {
  if (fd_ >= 0) ::close(fd_);
}

void RowSpool::append(const Anomaly& a) {
  if (fd_ < 0) fd_ = open_temp();
  std::string& out = pending_;
  put(out, static_cast<std::uint8_t>(a.slim));
  put(out, a.line);
  put(out, a.score);
  put(out, a.severity);
  put(out, a.key);
  put(out, static_cast<std::uint8_t>(a.time_ms.has_value()));
  put(out, a.time_ms.value_or(0));
  put(out, static_cast<std::uint8_t>(a.incident_score.has_value()));
  put(out, a.incident_score.value_or(0.0));
  put_text(out, a.incident_id);
  put_text(out, a.incident_kind);
  put(out, static_cast<std::uint32_t>(a.fields.size()));
  for (const std::string& f : a.fields) put_text(out, f);
  ++rows_;
  if (pending_.size() >= kBufferBytes) flush();
}

void RowSpool::flush() const {
  for (std::size_t at = 0; at < pending_.size();) {
    ssize_t n = ::write(fd_, pending_.data() + at, pending_.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw errno_error("cannot keep the flagged rows in a temporary file in " + temp_dir(), errno);
    at += static_cast<std::size_t>(n);
  }
  pending_.clear();
}

void RowSpool::for_each(const std::function<void(Anomaly&)>& f) const {
  if (fd_ < 0) return;
  flush();
  Cursor in(fd_);
  Anomaly a;
  while (!in.at_end()) {
    a.slim = in.get<std::uint8_t>() != 0;
    a.line = in.get<std::uint64_t>();
    a.score = in.get<double>();
    a.severity = in.get<double>();
    a.key = in.get<std::uint64_t>();
    bool timed = in.get<std::uint8_t>() != 0;
    auto t = in.get<std::int64_t>();
    a.time_ms = timed ? std::optional<std::int64_t>(t) : std::nullopt;
    bool scored = in.get<std::uint8_t>() != 0;
    auto s = in.get<double>();
    a.incident_score = scored ? std::optional<double>(s) : std::nullopt;
    in.get_text(a.incident_id);
    in.get_text(a.incident_kind);
    a.fields.resize(in.get<std::uint32_t>());
    for (std::string& field : a.fields) in.get_text(field);
    f(a);
  }
}

}  // namespace ad::mail
