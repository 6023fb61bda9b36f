// features.h: how a CSV row becomes the numbers the forest sees.
//
// A model has an ordered list of features. Each reads one input column (or a login
// role) and yields one double; NaN means missing. The kinds:
//
//   kNumeric      a generic numeric column: its value; empty is missing.
//   kCategorical  a generic text column: the value's rarity in the training data,
//                 log2((N + 1) / (count + 1)) for a value seen `count` times in N
//                 sampled rows. A value never seen gets the largest rarity, log2(N+1).
//                 Rarity, not an arbitrary label number, is what makes a category
//                 unusual, and it keeps one split meaningful (rare vs common) whatever
//                 the category's name. Empty is a value like any other.
//   kRarity       the same, for a login role: country, city, device, user agent, and the
//                 IP address's network (/24 or /48, see ip.h).
//   kFailure      the outcome role: 1 for a failed login, 0 for a success, else missing.
//   16 and up     login features derived from the user's profile and recent windows,
//                 kDerivedKindBase + ad::Derived (login.h). They read no column of their
//                 own: the scorer and the trainer fill them from a LoginTracker.
//
// A generic column is numeric when every non-empty value in training parses as a
// finite number, otherwise categorical. A categorical column whose values are nearly
// all distinct (an identifier) carries no pattern and is left out.
//
// The kind numbers are stored in model files: never renumber them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ad/core/csv.h"
#include "ad/core/roles.h"

namespace ad {

enum class FeatureKind : std::uint8_t {
  kNumeric = 0,
  kCategorical = 1,
  kRarity = 2,
  kFailure = 3,
  // 16 .. 16 + kDerivedCount - 1: derived login features, see login.h.
};

// True for the derived login feature kinds (login.h).
bool is_derived(FeatureKind kind);

struct Feature {
  FeatureKind kind = FeatureKind::kNumeric;
  std::string column;    // the training input column it reads
  int role = -1;         // the ad::Role it plays, or -1 for a generic column
  int table = -1;        // index of its CategoryTable, for kCategorical and kRarity
  // Typical values in training, used to explain (1st, 50th and 99th percentile).
  double low = 0, median = 0, high = 0;

  // How reasons name it: the column name, or "network" for the IP network.
  std::string label() const;
};

// The frequency of each value of one column, counted on the training sample.
class CategoryTable {
 public:
  void add(std::string_view value) { ++counts_[std::string(value)], ++total_; }
  // Keeps the `limit` most frequent values (ties by value), bounding the model's size.
  void prune(std::size_t limit);
  std::uint32_t count(std::string_view value) const;
  std::uint64_t total() const { return total_; }
  std::size_t distinct() const { return counts_.size(); }
  double rarity(std::string_view value) const;
  // Entries sorted by value, for a deterministic model file.
  std::vector<std::pair<std::string, std::uint32_t>> sorted() const;
  void set(std::string value, std::uint32_t count) { counts_[std::move(value)] = count; }
  void set_total(std::uint64_t total) { total_ = total; }

 private:
  std::unordered_map<std::string, std::uint32_t> counts_;
  std::uint64_t total_ = 0;
};

// The key a rarity feature looks up: the value itself, or for the IP role its network.
std::string rarity_key(int role, std::string_view value);

// Binds a model's features to the columns of one input.
class FeatureExtractor {
 public:
  // Finds each feature's column in header: by its training name first, then, for a
  // role feature, by the input's role columns (roles). Throws ad::Error(kData)
  // naming the first missing column.
  FeatureExtractor(const std::vector<Feature>& features, const std::vector<CategoryTable>& tables,
                   const std::vector<std::string>& header, const Roles& roles,
                   const std::string& input_name);

  // Fills out[i] for every feature that reads a column (derived features are left as
  // they are: the caller fills them). Throws ad::Error(kData) at the field's location
  // for a value that is not a number in a numeric column, unless lenient, which makes
  // it missing instead. Without `numeric`, numeric features are left as they are too
  // (ad-train fills them with the numbers its reading pass parsed).
  void extract(const csv::Reader& reader, const csv::Row& row, double* out,
               bool lenient = false, bool numeric = true) const;
  // The input column index of feature i, or -1 for a derived feature.
  int column(std::size_t i) const { return columns_[i]; }

 private:
  const std::vector<Feature>& features_;
  const std::vector<CategoryTable>& tables_;
  std::vector<int> columns_;
};

// Parses a finite number; false for anything else (including empty, "inf", "nan").
bool parse_number(std::string_view text, double& out);

}  // namespace ad
