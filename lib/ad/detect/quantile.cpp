#include "ad/detect/quantile.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <vector>

#include "ad/detect/forest.h"
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

namespace {

constexpr std::size_t kSampleValues = 2048;  // sampled per column to place the windows
// Sample positions either side of a percentile's: over 4 standard deviations of its
// estimate at the median, where the sample's spread is widest.
constexpr std::size_t kWindowSample = 96;
constexpr double kPercents[3] = {1, 50, 99};
constexpr std::size_t kBlockRows = 512;  // rows scanned column by column while in cache
constexpr std::size_t kColumnsAtOnce = 8;

// One percentile's window over a column: the values in [a, b] are kept, those below a
// counted. Every value is written to `in` at the next free place and kept there only if
// it is in the window, without a branch; the last place of the room is never kept, so
// a window that fills it has overflowed and is lost.
struct Window {
  double a = 0, b = 0;
  std::size_t below = 0, kept = 0;
  std::unique_ptr<double[]> in;  // room for `room` values (typical_of_columns)
};

// The windows of a column from its sample (sorted, no NaN), each with room for `room`.
void place_windows(const std::vector<double>& sample, std::size_t room, Window* w) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::size_t s = sample.size();
  for (int t = 0; t < 3; ++t) {
    const std::size_t k = position(s, kPercents[t]).lo;
    w[t].a = k >= kWindowSample ? sample[k - kWindowSample] : -inf;
    w[t].b = k + kWindowSample + 1 < s ? sample[k + kWindowSample + 1] : inf;
    w[t].in.reset(new double[room]);
  }
}

// The percentile of the column's n values (no NaN) from window w: the values at sorted
// positions lo and lo + 1 (the last for the last) must both be among those kept.
std::optional<double> window_percentile(Window& w, std::size_t room, std::size_t n, double p) {
  const Position at = position(n, p);
  const std::size_t hi = std::min(at.lo + 1, n - 1);
  if (w.kept >= room || at.lo < w.below || hi >= w.below + w.kept) return std::nullopt;
  double* first = w.in.get();
  double* last = first + w.kept;
  double* lo = first + (at.lo - w.below);
  std::nth_element(first, lo, last);
  const double a = *lo;
  const double b = hi == at.lo ? a : *std::min_element(lo + 1, last);
  return between(a, b, at.frac);
}

// Scans m values, `stride` apart from first, into the three windows w of their column;
// returns how many are not NaN (NaN is in no window).
std::size_t scan(const double* first, std::size_t m, std::size_t stride, std::size_t room, Window* w) {
  const double a0 = w[0].a, b0 = w[0].b, a1 = w[1].a, b1 = w[1].b, a2 = w[2].a, b2 = w[2].b;
  double *in0 = w[0].in.get(), *in1 = w[1].in.get(), *in2 = w[2].in.get();
  std::size_t below0 = w[0].below, below1 = w[1].below, below2 = w[2].below;
  std::size_t kept0 = w[0].kept, kept1 = w[1].kept, kept2 = w[2].kept, values = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const double x = first[i * stride];
    values += static_cast<std::size_t>(x == x);
    below0 += static_cast<std::size_t>(x < a0);
    below1 += static_cast<std::size_t>(x < a1);
    below2 += static_cast<std::size_t>(x < a2);
    in0[std::min(kept0, room - 1)] = x;
    in1[std::min(kept1, room - 1)] = x;
    in2[std::min(kept2, room - 1)] = x;
    kept0 += static_cast<std::size_t>((x >= a0) & (x <= b0));
    kept1 += static_cast<std::size_t>((x >= a1) & (x <= b1));
    kept2 += static_cast<std::size_t>((x >= a2) & (x <= b2));
  }
  w[0].below = below0, w[1].below = below1, w[2].below = below2;
  w[0].kept = kept0, w[1].kept = kept1, w[2].kept = kept2;
  return values;
}

// typical_of of column j, copied into `column`.
std::optional<Typical> whole_column(const double* rows, std::size_t n, std::size_t cols, std::size_t j,
                                    std::vector<double>& column) {
  column.resize(n);
  for (std::size_t i = 0; i < n; ++i) column[i] = rows[i * cols + j];
  return typical_of(column);
}

// typical_of_columns for columns [begin, end) of at least kWholeColumn rows: their
// windows, one pass over the rows, and a selection in each window.
void typical_by_windows(const double* rows, std::size_t n, std::size_t cols, std::size_t begin, std::size_t end,
                        std::vector<std::optional<Typical>>& out) {
  // Room for about twice a window's expected share of the rows.
  const std::size_t room = 2 * (2 * kWindowSample + 2) * (n / kSampleValues + 1) + 64;
  std::vector<Window> windows(3 * cols);
  std::vector<double> sample;
  for (std::size_t j = begin; j < end; ++j) {
    sample.clear();
    for (std::size_t k = 0; k < kSampleValues; ++k) {
      double x = rows[k * n / kSampleValues * cols + j];
      if (!std::isnan(x)) sample.push_back(x);
    }
    std::sort(sample.begin(), sample.end());
    place_windows(sample.empty() ? std::vector<double>{0.0} : sample, room, &windows[3 * j]);
  }
  std::vector<std::size_t> count(cols, 0);  // values other than NaN
  for (std::size_t lo = 0; lo < n; lo += kBlockRows) {
    const std::size_t m = std::min(kBlockRows, n - lo);
    for (std::size_t j = begin; j < end; ++j) count[j] += scan(rows + lo * cols + j, m, cols, room, &windows[3 * j]);
  }
  std::vector<double> column;
  for (std::size_t j = begin; j < end; ++j) {
    if (count[j] == 0) continue;
    Window* w = &windows[3 * j];
    auto low = window_percentile(w[0], room, count[j], kPercents[0]);
    auto median = window_percentile(w[1], room, count[j], kPercents[1]);
    auto high = window_percentile(w[2], room, count[j], kPercents[2]);
    if (low && median && high) {
      out[j] = Typical{*low, *median, *high};
      continue;
    }
    out[j] = whole_column(rows, n, cols, j, column);
  }
}

}  // namespace

std::vector<std::optional<Typical>> typical_of_columns(const double* rows, std::size_t n, std::size_t cols,
                                                      int threads) {
  std::vector<std::optional<Typical>> out(cols);
  parallel_for(cols, threads, 1, [&](std::size_t begin, std::size_t end) {
    if (n < kWholeColumn) {
      std::vector<double> column;
      for (std::size_t j = begin; j < end; ++j) out[j] = whole_column(rows, n, cols, j, column);
      return;
    }
    // At most kColumnsAtOnce columns' windows at a time: they hold about a fifth of
    // their columns' values.
    for (std::size_t first = begin; first < end; first += kColumnsAtOnce)
      typical_by_windows(rows, n, cols, first, std::min(end, first + kColumnsAtOnce), out);
  });
  return out;
}

}  // namespace ad
