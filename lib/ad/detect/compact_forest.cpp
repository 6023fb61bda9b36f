#include "ad/detect/compact_forest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
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
  // A group's byte offsets must fit the nodes' 32 bits (only a file can hold so many features).
  if (height < 0 || roots.empty() || features > kMaxOffset / (2 * kGroup * sizeof(double))) return nullptr;
  std::unique_ptr<CompactForest> c(new CompactForest);
  c->height_ = height;
  c->features_ = features;
  c->trees_ = roots.size();
  c->width_ = std::size_t{1} << height;
  c->split_.assign(c->trees_ * c->width_, std::numeric_limits<double>::infinity());
  c->offset_.assign(c->trees_ * c->width_, 0);
  c->leaf_.assign(c->trees_ * c->width_, 0.0);
  for (std::size_t t = 0; t < roots.size(); ++t)
    if (!c->place(nodes, roots[t], roots[t], t, 1)) return nullptr;
  if (!ceilings.empty()) {
    c->ceiling_.assign(c->trees_ * c->width_, std::numeric_limits<double>::infinity());
    for (std::size_t t = 0; t < roots.size(); ++t) c->place_ceilings(nodes, ceilings, roots[t], roots[t], t, 1);
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
    while (at < width_) at = 2 * at;  // "always left" (split +inf) down to the bottom
    leaf_[t * width_ + (at - width_)] = n.value;
    return true;
  }
  if (!std::isfinite(n.value) || at >= width_) return false;  // at: a guard; heights are exact
  std::uint32_t feature = n.bits & Forest::kFeatureMask;
  split_[t * width_ + at] = n.value;
  std::uint32_t slot = 2 * feature + ((n.bits & Forest::kMissingRight) ? 0u : 1u);
  offset_[t * width_ + at] = slot * static_cast<std::uint32_t>(kGroup * sizeof(double));
  return place(nodes, root, node + 1, t, 2 * at) && place(nodes, root, root + n.right, t, 2 * at + 1);
}

// Places the ceilings of the subtree at nodes[node] where place() put its splits.
void CompactForest::place_ceilings(const std::vector<Forest::Node>& nodes, const std::vector<double>& ceilings,
                                   std::size_t root, std::size_t node, std::size_t t, std::size_t at) {
  if (nodes[node].bits & Forest::kLeaf) return;
  ceiling_[t * width_ + at] = ceilings[node];
  place_ceilings(nodes, ceilings, root, node + 1, t, 2 * at);
  place_ceilings(nodes, ceilings, root, root + nodes[node].right, t, 2 * at + 1);
}

namespace {

constexpr std::size_t kGroup = CompactForest::kGroup;

// Row g's value in the slot at byte offset `offset` of a group.
inline double value_at(const char* xs, std::uint32_t offset, std::size_t g) {
  double v;
  std::memcpy(&v, xs + offset + g * sizeof v, sizeof v);
  return v;
}

// Walks the kGroup rows of a group down one tree of height h together: their walks
// are independent, and kept in registers the processor overlaps them. The group is
// stored by feature slot (value of slot s for row g at xs[s * kGroup + g]); a node holds
// its slot's byte offset, so a row's value is one load. Node j's children are 2j and
// 2j + 1 (j = 1 is the root), so a step is j = 2j + (x > split). Returns each row's
// bottom slot in bottom (2^h .. 2^(h+1) - 1).
inline void walk_group(const char* xs, const double* split, const std::uint32_t* offset, int h,
                       std::uint32_t* bottom) {
  std::size_t j[kGroup];
  for (std::size_t g = 0; g < kGroup; ++g) j[g] = 1;
  for (int d = 0; d < h; ++d)
    for (std::size_t g = 0; g < kGroup; ++g)
      j[g] = 2 * j[g] + static_cast<std::size_t>(value_at(xs, offset[j[g]], g) > split[j[g]]);
  for (std::size_t g = 0; g < kGroup; ++g) bottom[g] = static_cast<std::uint32_t>(j[g]);
}

// The same, also counting in above[g] the nodes whose ceiling the row's value is above.
// The copy with NaN as -inf stands for the value as it is: -inf is above no ceiling (a
// ceiling is at least its finite split), as NaN is above none. A node's slot is
// 2 * feature + (1 if missing goes left), so that copy's offset is the node's | kGroup * 8.
inline void walk_group_ceilings(const char* xs, const double* split, const std::uint32_t* offset,
                                const double* ceiling, int h, std::uint32_t* bottom, double* above) {
  constexpr std::uint32_t kLeftCopy = kGroup * sizeof(double);
  std::size_t j[kGroup];
  std::uint32_t count[kGroup] = {};
  for (std::size_t g = 0; g < kGroup; ++g) j[g] = 1;
  for (int d = 0; d < h; ++d)
    for (std::size_t g = 0; g < kGroup; ++g) {
      std::uint32_t o = offset[j[g]];
      count[g] += static_cast<std::uint32_t>(value_at(xs, o | kLeftCopy, g) > ceiling[j[g]]);
      j[g] = 2 * j[g] + static_cast<std::size_t>(value_at(xs, o, g) > split[j[g]]);
    }
  for (std::size_t g = 0; g < kGroup; ++g) {
    bottom[g] = static_cast<std::uint32_t>(j[g]);
    above[g] = static_cast<double>(count[g]);
  }
}

}  // namespace

template <bool kCeilings>
void CompactForest::walk_block(const double* xs, std::size_t n, double* sums) const {
  const std::size_t group_values = 2 * features_ * kGroup;
  std::uint32_t bottom[kGroup];
  double above[kGroup];
  for (std::size_t t = 0; t < trees_; ++t) {
    const double* split = split_.data() + t * width_;
    const std::uint32_t* offset = offset_.data() + t * width_;
    const double* leaf = leaf_.data() + t * width_;
    for (std::size_t r = 0; r < n; r += kGroup) {
      const char* group = reinterpret_cast<const char*>(xs + r / kGroup * group_values);
      if constexpr (kCeilings)
        walk_group_ceilings(group, split, offset, ceiling_.data() + t * width_, height_, bottom, above);
      else
        walk_group(group, split, offset, height_, bottom);
      // As the reference walk: the leaf's path length (less the count), then the sum.
      for (std::size_t g = 0; g < kGroup && r + g < n; ++g) {
        if constexpr (kCeilings)
          sums[r + g] += leaf[bottom[g] - width_] - above[g];
        else
          sums[r + g] += leaf[bottom[g] - width_];
      }
    }
  }
}

void CompactForest::add_path_lengths(const double* rows, std::size_t n, std::size_t cols, double* sums) const {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> xs(kBlockRows * 2 * features_);
  for (std::size_t lo = 0; lo < n; lo += kBlockRows) {
    std::size_t m = std::min(kBlockRows, n - lo);
    for (std::size_t r = 0; r < m; ++r) {
      const double* x = rows + (lo + r) * cols;
      double* w = xs.data() + r / kGroup * 2 * features_ * kGroup + r % kGroup;
      for (std::size_t f = 0; f < features_; ++f) {
        bool missing = std::isnan(x[f]);
        w[2 * f * kGroup] = missing ? inf : x[f];
        w[(2 * f + 1) * kGroup] = missing ? -inf : x[f];
      }
    }
    // Reads whole groups: xs holds kBlockRows rows.
    if (ceiling_.empty())
      walk_block<false>(xs.data(), m, sums + lo);
    else
      walk_block<true>(xs.data(), m, sums + lo);
  }
}

}  // namespace ad
