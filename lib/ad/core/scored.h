// scored.h: the scored-CSV contract, owned here and nowhere else.
//
// ad-score writes every input column, unchanged and in order, followed by the scored
// columns kColumns: anomaly_score, anomaly_flag, severity, anomaly_reasons. The
// contract is "append new columns later; never rename one": readers (ad-store, ad-mail,
// ad-report) find the scored columns by name, wherever they are, and ignore columns
// they do not know, so that files with more trailing scored columns, and old exports
// without them, both read.
//
// One scored row (parse()):
//   - all scored fields empty: the row was not scored (a non-login event ad-score
//     passed through, or a bad row it skipped): nullopt;
//   - otherwise anomaly_score must be a number in [0, 1], anomaly_flag exactly 0 or 1,
//     severity a number in [0, 100] (numbers as from_chars reads them, with surrounding
//     spaces and a leading '+' allowed; not NaN or infinite); anomaly_reasons is text.
//     Anything else is ad::Error(kData) naming the file, line and column.
//
// Incidents (optional, after those four): incident_id, incident_score, incident_kind.
// ad-score groups flagged logins into incidents (detect/incident.h) and fills them on
// flagged rows; unflagged rows leave them empty. Readers accept scored CSV without them
// (older ad-score output, or exports of it): has_incidents() says which it is.
//   - incident_id: text, empty on an unflagged row;
//   - incident_score: empty, or a number in [0, 100]: the incident's score as of this
//     row (it only grows as the incident does);
//   - incident_kind: text ("brute_force", "spray", "takeover", ...).
// incident_id and incident_kind hold at most kMaxIncidentText bytes (ad-score writes 26
// and at most 11), so that the sinks that keep incidents by id keep them small.
// Like the four above, these are never part of an event's identity (is_column()).
//
// Severity is the score's percentile among the training scores. ad-train flags the top
// 1% by default, so a flagged login has a severity of 99 or more, and the bands split
// that range: critical from 99.9, high from 99.5, medium from 99, low below 99 (flagged
// only by a model trained with a larger contamination).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ad/core/csv.h"

namespace ad::scored {

inline constexpr std::string_view kScore = "anomaly_score";
inline constexpr std::string_view kFlag = "anomaly_flag";
inline constexpr std::string_view kSeverity = "severity";
inline constexpr std::string_view kReasons = "anomaly_reasons";
// The scored columns, in the order ad-score appends them.
inline constexpr std::array<std::string_view, 4> kColumns = {kScore, kFlag, kSeverity, kReasons};
inline constexpr std::string_view kIncidentId = "incident_id";
inline constexpr std::size_t kMaxIncidentText = 200;  // bytes of incident_id, incident_kind
inline constexpr std::string_view kIncidentScore = "incident_score";
inline constexpr std::string_view kIncidentKind = "incident_kind";
// The optional incident columns, in the order ad-score appends them after kColumns.
inline constexpr std::array<std::string_view, 3> kIncidentColumns = {kIncidentId, kIncidentScore,
                                                                     kIncidentKind};
// Every column ad-score appends: kColumns, then kIncidentColumns.
inline constexpr std::array<std::string_view, 7> kAppended = {
    kScore, kFlag, kSeverity, kReasons, kIncidentId, kIncidentScore, kIncidentKind};
enum class Field : int {
  kScore = 0, kFlag = 1, kSeverity = 2, kReasons = 3,
  kIncidentId = 4, kIncidentScore = 5, kIncidentKind = 6,
};

// True if a header name is one of kAppended.
bool is_column(std::string_view name);

// Where the scored columns are in a header.
class Columns {
 public:
  // Locates each of kAppended by its exact name (the first, if named twice).
  static Columns find(const std::vector<std::string>& header);

  // The column index of field, or -1.
  int operator[](Field f) const { return column_[static_cast<int>(f)]; }
  // True if the header has every one of kColumns; none of them; every incident column.
  bool complete() const;
  bool has_incidents() const;
  bool none() const;
  // The names of the scored columns the header lacks, in kColumns order.
  std::vector<std::string_view> missing() const;
  // Throws ad::Error(kData) at line 1 of file, naming the missing columns, unless
  // complete().
  void require(const std::string& file) const;

 private:
  std::array<int, kAppended.size()> column_{};
};

// The scored fields of one row. reasons views the row's field.
struct Row {
  double score = 0;     // [0, 1]
  bool flag = false;
  double severity = 0;  // [0, 100]
  std::string_view reasons;
  // Empty (and incident_score nullopt) when the input has no incident columns.
  std::string_view incident_id, incident_kind;
  std::optional<double> incident_score;  // [0, 100]
};

// Parses the scored fields of row (see the top of this file): nullopt for a row that
// was not scored. REQUIRES: columns.complete(), and row has as many fields as the header
// (csv::Reader guarantees it). file names the input in errors.
std::optional<Row> parse(const Columns& columns, const csv::Row& row, const std::string& file);

// Severity bands, least severe first.
enum class Band : int { kLow = 0, kMedium = 1, kHigh = 2, kCritical = 3 };
inline constexpr int kBandCount = 4;
inline constexpr double kMediumFrom = 99, kHighFrom = 99.5, kCriticalFrom = 99.9;

// The band of a severity in [0, 100].
Band band_of(double severity);
// "low", "medium", "high", "critical".
std::string_view band_name(Band band);
// "< 99", "99 to 99.5", "99.5 to 99.9", ">= 99.9".
std::string_view band_range(Band band);

// The band of an incident by its incident_score: critical from 80, high from 60,
// medium from 40, low below 40 (see detect/incident.h for what the score adds up).
inline constexpr double kIncidentMediumFrom = 40, kIncidentHighFrom = 60, kIncidentCriticalFrom = 80;
Band incident_band_of(double incident_score);

}  // namespace ad::scored
