// score_only: ad's scoring alone, for scripts/bench: rows per second of Model::score on
// one thread, without reading, parsing or writing. Bench-only code, compiled by
// scripts/bench against the build's static libraries.
//
// Usage: score_only MODEL IN.csv REPS
//
// IN.csv must be a plain numeric table whose columns are the model's features in
// order (scripts/bench.d/gen_numeric.py's). Prints one JSON line: rows, the best of
// REPS timings in seconds, rows/s, and a checksum of the scores.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "ad/detect/model.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: score_only MODEL IN.csv REPS\n");
    return 2;
  }
  ad::Model model = ad::Model::load(argv[1]);
  std::ifstream in(argv[2], std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  ad::Matrix x;
  x.cols = model.features.size();
  const char* p = text.data() + text.find('\n') + 1;
  const char* end = text.data() + text.size();
  while (p < end) {
    for (std::size_t c = 0; c < x.cols; ++c) {
      double v = 0;
      p = std::from_chars(p, end, v).ptr + 1;
      x.values.push_back(v);
    }
  }
  x.rows = x.values.size() / x.cols;
  std::vector<double> scores;
  double best = 1e300;
  for (int rep = 0; rep < std::max(1, std::atoi(argv[3])); ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    model.score(x, scores, 1);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  double sum = 0;
  for (double s : scores) sum += s;
  std::printf("{\"rows\": %zu, \"seconds\": %.4f, \"rows_per_s\": %.0f, \"checksum\": %.17g}\n", x.rows, best,
              static_cast<double>(x.rows) / best, sum);
  return 0;
}
