// incident_summary.h: one incident, as read from its scored rows; owned here and
// nowhere else.
//
// ad-score gives every flagged login the incident it belongs to (incident_id, with the
// incident's score and kind as of that row; scored.h, detect/incident.h). The sinks
// that show incidents (ad-mail's alerts, ad-report's page) group the flagged rows by
// incident_id themselves, and summarise each incident with an IncidentSummary: add()
// takes its rows one at a time, in input order, and keeps only what they show, in
// bounded memory whatever the number of rows:
//   - id: the incident_id of its first row;
//   - score: the highest incident_score of its rows (0 when none gives one; the score
//     only grows as the incident does); its band is scored::incident_band_of(score);
//   - kind: the incident_kind of the row that carried that highest score, a later row
//     winning a tie (it knows more); a row with an empty kind never replaces a kind, and
//     while the kind is still empty any row's kind fills it;
//   - max_severity: the highest severity of its rows; events: how many rows;
//   - first_ms, last_ms: the earliest and latest time of its timed rows (in whatever
//     clock the caller gives: UTC for ad-mail, local time for ad-report);
//   - reasons: the anomaly_reasons of its highest-scoring row: by anomaly_score, then
//     severity, then input order (the first wins);
//   - users and sources (source IPs): the first kNamesKept distinct non-empty values, in
//     input order, and how many distinct ones there are, exact up to kDistinctCap; past
//     it the count stays at kDistinctCap and *_capped says it is a lower bound ("at
//     least"). Values are told apart by a 64-bit hash, so that memory per incident is
//     bounded (2 x kDistinctCap hashes), whatever the values' length.
//   - kind, reasons and the names kept are cut to kValueChars characters (text::truncate),
//     so that an incident holds a few KiB at most beside its id, whatever its rows hold.
//
// Ranking (ranks_before): by score, highest first; then by max_severity, highest first;
// then seen first: the earlier first_ms (an incident with a time before one without),
// then the lower `order`, the input position of its first row, which the caller sets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ad/core/scored.h"

namespace ad {

struct IncidentSummary {
  static constexpr std::size_t kNamesKept = 5;     // users and sources named
  static constexpr std::size_t kDistinctCap = 256; // distinct users and sources counted
  static constexpr std::size_t kValueChars = 1000; // kind, reasons and names kept, cut past this

  std::string id;    // incident_id of its first row
  std::string kind;  // incident_kind of its row with the highest incident_score
  double score = 0;         // the highest incident_score, [0, 100]
  double max_severity = 0;  // of its rows
  std::uint64_t events = 0;
  std::optional<std::int64_t> first_ms, last_ms;  // of its timed rows
  std::vector<std::string> users, sources;        // the first kNamesKept distinct, in input order
  std::uint64_t user_count = 0, source_count = 0; // distinct, exact up to kDistinctCap
  bool users_capped = false, sources_capped = false;  // the counts are lower bounds
  std::string reasons;  // of its highest-scoring row
  std::uint64_t order = 0;  // input position of its first row: set by the caller

  scored::Band band() const { return scored::incident_band_of(score); }

  // Adds one flagged row of this incident: its scored fields, its user and source IP
  // ("" when unknown) and its time (nullopt when untimed). The views need only live
  // during the call.
  void add(const scored::Row& row, std::string_view user, std::string_view source,
           std::optional<std::int64_t> time_ms);

 private:
  // The anomaly_score and severity of the row whose reasons are kept.
  double top_score_ = -1, top_severity_ = -1;
  std::vector<std::uint64_t> user_keys_, source_keys_;  // sorted hashes, at most kDistinctCap
};

// True if a ranks before b (see the top of this file): a strict weak order, total when
// the orders differ.
bool ranks_before(const IncidentSummary& a, const IncidentSummary& b);

}  // namespace ad
