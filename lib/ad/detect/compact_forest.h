// compact_forest.h: an Isolation Forest laid out for scoring many rows fast.
//
// Forest (forest.h) stores each tree in pre-order, as the model file does; a walk down
// it follows one data-dependent branch per level, which the processor mostly mispredicts.
// CompactForest holds the same trees as complete binary trees of one height H (the
// forest's tallest tree), numbered as a heap from 1: node j has children 2j and 2j + 1,
// so a walk is H steps of index arithmetic, j = 2j + (x > split), with no branch, and
// ends at a bottom slot 2^H .. 2^(H+1) - 1. A leaf above the bottom level becomes a chain
// of "always left" nodes (split +inf) down to the bottom, where its path length is
// stored. Missing values need no test either: each row is widened once to two copies of
// its features, one with NaN as +inf (for nodes that send missing values right) and one
// with NaN as -inf (left), and each node reads the copy its rule calls for. Splits are
// finite, so x > split decides exactly as the reference walk's comparison of doubles
// does: the layout changes no decision and no score.
//
// Rows are widened in blocks of kBlockRows and walked tree by tree, in groups of kGroup
// that go down a tree level by level together: the walks are independent, so the
// processor overlaps them, and the tree (a few KiB) stays in L1 cache while the block
// walks it. A group stores its values by slot (feature f's copy with NaN as +inf at
// slot 2f, with NaN as -inf at 2f + 1; row g's value of slot s at s * kGroup + g), and a
// node holds its slot's byte offset in the group beside its split, so a step is three
// loads (offset, split, value) and a compare. Each row still adds its trees' path
// lengths in tree order, so its sum is the reference walk's, bit for bit, at any block
// size and thread count.
//
// A forest with ceilings (Forest::has_ceilings) also keeps each node's ceiling (+inf
// for "always left"): a row's path length in a tree loses 1 for each node on its way
// whose ceiling the value is above, as the reference walk counts it. The copy with NaN
// as -inf stands for the value as it is there: a ceiling is at least its finite split,
// so -inf is above none, as NaN is above none; the copy is at the node's offset with
// the bit of slot 2f + 1 set.
//
// Tried and dropped (no faster on a 10-feature model of 100 trees): ranking each value
// once among its feature's sorted distinct splits and ceilings, so that a node packs
// rank and offset into 32 bits and a step is two loads and no double compare; the
// ranking (a binary search per value) cost what the shorter steps saved. Nor was an
// add-with-carry step (j = 2j + carry, in inline assembly) faster. Nor, on an AMD EPYC
// with AVX-512, deciding a group's top three or four levels at once (each top node's
// split compared with all 16 rows' values in two vector compares, then each level's
// 16-bit masks chosen along the rows' paths with bitwise selects): 15 compares for the
// 4 levels a row walks cost what the 4 scalar steps did. Nor taking the root's offset
// and split out of the loop.
//
// A forest with a tree taller than kMaxHeight (a model file can hold any), a split that
// is not finite, or features too many for 32-bit offsets gets no compact layout:
// build() returns nullptr and Forest keeps its reference walk.
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
  // Rows that go down a tree together, and rows widened and walked together (a multiple
  // of kGroup). Measured on a 10-feature model of 100 trees: groups of 8, 12 or 32 rows
  // and blocks of 32, 128 or 256 rows scored more slowly.
  static constexpr std::size_t kGroup = 16;
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
  static constexpr std::size_t kMaxOffset = 0xFFFFFFFFu;  // the largest byte offset a node holds
  // Walks rows [0, n) of the widened block xs (groups of kGroup rows, each stored by
  // feature slot: 2 * features_ slots) through every tree.
  template <bool kCeilings>
  void walk_block(const double* xs, std::size_t n, double* sums) const;
  bool place(const std::vector<Forest::Node>& nodes, std::size_t root, std::size_t node, std::size_t t,
             std::size_t at);
  void place_ceilings(const std::vector<Forest::Node>& nodes, const std::vector<double>& ceilings,
                      std::size_t root, std::size_t node, std::size_t t, std::size_t at);

  int height_ = 0;
  std::size_t features_ = 0;
  std::size_t trees_ = 0;
  std::size_t width_ = 0;             // slots per tree: 2^H (slot 0 unused; nodes 1 .. 2^H - 1)
  std::vector<double> split_;         // trees x width_: the split value, +inf for "always left"
  std::vector<std::uint32_t> offset_; // trees x width_: byte offset of the node's slot in a group
  std::vector<double> leaf_;          // trees x width_: the path length at each bottom slot
  std::vector<double> ceiling_;       // trees x width_: each node's ceiling, +inf for "always
                                      // left"; empty without ceilings
};

}  // namespace ad
