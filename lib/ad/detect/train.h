// train.h: learning a model from historical login CSV, in one pass.
//
// ad-train reads its input once. While it reads, it checks every row (field count,
// UTF-8, timestamp, numbers) and keeps a uniform random sample of at most
// TrainOptions::sample_limit rows (reservoir sampling, seeded). Memory is therefore
// bounded by the sample, not by the input. After the pass it decides each generic
// column's type, counts category frequencies on the sample, grows the forest on the
// sample (each tree draws its own psi rows from it), and scores the calibration rows of
// the sample (all of it, or with login features its later half) to set the
// flag threshold and the severity quantiles (with a contamination threshold, at most
// 32,768 of them: below). With fewer rows than sample_limit the
// sample is the whole input, exactly as scikit-learn would see it.
//
// When the input has user and time columns, a LoginTracker (login.h) follows the
// logins in order during the pass: each sampled row keeps the derived login features
// as they were when that login happened, and the profiles it built go into the model.
// Memory is then bounded by the sample plus the profiles (max_users). With a budget
// (TrainOptions::budget), the sampled logins of the calibration half are then replayed
// through the scorer and the incident grouper to set the threshold (budget.h).
//
// Scoring the calibration rows is most of calibration's cost, and a contamination
// threshold needs fewer than the 100,000 a full sample holds. It is the (1 - c) quantile
// of the calibration scores (c the contamination): of n rows about n*c are above it, and
// the share of new rows above it is c with a standard error of about sqrt(c (1 - c) / n),
// a relative error of about 1 / sqrt(n*c). So the contamination threshold and its
// severity quantiles come from at most max(32768, 300 / c) calibration rows, evenly
// spaced among them (calibration.h: calibration_limit, evenly_spaced), so that at least
// 300 are above the threshold: at the default c = 0.01, 32,768 rows and 327 above (a
// relative standard error of 5.5%, 0.01 +- 0.00055; 3.2% with 100,000 rows); c = 0.001
// takes 300,000, so all of any default sample. The choice depends on neither threads
// nor chance. The alert budget (budget.h) replays every calibration login, as before.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ad/detect/aspect.h"
#include "ad/detect/calibration.h"
#include "ad/core/csv.h"
#include "ad/detect/forest.h"
#include "ad/detect/geoip.h"
#include "ad/detect/model.h"
#include "ad/detect/quantile.h"  // percentile, quantiles_of: once declared here

namespace ad {

// What to do with a row that has bad data (ragged, invalid UTF-8, bad timestamp,
// bad number): stop with a data error, or leave the row out and count it.
enum class OnError { kFail, kSkip };

// The default signal threshold: a login whose signals alone make a 60-point incident
// (incident.h). 55 is a traveller's first login abroad on a new laptop as much as a
// session replayed from a network nobody uses; 60 and up takes more at once: such a
// concurrent session from a new country (70) or on a new device (75), or impossible
// travel during a concurrent session (70).
inline constexpr double kDefaultSignalThreshold = 60;

struct TrainOptions {
  ForestParams forest;
  double contamination = 0.01;  // share of training rows the threshold flags
  // Alert budget (budget.h): false incidents per 1,000 user-days the threshold allows.
  // Above 0, it sets the threshold instead of contamination when the input has user and
  // time columns; 0 (or data without them): contamination does.
  double budget = 0;
  // With the alert budget: also flag a login whose signals alone score at least this
  // (Model::signal_threshold; 0: off). Without the budget it is not used (the model's is 0).
  double signal_threshold = kDefaultSignalThreshold;
  std::map<std::string, std::string> map;  // --map role=column
  std::vector<std::string> ignore;         // columns never used as features
  // With a --format preset that names its features (roles.h): the only generic columns.
  std::optional<std::vector<std::string>> features;
  OnError on_error = OnError::kFail;
  int assume_tz_s = 0;               // offset for timestamps without a zone
  std::size_t sample_limit = 100000; // rows kept in memory for training
  // Bytes of those rows kept at most: a sample of longer rows is a data error that
  // says to lower --sample-rows, rather than memory without bound.
  std::size_t sample_bytes_limit = std::size_t{1} << 30;
  // The numbers the pass parses from the sampled rows' generic columns are kept for the
  // sample's matrix (8 bytes per column per row), up to this many bytes; past it the
  // matrix parses the rows again. The model is the same either way.
  std::size_t numbers_bytes_limit = std::size_t{64} << 20;
  std::size_t max_users = 100000;    // user profiles kept (profile.h)
  std::vector<Aspect> aspects = default_aspects();  // aspects with a forest of their own (aspect.h)
  const GeoIp* geoip = nullptr;      // --geoip and --asn databases (geoip.h), or none
};

struct TrainReport {
  std::uint64_t rows_read = 0;    // data rows in the input
  std::uint64_t not_logins = 0;   // rows left out because their activity is not a login
  std::uint64_t skipped = 0;      // rows left out for bad data (OnError::kSkip)
  std::vector<std::string> notes; // one line each: columns left out, types chosen
};

// Reads `in` to the end and learns a model. `warn` receives one line per skipped row
// (the first few) when options.on_error is kSkip. Throws ad::Error(kData) for bad data
// (with its location) when kFail, and for an input with no usable rows.
Model train(csv::Reader& in, const TrainOptions& options, TrainReport& report,
            const std::function<void(const std::string&)>& warn);

}  // namespace ad
