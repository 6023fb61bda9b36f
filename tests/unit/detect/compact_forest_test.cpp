#include "ad/detect/compact_forest.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

using ad::CompactForest;
using ad::Forest;
using ad::Matrix;

namespace {

// The tree walk as forest.h defines it, written out again as the oracle: x <= split
// goes left, a missing value goes where the node's kMissingRight bit says; with
// ceilings, a tree's path length loses 1 for each node on the way whose ceiling a
// (non-missing) value is above.
double oracle_path_lengths(const Forest& f, const double* row) {
  const auto& nodes = f.node_array();
  const auto& ceilings = f.ceiling_array();
  double total = 0;
  for (std::uint32_t root : f.root_array()) {
    std::size_t i = root;
    double above = 0;
    while (!(nodes[i].bits & Forest::kLeaf)) {
      double v = row[nodes[i].bits & Forest::kFeatureMask];
      if (!ceilings.empty() && !std::isnan(v) && v > ceilings[i]) above += 1;
      bool right = std::isnan(v) ? (nodes[i].bits & Forest::kMissingRight) != 0 : v > nodes[i].value;
      i = right ? root + nodes[i].right : i + 1;
    }
    total += nodes[i].value - above;
  }
  return total;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Training rows with a share of missing values, so that both missing-value rules occur.
Matrix training(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  Matrix m;
  m.rows = rows;
  m.cols = cols;
  ad::Rng rng(seed);
  for (std::size_t i = 0; i < rows * cols; ++i) {
    double u = rng.uniform();
    m.values.push_back(u < 0.15 ? NAN : (rng.uniform() - 0.3) * 1000.0 / 3.0);
  }
  return m;
}

// Rows that probe the splits: each split value exactly, the doubles just below and
// above it (which a float32 threshold would confuse), the same about its ceiling (with
// ceilings), missing values and infinities.
Matrix probes(const Forest& f, std::size_t cols, std::uint64_t seed) {
  Matrix m;
  m.cols = cols;
  ad::Rng rng(seed);
  const double inf = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < f.nodes(); ++k) {
    const auto& n = f.node_array()[k];
    if (n.bits & Forest::kLeaf) continue;
    std::vector<double> values = {n.value, std::nextafter(n.value, -inf), std::nextafter(n.value, inf),
                                  double(NAN), inf, -inf};
    if (f.has_ceilings()) {
      double c = f.ceiling_array()[k];
      values.insert(values.end(), {c, std::nextafter(c, -inf), std::nextafter(c, inf)});
    }
    for (double v : values) {
      for (std::size_t j = 0; j < cols; ++j) m.values.push_back((rng.uniform() - 0.3) * 1000.0 / 3.0);
      m.values[m.values.size() - cols + (n.bits & Forest::kFeatureMask)] = v;
      if (rng.uniform() < 0.2) m.values[m.values.size() - cols + rng.below(cols)] = NAN;
    }
  }
  m.rows = m.values.size() / cols;
  return m;
}

}  // namespace

TEST_SUITE("compact_forest") {
  TEST_CASE("the compact walk gives the reference walk's path lengths and scores, bit for bit") {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
      for (int psi : {3, 16, 256, 600}) {
        for (bool ceilings : {false, true}) {
          CAPTURE(ceilings);
          Matrix train = training(700, 4, seed);
          ad::ForestParams params{30, psi, seed, 1};
          params.ceilings = ceilings;
          Forest f = Forest::fit(train, params);
          REQUIRE(f.compact());
          REQUIRE(f.has_ceilings() == ceilings);
          auto c = CompactForest::build(f.node_array(), f.root_array(), f.features(), f.ceiling_array());
          REQUIRE(c);
          CHECK(c->height() <= static_cast<int>(std::ceil(std::log2(std::min(psi, 700)))));
          CHECK(c->height() >= 2);
          Matrix rows = probes(f, 4, seed + 10);
          std::vector<double> sums(rows.rows, 0.0);
          c->add_path_lengths(rows.values.data(), rows.rows, rows.cols, sums.data());
          std::vector<double> scores1, scores2;
          f.score(rows, scores1, 1);
          f.score(rows, scores2, 2);
          // The same trees without ceilings: with them, some probes must score otherwise.
          Forest bare = Forest::from_arrays(f.features(), f.sample_size(), f.node_array(), f.count_array(),
                                            f.root_array());
          std::size_t wrong = 0, raised = 0;
          for (std::size_t i = 0; i < rows.rows; ++i) {
            if (!same_bits(sums[i], oracle_path_lengths(f, rows.row(i)))) ++wrong;
            if (!same_bits(scores1[i], f.score(rows.row(i))) || !same_bits(scores2[i], scores1[i])) ++wrong;
            raised += scores1[i] > bare.score(rows.row(i));
          }
          CHECK(wrong == 0);
          CHECK((raised > 0) == ceilings);
        }
      }
    }
  }

  TEST_CASE("a malformed file's node with two parents is walked as the reference walks it") {
    // from_arrays accepts any right child after the left one, so a node can be reached
    // by paths of different lengths; the layout must use the longest.
    Matrix train = training(300, 3, 9);
    Forest grown = Forest::fit(train, {20, 64, 9, 1});
    std::vector<Forest::Node> nodes = grown.node_array();
    const auto& roots = grown.root_array();
    ad::Rng rng(4);
    for (std::size_t t = 0; t < roots.size(); ++t) {
      std::size_t begin = roots[t], end = t + 1 < roots.size() ? roots[t + 1] : nodes.size();
      for (std::size_t i = begin; i < end; ++i) {
        Forest::Node& n = nodes[i];
        std::size_t size = end - begin, local = i - begin;
        if ((n.bits & Forest::kLeaf) || local + 2 >= size || rng.uniform() < 0.5) continue;
        n.right = static_cast<std::uint32_t>(local + 2 + rng.below(size - local - 2));
      }
    }
    Forest f = Forest::from_arrays(3, 64, nodes, grown.count_array(), roots);
    Matrix rows = probes(f, 3, 11);
    std::vector<double> s;
    f.score(rows, s, 1);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < rows.rows; ++i)
      if (!same_bits(s[i], f.score(rows.row(i)))) ++wrong;
    CHECK(wrong == 0);
  }

  TEST_CASE("a split that no float32 can stand for decides as the double does") {
    // One tree, one split at 0.1 (not a float): the floats around it would send
    // either 0.1 itself or its neighbour the wrong way.
    std::vector<Forest::Node> nodes = {{0.1, 0u, 2}, {1.0, Forest::kLeaf, 0}, {2.0, Forest::kLeaf, 0}};
    Forest f = Forest::from_arrays(1, 4, nodes, {4, 2, 2}, {0});
    REQUIRE(f.compact());
    Matrix m;
    m.cols = 1;
    m.values = {0.1, std::nextafter(0.1, 1.0), static_cast<double>(static_cast<float>(0.1)), NAN};
    m.rows = m.values.size();
    std::vector<double> s;
    f.score(m, s, 1);
    for (std::size_t i = 0; i < m.rows; ++i) CHECK(same_bits(s[i], f.score(m.row(i))));
    CHECK(s[0] > s[1]);  // 0.1 goes left (path 1), the next double right (path 2)
    CHECK(s[3] == s[0]); // missing goes left: the node has no kMissingRight bit
  }

  TEST_CASE("leaves at every depth, and a tree that is a single leaf") {
    // Tree 0: a leaf at depth 1 on the left, a split below on the right (missing right).
    // Tree 1: a single leaf (height 0 by itself; padded to the forest's height).
    std::vector<Forest::Node> nodes = {{5.0, 0u, 2},
                                       {1.5, Forest::kLeaf, 0},
                                       {7.0, 1u | Forest::kMissingRight, 4},
                                       {2.0, Forest::kLeaf, 0},
                                       {3.0, Forest::kLeaf, 0},
                                       {0.25, Forest::kLeaf, 0}};
    Forest f = Forest::from_arrays(2, 8, nodes, {8, 3, 5, 3, 2, 8}, {0, 5});
    auto c = CompactForest::build(f.node_array(), f.root_array(), 2);
    REQUIRE(c);
    CHECK(c->height() == 2);
    const double rows[] = {4.0, 100.0, 6.0, 7.0, 6.0, 7.5, 6.0, NAN, NAN, NAN};
    double sums[5] = {};
    c->add_path_lengths(rows, 5, 2, sums);
    CHECK(sums[0] == 1.75);  // left leaf
    CHECK(sums[1] == 2.25);  // right, then left
    CHECK(sums[2] == 3.25);  // right, then right
    CHECK(sums[3] == 3.25);  // right, then missing goes right
    CHECK(sums[4] == 1.75);  // missing at the root goes left
  }

  TEST_CASE("ceilings read the value as it is, whichever way a node sends missing values") {
    // Tree 0: root on feature 0 (missing right, ceiling 4), its right child on feature 1
    // (missing left, ceiling +inf: above by nothing). Tree 1: one split on feature 1
    // (missing right, ceiling 2.5). A node that reads the NaN-as-+inf copy for its split
    // must not count a missing value above its ceiling.
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<Forest::Node> nodes = {{1.0, 0u | Forest::kMissingRight, 2},
                                       {1.0, Forest::kLeaf, 0},
                                       {-2.0, 1u, 4},
                                       {2.0, Forest::kLeaf, 0},
                                       {3.0, Forest::kLeaf, 0},
                                       {0.5, 1u | Forest::kMissingRight, 2},
                                       {1.25, Forest::kLeaf, 0},
                                       {2.5, Forest::kLeaf, 0}};
    std::vector<double> ceilings = {4.0, inf, inf, inf, inf, 2.5, inf, inf};
    Forest f = Forest::from_arrays(2, 8, nodes, {8, 3, 5, 3, 2, 8, 4, 4}, {0, 5}, ceilings);
    REQUIRE(f.compact());
    REQUIRE(f.has_ceilings());
    const double values[] = {NAN,  inf, -inf, 1.0, std::nextafter(1.0, inf), 4.0, std::nextafter(4.0, inf),
                             -2.0, 0.5, 2.5,  std::nextafter(2.5, inf), 1e300, -1e300};
    Matrix m;
    m.cols = 2;
    for (double a : values)
      for (double b : values) m.values.insert(m.values.end(), {a, b});
    m.rows = m.values.size() / 2;
    auto c = CompactForest::build(f.node_array(), f.root_array(), 2, f.ceiling_array());
    REQUIRE(c);
    std::vector<double> sums(m.rows, 0.0), s;
    c->add_path_lengths(m.values.data(), m.rows, m.cols, sums.data());
    f.score(m, s, 1);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < m.rows; ++i)
      wrong += !same_bits(sums[i], oracle_path_lengths(f, m.row(i))) || !same_bits(s[i], f.score(m.row(i)));
    CHECK(wrong == 0);
    // Spelled out: NaN, NaN goes right at the root (no count), left at feature 1's node:
    // 2; then right in tree 1 (no count): 2.5.
    CHECK(sums[0] == 4.5);
    // +inf and 5 (above the root's ceiling 4, not above +inf; above tree 1's 2.5): 3 - 1 + 2.5 - 1.
    const double row[] = {inf, 5.0};
    double one = 0;
    c->add_path_lengths(row, 1, 2, &one);
    CHECK(one == 3.5);
  }

  TEST_CASE("features too many for the nodes' 32-bit offsets get no layout") {
    std::vector<Forest::Node> nodes = {{0.5, 0u, 2}, {1.0, Forest::kLeaf, 0}, {2.0, Forest::kLeaf, 0}};
    const std::size_t most = std::size_t{0xFFFFFFFFu} / (2 * CompactForest::kGroup * sizeof(double));
    CHECK(CompactForest::build(nodes, {0}, most) != nullptr);
    CHECK(CompactForest::build(nodes, {0}, most + 1) == nullptr);
  }

  TEST_CASE("a tree taller than kMaxHeight gets no layout, and scores by the reference walk") {
    // A chain of splits, each with a leaf on its right: height kMaxHeight + 1.
    const std::uint32_t depth = CompactForest::kMaxHeight + 1;
    std::vector<Forest::Node> pre;
    std::vector<std::uint32_t> pre_counts;
    std::function<void(std::uint32_t)> emit = [&](std::uint32_t d) {
      if (d == depth) {
        pre.push_back({static_cast<double>(depth), Forest::kLeaf, 0});
        pre_counts.push_back(1);
        return;
      }
      std::size_t self = pre.size();
      pre.push_back({static_cast<double>(d) + 0.5, 0u, 0});
      pre_counts.push_back(2);
      emit(d + 1);
      pre[self].right = static_cast<std::uint32_t>(pre.size());
      pre.push_back({static_cast<double>(d) + 1, Forest::kLeaf, 0});
      pre_counts.push_back(1);
    };
    emit(0);
    Forest f = Forest::from_arrays(1, 4, pre, pre_counts, {0});
    CHECK_FALSE(f.compact());
    CHECK(CompactForest::build(f.node_array(), f.root_array(), 1) == nullptr);
    Matrix m;
    m.cols = 1;
    m.values = {0.0, 3.0, 100.0, NAN};
    m.rows = 4;
    std::vector<double> s;
    f.score(m, s, 1);
    for (std::size_t i = 0; i < m.rows; ++i) CHECK(same_bits(s[i], f.score(m.row(i))));
  }
}
