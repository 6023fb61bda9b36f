#include "ad/mail/input.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "ad/core/error.h"
#include "testutil.h"

using testutil::TempDir;

TEST_SUITE("input") {
  TEST_CASE("a regular file is read without a descriptor to poll") {
    TempDir tmp;
    std::string path = tmp.file("in.csv");
    std::ofstream(path) << "a,b\n1,2\n";
    ad::mail::Input in;
    ad::mail::open_input(path, in);
    CHECK(in.fd == -1);
    CHECK_FALSE(in.reader->live());
    CHECK(in.reader->header() == std::vector<std::string>{"a", "b"});
  }

  TEST_CASE("a named FIFO is live and read through its own descriptor") {
    TempDir tmp;
    std::string path = tmp.file("fifo");
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      std::ofstream(path) << "x,y\n";
      ::_exit(0);
    }
    ad::mail::Input in;
    ad::mail::open_input(path, in);
    CHECK(in.fd >= 0);
    CHECK(in.owned);
    CHECK(in.reader->live());
    CHECK(in.reader->header() == std::vector<std::string>{"x", "y"});
    int status = 0;
    ::waitpid(child, &status, 0);
  }

  TEST_CASE("a missing file is an I/O error naming it") {
    ad::mail::Input in;
    try {
      ad::mail::open_input("/nonexistent/in.csv", in);
      FAIL("expected an error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kIo);
      CHECK(std::string(e.what()).find("/nonexistent/in.csv") != std::string::npos);
    }
  }

  TEST_CASE("a stop signal is remembered, not fatal, while StopSignals lives") {
    {
      ad::mail::StopSignals signals;
      CHECK_FALSE(signals.requested());
      ::raise(SIGTERM);
      CHECK(signals.requested());
      CHECK(signals.signal() == SIGTERM);
    }
    ad::mail::StopSignals again;  // a fresh one starts clear
    CHECK_FALSE(again.requested());
  }
}
