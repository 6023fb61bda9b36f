#include "ad/import/record.h"

#include <doctest/doctest.h>

#include "ad/core/error.h"

using namespace ad::import;

TEST_CASE("normalise_time writes UTC ISO 8601 and names the field when it cannot") {
  CHECK(normalise_time("2024-05-01T10:30:12+02:00", "t") == "2024-05-01T08:30:12Z");
  CHECK(normalise_time("2024-05-01 08:30:12", "t", 3600) == "2024-05-01T07:30:12Z");
  CHECK_THROWS_WITH_AS(normalise_time("yesterday", "published"), "published is not a time: 'yesterday'", ad::Error);
  CHECK_THROWS_WITH_AS(normalise_time("", "eventTime"), "no eventTime", ad::Error);
}

TEST_CASE("normalise_status maps vendors' outcomes and keeps the rest") {
  CHECK(normalise_status("SUCCESS") == "success");
  CHECK(normalise_status("Failure") == "failure");
  CHECK(normalise_status("DENY") == "failure");
  CHECK(normalise_status("Interrupted") == "interrupted");
  CHECK(normalise_status("") == "");
}

TEST_CASE("valid_utf8 replaces bad bytes and NUL, keeps good text") {
  CHECK(valid_utf8("j\xc3\xb6rg") == "j\xc3\xb6rg");
  CHECK(valid_utf8("j\xf6rg") == "j\xEF\xBF\xBDrg");
  CHECK(valid_utf8(std::string("a\0b", 3)) == "a\xEF\xBF\xBD" "b");
}

TEST_CASE("short_hash is 16 stable hex digits") {
  CHECK(short_hash("abc") == "ba7816bf8f01cfea");
  CHECK(short_hash("abc") != short_hash("abd"));
}

TEST_CASE("required passes a value and refuses an empty one") {
  CHECK(required("x", "ipAddress") == "x");
  CHECK_THROWS_WITH_AS(required("", "ipAddress"), "no ipAddress", ad::Error);
}
