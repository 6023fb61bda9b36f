#include "ad/core/timestamp.h"

#include <doctest/doctest.h>

using ad::parse_time_ms;

TEST_SUITE("timestamp") {
  TEST_CASE("ISO 8601 forms") {
    const std::int64_t t = 1714552200000;  // 2024-05-01T08:30:00Z
    CHECK(parse_time_ms("2024-05-01T08:30:00Z") == t);
    CHECK(parse_time_ms("2024-05-01 08:30:00") == t);
    CHECK(parse_time_ms("2024-05-01T08:30") == t);
    CHECK(parse_time_ms("2024-05-01T10:30:00+02:00") == t);
    CHECK(parse_time_ms("2024-05-01T03:00:00-0530") == t);
    CHECK(parse_time_ms("2024-05-01T09:30:00+01") == t);
    CHECK(parse_time_ms("2024-05-01T08:30:00.250Z") == t + 250);
    CHECK(parse_time_ms("2024-05-01T08:30:00.123456Z") == t + 123);
    CHECK(parse_time_ms("2024-05-01") == t - (8 * 3600 + 1800) * 1000);
  }
  TEST_CASE("epoch seconds and milliseconds") {
    CHECK(parse_time_ms("1714552200") == 1714552200000);
    CHECK(parse_time_ms("1714552200.5") == 1714552200500);
    CHECK(parse_time_ms("1714552200123") == 1714552200123);
  }
  TEST_CASE("a zone-less time takes the default offset") {
    CHECK(parse_time_ms("2024-05-01 10:30:00", 7200) == 1714552200000);
    CHECK(parse_time_ms("2024-05-01 10:30:00Z", 7200) == 1714559400000);
  }
  TEST_CASE("bad times are refused") {
    for (auto bad : {"", "yesterday", "2024-13-01", "2024-02-30", "2023-02-29 00:00", "2024-05-01T25:00",
                     "2024-05-01X08:30", "2024-05-01T08:30:00+99:00", "12ab", "2024-05-01T08:30:00Zjunk"})
      CHECK_MESSAGE(!parse_time_ms(bad), bad);
    CHECK(parse_time_ms("2024-02-29 00:00"));
  }
  TEST_CASE("times outside the years 0001 to 9999 (UTC) are refused, so what parses formats back") {
    CHECK(!ad::parse_time_ms("9999-12-31T23:59:59.999-14:00"));  // 10000-01-01 in UTC
    CHECK(!ad::parse_time_ms("0001-01-01T00:00:00+01:00"));      // year 0 in UTC
    CHECK(!ad::parse_time_ms("9999999999999999"));                // epoch ms in year 318857
    auto last = ad::parse_time_ms("9999-12-31T23:59:59.999Z");
    REQUIRE(last);
    CHECK(ad::format_time_iso(*last) == "9999-12-31T23:59:59.999Z");
    auto first = ad::parse_time_ms("0001-01-01T00:00:00Z");
    REQUIRE(first);
    CHECK(ad::format_time_iso(*first) == "0001-01-01T00:00:00Z");
  }

  TEST_CASE("formatting and offsets") {
    CHECK(ad::format_time_iso(1714552200000) == "2024-05-01T08:30:00Z");
    CHECK(ad::format_time_iso(1714552200042) == "2024-05-01T08:30:00.042Z");
    CHECK(ad::format_time_iso(-1000) == "1969-12-31T23:59:59Z");
    CHECK(ad::parse_utc_offset("+05:30") == 19800);
    CHECK(ad::parse_utc_offset("UTC") == 0);
    CHECK_FALSE(ad::parse_utc_offset("Europe/Oslo"));
  }
}
