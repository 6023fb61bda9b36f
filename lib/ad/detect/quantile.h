// quantile.h: the percentiles ad-train takes of training values and scores.
//
// One definition throughout: percentile() of the values sorted ascending, interpolating
// linearly between neighbours as numpy's default does. The calibration quantiles
// (quantiles_of) sort; a feature's typical values (typical_of) find the same three
// percentiles by selection, without sorting the column, and typical_of_columns those of
// every column of a matrix in one pass over it.
#pragma once

#include <optional>
#include <vector>

namespace ad {

// p-th percentile (0..100) of sorted values, interpolating linearly as numpy does.
double percentile(const std::vector<double>& sorted, double p);

// Model::kQuantiles evenly spaced percentiles (0, 0.1, ..., 100) of values, ascending:
// the calibration quantiles of a model.
std::vector<double> quantiles_of(std::vector<double> values);
// The same of values already sorted ascending.
std::vector<double> quantiles_of_sorted(const std::vector<double>& sorted);

// A feature's typical values: the 1st, 50th and 99th percentile of its training values.
struct Typical {
  double low = 0, median = 0, high = 0;
};

// The typical values of values leaving out NaN (missing values), exactly as
// percentile() of the other values sorted gives them; nullopt when every value is NaN.
// values is reordered (and its NaN dropped): three selections (std::nth_element), the
// last two within a half, instead of a sort.
std::optional<Typical> typical_of(std::vector<double>& values);

// The typical values of each column of `rows` (n rows of `cols` values, row-major),
// bit for bit those typical_of gives the column, in one pass over the rows: each
// percentile's place is estimated from an evenly spaced sample of the column, the pass
// counts the values below a window about it and keeps those in it, and a selection
// among the kept values finds the percentile's neighbours. A column of fewer than
// kWholeColumn values, or whose percentile falls outside its window (the sample was
// unlike the column), is selected whole with typical_of. The columns are shared out
// among up to `threads` threads (0: all cores).
inline constexpr std::size_t kWholeColumn = 16384;
std::vector<std::optional<Typical>> typical_of_columns(const double* rows, std::size_t n, std::size_t cols,
                                                      int threads);

}  // namespace ad
