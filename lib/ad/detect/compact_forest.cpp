#include "ad/detect/compact_forest.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ad {

namespace {

// Each tree's height (the depth of its deepest leaf), or -1 if one is above `limit`.
// Children follow their parent in a tree's flat nodes, so one forward pass sees every
// parent before its children.
int forest_height(const std::vector<Forest::Node>& nodes, const std::vector<std::uint32_t>& roots, int limit) {
  std::vector<int> depth(nodes.size(), 0);
  int height = 0;
  for (std::size_t t = 0; t < roots.size(); ++t) {
    std::size_t begin = roots[t], end = t + 1 < roots.size() ? roots[t + 1] : nodes.size();
    for (std::size_t i = begin; i < end; ++i) {
      const Forest::Node& n = nodes[i];
      if (n.bits & Forest::kLeaf) {
        height = std::max(height, depth[i]);
        continue;
      }
      if (depth[i] >= limit) return -1;
      // A malformed file may give a node two parents: it is as deep as the deeper path.
      depth[i + 1] = std::max(depth[i + 1], depth[i] + 1);
      depth[begin + n.right] = std::max(depth[begin + n.right], depth[i] + 1);
    }
  }
  return height;
}

}  // namespace

std::unique_ptr<CompactForest> CompactForest::build(const std::vector<Forest::Node>& nodes,
                                                    const std::vector<std::uint32_t>& roots, std::size_t features,
                                                    const std::vector<double>& ceilings) {
  int height = forest_height(nodes, roots, kMaxHeight);
  if (height < 0 || roots.empty()) return nullptr;
  std::unique_ptr<CompactForest> c(new CompactForest);
  c->height_ = height;
  c->features_ = features;
  c->trees_ = roots.size();
  c->inner_ = (std::size_t{1} << height) - 1;
  c->split_.assign(c->trees_ * c->inner_, std::numeric_limits<double>::infinity());
  c->slot_.assign(c->trees_ * c->inner_, 0);
  c->leaf_.assign(c->trees_ * (c->inner_ + 1), 0.0);
  for (std::size_t t = 0; t < roots.size(); ++t)
    if (!c->place(nodes, roots[t], roots[t], t, 0)) return nullptr;
  if (!ceilings.empty()) {
    c->ceiling_.assign(c->trees_ * c->inner_, std::numeric_limits<double>::infinity());
    for (std::size_t t = 0; t < roots.size(); ++t) c->place_ceilings(nodes, ceilings, roots[t], roots[t], t, 0);
  }
  return c;
}

// Places the subtree at nodes[node] (of the tree starting at nodes[root]) at slot `at`
// of tree t. False if a split is not finite. A node with two parents (which only a
// malformed file has) is placed under each, as the reference walk would reach it.
bool CompactForest::place(const std::vector<Forest::Node>& nodes, std::size_t root, std::size_t node,
                          std::size_t t, std::size_t at) {
  const Forest::Node& n = nodes[node];
  if (n.bits & Forest::kLeaf) {
    while (at < inner_) at = 2 * at + 1;  // "always left" (split +inf) down to the bottom
    leaf_[t * (inner_ + 1) + (at - inner_)] = n.value;
    return true;
  }
  if (!std::isfinite(n.value) || at >= inner_) return false;  // at: a guard; heights are exact
  std::uint32_t feature = n.bits & Forest::kFeatureMask;
  split_[t * inner_ + at] = n.value;
  slot_[t * inner_ + at] =
      feature + ((n.bits & Forest::kMissingRight) ? 0u : static_cast<std::uint32_t>(features_));
  return place(nodes, root, node + 1, t, 2 * at + 1) && place(nodes, root, root + n.right, t, 2 * at + 2);
}

// Places the ceilings of the subtree at nodes[node] where place() put its splits.
void CompactForest::place_ceilings(const std::vector<Forest::Node>& nodes, const std::vector<double>& ceilings,
                                   std::size_t root, std::size_t node, std::size_t t, std::size_t at) {
  if (nodes[node].bits & Forest::kLeaf) return;
  ceiling_[t * inner_ + at] = ceilings[node];
  place_ceilings(nodes, ceilings, root, node + 1, t, 2 * at + 1);
  place_ceilings(nodes, ceilings, root, root + nodes[node].right, t, 2 * at + 2);
}

namespace {

// Walks the kGroup rows of a group down one tree of height h together: their walks
// are independent, and kept in registers the processor overlaps them. The group is
// stored by feature slot (value of slot s for row g at xs[s * kGroup + g]), so a row's
// value is found without a pointer per row. Returns each row's bottom slot in bottom.
constexpr std::size_t kGroup = 16;
inline void walk_group(const double* xs, const double* split, const std::uint32_t* slot, int h,
                       std::uint32_t* bottom) {
  std::uint32_t i[kGroup] = {};
  for (int d = 0; d < h; ++d)
    for (std::size_t g = 0; g < kGroup; ++g)
      i[g] = 2 * i[g] + 1 + static_cast<std::uint32_t>(xs[slot[i[g]] * kGroup + g] > split[i[g]]);
  for (std::size_t g = 0; g < kGroup; ++g) bottom[g] = i[g];
}

// The same, also counting in above[g] the nodes whose ceiling the row's value as it is
// (the third copy, where NaN is above nothing) is above.
inline void walk_group_ceilings(const double* xs, const double* split, const std::uint32_t* slot,
                                const double* ceiling, std::uint32_t features, int h, std::uint32_t* bottom,
                                double* above) {
  std::uint32_t i[kGroup] = {};
  std::uint32_t count[kGroup] = {};
  for (int d = 0; d < h; ++d)
    for (std::size_t g = 0; g < kGroup; ++g) {
      std::uint32_t s = slot[i[g]];
      // The third copy follows the two widened ones: slot s reads feature s mod features.
      double raw = xs[(s + features + (s < features ? features : 0)) * kGroup + g];
      count[g] += static_cast<std::uint32_t>(raw > ceiling[i[g]]);
      i[g] = 2 * i[g] + 1 + static_cast<std::uint32_t>(xs[s * kGroup + g] > split[i[g]]);
    }
  for (std::size_t g = 0; g < kGroup; ++g) {
    bottom[g] = i[g];
    above[g] = static_cast<double>(count[g]);
  }
}

}  // namespace

template <bool kCeilings>
void CompactForest::walk_block(const double* xs, std::size_t n, double* sums) const {
  const std::size_t group_values = copies() * features_ * kGroup;
  const std::size_t leaves = inner_ + 1;
  std::uint32_t bottom[kGroup];
  double above[kGroup];
  for (std::size_t t = 0; t < trees_; ++t) {
    const double* split = split_.data() + t * inner_;
    const std::uint32_t* slot = slot_.data() + t * inner_;
    const double* leaf = leaf_.data() + t * leaves;
    for (std::size_t r = 0; r < n; r += kGroup) {
      const double* group = xs + r / kGroup * group_values;
      if constexpr (kCeilings)
        walk_group_ceilings(group, split, slot, ceiling_.data() + t * inner_, static_cast<std::uint32_t>(features_),
                            height_, bottom, above);
      else
        walk_group(group, split, slot, height_, bottom);
      // As the reference walk: the leaf's path length (less the count), then the sum.
      for (std::size_t g = 0; g < kGroup && r + g < n; ++g) {
        if constexpr (kCeilings)
          sums[r + g] += leaf[bottom[g] - inner_] - above[g];
        else
          sums[r + g] += leaf[bottom[g] - inner_];
      }
    }
  }
}

void CompactForest::add_path_lengths(const double* rows, std::size_t n, std::size_t cols, double* sums) const {
  const double inf = std::numeric_limits<double>::infinity();
  const std::size_t copies = this->copies();
  std::vector<double> xs(kBlockRows * copies * features_);
  for (std::size_t lo = 0; lo < n; lo += kBlockRows) {
    std::size_t m = std::min(kBlockRows, n - lo);
    for (std::size_t r = 0; r < m; ++r) {
      const double* x = rows + (lo + r) * cols;
      double* w = xs.data() + r / kGroup * copies * features_ * kGroup + r % kGroup;
      for (std::size_t f = 0; f < features_; ++f) {
        bool missing = std::isnan(x[f]);
        w[f * kGroup] = missing ? inf : x[f];
        w[(features_ + f) * kGroup] = missing ? -inf : x[f];
        if (copies == 3) w[(2 * features_ + f) * kGroup] = x[f];
      }
    }
    // Reads whole groups: xs holds kBlockRows rows.
    if (copies == 3)
      walk_block<true>(xs.data(), m, sums + lo);
    else
      walk_block<false>(xs.data(), m, sums + lo);
  }
}

}  // namespace ad
