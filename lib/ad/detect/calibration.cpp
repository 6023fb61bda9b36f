#include "ad/detect/calibration.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ad {

std::vector<std::size_t> calibration_rows(const std::vector<std::uint64_t>& order, std::uint64_t used, bool logins) {
  const std::size_t n = order.size();
  std::vector<std::size_t> calib;
  if (logins)
    for (std::size_t i = 0; i < n; ++i)
      if (order[i] >= used / 2) calib.push_back(i);
  if (calib.size() < std::min<std::size_t>(n, kMinCalibrationRows)) {
    calib.resize(n);
    std::iota(calib.begin(), calib.end(), std::size_t{0});
  }
  return calib;
}

std::size_t calibration_limit(double contamination) {
  return std::max(kCalibrationRows, static_cast<std::size_t>(std::ceil(kRowsAboveThreshold / contamination)));
}

std::vector<std::size_t> evenly_spaced(std::vector<std::size_t> rows, std::size_t k) {
  const std::size_t n = rows.size();
  if (n <= k) return rows;
  std::vector<std::size_t> out(k);
  for (std::size_t i = 0; i < k; ++i) out[i] = rows[i * n / k];
  return out;
}

Matrix rows_of(const Matrix& data, const std::vector<std::size_t>& rows) {
  Matrix out;
  out.cols = data.cols;
  out.rows = rows.size();
  out.values.reserve(out.rows * out.cols);
  for (auto i : rows) out.values.insert(out.values.end(), data.row(i), data.row(i) + data.cols);
  return out;
}

}  // namespace ad
