// Tests for quantile.h: percentiles of training values, sorted or selected.
#include "ad/detect/quantile.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <cstring>
#include <vector>

#include "ad/detect/forest.h"

namespace {

// The typical values by their definition: percentile() of the values other than NaN,
// sorted.
std::optional<ad::Typical> sorted_typical(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  return ad::Typical{ad::percentile(v, 1), ad::percentile(v, 50), ad::percentile(v, 99)};
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// n values drawn from rng: a few distinct values (ties), or continuous ones; some NaN,
// zeros of both signs, negative values.
std::vector<double> draw(ad::Rng& rng, std::size_t n, bool ties, double nan_share) {
  std::vector<double> v;
  for (std::size_t i = 0; i < n; ++i) {
    double u = rng.uniform();
    double x = ties ? std::floor(rng.uniform() * 5) - 2 : (rng.uniform() - 0.3) * 1e3;
    if (ties && x == 0 && rng.uniform() < 0.5) x = -0.0;
    v.push_back(u < nan_share ? NAN : x);
  }
  return v;
}

}  // namespace

TEST_SUITE("quantile") {
  TEST_CASE("typical_of gives the 1st, 50th and 99th percentile of the sorted values, bit for bit") {
    ad::Rng rng(11);
    int cases = 0;
    for (std::size_t n : {1, 2, 3, 4, 5, 7, 10, 51, 99, 100, 101, 102, 150, 199, 200, 201, 257, 1000, 4097, 20000})
      for (bool ties : {false, true})
        for (double nan_share : {0.0, 0.1, 0.6})
          for (int rep = 0; rep < 4; ++rep) {
            std::vector<double> v = draw(rng, n, ties, nan_share);
            auto want = sorted_typical(v);
            auto got = ad::typical_of(v);
            REQUIRE(got.has_value() == want.has_value());
            if (!want) continue;
            ++cases;
            INFO("n " << n << " ties " << ties << " nan share " << nan_share);
            CHECK(same_bits(got->low, want->low));
            CHECK(same_bits(got->median, want->median));
            CHECK(same_bits(got->high, want->high));
          }
    CHECK(cases > 400);
  }

  TEST_CASE("typical_of_columns gives each column's typical_of, bit for bit, by windows or whole") {
    ad::Rng rng(5);
    // Columns: continuous, a few values (ties: a window of one value overflows its room),
    // mostly missing, all missing, ascending, and one whose evenly spaced sample is all
    // zeros (its windows miss the percentiles: selected whole).
    // The six kinds three times over: more columns than are windowed at once.
    const std::size_t cols = 18;
    for (std::size_t n : std::vector<std::size_t>{0, 1, 2, 100, ad::kWholeColumn - 1, ad::kWholeColumn, 2048 * 49})
      for (int threads : {1, 2}) {
        std::vector<double> m(n * cols);
        auto cont = draw(rng, n, false, 0.05), ties = draw(rng, n, true, 0.0), sparse = draw(rng, n, false, 0.8);
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t c = 0; c < cols; c += 6) {
            double* r = &m[i * cols + c];
            r[0] = cont[i] + static_cast<double>(c);
            r[1] = ties[i];
            r[2] = sparse[i];
            r[3] = NAN;
            r[4] = static_cast<double>(i) * 0.5;
            r[5] = i % 49 == 0 ? 0.0 : 1.0 + rng.uniform();
          }
        auto got = ad::typical_of_columns(m.data(), n, cols, threads);
        REQUIRE(got.size() == cols);
        for (std::size_t j = 0; j < cols; ++j) {
          std::vector<double> column(n);
          for (std::size_t i = 0; i < n; ++i) column[i] = m[i * cols + j];
          auto want = sorted_typical(column);
          INFO("n " << n << " column " << j << " threads " << threads);
          REQUIRE(got[j].has_value() == want.has_value());
          if (!want) continue;
          CHECK(same_bits(got[j]->low, want->low));
          CHECK(same_bits(got[j]->median, want->median));
          CHECK(same_bits(got[j]->high, want->high));
        }
      }
  }

  TEST_CASE("typical_of: NaN are missing values, left out; all NaN or none: nullopt") {
    std::vector<double> v = {NAN, 3, NAN, 1, 2};
    auto t = ad::typical_of(v);
    REQUIRE(t);
    CHECK(t->low == doctest::Approx(1.02));
    CHECK(t->median == 2);
    CHECK(t->high == doctest::Approx(2.98));
    CHECK(v.size() == 3);  // the NaN are dropped
    std::vector<double> nans = {NAN, NAN};
    CHECK_FALSE(ad::typical_of(nans));
    std::vector<double> none;
    CHECK_FALSE(ad::typical_of(none));
    std::vector<double> one = {NAN, 7};
    t = ad::typical_of(one);
    REQUIRE(t);
    CHECK((t->low == 7 && t->median == 7 && t->high == 7));
  }

  TEST_CASE("typical_of of a constant column, and of one with its 1st and 99th percentile at the ends") {
    std::vector<double> c(300, 4.5);
    auto t = ad::typical_of(c);
    REQUIRE(t);
    CHECK((t->low == 4.5 && t->median == 4.5 && t->high == 4.5));
    std::vector<double> v;
    for (int i = 100; i >= 0; --i) v.push_back(i);  // 0 .. 100: the percentiles are exact
    t = ad::typical_of(v);
    REQUIRE(t);
    CHECK((t->low == 1 && t->median == 50 && t->high == 99));
  }
}
