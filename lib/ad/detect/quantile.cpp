#include "ad/detect/quantile.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "ad/detect/model.h"

namespace ad {

namespace {

// Where percentile() of n sorted values looks for p: position lo and the fraction
// towards lo + 1.
struct Position {
  std::size_t lo;
  double frac;
};

Position position(std::size_t n, double p) {
  double pos = p / 100.0 * static_cast<double>(n - 1);
  std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  return {lo, pos - static_cast<double>(lo)};
}

// percentile()'s interpolation between the values at sorted positions lo and lo + 1.
double between(double a, double b, double frac) { return a + (b - a) * frac; }

}  // namespace

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return NAN;
  const Position at = position(sorted.size(), p);
  const std::size_t hi = std::min(at.lo + 1, sorted.size() - 1);
  return between(sorted[at.lo], sorted[hi], at.frac);
}

std::vector<double> quantiles_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return quantiles_of_sorted(values);
}

std::vector<double> quantiles_of_sorted(const std::vector<double>& sorted) {
  std::vector<double> q(Model::kQuantiles);
  for (std::size_t k = 0; k < Model::kQuantiles; ++k)
    q[k] = percentile(sorted, 100.0 * static_cast<double>(k) / (Model::kQuantiles - 1));
  return q;
}

std::optional<Typical> typical_of(std::vector<double>& v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  const std::size_t n = v.size();
  if (n == 0) return std::nullopt;
  const auto at = [&](std::size_t i) { return v.begin() + static_cast<std::ptrdiff_t>(i); };
  const Position l = position(n, 1), m = position(n, 50), h = position(n, 99);  // l.lo <= m.lo <= h.lo
  // The median's position first: below it no larger values, above it no smaller, so
  // the other two are selected within a half.
  std::nth_element(v.begin(), at(m.lo), v.end());
  const double med = v[m.lo];
  // 99th: select its position among those above the median's; its neighbour above is
  // the least of the values after it.
  if (h.lo > m.lo) std::nth_element(at(m.lo + 1), at(h.lo), v.end());
  const double high = v[h.lo];
  const double above_high = h.lo + 1 < n ? *std::min_element(at(h.lo + 1), v.end()) : high;
  // The median's neighbour above: the least from its position up to the 99th's (the
  // values after that are no smaller).
  double above_med = above_high;  // the same position, or both the last
  if (h.lo == m.lo + 1)
    above_med = high;
  else if (h.lo > m.lo + 1)
    above_med = *std::min_element(at(m.lo + 1), at(h.lo + 1));
  // 1st: select the position after it among those below the median's, so that it is
  // the greatest of the values before that one.
  double low = med, above_low = above_med;
  if (l.lo + 1 < m.lo) {
    std::nth_element(v.begin(), at(l.lo + 1), at(m.lo));
    low = *std::max_element(v.begin(), at(l.lo + 1));
    above_low = v[l.lo + 1];
  } else if (l.lo + 1 == m.lo) {
    low = *std::max_element(v.begin(), at(m.lo));
    above_low = med;
  }
  return Typical{between(low, above_low, l.frac), between(med, above_med, m.frac),
                 between(high, above_high, h.frac)};
}

}  // namespace ad
