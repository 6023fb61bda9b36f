// Tests for severity.h: SeverityIndex gives Model::severity's values bit for bit.
#include "ad/detect/severity.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "ad/detect/forest.h"
#include "ad/detect/model.h"
#include "ad/detect/quantile.h"

namespace {

// Model::severity as it was written before SeverityIndex: the reference.
double old_severity(const std::vector<double>& quantiles, double score) {
  if (quantiles.empty()) return 0;
  if (score <= quantiles.front()) return 0;
  if (score >= quantiles.back()) return 100;
  auto it = std::upper_bound(quantiles.begin(), quantiles.end(), score);
  std::size_t hi = static_cast<std::size_t>(it - quantiles.begin());
  std::size_t lo = hi - 1;
  double span = quantiles[hi] - quantiles[lo];
  double frac = span > 0 ? (score - quantiles[lo]) / span : 1.0;
  return 100.0 * (static_cast<double>(lo) + frac) / static_cast<double>(quantiles.size() - 1);
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Checks SeverityIndex against old_severity and Model::severity for scores of every kind:
// each quantile and its neighbouring doubles, bucket edges, random scores, 0, 1 and
// values outside [0, 1] and the quantiles' range.
void check_all(const std::vector<double>& q, ad::Rng& rng) {
  ad::SeverityIndex index(q);
  ad::Model m;
  m.quantiles = q;
  std::vector<double> scores = {0.0, -0.0, 1.0, -1.0, 2.0, 1e-300, 0.5, -1e300, 1e300, INFINITY, -INFINITY};
  for (double x : q)
    for (double s : {x, std::nextafter(x, -1.0), std::nextafter(x, 2.0), x - 1e-9, x + 1e-9}) scores.push_back(s);
  if (!q.empty()) {
    const double lo = q.front(), hi = q.back();
    for (std::size_t b = 0; b <= ad::SeverityIndex::kBuckets; ++b) {
      double edge = lo + (hi - lo) / ad::SeverityIndex::kBuckets * static_cast<double>(b);
      for (double s : {edge, std::nextafter(edge, -1.0), std::nextafter(edge, 2.0)}) scores.push_back(s);
    }
    for (int i = 0; i < 20000; ++i) scores.push_back(lo + (hi - lo) * (rng.uniform() * 1.2 - 0.1));
  }
  for (int i = 0; i < 2000; ++i) scores.push_back(rng.uniform());
  int bad = 0;
  for (double s : scores) {
    double want = old_severity(q, s);
    if (!same_bits(index(s), want) || !same_bits(m.severity(s), want)) ++bad;
  }
  CHECK(bad == 0);
}

}  // namespace

TEST_SUITE("severity") {
  TEST_CASE("SeverityIndex: Model::severity's values bit for bit, on quantiles of many shapes") {
    ad::Rng rng(17);
    // Quantiles of training scores: continuous, skewed (a long upper tail), with ties
    // (a forest of few trees gives few distinct scores), and a flat top.
    for (int shape = 0; shape < 6; ++shape) {
      std::vector<double> scores;
      for (int i = 0; i < 5000; ++i) {
        double u = rng.uniform();
        double s = shape == 0   ? 0.3 + 0.4 * u
                   : shape == 1 ? 0.35 + 0.05 * std::pow(u, 8) + 0.6 * std::pow(u, 200)
                   : shape == 2 ? std::round((0.4 + 0.2 * u) * 40) / 40
                   : shape == 3 ? std::min(0.5, 0.3 + 0.4 * u)
                   : shape == 4 ? (u < 0.7 ? 0.42 : 0.42 + 0.3 * rng.uniform())
                                : std::round(u * 3) / 3;  // 0, 1/3, 2/3, 1
        scores.push_back(s);
      }
      INFO("shape " << shape);
      check_all(ad::quantiles_of(scores), rng);
    }
  }

  TEST_CASE("SeverityIndex: no quantiles, one, all equal, and a hand-made flat run") {
    ad::Rng rng(3);
    check_all({}, rng);
    check_all({0.5}, rng);
    check_all(std::vector<double>(1001, 0.4), rng);
    check_all({0.2, 0.8}, rng);
    check_all({0.0, 0.0, 1.0, 1.0}, rng);
    std::vector<double> h(1001);
    for (std::size_t q = 0; q < h.size(); ++q) h[q] = q < 500 ? 0.4 : 0.4 + static_cast<double>(q - 499) * 1e-4;
    check_all(h, rng);
    ad::SeverityIndex index(h);
    CHECK(index(0.4) == 0.0);
    CHECK(index(h[750]) == doctest::Approx(75.0).epsilon(1e-9));
    CHECK(index(1.0) == 100.0);
  }

  TEST_CASE("a score that is not a number has severity 0 in both, and reads nothing past the quantiles") {
    ad::Model m;
    m.quantiles = {0.2, 0.4, 0.6, 0.8};
    ad::SeverityIndex index(m.quantiles);
    CHECK(m.severity(std::nan("")) == 0.0);
    CHECK(index(std::nan("")) == 0.0);
    CHECK(m.severity(0.5) == index(0.5));
  }
}
