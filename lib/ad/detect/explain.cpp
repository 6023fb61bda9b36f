#include "ad/detect/explain.h"

#include <fmt/format.h>

#include <cmath>

#include "ad/core/text.h"

namespace ad {

std::vector<std::size_t> explain(const Model& model, const double* x, std::size_t max_reasons) {
  Matrix row;
  row.cols = model.features.size();
  row.rows = 1;
  row.values.assign(x, x + row.cols);
  return std::move(explain_rows(model, row, {model.score(x)}, max_reasons)[0]);
}

namespace {

// One row's greedy repair in progress.
struct Repair {
  std::vector<double> cur;  // the row, with the repairs so far
  double base;              // its score
  std::vector<bool> used;
  bool done = false;
};

}  // namespace

std::vector<std::vector<std::size_t>> explain_rows(const Model& model, const Matrix& rows,
                                                   const std::vector<double>& scores, std::size_t max_reasons,
                                                   int threads) {
  const std::size_t n = model.features.size();
  std::vector<std::vector<std::size_t>> out(rows.rows);
  std::vector<Repair> repairs(rows.rows);
  for (std::size_t r = 0; r < rows.rows; ++r)
    repairs[r] = {std::vector<double>(rows.row(r), rows.row(r) + n), scores[r], std::vector<bool>(n, false),
                  max_reasons == 0};
  // Each round scores every candidate repair of every row still going at once, as rows
  // of one matrix: the matrix walk gives each row the score model.score(row) would, bit
  // for bit, wherever it is in the matrix.
  Matrix candidates;
  candidates.cols = n;
  std::vector<std::pair<std::size_t, std::size_t>> repaired;  // per candidate: row, feature
  std::vector<double> got;
  for (;;) {
    candidates.values.clear();
    repaired.clear();
    for (std::size_t r = 0; r < rows.rows; ++r) {
      const Repair& p = repairs[r];
      if (p.done) continue;
      for (std::size_t f = 0; f < n; ++f) {
        if (p.used[f] || p.cur[f] == model.features[f].median) continue;
        candidates.values.insert(candidates.values.end(), p.cur.begin(), p.cur.end());
        candidates.values[candidates.values.size() - n + f] = model.features[f].median;
        repaired.emplace_back(r, f);
      }
    }
    if (repaired.empty()) break;
    candidates.rows = repaired.size();
    model.score(candidates, got, threads);
    // Per row, the repair that lowers its score the most (the first of equals).
    std::vector<std::size_t> best(rows.rows, n);
    std::vector<double> best_score(rows.rows);
    for (std::size_t r = 0; r < rows.rows; ++r) best_score[r] = repairs[r].base;
    for (std::size_t k = 0; k < repaired.size(); ++k) {
      const auto [r, f] = repaired[k];
      if (got[k] < best_score[r] - 1e-12) {
        best_score[r] = got[k];
        best[r] = f;
      }
    }
    for (std::size_t r = 0; r < rows.rows; ++r) {
      Repair& p = repairs[r];
      if (p.done) continue;
      if (best[r] == n) {
        p.done = true;
        continue;
      }
      p.used[best[r]] = true;
      out[r].push_back(best[r]);
      p.cur[best[r]] = model.features[best[r]].median;
      p.base = best_score[r];
      p.done = out[r].size() >= max_reasons || p.base < model.threshold;
    }
  }
  return out;
}

namespace {

std::string num(double v) { return fmt::format("{:.4g}", v); }

std::string share(const CategoryTable& t, std::uint32_t count) {
  double pct = 100.0 * count / static_cast<double>(std::max<std::uint64_t>(1, t.total()));
  return pct >= 0.1 ? fmt::format("{:.1f}%", pct) : fmt::format("{:.2g}%", pct);
}

}  // namespace

std::string describe(const Model& model, std::size_t i, std::string_view raw, double x) {
  const Feature& f = model.features[i];
  switch (f.kind) {
    case FeatureKind::kNumeric:
      if (std::isnan(x)) return f.column + " missing";
      if (x > f.high) return fmt::format("{} {} above the usual {} to {}", f.column, reason_value(raw), num(f.low), num(f.high));
      if (x < f.low) return fmt::format("{} {} below the usual {} to {}", f.column, reason_value(raw), num(f.low), num(f.high));
      return fmt::format("{} {} unusual with the other values (typical {})", f.column, reason_value(raw), num(f.median));
    case FeatureKind::kCategorical:
    case FeatureKind::kRarity: {
      const CategoryTable& t = model.tables[static_cast<std::size_t>(f.table)];
      std::string key = f.kind == FeatureKind::kRarity ? rarity_key(f.role, raw) : std::string(raw);
      std::string what = f.role >= 0 ? std::string(role_name(static_cast<Role>(f.role))) : f.column;
      if (f.role == static_cast<int>(Role::kIp)) what = "network";
      if (f.role == static_cast<int>(Role::kUserAgent)) what = "user agent";
      std::uint32_t c = t.count(key);
      if (c == 0) return fmt::format("{} never seen in training: {}", what, reason_value(key));
      std::string_view rows = model.logins_only || f.role >= 0 ? "logins" : "rows";
      return fmt::format("rare {}: {} ({} of training {})", what, reason_value(key), share(t, c), rows);
    }
    case FeatureKind::kFailure:
      return std::isnan(x) ? "unknown outcome: " + reason_value(raw) : (x > 0.5 ? "failed login" : "successful login");
  }
  return f.column;
}

std::string reason_value(std::string_view raw) {
  std::string s = text::truncate(raw, 63, "...");  // 60 characters and "...", never a split one
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
    if (c == ';') c = ',';
  }
  return s;
}

std::string join_reasons(const std::vector<std::string>& reasons) {
  std::string out;
  for (const auto& r : reasons) {
    if (!out.empty()) out += "; ";
    for (char c : r) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7F ? ' ' : c == ';' ? ',' : c);
  }
  return out;
}

}  // namespace ad
