#include "ad/detect/forest.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <thread>
#include <unordered_set>

#include "ad/core/error.h"
#include "ad/detect/compact_forest.h"

namespace ad {

double average_path_length(double n) {
  if (n <= 1) return 0.0;
  if (n <= 2) return 1.0;
  constexpr double kEuler = 0.5772156649015329;
  return 2.0 * (std::log(n - 1.0) + kEuler) - 2.0 * (n - 1.0) / n;
}

void parallel_for(std::size_t n, int threads, std::size_t min_per_thread,
                  const std::function<void(std::size_t, std::size_t)>& body) {
  // Asked once: glibc reads /sys/devices/system/cpu/online each time, and ad-score
  // asks for every batch.
  static const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::size_t t = threads > 0 ? static_cast<std::size_t>(threads) : cores;
  t = std::min(t, std::max<std::size_t>(1, n / std::max<std::size_t>(1, min_per_thread)));
  if (t <= 1) {
    if (n) body(0, n);
    return;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> failures(t);  // each part's own: no lock needed
  auto part = [&](std::size_t i) {
    try {
      body(n * i / t, n * (i + 1) / t);
    } catch (...) {
      failures[i] = std::current_exception();
    }
  };
  for (std::size_t i = 1; i < t; ++i) pool.emplace_back(part, i);
  part(0);  // the caller's own share, rather than waiting idle
  for (auto& th : pool) th.join();
  for (auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
}

namespace {

// Grows one tree on `sample` (row-major, n x cols) into nodes/counts.
class TreeBuilder {
 public:
  TreeBuilder(const std::vector<double>& sample, std::size_t n, std::size_t cols,
              const std::vector<std::uint32_t>& features, int max_depth, Rng& rng,
              std::vector<Forest::Node>& nodes, std::vector<std::uint32_t>& counts, std::vector<double>* ceilings)
      : x_(sample), cols_(cols), max_depth_(max_depth), rng_(rng), nodes_(nodes), counts_(counts),
        ceilings_(ceilings), features_(features) {
    idx_.resize(n);
    std::iota(idx_.begin(), idx_.end(), 0u);
  }

  void grow(std::size_t begin, std::size_t end, int depth) {
    std::size_t n = end - begin;
    std::size_t self = nodes_.size();
    nodes_.push_back({});
    counts_.push_back(static_cast<std::uint32_t>(n));
    if (ceilings_) ceilings_->push_back(INFINITY);
    double lo = 0, hi = 0;
    std::uint32_t f = 0;
    if (depth >= max_depth_ || n <= 1 || !pick_split(begin, end, f, lo, hi)) {
      nodes_[self] = {depth + average_path_length(static_cast<double>(n)), Forest::kLeaf, 0};
      return;
    }
    double split = lo + (hi - lo) * rng_.uniform();
    if (split >= hi) split = lo;  // as scikit-learn: keep the split inside the range
    if (ceilings_) (*ceilings_)[self] = split + (hi - lo);
    // Partition: non-missing left (x <= split), then right, missing collected after.
    std::size_t l = begin;
    std::vector<std::uint32_t> missing;
    std::vector<std::uint32_t> right;
    for (std::size_t i = begin; i < end; ++i) {
      std::uint32_t r = idx_[i];
      double v = x_[r * cols_ + f];
      if (std::isnan(v))
        missing.push_back(r);
      else if (v <= split)
        idx_[l++] = r;
      else
        right.push_back(r);
    }
    bool missing_right = right.size() > l - begin;
    std::size_t p = l;
    if (!missing_right)
      for (auto r : missing) idx_[p++] = r;
    std::size_t mid = p;
    for (auto r : right) idx_[p++] = r;
    if (missing_right)
      for (auto r : missing) idx_[p++] = r;
    grow(begin, mid, depth + 1);
    std::uint32_t right_index = static_cast<std::uint32_t>(nodes_.size());
    grow(mid, end, depth + 1);
    nodes_[self] = {split, f | (missing_right ? Forest::kMissingRight : 0u), right_index};
  }

 private:
  // Draws features without replacement until one is not constant on the node's rows.
  bool pick_split(std::size_t begin, std::size_t end, std::uint32_t& f, double& lo, double& hi) {
    for (std::size_t left = features_.size(); left > 0; --left) {
      std::size_t j = rng_.below(left);
      std::swap(features_[j], features_[left - 1]);
      f = features_[left - 1];
      lo = INFINITY;
      hi = -INFINITY;
      for (std::size_t i = begin; i < end; ++i) {
        double v = x_[idx_[i] * cols_ + f];
        if (v < lo) lo = v;  // NaN compares false: ignored
        if (v > hi) hi = v;
      }
      if (hi > lo) return true;
    }
    return false;
  }

  const std::vector<double>& x_;
  std::size_t cols_;
  int max_depth_;
  Rng& rng_;
  std::vector<Forest::Node>& nodes_;
  std::vector<std::uint32_t>& counts_;
  std::vector<double>* ceilings_;  // or null
  std::vector<std::uint32_t> idx_;
  std::vector<std::uint32_t> features_;
};

// psi distinct indices from [0, n), in draw order.
std::vector<std::uint32_t> draw_sample(std::size_t n, std::size_t psi, Rng& rng) {
  std::vector<std::uint32_t> out;
  out.reserve(psi);
  if (psi * 4 >= n) {
    std::vector<std::uint32_t> all(n);
    std::iota(all.begin(), all.end(), 0u);
    for (std::size_t i = 0; i < psi; ++i) {
      std::size_t j = i + rng.below(n - i);
      std::swap(all[i], all[j]);
      out.push_back(all[i]);
    }
    return out;
  }
  std::unordered_set<std::uint32_t> seen;
  while (out.size() < psi) {
    auto r = static_cast<std::uint32_t>(rng.below(n));
    if (seen.insert(r).second) out.push_back(r);
  }
  return out;
}

}  // namespace

Forest Forest::fit(const Matrix& data, const ForestParams& params) {
  Forest forest;
  forest.features_ = data.cols;
  std::size_t psi = std::min<std::size_t>(static_cast<std::size_t>(params.sample_size), data.rows);
  forest.sample_size_ = static_cast<int>(psi);
  int max_depth = static_cast<int>(std::ceil(std::log2(std::max<double>(psi, 2))));
  std::size_t trees = static_cast<std::size_t>(params.trees);
  std::vector<std::uint32_t> features = params.columns;
  if (features.empty()) {
    features.resize(data.cols);
    std::iota(features.begin(), features.end(), 0u);
  }
  for (auto f : features)
    if (f >= data.cols) throw Error(Status::kInternal, "forest: column " + std::to_string(f) + " out of range");

  std::vector<std::vector<Node>> tree_nodes(trees);
  std::vector<std::vector<std::uint32_t>> tree_counts(trees);
  std::vector<std::vector<double>> tree_ceilings(trees);
  parallel_for(trees, params.threads, 1, [&](std::size_t b, std::size_t e) {
    std::vector<double> sample;
    for (std::size_t t = b; t < e; ++t) {
      Rng rng(params.seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull * (t + 1));
      auto rows = draw_sample(data.rows, psi, rng);
      sample.resize(psi * data.cols);
      for (std::size_t i = 0; i < psi; ++i)
        std::copy_n(data.row(rows[i]), data.cols, sample.begin() + i * data.cols);
      TreeBuilder builder(sample, psi, data.cols, features, max_depth, rng, tree_nodes[t], tree_counts[t],
                          params.ceilings ? &tree_ceilings[t] : nullptr);
      builder.grow(0, psi, 0);
    }
  });
  for (std::size_t t = 0; t < trees; ++t) {
    forest.roots_.push_back(static_cast<std::uint32_t>(forest.nodes_.size()));
    forest.nodes_.insert(forest.nodes_.end(), tree_nodes[t].begin(), tree_nodes[t].end());
    forest.counts_.insert(forest.counts_.end(), tree_counts[t].begin(), tree_counts[t].end());
    forest.ceilings_.insert(forest.ceilings_.end(), tree_ceilings[t].begin(), tree_ceilings[t].end());
  }
  forest.compact_ = CompactForest::build(forest.nodes_, forest.roots_, forest.features_, forest.ceilings_);
  return forest;
}

double Forest::path_length(const double* row) const {
  double total = 0;
  const Node* base = nodes_.data();
  for (std::uint32_t root : roots_)
    total += ceilings_.empty() ? leaf_value(base + root, row) : leaf_value(base + root, ceilings_.data() + root, row);
  return total;
}

double Forest::score(const double* row) const {
  const double norm = 1.0 / (static_cast<double>(roots_.size()) * average_path_length(sample_size_));
  return std::exp2(-path_length(row) * norm);
}

void Forest::score(const Matrix& data, std::vector<double>& out, int threads) const {
  out.assign(data.rows, 0.0);
  if (data.cols != features_) throw Error(Status::kInternal, "forest: rows of the wrong width");
  const double norm = 1.0 / (static_cast<double>(roots_.size()) * average_path_length(sample_size_));
  parallel_for(data.rows, threads, 2048, [&](std::size_t b, std::size_t e) {
    // Tree by tree over blocks of rows, so that a tree stays in cache while many rows
    // walk it. Each row still adds its trees' path lengths in tree order, as score()
    // does for one row, so the sums are the same bit for bit.
    constexpr std::size_t kBlock = 256;
    for (std::size_t lo = b; lo < e; lo += kBlock) {
      std::size_t hi = std::min(e, lo + kBlock);
      if (compact_) {
        compact_->add_path_lengths(data.row(lo), hi - lo, data.cols, out.data() + lo);
      } else {
        for (std::uint32_t root : roots_) {
          const Node* tree = nodes_.data() + root;
          if (ceilings_.empty())
            for (std::size_t i = lo; i < hi; ++i) out[i] += leaf_value(tree, data.row(i));
          else
            for (std::size_t i = lo; i < hi; ++i) out[i] += leaf_value(tree, ceilings_.data() + root, data.row(i));
        }
      }
      for (std::size_t i = lo; i < hi; ++i) out[i] = std::exp2(-out[i] * norm);
    }
  });
}

Forest Forest::from_arrays(std::size_t features, int sample_size, std::vector<Node> nodes,
                           std::vector<std::uint32_t> counts, std::vector<std::uint32_t> roots,
                           std::vector<double> ceilings) {
  auto bad = [](const std::string& why) { return data_error("forest: " + why); };
  if (roots.empty()) throw bad("no trees");
  if (counts.size() != nodes.size()) throw bad("node and count arrays differ in length");
  if (sample_size < 2) throw bad("sample size below 2");
  if (!ceilings.empty() && ceilings.size() != nodes.size()) throw bad("ceiling and node arrays differ in length");
  for (std::size_t i = 0; i < ceilings.size(); ++i)
    if (std::isnan(ceilings[i]) || (!(nodes[i].bits & kLeaf) && ceilings[i] < nodes[i].value))
      throw bad("a ceiling is not a number or is below its split");
  for (std::size_t t = 0; t < roots.size(); ++t) {
    std::size_t begin = roots[t];
    std::size_t end = t + 1 < roots.size() ? roots[t + 1] : nodes.size();
    if (begin >= end || end > nodes.size()) throw bad("tree " + std::to_string(t) + " out of range");
    std::size_t size = end - begin;
    for (std::size_t i = 0; i < size; ++i) {
      const Node& n = nodes[begin + i];
      if (n.bits & kLeaf) {
        if (!std::isfinite(n.value) || n.value < 0) throw bad("bad leaf value");
        continue;
      }
      if ((n.bits & kFeatureMask) >= features) throw bad("feature index out of range");
      if (i + 1 >= size || n.right <= i + 1 || n.right >= size) throw bad("child index out of range");
      if (!std::isfinite(n.value)) throw bad("bad split value");
    }
  }
  Forest f;
  f.features_ = features;
  f.sample_size_ = sample_size;
  f.nodes_ = std::move(nodes);
  f.counts_ = std::move(counts);
  f.roots_ = std::move(roots);
  f.ceilings_ = std::move(ceilings);
  f.compact_ = CompactForest::build(f.nodes_, f.roots_, f.features_, f.ceilings_);
  return f;
}

}  // namespace ad
