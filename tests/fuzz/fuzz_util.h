// fuzz_util.h: small helpers shared by the libFuzzer harnesses (tests/fuzz/).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fuzz {

// Stops the run with a message: libFuzzer reports the crash and keeps the input.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz check failed: %s\n", what.c_str());
  std::abort();
}

#define FUZZ_CHECK(cond, what) \
  do {                         \
    if (!(cond)) ::fuzz::fail(std::string(#cond) + ": " + (what)); \
  } while (0)

// An anonymous in-memory file, closed on destruction.
struct MemFile {
  int fd = ::memfd_create("fuzz", MFD_CLOEXEC);
  MemFile() {
    if (fd < 0) fail("memfd_create");
  }
  ~MemFile() { ::close(fd); }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd); }
  void write_all(std::string_view s) const {
    for (std::size_t at = 0; at < s.size();) {
      ssize_t n = ::pwrite(fd, s.data() + at, s.size() - at, static_cast<off_t>(at));
      if (n <= 0) fail("pwrite");
      at += static_cast<std::size_t>(n);
    }
  }
  std::string read_all() const {
    std::string out;
    char buf[65536];
    for (off_t at = 0;;) {
      ssize_t n = ::pread(fd, buf, sizeof buf, at);
      if (n < 0) fail("pread");
      if (n == 0) break;
      out.append(buf, static_cast<std::size_t>(n));
      at += n;
    }
    return out;
  }
};

// The names of the tags in html ("<td ...>" and "</td>" give "td" and "/td"), counted,
// as one string: two documents built from the same template hold the same tags.
std::string tag_census(std::string_view html);

}  // namespace fuzz
