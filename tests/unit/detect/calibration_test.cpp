// Tests for calibration.h: which sampled rows calibrate a model.
#include "ad/detect/calibration.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <vector>

TEST_SUITE("calibration") {
  TEST_CASE("calibration_limit: at least 32,768 rows, and 300 above a contamination threshold") {
    CHECK(ad::calibration_limit(0.01) == 32768);
    CHECK(ad::calibration_limit(0.5) == 32768);
    CHECK(ad::calibration_limit(0.005) == 60000);
    CHECK(ad::calibration_limit(0.001) == 300000);
    CHECK(ad::calibration_limit(1e-6) == 300000000);
    for (double c : {0.5, 0.05, 0.01, 0.009, 0.001, 1e-6})
      CHECK(static_cast<double>(ad::calibration_limit(c)) * c >= ad::kRowsAboveThreshold);
  }

  TEST_CASE("evenly_spaced: all rows up to k, else k of them evenly spaced, the first included") {
    std::vector<std::size_t> rows = {3, 5, 8, 13, 21, 34, 55, 89, 144, 233};
    CHECK(ad::evenly_spaced(rows, 10) == rows);
    CHECK(ad::evenly_spaced(rows, 20) == rows);
    CHECK(ad::evenly_spaced(rows, 4) == std::vector<std::size_t>{3, 8, 34, 89});  // positions 0, 2, 5, 7
    CHECK(ad::evenly_spaced(rows, 1) == std::vector<std::size_t>{3});
    std::vector<std::size_t> many(100000);
    for (std::size_t i = 0; i < many.size(); ++i) many[i] = 2 * i;
    auto k = ad::evenly_spaced(many, 32768);
    REQUIRE(k.size() == 32768);
    CHECK(k.front() == 0);
    CHECK(std::adjacent_find(k.begin(), k.end(), [](std::size_t a, std::size_t b) { return b <= a + 4; }) == k.end());
    CHECK(k.back() >= 2 * (100000 - 4));
  }

  TEST_CASE("calibration_rows: the later half of the logins, else every row") {
    std::vector<std::uint64_t> order(3000);
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = (i * 7) % 3000;  // a shuffle
    std::vector<std::size_t> all(3000);
    std::iota(all.begin(), all.end(), std::size_t{0});
    CHECK(ad::calibration_rows(order, 3000, false) == all);
    auto later = ad::calibration_rows(order, 3000, true);
    CHECK(later.size() == 1500);
    CHECK(std::all_of(later.begin(), later.end(), [&](std::size_t i) { return order[i] >= 1500; }));
    CHECK(std::is_sorted(later.begin(), later.end()));
    // Fewer than kMinCalibrationRows in the later half: every row.
    std::vector<std::uint64_t> few(1500);
    std::iota(few.begin(), few.end(), std::uint64_t{0});
    CHECK(ad::calibration_rows(few, 1500, true).size() == 1500);
  }

  TEST_CASE("rows_of copies the rows at the indices, in their order") {
    ad::Matrix m;
    m.cols = 2;
    m.rows = 3;
    m.values = {1, 2, 3, 4, 5, 6};
    ad::Matrix r = ad::rows_of(m, {2, 0});
    CHECK(r.rows == 2);
    CHECK(r.cols == 2);
    CHECK(r.values == std::vector<double>{5, 6, 1, 2});
  }
}
