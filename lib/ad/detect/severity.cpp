#include "ad/detect/severity.h"

#include <algorithm>
#include <cmath>

namespace ad {

double severity_at(const std::vector<double>& quantiles, std::size_t hi, double score) {
  std::size_t lo = hi - 1;
  // Ties: take the top of a flat run, so equal scores share the highest percentile.
  double span = quantiles[hi] - quantiles[lo];
  double frac = span > 0 ? (score - quantiles[lo]) / span : 1.0;
  return 100.0 * (static_cast<double>(lo) + frac) / static_cast<double>(quantiles.size() - 1);
}

SeverityIndex::SeverityIndex(std::vector<double> quantiles) : q_(std::move(quantiles)) {
  if (q_.size() < 2 || !(q_.front() < q_.back())) return;  // every score is 0 or 100
  lo_ = q_.front();
  const double width = (q_.back() - lo_) / static_cast<double>(kBuckets);
  scale_ = 1.0 / width;
  edge_.resize(kBuckets + 1);
  for (std::size_t b = 0; b <= kBuckets; ++b) {
    double edge = lo_ + width * static_cast<double>(b);
    auto at = std::upper_bound(q_.begin(), q_.end(), edge) - q_.begin();
    edge_[b] = static_cast<std::uint32_t>(std::clamp<std::ptrdiff_t>(at, 1, static_cast<std::ptrdiff_t>(q_.size()) - 1));
  }
}

double SeverityIndex::operator()(double score) const {
  if (q_.empty() || std::isnan(score)) return 0;
  if (score <= q_.front()) return 0;
  if (score >= q_.back()) return 100;
  std::size_t hi;
  if (edge_.empty()) {
    hi = static_cast<std::size_t>(std::upper_bound(q_.begin(), q_.end(), score) - q_.begin());
  } else {
    // q_.front() < score < q_.back(): 1 <= hi <= size - 1, and the loops below stop there.
    std::size_t b = std::min(static_cast<std::size_t>((score - lo_) * scale_), kBuckets - 1);
    hi = static_cast<std::size_t>(
        std::upper_bound(q_.begin() + edge_[b], q_.begin() + std::max(edge_[b], edge_[b + 1]), score) - q_.begin());
    // The bucket is computed in rounded arithmetic: step to upper_bound's place exactly.
    while (q_[hi - 1] > score) --hi;
    while (q_[hi] <= score) ++hi;
  }
  return severity_at(q_, hi, score);
}

}  // namespace ad
