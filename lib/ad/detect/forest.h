// forest.h: an Isolation Forest (Liu, Ting & Zhou, 2008), as scikit-learn builds it.
//
// Each tree is grown on psi rows drawn without replacement. A node picks a feature
// uniformly among those that are not constant on its rows, and a split value
// uniformly in [min, max) of that feature; rows with x <= split go left. Growth stops
// at one row or at the height limit ceil(log2 psi). A leaf holding n training rows at
// depth d has path length d + c(n), where c(n) = 2H(n-1) - 2(n-1)/n is the average
// path length of an unsuccessful search in a binary search tree. The anomaly score is
//     s(x, psi) = 2 ^ (-E[h(x)] / c(psi))
// in (0, 1]; higher is more anomalous. scikit-learn's score_samples() is -s.
//
// Missing values are NaN. A split ignores them when it picks its range, and sends them
// down the branch that received more of the node's rows (left on a tie), so a missing
// value is judged like the bulk of the data, never as an outlier by itself.
//
// Determinism: tree t draws from its own random stream, derived from (seed, t), and
// scores are summed over trees in a fixed order. The same seed gives the same forest
// and the same scores, bit for bit, whatever the number of threads.
//
// Nodes are stored flat, in pre-order, per tree (the left child follows its parent),
// as isotree does: 16 bytes a node, addressed by index. That is the model file's layout
// and the reference walk (score of one row); scoring a matrix walks the same trees laid
// out as complete binary trees (compact_forest.h), which gives the same scores, bit for
// bit, several times faster.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace ad {

class CompactForest;

struct ForestParams {
  int trees = 100;          // number of trees
  int sample_size = 256;    // psi; capped at the number of rows
  std::uint64_t seed = 0;
  int threads = 0;          // 0 = all cores
  // The features the trees may split on (indices into the rows); empty = all. Rows keep
  // their full width, so a forest over a subset scores the same rows as the others.
  std::vector<std::uint32_t> columns;
  // Give each split a ceiling, so that a value far above what the trees saw counts as
  // isolated sooner (Forest::has_ceilings).
  bool ceilings = false;
};

// A dense row-major matrix of features: rows x cols, NaN = missing.
struct Matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<double> values;
  const double* row(std::size_t i) const { return values.data() + i * cols; }
  double* row(std::size_t i) { return values.data() + i * cols; }
};

// c(n): the average path length of an unsuccessful BST search among n items.
double average_path_length(double n);

class Forest {
 public:
  struct Node {
    double value;         // split value, or for a leaf its path length d + c(n)
    std::uint32_t bits;   // feature index | kLeaf | kMissingRight
    std::uint32_t right;  // index of the right child within the tree
  };
  static constexpr std::uint32_t kLeaf = 1u << 31;
  static constexpr std::uint32_t kMissingRight = 1u << 30;
  static constexpr std::uint32_t kFeatureMask = kMissingRight - 1;

  Forest() = default;

  // Grows a forest on the rows of data. REQUIRES: data.rows >= 1, data.cols >= 1,
  // params.trees >= 1, params.sample_size >= 2.
  static Forest fit(const Matrix& data, const ForestParams& params);

  // s(x, psi) for one row of features() values, by the reference walk.
  double score(const double* row) const;
  // Scores every row of data into out (resized), using up to `threads` threads: the
  // compact layout's walk when the forest has one, else the reference walk.
  // REQUIRES: data.cols == features().
  void score(const Matrix& data, std::vector<double>& out, int threads = 0) const;
  // Whether score(Matrix) uses the compact layout (compact_forest.h).
  bool compact() const { return compact_ != nullptr; }

  // Without ceilings an Isolation Forest cannot score a row beyond its training data
  // higher than the most extreme training row: both end in the same leaf. With ceilings
  // (ForestParams::ceilings), each split node also holds the top of the range of values
  // it treats as seen: split + (max - min) of its rows' values of the split feature, the
  // upper end of the range isotree's penalize_range keeps (after SCiForest, Liu, Ting &
  // Zhou 2010). A walk subtracts 1 from a tree's path length for each node on its way
  // whose ceiling the row's value is above (a missing value never is), as if the row had
  // been isolated there a level sooner. The further a row lies above what the trees saw,
  // the more nodes it leaves early, and the higher it scores.
  //
  // Only above: ad grows such forests over login features (aspect.h), which grow with
  // how odd a login is (a novelty, a count of failures, how rare an hour is), except
  // network_users, which is odd at 0, the bottom of every range. Below the range lies
  // the ordinary: a novelty of 1 / (1 + times seen) keeps falling as a user's history
  // grows, and a floor would flag the oldest habits.
  bool has_ceilings() const { return !ceilings_.empty(); }

  std::size_t features() const { return features_; }
  int sample_size() const { return sample_size_; }
  std::size_t trees() const { return roots_.size(); }
  std::size_t nodes() const { return nodes_.size(); }

  // Flat storage, for the model file (model.h). Tree t's nodes are
  // nodes_[roots_[t] .. roots_[t+1]); counts_ holds each node's training row count.
  const std::vector<Node>& node_array() const { return nodes_; }
  const std::vector<std::uint32_t>& count_array() const { return counts_; }
  const std::vector<std::uint32_t>& root_array() const { return roots_; }
  // With ceilings, one per node (a leaf's is +inf); else empty.
  const std::vector<double>& ceiling_array() const { return ceilings_; }
  // Rebuilds a forest from flat storage. Throws ad::Error(kData) if the arrays are not
  // a well-formed forest (children in range, features < features, ceilings empty or one
  // per node, none NaN nor below its split, ...).
  static Forest from_arrays(std::size_t features, int sample_size, std::vector<Node> nodes,
                            std::vector<std::uint32_t> counts, std::vector<std::uint32_t> roots,
                            std::vector<double> ceilings = {});

 private:
  double path_length(const double* row) const;
  // The path length at the leaf that row reaches in the tree starting at `tree`.
  static double leaf_value(const Node* tree, const double* row) {
    const Node* n = tree;
    while (!(n->bits & kLeaf)) {
      double v = row[n->bits & kFeatureMask];
      bool right = v > n->value || (v != v && (n->bits & kMissingRight));  // v != v: NaN
      n = right ? tree + n->right : n + 1;
    }
    return n->value;
  }
  // The same, less one for each node on the way whose ceiling the row's value is above
  // (ceilings: the tree's, one per node).
  static double leaf_value(const Node* tree, const double* ceilings, const double* row) {
    const Node* n = tree;
    double above = 0;
    while (!(n->bits & kLeaf)) {
      double v = row[n->bits & kFeatureMask];
      above += static_cast<double>(v > ceilings[n - tree]);  // NaN: false
      bool right = v > n->value || (v != v && (n->bits & kMissingRight));
      n = right ? tree + n->right : n + 1;
    }
    return n->value - above;
  }

  std::size_t features_ = 0;
  int sample_size_ = 0;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> counts_;
  std::vector<std::uint32_t> roots_;  // start of each tree in nodes_
  std::vector<double> ceilings_;      // one per node, or empty
  std::shared_ptr<const CompactForest> compact_;  // the same trees, for scoring matrices
};

// A small, fast, seedable random generator (splitmix64), used wherever ad draws.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n). REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }

 private:
  std::uint64_t state_;
};

// Runs body(begin, end) over [0, n) split into contiguous parts on up to `threads`
// threads (0 = all cores), the caller running the first. Each index is handled once;
// order within a part is kept. If parts throw, the first part's error (lowest indices)
// is rethrown once all have ended: the error a single thread would have met first.
void parallel_for(std::size_t n, int threads, std::size_t min_per_thread,
                  const std::function<void(std::size_t, std::size_t)>& body);

}  // namespace ad
