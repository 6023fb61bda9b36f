#include "ad/core/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "ad/core/cli.h"
#include "ad/core/error.h"

namespace ad {

FdGuard::~FdGuard() {
  if (owns && fd >= 0) ::close(fd);
}

Output::Output(int fd, std::string name)
    : fd_(fd), name_(std::move(name)), buffer_(new char[kCapacity]) {}

Output::~Output() {
  try {
    flush();
  } catch (...) {
  }
}

void Output::spill(std::string_view bytes) {
  flush();
  if (bytes.size() >= kCapacity) {
    write_all(bytes.data(), bytes.size());  // large writes go straight through
    return;
  }
  std::memcpy(buffer_.get(), bytes.data(), bytes.size());
  used_ = bytes.size();
}

void Output::flush() {
  const std::size_t n = used_;
  used_ = 0;  // on a failure the data is dropped: a later flush must not repeat it forever
  write_all(buffer_.get(), n);
}

void Output::write_all(const char* p, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    ssize_t k = ::write(fd_, p + done, n - done);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0 && errno == EPIPE) throw BrokenPipe();
    if (k < 0) throw errno_error("cannot write to " + name_, errno);
    done += static_cast<std::size_t>(k);
  }
  written_ += n;
  if (write_behind_ && written_ - handed_ >= kWriteBehind) {
    // Only a start: failures (none on a regular file) show at the fsync.
    ::sync_file_range(fd_, static_cast<off64_t>(handed_), static_cast<off64_t>(written_ - handed_),
                      SYNC_FILE_RANGE_WRITE);
    handed_ = written_;
  }
}

Output& standard_output() {
  static Output out(STDOUT_FILENO, "standard output");
  return out;
}

std::string read_file(const std::string& path, std::size_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw errno_error("cannot open " + path, errno);
  std::string data;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      throw errno_error("cannot read " + path, e);
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > limit) {
      ::close(fd);
      throw io_error("cannot read " + path + ": larger than " + std::to_string(limit) + " bytes");
    }
  }
  ::close(fd);
  return data;
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  struct stat st;
  if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw io_error(path_ + ": not a regular file; give a file path");
  std::string dir = ".";
  if (auto slash = path_.rfind('/'); slash != std::string::npos)
    dir = slash == 0 ? "/" : path_.substr(0, slash);
  std::string templ = path_ + ".tmp.XXXXXX";
  std::unique_ptr<char[]> buf(new char[templ.size() + 1]);
  std::memcpy(buf.get(), templ.c_str(), templ.size() + 1);
  fd_ = ::mkstemp(buf.get());
  if (fd_ < 0) throw errno_error("cannot create a file in " + dir, errno);
  temp_ = buf.get();
  cli::register_temp_file(temp_);
  ::fchmod(fd_, 0644 & ~[] { mode_t m = ::umask(0); ::umask(m); return m; }());
  out_ = std::make_unique<Output>(fd_, path_);
  out_->write_behind();
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
  cli::unregister_temp_file(temp_);
}

void AtomicFile::commit() {
  out_->flush();
  if (::fsync(fd_) != 0) throw errno_error("cannot write to " + path_, errno);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) throw errno_error("cannot write to " + path_, errno);
  if (::rename(temp_.c_str(), path_.c_str()) != 0)
    throw errno_error("cannot rename into " + path_, errno);
  committed_ = true;
}

Sink::Sink(const std::string& path) {
  if (!path.empty() && path != "-") file_ = std::make_unique<AtomicFile>(path);
}

void Sink::commit() {
  if (file_)
    file_->commit();
  else
    standard_output().flush();
}

}  // namespace ad
