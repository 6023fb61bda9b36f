#include "ad/detect/features.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "ad/core/error.h"
#include "ad/detect/ip.h"
#include "ad/detect/login.h"
#include "ad/core/text.h"

namespace ad {

bool is_derived(FeatureKind kind) {
  int k = static_cast<int>(kind);
  return k >= kDerivedKindBase && k < kDerivedKindBase + kDerivedCount;
}

std::string Feature::label() const {
  if (is_derived(kind)) return std::string(derived_name(static_cast<Derived>(static_cast<int>(kind) - kDerivedKindBase)));
  if (role == static_cast<int>(Role::kIp) && kind == FeatureKind::kRarity) return "network";
  return column;
}

void CategoryTable::prune(std::size_t limit) {
  if (counts_.size() <= limit) return;
  auto all = sorted();
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  all.resize(limit);
  counts_.clear();
  for (auto& [v, c] : all) counts_.emplace(std::move(v), c);
}

std::uint32_t CategoryTable::count(std::string_view value) const {
  auto it = counts_.find(std::string(value));
  return it == counts_.end() ? 0 : it->second;
}

double CategoryTable::rarity(std::string_view value) const {
  return std::log2((static_cast<double>(total_) + 1.0) / (static_cast<double>(count(value)) + 1.0));
}

std::vector<std::pair<std::string, std::uint32_t>> CategoryTable::sorted() const {
  std::vector<std::pair<std::string, std::uint32_t>> out(counts_.begin(), counts_.end());
  std::sort(out.begin(), out.end());
  return out;
}

std::string rarity_key(int role, std::string_view value) {
  if (role == static_cast<int>(Role::kIp))
    if (auto net = ip_network(value)) return *net;
  return std::string(value);
}

namespace {

// Clinger's fast path for the common [-]digits[.digits] with at most 15 digits: the
// digits as an integer m < 10^15 < 2^53 and 10^k (k <= 15) are both exact doubles, so
// m / 10^k, one correctly rounded division, is the correctly rounded value of the
// text, which is what std::from_chars returns. False (out untouched) for any other
// form, which from_chars then parses.
bool parse_short_decimal(std::string_view text, double& out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const char* p = text.data();
  const char* const end = p + text.size();
  const bool negative = p != end && *p == '-';
  if (negative) ++p;
  if (end - p > 16) return false;  // more than 15 digits and a point
  std::uint64_t m = 0;
  const char* digits = p;
  for (unsigned d; p != end && (d = static_cast<unsigned char>(*p) - '0') < 10; ++p) m = m * 10 + d;
  std::ptrdiff_t whole = p - digits, fraction = 0;
  if (p != end) {
    if (*p != '.') return false;
    const char* point = ++p;
    for (unsigned d; p != end && (d = static_cast<unsigned char>(*p) - '0') < 10; ++p) m = m * 10 + d;
    fraction = p - point;
    // Not a digit after the point: "1.", "." and "1.2.3" are left to from_chars.
    if (p != end || fraction == 0) return false;
  }
  if (whole + fraction == 0 || whole + fraction > 15) return false;
  double v = static_cast<double>(m);
  if (fraction > 0) v /= kPow10[fraction];
  out = negative ? -v : v;
  return true;
}

}  // namespace

bool parse_number(std::string_view text, double& out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return false;
  if (text.front() == '+') {
    text.remove_prefix(1);
    if (text.empty() || text.front() == '-') return false;  // "+-5" is no number
  }
  if (parse_short_decimal(text, out)) return true;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(out);
}

FeatureExtractor::FeatureExtractor(const std::vector<Feature>& features,
                                   const std::vector<CategoryTable>& tables,
                                   const std::vector<std::string>& header, const Roles& roles,
                                   const std::string& input_name)
    : features_(features), tables_(tables) {
  for (const auto& f : features) {
    if (is_derived(f.kind)) {
      columns_.push_back(-1);
      continue;
    }
    int found = -1;
    for (std::size_t i = 0; i < header.size() && found < 0; ++i)
      if (header[i] == f.column) found = static_cast<int>(i);
    if (found < 0 && f.role >= 0) found = roles[static_cast<Role>(f.role)];
    if (found < 0) {
      std::string what = "column " + text::quote(f.column);
      if (f.role >= 0) what += " (role " + std::string(role_name(static_cast<Role>(f.role))) + ")";
      throw data_error(what + " is required by the model but missing from the input; "
                           "name it with --map ROLE=COLUMN or add the column",
                       Location{input_name});
    }
    columns_.push_back(found);
  }
}

void FeatureExtractor::extract(const csv::Reader& reader, const csv::Row& row, double* out,
                               bool lenient, bool numeric) const {
  for (std::size_t i = 0; i < features_.size(); ++i) {
    const Feature& f = features_[i];
    if (columns_[i] < 0) continue;
    std::string_view v = row.fields[static_cast<std::size_t>(columns_[i])];
    switch (f.kind) {
      case FeatureKind::kNumeric: {
        if (!numeric) break;
        if (v.empty()) {
          out[i] = NAN;
        } else if (!parse_number(v, out[i])) {
          out[i] = NAN;
          if (lenient) break;
          throw data_error("not a number: " + text::quote(v),
                           reader.where(row.line, static_cast<std::size_t>(columns_[i])));
        }
        break;
      }
      case FeatureKind::kCategorical:
        out[i] = tables_[static_cast<std::size_t>(f.table)].rarity(v);
        break;
      case FeatureKind::kRarity:
        out[i] = tables_[static_cast<std::size_t>(f.table)].rarity(rarity_key(f.role, v));
        break;
      case FeatureKind::kFailure: {
        auto ok = parse_outcome(v);
        out[i] = ok ? (*ok ? 0.0 : 1.0) : NAN;
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace ad
