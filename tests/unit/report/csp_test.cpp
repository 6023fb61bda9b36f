// Tests for csp.h: Content-Security-Policy hashes (the policy itself is checked on a
// whole page in report_test.cpp).
#include "ad/report/csp.h"

#include <doctest/doctest.h>

TEST_SUITE("report csp") {
  TEST_CASE("CSP hashes are base64 of SHA-256") {
    CHECK(ad::report::csp_hash("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
    CHECK(ad::report::csp_hash("abc") == "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='");
    // Any change to the text changes the hash.
    CHECK(ad::report::csp_hash("abd") != ad::report::csp_hash("abc"));
  }
}
