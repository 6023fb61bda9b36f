#include "ad/core/io.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "ad/core/error.h"
#include "testutil.h"

namespace {

using testutil::slurp;

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}
}  // namespace

TEST_SUITE("io") {
  TEST_CASE("FdGuard closes the descriptor it owns, and only that") {
    int owned = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    int lent = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(owned >= 0);
    REQUIRE(lent >= 0);
    {
      ad::FdGuard a(owned, true), b(lent, false), none;
    }
    CHECK(::fcntl(owned, F_GETFD) == -1);
    CHECK(::fcntl(lent, F_GETFD) != -1);
    ::close(lent);
  }

  TEST_CASE("an atomic file appears only on commit") {
    std::string path = "/tmp/ad_io_test_" + std::to_string(::getpid());
    {
      ad::AtomicFile f(path);
      f.out().write("hello");
      CHECK_FALSE(exists(path));
      f.commit();
    }
    CHECK(slurp(path) == "hello");
    {
      ad::AtomicFile f(path);
      f.out().write("half-written");
      f.out().flush();
    }  // destroyed without commit: the old content stays
    CHECK(slurp(path) == "hello");
    ::unlink(path.c_str());
  }

  TEST_CASE("writing to /dev/full is an I/O error, a closed pipe is BrokenPipe") {
    int fd = ::open("/dev/full", O_WRONLY);
    REQUIRE(fd >= 0);
    ad::Output full(fd, "/dev/full");
    full.write("x");
    try {
      full.flush();
      FAIL("expected an error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kIo);
      CHECK(std::string(e.what()) == "cannot write to /dev/full: No space left on device");
    }
    ::close(fd);

    int p[2];
    REQUIRE(::pipe(p) == 0);
    ::close(p[0]);
    ::signal(SIGPIPE, SIG_IGN);
    ad::Output pipe_out(p[1], "pipe");
    pipe_out.write("x");
    CHECK_THROWS_AS(pipe_out.flush(), ad::BrokenPipe);
    ::close(p[1]);
  }

  TEST_CASE("an atomic file refuses a path that is not a regular file") {
    CHECK_THROWS_WITH(ad::AtomicFile("/dev/null"), "/dev/null: not a regular file; give a file path");
  }

  TEST_CASE("a large write keeps its order with buffered data") {
    std::string path = "/tmp/ad_io_big_" + std::to_string(::getpid());
    std::string big(200000, 'b');
    {
      ad::AtomicFile f(path);
      f.out().write("a");
      f.out().write(big);
      f.out().put('c');
      f.commit();
    }
    CHECK(slurp(path) == "a" + big + "c");
    ::unlink(path.c_str());
  }

  TEST_CASE("an atomic file hands what it writes to writeback as it goes, and keeps every byte") {
    std::string path = "/tmp/ad_io_behind_" + std::to_string(::getpid());
    std::string expected;
    {
      ad::AtomicFile f(path);
      std::string line(1000, 'x');
      for (int i = 0; i < 5000; ++i) {  // 5 MB through the buffer
        line[0] = static_cast<char>('a' + i % 26);
        f.out().write(line);
        expected += line;
      }
      CHECK(f.out().handed() >= ad::Output::kWriteBehind);
      std::string big(5 << 20, 'z');  // and 5 MiB straight through
      f.out().write(big);
      expected += big;
      CHECK(f.out().handed() >= 2 * ad::Output::kWriteBehind);
      f.commit();
    }
    CHECK(slurp(path) == expected);
    ::unlink(path.c_str());

    // Not on other outputs; and where writeback cannot start (a pipe), nothing fails.
    int p[2];
    REQUIRE(::pipe(p) == 0);
    ad::Output plain(p[1], "pipe");
    ad::Output behind(p[1], "pipe");
    behind.write_behind();
    std::string chunk(1 << 15, 'p');  // half a pipe's room, drained after each
    std::size_t drained = 0;
    char buf[1 << 15];
    auto drain = [&] {
      std::size_t want = chunk.size();
      while (want) {
        ssize_t n = ::read(p[0], buf, std::min(sizeof buf, want));
        REQUIRE(n > 0);
        want -= static_cast<std::size_t>(n);
        drained += static_cast<std::size_t>(n);
      }
    };
    for (int i = 0; i < 160; ++i) {  // 5 MiB each
      plain.write(chunk);
      plain.flush();
      drain();
      behind.write(chunk);
      behind.flush();
      drain();
    }
    CHECK(drained == 320u << 15);
    CHECK(plain.handed() == 0);
    ::close(p[0]);
    ::close(p[1]);
  }
}
