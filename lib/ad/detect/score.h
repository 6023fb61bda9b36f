// score.h: scoring login CSV with a model, in batch and in real time.
//
// Scoring copies every input column unchanged and in order, then appends
// anomaly_score, anomaly_flag, severity, anomaly_reasons, and the incident columns
// incident_id, incident_score and incident_kind (scored.h, incident.h). An input
// that already has some of these columns (a scored file scored again) gets them
// replaced in place instead of appended twice.
//
// When the input has an activity column, only logins are scored (roles.h,
// is_login_activity). Other rows pass through with the scored columns empty, or are
// dropped with ScoreOptions::logins_only.
//
// Incidents need the login features (user and time): each scored login, in input
// order, goes through an IncidentGrouper as its batch is written, so the incident
// columns of a row depend only on the rows before it.
//
// Rows are scored in batches of up to kBatchRows (or kBatchBytes of fields), in
// parallel over threads, and written in input order, so the output does not depend on
// the thread count. With more than one
// thread, reading, scoring and writing overlap in a pipeline of three stages: the
// caller's thread reads, parses and derives the features of a batch while a worker
// (worker.h) scores the one before and another groups and writes the one before that;
// the login tracker stays on the reading thread and the incident grouper on the
// writing one, each seeing the rows in input order. On a live input
// (a pipe or a terminal) the pending batch is scored, written and flushed whenever the
// reader is about to wait for more input: each login appears as soon as it arrives,
// and a fast pipe still gets the throughput of batches.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "ad/core/csv.h"
#include "ad/core/io.h"
#include "ad/detect/model.h"
#include "ad/detect/train.h"

namespace ad {

struct ScoreOptions {
  bool logins_only = false;  // drop rows that are not logins instead of passing them through
  OnError on_error = OnError::kFail;
  std::map<std::string, std::string> map;  // --map role=column
  int threads = 0;                         // 0 = all cores
  int assume_tz_s = 0;
  bool allow_empty = false;  // a header-only input is not an error
  // --geoip and --asn databases (geoip.h), or none: the same kinds the model was trained
  // with (Model::geoip_places, Model::asn_networks), else score() is a usage error.
  const GeoIp* geoip = nullptr;
};

struct ScoreReport {
  std::uint64_t rows_read = 0;
  std::uint64_t scored = 0;
  std::uint64_t flagged = 0;
  std::uint64_t not_logins = 0;  // passed through unscored, or dropped with logins_only
  std::uint64_t skipped = 0;     // bad rows (OnError::kSkip): unscored, or dropped if ragged
};

inline constexpr std::size_t kBatchRows = 4096;
// ... or fewer, so that their fields add up to at most this many bytes (long rows; a
// single longer row makes a batch of its own). At most five batches are held at once.
inline constexpr std::size_t kBatchBytes = std::size_t{8} << 20;

// Scores `in` into `out` (CSV with a header). Throws ad::Error(kData) for a column the
// model needs that the input lacks (naming it), for bad data when options.on_error is
// kFail, and for a header-only input unless options.allow_empty; ad::Error(kUsage) when
// options.geoip does not have the kinds of database the model was trained with.
void score(const Model& model, csv::Reader& in, Output& out, const ScoreOptions& options,
           ScoreReport& report, const std::function<void(const std::string&)>& warn);

}  // namespace ad
