// aggregate.h: what a report keeps of a stream of scored events.
//
// A report over a million scored logins must not hold a million rows. Aggregator takes
// the events one at a time and keeps only what the report shows:
//   - counters: events, logins scored, flagged, rows without a valid time, the span;
//   - logins and anomalies (by severity band) per time bucket, at an internal
//     resolution that coarsens (minute, then hour, then day) whenever the span would
//     need more than kMaxFineBuckets buckets, so at most that many are ever held;
//   - a score histogram in 1000 bins of 0.001, for all logins and for the flagged ones;
//   - anomalies per local weekday and hour of day (7 x 24);
//   - per distinct user, source IP and country among the flagged events, a count, for
//     at most kMaxDistinct values of each (further values are not counted, and the
//     distinct count is then a lower bound: *_capped());
//   - the top N anomalies in a bounded heap, ordered by severity, then score, then
//     input order (earlier first), so that the result does not depend on ties;
//   - incidents opened per time bucket and incident band, as incidents.h reports them.
// Values kept (anomalies, counted values) are cut to kValueChars characters
// (text::truncate). Memory is therefore O(kMaxFineBuckets + kMaxDistinct + N).
//
// Times are epoch milliseconds (UTC) on the way in. The aggregator shifts them by a
// fixed UTC offset once, and does all calendar work (buckets, weekdays, hours, labels)
// on that local time: weeks start on Monday, as in ISO 8601.
//
// Flagged events are counted by severity band (scored.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ad/core/scored.h"

namespace ad::aggregate {

using scored::Band;
using scored::kBandCount;

// One input row, as the aggregator sees it. The views need only live during add().
struct Event {
  std::optional<std::int64_t> time_ms;  // UTC epoch ms; nullopt if missing or invalid
  bool scored = false;                  // false for rows that were not scored
  double score = 0;                     // [0, 1], when scored
  bool flagged = false;
  double severity = 0;                  // [0, 100], when scored
  std::string_view user, ip, country, city, device, reasons;
  // The incident columns (scored.h), when the input has them; empty if not.
  std::string_view incident_id, incident_kind;
  std::optional<double> incident_score;
};

// An anomaly kept for the table. Strings are copies.
struct Anomaly {
  std::optional<std::int64_t> local_ms;  // local time, if valid
  std::string user, ip, place, device, reasons;
  std::string incident;  // incident_id, if any
  double score = 0, severity = 0;
  std::uint64_t sequence = 0;  // 0-based position among all events added
};

// The anomaly of a flagged event e at local time local, input position sequence.
Anomaly make_anomaly(const Event& e, std::optional<std::int64_t> local, std::uint64_t sequence);
// True if a is more severe than b: severity, then score, then earlier in the input.
bool more_severe(const Anomaly& a, const Anomaly& b);

// ---------------------------------------------------------------------------------
// Calendar buckets on local time.

enum class Unit : int { kMinute = 0, kHour = 1, kDay = 2, kWeek = 3, kMonth = 4, kYear = 5 };

struct Bucketing {
  Unit unit = Unit::kMinute;
  int count = 1;  // e.g. 5 with kMinute: five-minute buckets
  bool operator==(const Bucketing& o) const { return unit == o.unit && count == o.count; }
};

// The buckets a report may draw, finest first: 1, 5, 15 minutes; 1, 3, 6, 12 hours;
// 1 day; 1 week; 1 month; 1 year.
const std::vector<Bucketing>& bucket_ladder();
// "minute", "5 minutes", "hour", "day", "week", ...
std::string describe(Bucketing b);
// The start of the bucket that holds local time t; buckets are aligned to midnight,
// Monday, the 1st of the month or 1 January.
std::int64_t bucket_start(std::int64_t local_ms, Bucketing b);
// The start of the bucket after the one that starts at start.
std::int64_t next_bucket(std::int64_t start, Bucketing b);
// The finest bucketing of the ladder that covers [first, last] with at most
// max_buckets buckets (the coarsest one if none does).
Bucketing choose_bucketing(std::int64_t first, std::int64_t last, std::size_t max_buckets);
// Which of the given bucket starts get an axis label, and the label: at most about
// max_labels, on round values (every 3 hours, every Monday, the first week of each
// month, every quarter...). The first label, and labels where the day (for sub-day
// buckets) or the year changes, carry that context on a second line, after "\n".
std::vector<std::pair<std::size_t, std::string>> time_labels(
    const std::vector<std::int64_t>& starts, Bucketing b, std::size_t max_labels);

// "2024-05-01 08:30" (local time as given; with seconds if asked).
std::string format_local(std::int64_t local_ms, bool seconds = false);
// "Wed 1 May 2024 08:00 to 09:00" for the bucket that starts at start.
std::string describe_bucket(std::int64_t start, Bucketing b);
// A rounded duration: "0 s", "45 s", "12 min", "3 h 20 min", "5 days 4 h", "400 days".
std::string format_duration(std::int64_t ms);
// "UTC", "UTC+02:00", "UTC-05:30".
std::string format_offset(int offset_s);
// "Mon" ... "Sun" for 0 ... 6.
std::string_view weekday_name(int monday_based);

// ---------------------------------------------------------------------------------
// Results.

struct TimeSeries {
  Bucketing bucketing;
  std::vector<std::int64_t> starts;  // local ms, consecutive buckets
  std::vector<std::uint64_t> logins;
  std::vector<std::array<std::uint64_t, kBandCount>> anomalies;
  std::vector<std::array<std::uint64_t, kBandCount>> incidents;  // opened, by incident band
};

struct ScoreHistogram {
  double lo = 0, hi = 1, step = 0.1;  // bins [lo + i*step, lo + (i+1)*step)
  std::vector<std::uint64_t> all, flagged;
};

struct Count {
  std::string value;
  std::uint64_t count = 0;
};

// Distinct users, source IPs and countries counted among the anomalies, each.
inline constexpr std::size_t kMaxDistinct = 100000;
// Characters kept of a value for the table or the counts; longer ones are cut.
inline constexpr std::size_t kValueChars = 1000;

struct Options {
  std::size_t top_anomalies = 500;  // anomalies kept for the table
  int utc_offset_s = 0;             // local time = UTC + this
};

class Aggregator {
 public:
  // The finest internal time buckets held at once, before they are coarsened.
  static constexpr std::size_t kMaxFineBuckets = 50000;

  explicit Aggregator(Options options = {});

  void add(const Event& e);
  // Counts an incident opened at local time first (nullopt: untimed, not counted) in
  // the band given, for time_series().incidents. first must be the local time of an
  // event already added (incidents.h calls it as each incident settles).
  void count_incident(std::optional<std::int64_t> first, Band band);
  // The local time of UTC epoch ms t, or nullopt if missing or outside years 1 to 9999.
  std::optional<std::int64_t> local_time(std::optional<std::int64_t> t) const;

  std::uint64_t events() const { return events_; }
  std::uint64_t scored() const { return scored_; }
  std::uint64_t flagged() const { return flagged_; }
  std::uint64_t untimed() const { return untimed_; }
  std::uint64_t users_affected() const { return users_.counts.size(); }
  std::uint64_t flagged_in(Band b) const { return band_totals_[static_cast<int>(b)]; }
  // Local times of the first and last event with a valid time.
  std::optional<std::int64_t> first() const { return first_; }
  std::optional<std::int64_t> last() const { return last_; }
  // The lowest score among flagged events: the threshold the scores were flagged at.
  std::optional<double> threshold() const { return min_flagged_; }
  // The highest score among events that were not flagged.
  std::optional<double> max_unflagged() const { return max_unflagged_; }
  const Options& options() const { return options_; }

  // Logins and anomalies per bucket over the span, every bucket from the first to the
  // last (empty ones too), with the bucketing picked by choose_bucketing. Empty when no
  // event had a valid time.
  TimeSeries time_series(std::size_t max_buckets = 60) const;
  // The scores in about target_bins bins of a round width (0.005 to 0.1), over a range
  // at least 0.1 wide that covers every score.
  ScoreHistogram histogram(std::size_t target_bins = 40) const;
  // Anomalies per local weekday (0 = Monday) and hour.
  const std::array<std::array<std::uint64_t, 24>, 7>& heat() const { return heat_; }
  // The n most frequent users, source IPs and countries among flagged events, most
  // frequent first, ties by value. Empty values are not counted.
  std::vector<Count> top_users(std::size_t n) const { return top(users_.counts, n); }
  std::vector<Count> top_ips(std::size_t n) const { return top(ips_.counts, n); }
  std::vector<Count> top_countries(std::size_t n) const { return top(countries_.counts, n); }
  std::uint64_t distinct_ips() const { return ips_.counts.size(); }
  std::uint64_t distinct_countries() const { return countries_.counts.size(); }
  // True when more than kMaxDistinct values came: the count above is a lower bound.
  bool users_capped() const { return users_.capped; }
  bool ips_capped() const { return ips_.capped; }
  bool countries_capped() const { return countries_.capped; }
  // The kept anomalies, most severe first.
  std::vector<Anomaly> anomalies() const;

 private:
  struct Cell {
    std::uint64_t logins = 0;
    std::array<std::uint64_t, kBandCount> bands{};
    std::array<std::uint64_t, kBandCount> incidents{};
  };
  using Counter = std::unordered_map<std::string, std::uint64_t>;
  struct Tally {
    Counter counts;       // at most kMaxDistinct values
    bool capped = false;  // a value past them came
  };
  static void count(Tally& tally, std::string_view value);
  static std::vector<Count> top(const Counter& counter, std::size_t n);
  void coarsen(Unit unit);
  void keep(const Event& e, std::optional<std::int64_t> local, std::uint64_t sequence);
  Cell& cell(std::int64_t local);

  Options options_;
  std::uint64_t events_ = 0, scored_ = 0, flagged_ = 0, untimed_ = 0;
  std::array<std::uint64_t, kBandCount> band_totals_{};
  std::optional<std::int64_t> first_, last_;
  std::optional<double> min_flagged_, max_unflagged_;
  Unit fine_unit_ = Unit::kMinute;
  std::unordered_map<std::int64_t, Cell> fine_;  // key: bucket start at fine_unit_
  std::int64_t last_key_ = 0;
  Cell* last_cell_ = nullptr;
  std::vector<std::uint64_t> bins_all_, bins_flagged_;
  std::array<std::array<std::uint64_t, 24>, 7> heat_{};
  Tally users_, ips_, countries_;
  std::vector<Anomaly> heap_;  // the worst kept anomaly at front
};

}  // namespace ad::aggregate
