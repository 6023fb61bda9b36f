// ad-store's write(): the checks that come before any connection, and an unreachable server.
#include "ad/store/store.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "ad/core/error.h"

using namespace ad::store;

namespace {

struct TempFile {
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/ad-store-test-XXXXXX";
    int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = name;
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path.c_str()); }
  std::string path;
};

ad::Status status_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ad::Error& e) {
    return e.status();
  }
  return ad::Status::kOk;
}

void quiet(const std::string&) {}

// A port nobody listens on: bind one, then close it.
SessionOptions unreachable(double retry_for) {
  SessionOptions s;
  s.db = "host=127.0.0.1 port=1 user=nobody dbname=nothing connect_timeout=2";
  s.retry_for_s = retry_for;
  return s;
}

}  // namespace

TEST_SUITE("store") {
  TEST_CASE("a bad table name is a usage error, before anything else") {
    WriteOptions w;
    w.table = "x; DROP TABLE y";
    CHECK(status_of([&] { write("/nonexistent", unreachable(0), w, quiet, quiet); }) ==
          ad::Status::kUsage);
  }
  TEST_CASE("input without anomaly_flag is a data error unless --all") {
    TempFile f("user_id,timestamp\nu,2025-01-01\n");
    WriteOptions w;
    CHECK(status_of([&] { write(f.path, unreachable(0), w, quiet, quiet); }) == ad::Status::kData);
    w.all = true;  // then it gets as far as the server, which is not there
    CHECK(status_of([&] { write(f.path, unreachable(0), w, quiet, quiet); }) ==
          ad::Status::kUnavailable);
  }
  TEST_CASE("input with only some of the scored columns is a data error, even with --all") {
    TempFile f("user_id,timestamp,anomaly_score,anomaly_flag\nu,2025-01-01,0.5,0\n");
    WriteOptions w;
    w.all = true;
    CHECK(status_of([&] { write(f.path, unreachable(0), w, quiet, quiet); }) == ad::Status::kData);
  }
  TEST_CASE("a missing input file is an I/O error") {
    WriteOptions w;
    CHECK(status_of([&] { write("/nonexistent/in.csv", unreachable(0), w, quiet, quiet); }) ==
          ad::Status::kIo);
  }
  TEST_CASE("an unreachable server is given up after --retry-for, with status 75") {
    TempFile f("user_id,anomaly_score,anomaly_flag,severity,anomaly_reasons\nu,0.9,1,99.5,r\n");
    WriteOptions w;
    std::vector<std::string> warnings;
    auto start = std::chrono::steady_clock::now();
    CHECK(status_of([&] {
            write(f.path, unreachable(1.0), w, [&](const std::string& m) { warnings.push_back(m); },
                  quiet);
          }) == ad::Status::kUnavailable);
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(took >= 1.0);
    CHECK(took < 5.0);
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("retrying for up to 1 s") != std::string::npos);
  }
}
