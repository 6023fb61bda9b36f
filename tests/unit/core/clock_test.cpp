#include "ad/core/clock.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <chrono>
#include <string>

#include "ad/core/error.h"

namespace {

// Sets SOURCE_DATE_EPOCH for one test, restoring what was there.
struct SourceDateEpoch {
  std::string saved;
  bool had = false;
  explicit SourceDateEpoch(const char* value) {
    if (const char* v = ::getenv("SOURCE_DATE_EPOCH")) had = true, saved = v;
    if (value)
      ::setenv("SOURCE_DATE_EPOCH", value, 1);
    else
      ::unsetenv("SOURCE_DATE_EPOCH");
  }
  ~SourceDateEpoch() {
    if (had)
      ::setenv("SOURCE_DATE_EPOCH", saved.c_str(), 1);
    else
      ::unsetenv("SOURCE_DATE_EPOCH");
  }
};

}  // namespace

TEST_SUITE("clock") {
  TEST_CASE("now_ms is the wall clock in milliseconds") {
    // Not time(2): glibc reads it from a coarse clock that can lag CLOCK_REALTIME by a
    // tick, so a second boundary between the calls failed this check now and then.
    auto ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
    std::int64_t before = ms();
    std::int64_t now = ad::now_ms();
    std::int64_t after = ms();
    CHECK(now >= before);
    CHECK(now <= after);
  }

  TEST_CASE("SOURCE_DATE_EPOCH fixes the reproducible now") {
    SourceDateEpoch sde("1717200000");
    CHECK(ad::reproducible_now_ms() == 1717200000000);
    CHECK(ad::now_ms() > 1717200000000 + 1000);  // the plain clock ignores it
  }

  TEST_CASE("without SOURCE_DATE_EPOCH (or with it empty) it is the wall clock") {
    for (const char* v : {static_cast<const char*>(nullptr), ""}) {
      SourceDateEpoch sde(v);
      std::int64_t now = ad::now_ms();
      std::int64_t r = ad::reproducible_now_ms();
      CHECK(r >= now);
      CHECK(r - now < 60000);
    }
  }

  TEST_CASE("a SOURCE_DATE_EPOCH that is not epoch seconds is a usage error") {
    SourceDateEpoch sde("next tuesday");
    try {
      ad::reproducible_now_ms();
      FAIL("no error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kUsage);
      CHECK(std::string(e.what()).find("SOURCE_DATE_EPOCH") != std::string::npos);
    }
  }
}
