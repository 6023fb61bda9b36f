// compact_forest.h: an Isolation Forest laid out for scoring many rows fast.
//
// Forest (forest.h) stores each tree in pre-order, as the model file does; a walk down
// it follows one data-dependent branch per level, which the processor mostly mispredicts.
// CompactForest holds the same trees as complete binary trees of one height H (the
// forest's tallest tree): internal node i has children 2i+1 and 2i+2, so a walk is H
// steps of index arithmetic, i = 2i + 1 + (x > split), with no branch. A leaf above the
// bottom level becomes a chain of "always left" nodes (split +inf) down to the bottom,
// where its path length is stored. Missing values need no test either: each row is
// widened once to two copies of its features, one with NaN as +inf (for nodes that send
// missing values right) and one with NaN as -inf (left), and each node reads the copy
// its rule calls for. Splits are finite, so x > split decides exactly as the reference
// walk's comparison of doubles does: the layout changes no decision and no score.
//
// Rows are widened in blocks of 64 and walked tree by tree, in groups of 16 that go
// down a tree level by level together: the 16 walks are independent, so the processor
// overlaps them, and the tree (a few KiB) stays in L1 cache while the block walks it.
// Each row still adds its trees' path lengths in tree order, so its sum is the
// reference walk's, bit for bit, at any block size and thread count.
//
// A forest with ceilings (Forest::has_ceilings) also keeps each node's ceiling (+inf
// for "always left"), and rows are widened to a third copy of their features as they
// are (NaN stays NaN, which is above no ceiling): a row's path length in a tree loses 1
// for each node on its way whose ceiling the value is above, as the reference walk
// counts it.
//
// A forest with a tree taller than kMaxHeight (a model file can hold any) or a split
// that is not finite gets no compact layout: build() returns nullptr and Forest keeps
// its reference walk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ad/detect/forest.h"

namespace ad {

class CompactForest {
 public:
  static constexpr int kMaxHeight = 12;
  // Rows widened and walked together (a multiple of the walk's group of 16 rows).
  static constexpr std::size_t kBlockRows = 64;

  // The layout of a well-formed forest's flat nodes (Forest::from_arrays checks them),
  // or nullptr when it cannot have one.
  static std::unique_ptr<CompactForest> build(const std::vector<Forest::Node>& nodes,
                                              const std::vector<std::uint32_t>& roots, std::size_t features,
                                              const std::vector<double>& ceilings = {});

  // For the n rows of `rows` (row-major, `cols` values each: the forest's features), adds
  // each row's path lengths over the trees, in tree order, to sums[0..n).
  void add_path_lengths(const double* rows, std::size_t n, std::size_t cols, double* sums) const;

  int height() const { return height_; }

 private:
  // Walks rows [0, n) of the widened block xs (groups of 16 rows, each stored by feature
  // slot: copies() * features_ slots) through every tree.
  template <bool kCeilings>
  void walk_block(const double* xs, std::size_t n, double* sums) const;
  std::size_t copies() const { return ceiling_.empty() ? 2 : 3; }
  bool place(const std::vector<Forest::Node>& nodes, std::size_t root, std::size_t node, std::size_t t,
             std::size_t at);
  void place_ceilings(const std::vector<Forest::Node>& nodes, const std::vector<double>& ceilings,
                      std::size_t root, std::size_t node, std::size_t t, std::size_t at);

  int height_ = 0;
  std::size_t features_ = 0;
  std::size_t trees_ = 0;
  std::size_t inner_ = 0;             // internal slots per tree: 2^H - 1
  std::vector<double> split_;         // trees x inner_: the split value, +inf for "always left"
  std::vector<std::uint32_t> slot_;   // trees x inner_: feature, + features_ if missing goes left
  std::vector<double> leaf_;          // trees x 2^H: the path length at each bottom slot
  std::vector<double> ceiling_;       // trees x inner_: each node's ceiling, +inf for "always
                                      // left"; empty without ceilings
};

}  // namespace ad
