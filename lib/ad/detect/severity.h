// severity.h: Model::severity for every scored row, without a binary search each.
//
// Model::severity finds a score's place among the 1001 calibration quantiles with
// std::upper_bound, about ten unpredictable comparisons per row. SeverityIndex cuts the
// quantiles' range into kBuckets equal buckets and keeps, per bucket edge, where
// upper_bound would put that edge; a score's bucket then bounds its place to the
// quantiles in that bucket (usually none or one), searched there and checked against
// its neighbours, so the place, and the severity computed from it by the same code, are
// Model::severity's bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ad {

// Model::severity's interpolation at place hi (quantiles[hi - 1] <= score <
// quantiles[hi]); shared by both, so that they agree bit for bit.
double severity_at(const std::vector<double>& quantiles, std::size_t hi, double score);

class SeverityIndex {
 public:
  static constexpr std::size_t kBuckets = 2048;

  // REQUIRES: quantiles ascending (Model::load checks it), as Model::severity does.
  explicit SeverityIndex(std::vector<double> quantiles);

  // Model::severity(score) of a model with these quantiles, bit for bit.
  double operator()(double score) const;

 private:
  std::vector<double> q_;
  double lo_ = 0, scale_ = 0;         // bucket of s: floor((s - lo_) * scale_)
  std::vector<std::uint32_t> edge_;  // kBuckets + 1: upper_bound's place of each edge
};

}  // namespace ad
