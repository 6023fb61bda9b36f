// calibration.h: which of ad-train's sampled rows set a model's threshold and severity
// quantiles (train.h says why).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ad/detect/forest.h"

namespace ad {

// Below this many rows in the later half, calibration uses every sampled row.
inline constexpr std::size_t kMinCalibrationRows = 1000;

// The sampled rows that calibrate, as indices into the sample (order[i]: sample row i's
// position among the `used` rows of the input): with login features the later half of
// the training logins, since at the start of a history every user is new, which
// ad-score will not see (ad(7)); every row when that leaves fewer than
// kMinCalibrationRows (or all there are), or without login features.
std::vector<std::size_t> calibration_rows(const std::vector<std::uint64_t>& order, std::uint64_t used, bool logins);

// A contamination threshold (no alert budget) comes from at most
// calibration_limit(contamination) calibration rows: kCalibrationRows, or enough that
// kRowsAboveThreshold are above the threshold, whichever is more. With n rows the
// (1 - c) quantile has about n*c rows above it, and the share of new rows above it is c
// with a standard error of about sqrt(c (1 - c) / n): at c = 0.01, 32,768 rows, 327
// above, 0.01 +- 0.00055.
inline constexpr std::size_t kCalibrationRows = 32768;
inline constexpr double kRowsAboveThreshold = 300;
// max(kCalibrationRows, ceil(kRowsAboveThreshold / contamination)).
std::size_t calibration_limit(double contamination);
// rows if it holds at most k, else the k at positions floor(i * size / k), i = 0..k-1:
// evenly spaced, the first included, in their order.
std::vector<std::size_t> evenly_spaced(std::vector<std::size_t> rows, std::size_t k);

// The rows of `data` at the indices `rows`, in that order.
Matrix rows_of(const Matrix& data, const std::vector<std::size_t>& rows);

}  // namespace ad
