// quantile.h: the percentiles ad-train takes of training values and scores.
//
// One definition throughout: percentile() of the values sorted ascending, interpolating
// linearly between neighbours as numpy's default does. The calibration quantiles
// (quantiles_of) sort; a feature's typical values (typical_of) find the same three
// percentiles by selection, without sorting the column.
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

}  // namespace ad
