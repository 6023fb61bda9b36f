// isotree_ref: the isotree side of scripts/bench, a C++ reference that follows isotree's
// published layout and algorithm (david-cortes/isotree 0.6: isotree.hpp's IsoTree node,
// fit_itree's uniform split between the node's min and max, traverse_itree_no_recurse).
// It is bench-only code (compiled by scripts/bench into its work directory), not part
// of ad.
//
// Usage: isotree_ref IN.csv OUT.csv THREADS
//
// The job of ad-train + ad-score on a plain numeric table, done as an isotree driver
// does it: read the whole CSV into a column-major matrix (isotree's numeric_data),
// fit 100 trees of 256 sampled rows (height limit ceil(log2 256), leaves scored
// depth + c(n) as isotree's "score"), predict every row (rows split over THREADS
// threads, each row walking every tree, as isotree's OpenMP loop does), and write each
// input line with its anomaly score appended. Phase times go to stderr as one JSON line.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

// isotree.hpp's IsoTree, the node of a single-variable tree (categorical members kept,
// so a node is the size it is in isotree).
struct IsoTree {
  int col_type = 0;
  std::size_t col_num = 0;
  double num_split = 0;
  std::vector<signed char> cat_split;
  int chosen_cat = 0;
  std::size_t tree_left = 0, tree_right = 0;  // 0: a leaf
  double pct_tree_left = 0;
  double score = 0;  // a leaf's depth + c(n)
  double range_low = -HUGE_VAL, range_high = HUGE_VAL;
  double remainder = 0;
};

double c_of(double n) {
  if (n <= 1) return 0;
  if (n <= 2) return 1;
  return 2.0 * (std::log(n - 1.0) + 0.5772156649015329) - 2.0 * (n - 1.0) / n;
}

struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

struct Data {
  std::size_t nrows = 0, ncols = 0;
  std::vector<double> numeric_data;  // column-major, as isotree takes it
  double at(std::size_t row, std::size_t col) const { return numeric_data[row + col * nrows]; }
};

// fit_itree: splits ix[begin, end) on a random column, uniformly between its min and max.
void fit_itree(std::vector<IsoTree>& tree, std::size_t node, const Data& d, std::vector<std::size_t>& ix,
               std::size_t begin, std::size_t end, int depth, int max_depth, Rng& rng) {
  std::size_t n = end - begin;
  if (depth >= max_depth || n <= 1) {
    tree[node].score = depth + c_of(static_cast<double>(n));
    return;
  }
  std::vector<std::size_t> cols(d.ncols);
  std::iota(cols.begin(), cols.end(), 0);
  for (std::size_t left = d.ncols; left > 0; --left) {
    std::size_t j = rng.below(left);
    std::swap(cols[j], cols[left - 1]);
    std::size_t col = cols[left - 1];
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (std::size_t i = begin; i < end; ++i) {
      lo = std::min(lo, d.at(ix[i], col));
      hi = std::max(hi, d.at(ix[i], col));
    }
    if (!(hi > lo)) continue;
    double split = lo + (hi - lo) * rng.uniform();
    auto mid = std::partition(ix.begin() + static_cast<std::ptrdiff_t>(begin), ix.begin() + static_cast<std::ptrdiff_t>(end),
                              [&](std::size_t r) { return d.at(r, col) <= split; });
    std::size_t m = static_cast<std::size_t>(mid - ix.begin());
    tree[node].col_type = 1;
    tree[node].col_num = col;
    tree[node].num_split = split;
    tree[node].range_low = lo;
    tree[node].range_high = hi;
    tree[node].pct_tree_left = static_cast<double>(m - begin) / static_cast<double>(n);
    tree[node].tree_left = tree.size();
    tree.emplace_back();
    fit_itree(tree, tree[node].tree_left, d, ix, begin, m, depth + 1, max_depth, rng);
    tree[node].tree_right = tree.size();
    tree.emplace_back();
    fit_itree(tree, tree[node].tree_right, d, ix, m, end, depth + 1, max_depth, rng);
    return;
  }
  tree[node].score = depth + c_of(static_cast<double>(n));
}

// traverse_itree_no_recurse, numeric columns.
double traverse(const std::vector<IsoTree>& tree, const Data& d, std::size_t row) {
  std::size_t curr = 0;
  for (;;) {
    if (tree[curr].tree_left == 0) return tree[curr].score;
    double xval = d.at(row, tree[curr].col_num);
    curr = xval <= tree[curr].num_split ? tree[curr].tree_left : tree[curr].tree_right;
  }
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: isotree_ref IN.csv OUT.csv THREADS\n");
    return 2;
  }
  const std::size_t threads = std::max(1, std::atoi(argv[3]));
  auto t0 = std::chrono::steady_clock::now();
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  std::vector<std::size_t> line_start;
  std::size_t pos = text.find('\n') + 1;
  const std::string header = text.substr(0, pos - 1);
  Data d;
  d.ncols = static_cast<std::size_t>(std::count(header.begin(), header.end(), ',')) + 1;
  std::vector<double> rowmajor;
  while (pos < text.size()) {
    line_start.push_back(pos);
    const char* p = text.data() + pos;
    for (std::size_t c = 0; c < d.ncols; ++c) {
      double v = NAN;
      auto r = std::from_chars(p, text.data() + text.size(), v);
      rowmajor.push_back(v);
      p = r.ptr + 1;
    }
    pos = static_cast<std::size_t>(p - text.data());
  }
  line_start.push_back(pos);  // one past the last line's end
  d.nrows = rowmajor.size() / d.ncols;
  d.numeric_data.resize(rowmajor.size());
  for (std::size_t r = 0; r < d.nrows; ++r)
    for (std::size_t c = 0; c < d.ncols; ++c) d.numeric_data[r + c * d.nrows] = rowmajor[r * d.ncols + c];
  std::vector<double>().swap(rowmajor);
  double t_read = seconds_since(t0);

  auto t1 = std::chrono::steady_clock::now();
  const std::size_t ntrees = 100, psi = std::min<std::size_t>(256, d.nrows);
  const int max_depth = static_cast<int>(std::ceil(std::log2(static_cast<double>(psi))));
  std::vector<std::vector<IsoTree>> forest(ntrees);
  Rng rng{1};
  std::vector<std::size_t> perm(d.nrows);
  std::iota(perm.begin(), perm.end(), 0);
  for (auto& tree : forest) {
    for (std::size_t i = 0; i < psi; ++i) std::swap(perm[i], perm[i + rng.below(d.nrows - i)]);
    std::vector<std::size_t> ix(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(psi));  // without replacement
    tree.reserve(2 * psi);
    tree.emplace_back();
    fit_itree(tree, 0, d, ix, 0, psi, 0, max_depth, rng);
  }
  double t_fit = seconds_since(t1);

  auto t2 = std::chrono::steady_clock::now();
  std::vector<double> scores(d.nrows);
  const double norm = 1.0 / (static_cast<double>(ntrees) * c_of(static_cast<double>(psi)));
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (std::size_t row = d.nrows * t / threads; row < d.nrows * (t + 1) / threads; ++row) {
        double depth = 0;
        for (const auto& tree : forest) depth += traverse(tree, d, row);
        scores[row] = std::exp2(-depth * norm);
      }
    });
  for (auto& th : pool) th.join();
  double t_score = seconds_since(t2);

  auto t3 = std::chrono::steady_clock::now();
  std::string out = header + ",anomaly_score\n";
  char num[64];
  for (std::size_t r = 0; r < d.nrows; ++r) {
    out.append(text, line_start[r], line_start[r + 1] - 1 - line_start[r]);
    out.push_back(',');
    auto res = std::to_chars(num, num + sizeof num, scores[r], std::chars_format::fixed, 6);
    out.append(num, res.ptr);
    out.push_back('\n');
  }
  std::ofstream(argv[2], std::ios::binary) << out;
  double t_write = seconds_since(t3);
  std::fprintf(stderr, "{\"read\": %.3f, \"fit\": %.3f, \"score\": %.3f, \"write\": %.3f}\n", t_read, t_fit, t_score,
               t_write);
  return 0;
}
