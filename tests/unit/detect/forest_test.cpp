#include "ad/detect/forest.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ad/core/error.h"

using ad::Forest;
using ad::ForestParams;
using ad::Matrix;

namespace {
// n inliers around 0 in 2-D plus one far outlier as the last row.
Matrix blob(std::size_t n, std::uint64_t seed) {
  Matrix m;
  m.rows = n + 1;
  m.cols = 2;
  ad::Rng rng(seed);
  for (std::size_t i = 0; i < n; ++i) {
    m.values.push_back(rng.uniform() - 0.5);
    m.values.push_back(rng.uniform() - 0.5);
  }
  m.values.push_back(8.0);
  m.values.push_back(8.0);
  return m;
}
}  // namespace

TEST_SUITE("forest") {
  TEST_CASE("c(n) matches scikit-learn's _average_path_length") {
    CHECK(ad::average_path_length(1) == 0.0);
    CHECK(ad::average_path_length(2) == 1.0);
    CHECK(ad::average_path_length(256) == doctest::Approx(10.244770920116851).epsilon(1e-12));
    CHECK(ad::average_path_length(3) == doctest::Approx(1.2074).epsilon(1e-3));
  }

  TEST_CASE("an obvious outlier scores highest, and every score is above 0 and at most 1") {
    Matrix m = blob(500, 7);
    Forest f = Forest::fit(m, {100, 256, 42, 1});
    CHECK(f.sample_size() == 256);
    CHECK(f.trees() == 100);
    std::vector<double> s;
    f.score(m, s, 1);
    double max_inlier = 0;
    for (std::size_t i = 0; i + 1 < m.rows; ++i) {
      CHECK(s[i] > 0.0);
      CHECK(s[i] <= 1.0);
      max_inlier = std::max(max_inlier, s[i]);
    }
    CHECK(s.back() > max_inlier);
    CHECK(s.back() > 0.7);
  }

  TEST_CASE("the height limit is ceil(log2 psi) and every leaf has a count") {
    Matrix m = blob(1000, 3);
    Forest f = Forest::fit(m, {10, 64, 1, 1});
    // With psi = 64, depth <= 6, so a tree has at most 127 nodes.
    const auto& roots = f.root_array();
    for (std::size_t t = 0; t < roots.size(); ++t) {
      std::size_t end = t + 1 < roots.size() ? roots[t + 1] : f.nodes();
      CHECK(end - roots[t] <= 127);
      CHECK(f.count_array()[roots[t]] == 64);
    }
  }

  TEST_CASE("same seed, same forest and scores, whatever the thread count") {
    Matrix m = blob(3000, 11);
    Forest a = Forest::fit(m, {50, 256, 99, 1});
    Forest b = Forest::fit(m, {50, 256, 99, 2});
    Forest c = Forest::fit(m, {50, 256, 100, 2});
    std::vector<double> sa, sb, sc;
    a.score(m, sa, 1);
    b.score(m, sb, 2);
    c.score(m, sc, 2);
    CHECK(sa == sb);
    CHECK(sa != sc);
  }

  TEST_CASE("parallel_for rethrows the first part's error, even when it is thrown last") {
    std::atomic<int> thrown{0};
    std::string caught;
    try {
      ad::parallel_for(400, 4, 1, [&](std::size_t begin, std::size_t) {
        if (begin == 0) {  // the first part waits until the three others have thrown
          auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
          while (thrown.load() < 3 && std::chrono::steady_clock::now() < until) std::this_thread::yield();
        }
        ++thrown;
        throw std::runtime_error("part at " + std::to_string(begin));
      });
    } catch (const std::runtime_error& e) {
      caught = e.what();
    }
    CHECK(thrown.load() == 4);
    CHECK(caught == "part at 0");
  }

  TEST_CASE("missing values follow the majority and are not outliers by themselves") {
    Matrix m = blob(500, 5);
    Forest f = Forest::fit(m, {100, 256, 1, 1});
    std::vector<double> s;
    f.score(m, s, 1);
    double typical = 0;
    for (std::size_t i = 0; i + 1 < m.rows; ++i) typical += s[i];
    typical /= static_cast<double>(m.rows - 1);
    double row[2] = {NAN, 0.0};
    CHECK(f.score(row) < typical + 0.05);
    double both[2] = {NAN, NAN};
    CHECK(std::isfinite(f.score(both)));
  }

  TEST_CASE("a constant feature is never split on, all-constant data gives one leaf") {
    Matrix m;
    m.rows = 50;
    m.cols = 2;
    for (std::size_t i = 0; i < 50; ++i) {
      m.values.push_back(1.0);
      m.values.push_back(static_cast<double>(i));
    }
    Forest f = Forest::fit(m, {5, 32, 1, 1});
    for (const auto& n : f.node_array())
      if (!(n.bits & Forest::kLeaf)) CHECK((n.bits & Forest::kFeatureMask) == 1u);
    Matrix flat;
    flat.rows = 10;
    flat.cols = 1;
    flat.values.assign(10, 3.0);
    Forest g = Forest::fit(flat, {3, 8, 1, 1});
    CHECK(g.nodes() == 3);
  }

  TEST_CASE("from_arrays refuses malformed forests") {
    Matrix m = blob(100, 2);
    Forest f = Forest::fit(m, {2, 16, 1, 1});
    auto nodes = f.node_array();
    CHECK_NOTHROW(Forest::from_arrays(2, 16, nodes, f.count_array(), f.root_array()));
    CHECK_THROWS_WITH(Forest::from_arrays(1, 16, nodes, f.count_array(), f.root_array()),
                      doctest::Contains("feature index out of range"));
    for (auto& n : nodes)
      if (!(n.bits & Forest::kLeaf)) {
        n.right = 100000;
        break;
      }
    CHECK_THROWS_WITH(Forest::from_arrays(2, 16, nodes, f.count_array(), f.root_array()),
                      doctest::Contains("child index out of range"));
  }

  TEST_CASE("ForestParams::columns: trees split only on the listed columns") {
    // Three varying columns; the outlier row is far out in columns 0 and 1 only.
    Matrix m;
    m.rows = 600;
    m.cols = 3;
    ad::Rng rng(17);
    for (std::size_t i = 0; i < m.rows; ++i) {
      m.values.push_back(rng.uniform());
      m.values.push_back(rng.uniform() * 100);
      m.values.push_back(rng.uniform() - 0.5);
    }
    m.row(0)[0] = 50.0;
    m.row(0)[1] = -900.0;
    ForestParams p{50, 64, 3, 1};
    p.columns = {2};
    Forest f = Forest::fit(m, p);
    CHECK(f.features() == 3);  // rows keep their full width
    std::size_t inner = 0;
    for (const auto& n : f.node_array())
      if (!(n.bits & Forest::kLeaf)) {
        ++inner;
        CHECK((n.bits & Forest::kFeatureMask) == 2u);
      }
    CHECK(inner > 50);  // it did split, on column 2

    // Rows differing only in columns 0 and 1 score the same, bit for bit.
    double a[3] = {0.1, 5.0, 0.2};
    double b[3] = {1e9, -1e9, 0.2};
    double c[3] = {NAN, NAN, 0.2};
    CHECK(f.score(a) == f.score(b));
    CHECK(f.score(a) == f.score(c));
    // ... but column 2 matters.
    double far[3] = {0.1, 5.0, 40.0};
    CHECK(f.score(far) > f.score(a));
    // The batch scorer agrees: row 0, an outlier in columns 0 and 1, is judged by
    // column 2 alone, as the same row with ordinary values there.
    std::vector<double> s;
    f.score(m, s, 1);
    double same[3] = {0.5, 50.0, m.row(0)[2]};
    CHECK(s[0] == f.score(same));

    // Two of three columns: splits on 0 and 2 only, and both are used.
    ForestParams q{50, 64, 3, 1};
    q.columns = {2, 0};
    Forest g = Forest::fit(m, q);
    bool used[3] = {false, false, false};
    for (const auto& n : g.node_array())
      if (!(n.bits & Forest::kLeaf)) used[n.bits & Forest::kFeatureMask] = true;
    CHECK(used[0]);
    CHECK_FALSE(used[1]);
    CHECK(used[2]);
  }

  TEST_CASE("ForestParams::columns: all columns listed is the same forest as none listed") {
    Matrix m = blob(400, 9);
    ForestParams all{30, 128, 5, 1};
    ForestParams listed = all;
    listed.columns = {0, 1};
    Forest a = Forest::fit(m, all);
    Forest b = Forest::fit(m, listed);
    REQUIRE(a.nodes() == b.nodes());
    CHECK(a.root_array() == b.root_array());
    CHECK(a.count_array() == b.count_array());
    for (std::size_t i = 0; i < a.nodes(); ++i) {
      CHECK(a.node_array()[i].bits == b.node_array()[i].bits);
      CHECK(a.node_array()[i].value == b.node_array()[i].value);
    }
  }

  TEST_CASE("ForestParams::columns: a constant listed column gives one leaf per tree") {
    // Column 0 varies, column 1 is constant: a forest over column 1 cannot split, and
    // every row scores the same.
    Matrix m;
    m.rows = 100;
    m.cols = 2;
    for (std::size_t i = 0; i < m.rows; ++i) {
      m.values.push_back(static_cast<double>(i));
      m.values.push_back(7.0);
    }
    ForestParams p{4, 32, 1, 1};
    p.columns = {1};
    Forest f = Forest::fit(m, p);
    CHECK(f.nodes() == 4);
    double lo[2] = {0.0, 7.0}, hi[2] = {1e6, 7.0};
    CHECK(f.score(lo) == f.score(hi));
  }

  TEST_CASE("ForestParams::columns: a column out of range is an internal error") {
    Matrix three;
    three.rows = 20;
    three.cols = 3;
    for (std::size_t i = 0; i < 60; ++i) three.values.push_back(static_cast<double>(i % 7));
    for (std::vector<std::uint32_t> cols : {std::vector<std::uint32_t>{3}, std::vector<std::uint32_t>{0, 3},
                                            std::vector<std::uint32_t>{1000}}) {
      ForestParams p{2, 8, 1, 1};
      p.columns = cols;
      try {
        Forest::fit(three, p);
        FAIL_CHECK("accepted column " << cols.back());
      } catch (const ad::Error& e) {
        CHECK(e.status() == ad::Status::kInternal);
        CHECK(e.message().find(std::to_string(cols.back())) != std::string::npos);
      }
    }
    ForestParams ok{2, 8, 1, 1};
    ok.columns = {2};
    CHECK_NOTHROW(Forest::fit(three, ok));
  }

  TEST_CASE("ceilings change no split: the same trees, with a ceiling at or above each split") {
    Matrix m = blob(500, 4);
    ForestParams plain{20, 64, 9, 1};
    ForestParams with = plain;
    with.ceilings = true;
    Forest a = Forest::fit(m, plain);
    Forest b = Forest::fit(m, with);
    CHECK_FALSE(a.has_ceilings());
    CHECK(a.ceiling_array().empty());
    REQUIRE(b.has_ceilings());
    REQUIRE(b.ceiling_array().size() == b.nodes());
    REQUIRE(a.nodes() == b.nodes());
    std::size_t differ = 0, inner = 0;
    for (std::size_t i = 0; i < a.nodes(); ++i) {
      const auto &x = a.node_array()[i], &y = b.node_array()[i];
      differ += x.bits != y.bits || x.right != y.right || !(x.value == y.value);
      const double c = b.ceiling_array()[i];
      if (y.bits & Forest::kLeaf) {
        CHECK(c == INFINITY);
      } else {
        ++inner;
        // split + the width of the node's values: inside the blob, at most 1 + 1 wide.
        CHECK(c > y.value);
        CHECK(c < y.value + 9.0);
      }
    }
    CHECK(differ == 0);
    CHECK(inner > 0);
    with.threads = 2;
    CHECK(Forest::fit(m, with).ceiling_array() == b.ceiling_array());
  }

  TEST_CASE("with ceilings, a row far beyond the training data outscores one just beyond it; without, they tie") {
    Matrix m = blob(2000, 5);
    m.rows -= 1;  // no outlier: values in [-0.5, 0.5)
    m.values.resize(m.rows * m.cols);
    ForestParams p{100, 256, 3, 1};
    Forest plain = Forest::fit(m, p);
    p.ceilings = true;
    Forest ceiled = Forest::fit(m, p);
    const double near[2] = {0.55, 0.55}, far[2] = {50.0, 50.0};
    // Beyond every split, both rows end in the most extreme training row's leaves.
    CHECK(plain.score(near) == plain.score(far));
    CHECK(ceiled.score(far) > ceiled.score(near));
    std::vector<double> train;
    ceiled.score(m, train, 1);
    CHECK(ceiled.score(far) > *std::max_element(train.begin(), train.end()));
    // Leaving nodes early only ever shortens a path.
    CHECK(ceiled.score(near) >= plain.score(near));
  }

  TEST_CASE("with ceilings, a value below the training range or a missing one counts as without") {
    Matrix m = blob(500, 6);
    ForestParams p{50, 128, 4, 1};
    Forest plain = Forest::fit(m, p);
    p.ceilings = true;
    Forest ceiled = Forest::fit(m, p);
    for (const auto& row : {std::vector<double>{-50, -50}, std::vector<double>{NAN, NAN},
                            std::vector<double>{NAN, -3}, std::vector<double>{-3, NAN}}) {
      CAPTURE(row[0]);
      CAPTURE(row[1]);
      CHECK(ceiled.score(row.data()) == plain.score(row.data()));
    }
    const double up[2] = {50, 50};
    CHECK(ceiled.score(up) > plain.score(up));
  }

  TEST_CASE("from_arrays refuses malformed ceilings") {
    Matrix m = blob(100, 2);
    ForestParams p{2, 16, 1, 1};
    p.ceilings = true;
    Forest f = Forest::fit(m, p);
    auto rebuild = [&](std::vector<double> c) {
      return Forest::from_arrays(2, 16, f.node_array(), f.count_array(), f.root_array(), std::move(c));
    };
    CHECK(rebuild(f.ceiling_array()).ceiling_array() == f.ceiling_array());
    CHECK_FALSE(rebuild({}).has_ceilings());
    std::vector<double> c = f.ceiling_array();
    c.pop_back();
    CHECK_THROWS_WITH(rebuild(c), doctest::Contains("ceiling and node arrays differ in length"));
    std::size_t inner = 0;
    while (f.node_array()[inner].bits & Forest::kLeaf) ++inner;
    for (double bad : {double(NAN), f.node_array()[inner].value - 1e-9, -double(INFINITY)}) {
      CAPTURE(bad);
      c = f.ceiling_array();
      c[inner] = bad;
      CHECK_THROWS_WITH(rebuild(c), doctest::Contains("a ceiling is not a number or is below its split"));
    }
    c = f.ceiling_array();
    c[inner] = f.node_array()[inner].value;  // at the split: every value above it counts
    CHECK_NOTHROW(rebuild(c));
  }
}
