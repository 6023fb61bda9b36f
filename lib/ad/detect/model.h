// model.h: everything ad-train learns, and the file that carries it to ad-score.
//
// File format (all integers little-endian; shared by Model::save and Model::load, whose
// codec, one writer and one reader per section, is model_codec.h):
//
//   offset  size  field
//   0       8     magic: 0x89 'A' 'D' 'M' '\r' '\n' 0x1A '\n' (PNG-style: a text-mode
//                 transfer or a truncated first line is caught at once)
//   8       4     format version (kModelFormat); a newer one is refused by name
//   12      4     reserved, 0
//   16      8     payload length P
//   24      P     payload: sections, each u32 tag, u64 length, bytes
//   24+P    4     CRC-32 (IEEE) of bytes [0, 24+P)
//
// Sections, in this order (unknown tags are skipped, so a minor addition stays
// readable by older ad):
//   1 META      ad version, seed, trees, sample size, contamination, rows read and
//               used, rows in the training sample
//   2 SCHEMA    the training columns by role, whether logins were filtered by activity,
//               the feature list (kind, column, role, table, low/median/high)
//   3 TABLES    the category tables: value and count, sorted by value
//   4 FOREST    the whole forest: sample size, feature count, tree roots, nodes (f64
//               value, u32 bits, u32 right), node row counts
//   5 CALIB     threshold, 1001 quantiles of the training scores (for severity)
//   6 PROFILES  the user limit, then per user (sorted by name): name, logins, failures,
//               successes, 24 UTC hour, 24 local hour and 7 weekday counts, last seen,
//               the last place (flag, time, lat, lon, approximate, name), and six value
//               lists (IP, network, country, city, device, user agent) of value, count,
//               last seen
//   7 ASPECTS   the whole forest's 1001 training-score quantiles, then per aspect
//               forest (aspect.h): the aspect (u8), the forest as in FOREST, and its
//               1001 training-score quantiles. No aspects: empty quantiles, count 0.
//   8 BUDGET    the alert budget the threshold was set for (false incidents per 1,000
//               user-days; 0 when --contamination set it), the calibration user-days
//               and the incidents raised in them at the threshold (train.h)
//   9 NETWORKS  the databases training used (u8: bit 0 an ASN database, whose ASes are
//               the wide networks, else /16 and /32 prefixes; bit 1 a City database that
//               filled in places; geoip.h), then per user of PROFILES (sorted by name):
//               name, the last success's time and wide network, and the wide-network
//               value list (value, count, last seen) (network.h)
//  10 CEILINGS  the forests' split ceilings (forest.h, has_ceilings): the whole forest's
//               list, then the count of aspect forests and each one's list, in ASPECTS
//               order; a list is a u64 count (0 for a forest without, else its node
//               count) and that many f64 (a leaf's +inf)
//  11 SIGNALS   the signal threshold (f64, in [0, 100]; 0: off)
//  12 SESSIONS  per user of PROFILES whose last success had a client (sorted by name):
//               name, and that client (network.h: set_session_client); a u64 count first.
//               A minor addition to format 5: older ad skips it, and a file without it
//               reads as users with no session client (no copied session until their
//               next success)
//
// Format 2 added local hours and ASPECTS; format 3 added BUDGET; format 4 added
// NETWORKS and the wide-network features; format 5 added CEILINGS and SIGNALS (a format
// 4 file's forests have no ceilings and its signal threshold is 0: it scores as it
// did). Format 2 and 3 files are still read (format 2 as contamination models; both
// without wide-network profiles, which their features never use); format 1 files are
// refused with a request to retrain.
//
// Strings are u32 length + bytes; doubles are IEEE 754 binary64. Saving the same
// model gives the same bytes: nothing depends on time, host or hash-table order.
// Load errors are specific: not a model file, truncated, corrupt (checksum), a newer
// format, or a malformed section, which includes a number that is not finite or is out
// of its range (threshold and quantiles in [0, 1], contamination in [0, 0.5], budget at
// least 0, finite typical values, profile places on the globe): scoring never meets one.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ad/detect/aspect.h"
#include "ad/detect/features.h"
#include "ad/detect/forest.h"
#include "ad/detect/profile.h"
#include "ad/core/roles.h"

namespace ad {

inline constexpr std::uint32_t kModelFormat = 5;
inline constexpr std::uint32_t kOldestModelFormat = 2;  // the oldest format load() reads

struct ModelInfo {
  std::string ad_version;
  std::uint64_t seed = 0;
  std::uint32_t trees = 0;
  std::uint32_t sample_size = 0;
  double contamination = 0;
  std::uint64_t rows_read = 0;    // data rows in the training input
  std::uint64_t rows_used = 0;    // rows trained on (logins, without skipped rows)
  std::uint64_t sample_rows = 0;  // rows in the training sample
  double budget = 0;              // false incidents per 1,000 user-days; 0: contamination
  std::uint64_t budget_user_days = 0;  // calibration user-days the budget was met on
  std::uint64_t budget_incidents = 0;  // incidents raised in them at the threshold
};

struct Model {
  ModelInfo info;
  std::array<std::string, kRoleCount> role_columns;  // training column per role, or ""
  bool logins_only = false;  // training filtered rows by the activity role
  std::vector<Feature> features;
  std::vector<CategoryTable> tables;
  Forest forest;                    // the whole forest, over all features
  std::vector<AspectForest> aspects;       // one forest per aspect (aspect.h); may be empty
  std::vector<double> whole_quantiles;     // the whole forest's training-score quantiles,
                                           // when there are aspects
  double threshold = 1.0;           // flag when score > threshold
  // Also flag a login whose signals alone score at least this (signal_score, incident.h);
  // 0: off. ad-train sets it with the alert budget, which counts its flags too (budget.h).
  double signal_threshold = 0;
  std::vector<double> quantiles;    // kQuantiles training-score quantiles, ascending
  Profiles profiles;                // per-user profiles at the end of training
  bool asn_networks = false;        // wide networks are ASNs from an ASN database (network.h)
  bool geoip_places = false;        // a City database filled in places (geoip.h)

  static constexpr std::size_t kQuantiles = 1001;

  // The anomaly score of one row of feature values: the whole forest's score, or with
  // aspects the largest of it and the aspects' mapped scores (aspect.h).
  double score(const double* row) const;
  // Scores every row of data into out (resized), using up to `threads` threads.
  void score(const Matrix& data, std::vector<double>& out, int threads = 0) const;

  // The score's percentile among training scores, in [0, 100] (0 for NaN, which no
  // forest gives). For many scores, SeverityIndex (severity.h) gives the same values faster.
  double severity(double score) const;

  // Writes the model to path atomically (temporary file, fsync, rename).
  void save(const std::string& path) const;
  // The file's bytes, as save() writes them.
  std::string serialize() const;
  // Reads and checks a model file. Throws ad::Error(kData) with a specific message
  // for a foreign, truncated, corrupt, newer or malformed file; kIo if unreadable.
  static Model load(const std::string& path);
  static Model parse(const std::string& bytes, const std::string& name);
};

// A human-readable description of the model: parameters, roles, features, threshold.
std::string describe_model(const Model& model);

// CRC-32 (IEEE 802.3, as zlib) of data.
std::uint32_t crc32(const void* data, std::size_t size);

}  // namespace ad
