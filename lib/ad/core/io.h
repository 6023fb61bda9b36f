// io.h: checked, buffered output, and files that appear only when complete.
//
// Output is a small buffered writer over a file descriptor. Unlike iostreams it
// reports every failed write as an exception: ad::Error(Status::kIo) for a full disk
// or /dev/full, and ad::BrokenPipe when the reader has gone away (EPIPE), which the
// tools treat as a quiet, successful stop.
//
// AtomicFile writes to a temporary file beside its destination and renames it into
// place only on commit(), so a crash, an error or a signal never leaves a half-written
// model or report behind; it fsyncs before the rename, having handed the data to the
// kernel's writeback as it went (Output::write_behind), so that the fsync of a large
// output does not wait for all of it. Sink picks stdout or an AtomicFile from a "-o
// PATH" option. FdGuard closes a descriptor it owns.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace ad {

class Output {
 public:
  // Does not take ownership of fd. name is used in error messages.
  Output(int fd, std::string name);
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output();  // flushes, ignoring errors; call flush() to see them

  void write(std::string_view bytes) {
    if (bytes.size() > kCapacity - used_) {
      spill(bytes);
      return;
    }
    std::memcpy(buffer_.get() + used_, bytes.data(), bytes.size());
    used_ += bytes.size();
  }
  void put(char c) {
    if (used_ == kCapacity) flush();
    buffer_[used_++] = c;
  }
  // Writes the buffer to the descriptor. Throws ad::BrokenPipe on EPIPE and
  // ad::Error(kIo) on any other failure.
  void flush();
  const std::string& name() const { return name_; }
  int fd() const { return fd_; }
  // For a regular file that will be fsynced: hands every kWriteBehind bytes written
  // to the kernel's writeback at once (sync_file_range), so that the disk writes while
  // the program works and the fsync at the end waits only for the last of them.
  void write_behind() { write_behind_ = true; }
  static constexpr std::size_t kWriteBehind = std::size_t{4} << 20;
  // Bytes handed to writeback so far (a multiple of nothing in particular: whole writes).
  std::uint64_t handed() const { return handed_; }

 private:
  static constexpr std::size_t kCapacity = 1 << 16;
  void spill(std::string_view bytes);
  // Writes all of p[0..n) to the descriptor; the errors of flush().
  void write_all(const char* p, std::size_t n);
  int fd_;
  std::string name_;
  std::unique_ptr<char[]> buffer_;
  std::size_t used_ = 0;
  bool write_behind_ = false;
  std::uint64_t written_ = 0, handed_ = 0;  // bytes written; bytes handed to writeback
};

// Standard output, shared by the whole process.
Output& standard_output();

// The whole content of the file at path. Throws ad::Error(kIo) naming what failed.
// REQUIRES: the file fits in memory; files larger than `limit` bytes are refused.
std::string read_file(const std::string& path, std::size_t limit = std::size_t{4} << 30);

class AtomicFile {
 public:
  // Creates "<path>.tmp.XXXXXX" in path's directory. Throws ad::Error(kIo) if path
  // exists and is not a regular file, or the directory is not writable.
  explicit AtomicFile(std::string path);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();  // removes the temporary file unless commit() succeeded

  Output& out() { return *out_; }
  // Flushes, fsyncs and renames the temporary file over path.
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string temp_;
  int fd_ = -1;
  std::unique_ptr<Output> out_;
  bool committed_ = false;
};

// A file descriptor, closed when the guard goes if it owns it. As a member declared
// before the members whose construction may throw, it closes the descriptor when the
// constructor of the object that holds it fails too.
struct FdGuard {
  int fd = -1;
  bool owns = false;
  FdGuard() = default;
  FdGuard(int fd, bool owns) : fd(fd), owns(owns) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard();
};

// Where a tool writes its main output: standard output for "" or "-", else a file
// written atomically.
class Sink {
 public:
  explicit Sink(const std::string& path);
  Output& out() { return file_ ? file_->out() : standard_output(); }
  bool is_stdout() const { return !file_; }
  // Flushes stdout, or commits the file. Call once, at the end of a successful run.
  void commit();

 private:
  std::unique_ptr<AtomicFile> file_;
};

}  // namespace ad
