// One incident from its scored rows. See ad/core/incident_summary.h.
#include "ad/core/incident_summary.h"

#include <algorithm>
#include <functional>

#include "ad/core/text.h"

namespace ad {

namespace {

// Counts value among the distinct ones (keys: their sorted hashes) and names the first
// kNamesKept.
void count_distinct(std::string_view value, std::vector<std::uint64_t>& keys, std::vector<std::string>& names,
                    std::uint64_t& count, bool& capped) {
  if (value.empty() || capped) return;
  std::uint64_t key = std::hash<std::string_view>()(value);
  auto at = std::lower_bound(keys.begin(), keys.end(), key);
  if (at != keys.end() && *at == key) return;
  if (keys.size() == IncidentSummary::kDistinctCap) {
    capped = true;
    return;
  }
  keys.insert(at, key);
  count = keys.size();
  if (names.size() < IncidentSummary::kNamesKept) names.push_back(text::truncate(value, IncidentSummary::kValueChars));
}

}  // namespace

void IncidentSummary::add(const scored::Row& row, std::string_view user, std::string_view source,
                          std::optional<std::int64_t> time_ms) {
  if (events++ == 0) id = row.incident_id;
  if (time_ms) {
    if (!first_ms || *time_ms < *first_ms) first_ms = time_ms;
    if (!last_ms || *time_ms > *last_ms) last_ms = time_ms;
  }
  double incident_score = std::clamp(row.incident_score.value_or(0.0), 0.0, 100.0);
  bool carries_score = row.incident_score && incident_score >= score;  // a later row wins a tie
  if ((carries_score || kind.empty()) && !row.incident_kind.empty())
    kind = text::truncate(row.incident_kind, kValueChars);
  score = std::max(score, incident_score);
  max_severity = std::max(max_severity, row.severity);
  if (row.score > top_score_ || (row.score == top_score_ && row.severity > top_severity_)) {
    top_score_ = row.score;
    top_severity_ = row.severity;
    reasons = text::truncate(row.reasons, kValueChars);
  }
  count_distinct(user, user_keys_, users, user_count, users_capped);
  count_distinct(source, source_keys_, sources, source_count, sources_capped);
}

bool ranks_before(const IncidentSummary& a, const IncidentSummary& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.max_severity != b.max_severity) return a.max_severity > b.max_severity;
  if (a.first_ms != b.first_ms) {
    if (!a.first_ms || !b.first_ms) return a.first_ms.has_value();  // a known time first
    return *a.first_ms < *b.first_ms;
  }
  return a.order < b.order;
}

}  // namespace ad
