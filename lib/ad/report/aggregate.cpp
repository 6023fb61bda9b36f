#include "ad/report/aggregate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ad/core/text.h"
#include "ad/core/timestamp.h"

namespace ad::aggregate {

namespace {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr std::int64_t kDayMs = 24 * kHourMs;
constexpr std::int64_t kMondayDay = 4;  // 1970-01-05, a Monday, is day 4

// Years 1 to 9999: what the calendar functions and labels are meant for.
const std::int64_t kMinLocal = days_from_civil(1, 1, 1) * kDayMs;
const std::int64_t kMaxLocal = days_from_civil(10000, 1, 1) * kDayMs - 1;

constexpr std::string_view kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::string_view kWeekdays[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

struct Civil {
  int year;
  unsigned month, day;  // 1-based
  int hour, minute, second;
  int weekday;  // 0 = Monday
  std::int64_t days;
};

Civil civil(std::int64_t local_ms) {
  Civil c{};
  c.days = floor_div(local_ms, kDayMs);
  std::int64_t in_day = local_ms - c.days * kDayMs;
  civil_from_days(c.days, c.year, c.month, c.day);
  c.hour = static_cast<int>(in_day / kHourMs);
  c.minute = static_cast<int>(in_day % kHourMs / kMinuteMs);
  c.second = static_cast<int>(in_day % kMinuteMs / 1000);
  c.weekday = static_cast<int>(floor_div(c.days - kMondayDay, 1) % 7);
  if (c.weekday < 0) c.weekday += 7;
  return c;
}

std::int64_t fixed_size(Unit u) {
  switch (u) {
    case Unit::kMinute: return kMinuteMs;
    case Unit::kHour: return kHourMs;
    case Unit::kDay: return kDayMs;
    case Unit::kWeek: return 7 * kDayMs;
    default: return 0;
  }
}

// A bucket's ordinal: consecutive buckets have consecutive ordinals.
std::int64_t ordinal(std::int64_t local_ms, Bucketing b) {
  switch (b.unit) {
    case Unit::kMinute:
    case Unit::kHour:
    case Unit::kDay:
      return floor_div(local_ms, fixed_size(b.unit) * b.count);
    case Unit::kWeek:
      return floor_div(floor_div(local_ms, kDayMs) - kMondayDay, 7 * b.count);
    case Unit::kMonth: {
      Civil c = civil(local_ms);
      return floor_div(c.year * 12 + static_cast<int>(c.month) - 1, b.count);
    }
    case Unit::kYear:
      return floor_div(civil(local_ms).year, b.count);
  }
  return 0;
}

// Approximate length of a unit, for deciding when to coarsen.
std::int64_t approx_size(Unit u) {
  if (u == Unit::kMonth) return 31 * kDayMs;
  if (u == Unit::kYear) return 366 * kDayMs;
  return fixed_size(u);
}

bool better(double sev_a, double score_a, std::uint64_t seq_a, const Anomaly& b) {
  if (sev_a != b.severity) return sev_a > b.severity;
  if (score_a != b.score) return score_a > b.score;
  return seq_a < b.sequence;
}

bool better(const Anomaly& a, const Anomaly& b) { return better(a.severity, a.score, a.sequence, b); }

}  // namespace

// ---------------------------------------------------------------------------------
// Calendar.

const std::vector<Bucketing>& bucket_ladder() {
  static const std::vector<Bucketing> kLadder = {
      {Unit::kMinute, 1}, {Unit::kMinute, 5}, {Unit::kMinute, 15}, {Unit::kHour, 1},
      {Unit::kHour, 3},   {Unit::kHour, 6},   {Unit::kHour, 12},   {Unit::kDay, 1},
      {Unit::kWeek, 1},   {Unit::kMonth, 1},  {Unit::kYear, 1}};
  return kLadder;
}

std::string describe(Bucketing b) {
  static constexpr std::string_view kNames[] = {"minute", "hour", "day", "week", "month", "year"};
  std::string_view name = kNames[static_cast<int>(b.unit)];
  if (b.count == 1) return std::string(name);
  return text::plural(b.count, name);
}

std::int64_t bucket_start(std::int64_t local_ms, Bucketing b) {
  switch (b.unit) {
    case Unit::kMinute:
    case Unit::kHour:
    case Unit::kDay: {
      std::int64_t size = fixed_size(b.unit) * b.count;
      return floor_div(local_ms, size) * size;
    }
    case Unit::kWeek:
      return (ordinal(local_ms, b) * 7 * b.count + kMondayDay) * kDayMs;
    case Unit::kMonth: {
      std::int64_t months = ordinal(local_ms, b) * b.count;
      return days_from_civil(static_cast<int>(floor_div(months, 12)),
                             static_cast<unsigned>(months - floor_div(months, 12) * 12 + 1), 1) *
             kDayMs;
    }
    case Unit::kYear:
      return days_from_civil(static_cast<int>(ordinal(local_ms, b) * b.count), 1, 1) * kDayMs;
  }
  return local_ms;
}

std::int64_t next_bucket(std::int64_t start, Bucketing b) {
  switch (b.unit) {
    case Unit::kMonth: {
      Civil c = civil(start);
      std::int64_t months = c.year * 12 + static_cast<int>(c.month) - 1 + b.count;
      return days_from_civil(static_cast<int>(floor_div(months, 12)),
                             static_cast<unsigned>(months - floor_div(months, 12) * 12 + 1), 1) *
             kDayMs;
    }
    case Unit::kYear:
      return days_from_civil(civil(start).year + b.count, 1, 1) * kDayMs;
    default:
      return start + fixed_size(b.unit) * b.count;
  }
}

Bucketing choose_bucketing(std::int64_t first, std::int64_t last, std::size_t max_buckets) {
  const auto& ladder = bucket_ladder();
  for (const auto& b : ladder) {
    std::int64_t n = ordinal(last, b) - ordinal(first, b) + 1;
    if (n <= static_cast<std::int64_t>(max_buckets)) return b;
  }
  return ladder.back();
}

std::vector<std::pair<std::size_t, std::string>> time_labels(
    const std::vector<std::int64_t>& starts, Bucketing b, std::size_t max_labels) {
  std::vector<std::pair<std::size_t, std::string>> out;
  if (starts.empty()) return out;
  // Label steps in minutes, hours, days, weeks, months or years.
  static const std::vector<int> kSteps[] = {
      {1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880},
      {1, 2, 3, 6, 12, 24, 48},
      {1, 2, 7, 14, 28},
      {1, 2, -1, -2, -3, -6, -12},  // negative: the first week of every k-th month
      {1, 2, 3, 6, 12, 24},
      {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000}};
  auto position = [&](std::int64_t t) -> std::int64_t {  // in single units
    return ordinal(t, Bucketing{b.unit, 1});
  };
  std::vector<std::size_t> chosen;
  const auto& steps = kSteps[static_cast<int>(b.unit)];
  bool whole_days = false;  // sub-day buckets labelled once a day or less: label the dates
  for (std::size_t k = 0; k < steps.size(); ++k) {
    int step = steps[k];
    if (step > 0 && step % b.count != 0) continue;
    whole_days = (b.unit == Unit::kMinute && step % 1440 == 0) || (b.unit == Unit::kHour && step % 24 == 0);
    chosen.clear();
    for (std::size_t i = 0; i < starts.size(); ++i) {
      if (step < 0) {
        Civil c = civil(starts[i]);
        if (c.day <= 7 && (static_cast<int>(c.month) - 1) % -step == 0) chosen.push_back(i);
        continue;
      }
      std::int64_t p = position(starts[i]);
      if (p - floor_div(p, step) * step == 0) chosen.push_back(i);
    }
    if (chosen.size() <= max_labels) break;
  }
  if (chosen.empty()) chosen.push_back(0);
  std::int64_t prev_context = INT64_MIN;
  for (std::size_t i : chosen) {
    Civil c = civil(starts[i]);
    std::string label;
    std::int64_t context = prev_context;
    std::string context_text;
    switch (whole_days ? Unit::kDay : b.unit) {
      case Unit::kMinute:
      case Unit::kHour:
        label = fmt::format("{:02}:{:02}", c.hour, c.minute);
        context = c.days;
        context_text = fmt::format("{} {} {}", c.day, kMonths[c.month - 1], c.year);
        break;
      case Unit::kDay:
      case Unit::kWeek:
        label = fmt::format("{} {}", c.day, kMonths[c.month - 1]);
        context = c.year;
        context_text = std::to_string(c.year);
        break;
      case Unit::kMonth:
        label = std::string(kMonths[c.month - 1]);
        context = c.year;
        context_text = std::to_string(c.year);
        break;
      case Unit::kYear:
        label = std::to_string(c.year);
        context = prev_context;
        break;
    }
    if (context != prev_context) label += "\n" + context_text;
    prev_context = context;
    out.emplace_back(i, std::move(label));
  }
  return out;
}

std::string format_local(std::int64_t local_ms, bool seconds) {
  Civil c = civil(local_ms);
  if (seconds)
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", c.year, c.month, c.day, c.hour,
                       c.minute, c.second);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute);
}

std::string describe_bucket(std::int64_t start, Bucketing b) {
  Civil c = civil(start);
  std::string date = fmt::format("{} {} {} {}", kWeekdays[c.weekday], c.day, kMonths[c.month - 1], c.year);
  switch (b.unit) {
    case Unit::kMinute:
    case Unit::kHour: {
      Civil e = civil(next_bucket(start, b));
      return fmt::format("{} {:02}:{:02} to {:02}:{:02}", date, c.hour, c.minute, e.hour, e.minute);
    }
    case Unit::kDay: return date;
    case Unit::kWeek: return "week of " + date;
    case Unit::kMonth: return fmt::format("{} {}", kMonths[c.month - 1], c.year);
    case Unit::kYear: return std::to_string(c.year);
  }
  return date;
}

std::string format_duration(std::int64_t ms) {
  if (ms < 0) ms = -ms;
  std::int64_t s = ms / 1000;
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min", s / 60);
  if (s < 86400) {
    std::int64_t h = s / 3600, m = s % 3600 / 60;
    return m ? fmt::format("{} h {} min", h, m) : fmt::format("{} h", h);
  }
  std::int64_t d = s / 86400, h = s % 86400 / 3600;
  if (d < 30 && h) return fmt::format("{} {} h", text::plural(d, "day"), h);
  return text::plural(d, "day");
}

std::string format_offset(int offset_s) {
  if (offset_s == 0) return "UTC";
  int a = offset_s < 0 ? -offset_s : offset_s;
  return fmt::format("UTC{}{:02}:{:02}", offset_s < 0 ? '-' : '+', a / 3600, a % 3600 / 60);
}

std::string_view weekday_name(int monday_based) { return kWeekdays[((monday_based % 7) + 7) % 7]; }

// ---------------------------------------------------------------------------------
// Aggregator.

Aggregator::Aggregator(Options options)
    : options_(options), bins_all_(1000, 0), bins_flagged_(1000, 0) {}

Anomaly make_anomaly(const Event& e, std::optional<std::int64_t> local, std::uint64_t sequence) {
  auto cut = [](std::string_view v) { return text::truncate(v, kValueChars); };
  Anomaly a;
  a.local_ms = local;
  a.user = cut(e.user);
  a.ip = cut(e.ip);
  if (!e.city.empty() && !e.country.empty())
    a.place = cut(std::string(e.city) + ", " + std::string(e.country));
  else
    a.place = cut(e.city.empty() ? e.country : e.city);
  a.device = cut(e.device);
  a.reasons = cut(e.reasons);
  a.incident = cut(e.incident_id);
  a.score = e.score;
  a.severity = e.severity;
  a.sequence = sequence;
  return a;
}

bool more_severe(const Anomaly& a, const Anomaly& b) { return better(a, b); }

std::optional<std::int64_t> Aggregator::local_time(std::optional<std::int64_t> t) const {
  if (!t) return std::nullopt;
  std::int64_t local = *t + static_cast<std::int64_t>(options_.utc_offset_s) * 1000;
  if (local < kMinLocal || local > kMaxLocal) return std::nullopt;
  return local;
}

void Aggregator::add(const Event& e) {
  std::uint64_t sequence = events_++;
  std::optional<std::int64_t> local = local_time(e.time_ms);
  if (!local) {
    ++untimed_;
  } else {
    if (!first_ || *local < *first_) first_ = local;
    if (!last_ || *local > *last_) last_ = local;
  }
  if (!e.scored) return;
  ++scored_;
  double score = std::clamp(e.score, 0.0, 1.0);
  auto bin = static_cast<std::size_t>(std::min(999.0, std::floor(score * 1000 + 1e-9)));
  ++bins_all_[bin];
  Band band = scored::band_of(e.severity);
  if (e.flagged) {
    ++flagged_;
    ++bins_flagged_[bin];
    ++band_totals_[static_cast<int>(band)];
    if (!min_flagged_ || e.score < *min_flagged_) min_flagged_ = e.score;
    count(users_, e.user);
    count(ips_, e.ip);
    count(countries_, e.country);
    if (local) {
      Civil c = civil(*local);
      ++heat_[c.weekday][c.hour];
    }
    keep(e, local, sequence);
  } else if (!max_unflagged_ || e.score > *max_unflagged_) {
    max_unflagged_ = e.score;
  }
  if (!local) return;
  Cell& c = cell(*local);
  ++c.logins;
  if (e.flagged) ++c.bands[static_cast<int>(band)];
}

void Aggregator::keep(const Event& e, std::optional<std::int64_t> local, std::uint64_t sequence) {
  if (options_.top_anomalies == 0) return;
  if (heap_.size() == options_.top_anomalies && !better(e.severity, e.score, sequence, heap_.front())) return;
  auto cmp = [](const Anomaly& x, const Anomaly& y) { return better(x, y); };
  if (heap_.size() == options_.top_anomalies) {
    std::pop_heap(heap_.begin(), heap_.end(), cmp);
    heap_.back() = make_anomaly(e, local, sequence);
  } else {
    heap_.push_back(make_anomaly(e, local, sequence));
  }
  std::push_heap(heap_.begin(), heap_.end(), cmp);
}

Aggregator::Cell& Aggregator::cell(std::int64_t local) {
  // Coarsen the internal buckets before the span outgrows them.
  while (fine_unit_ < Unit::kYear &&
         (*last_ - *first_) / approx_size(fine_unit_) >= static_cast<std::int64_t>(kMaxFineBuckets)) {
    Unit next = fine_unit_ == Unit::kDay ? Unit::kMonth : static_cast<Unit>(static_cast<int>(fine_unit_) + 1);
    coarsen(next);
  }
  std::int64_t key = bucket_start(local, Bucketing{fine_unit_, 1});
  if (!last_cell_ || key != last_key_) {
    last_cell_ = &fine_[key];
    last_key_ = key;
  }
  return *last_cell_;
}

void Aggregator::count_incident(std::optional<std::int64_t> first, Band band) {
  if (!first || !first_ || *first < *first_ || *first > *last_) return;
  ++cell(*first).incidents[static_cast<int>(band)];
}

void Aggregator::coarsen(Unit unit) {
  std::unordered_map<std::int64_t, Cell> coarse;
  for (const auto& [key, cell] : fine_) {
    Cell& c = coarse[bucket_start(key, Bucketing{unit, 1})];
    c.logins += cell.logins;
    for (int b = 0; b < kBandCount; ++b) {
      c.bands[b] += cell.bands[b];
      c.incidents[b] += cell.incidents[b];
    }
  }
  fine_.swap(coarse);
  fine_unit_ = unit;
  last_cell_ = nullptr;
}

TimeSeries Aggregator::time_series(std::size_t max_buckets) const {
  TimeSeries ts;
  if (!first_) return ts;
  Bucketing b = choose_bucketing(*first_, *last_, max_buckets);
  if (b.unit < fine_unit_) b = Bucketing{fine_unit_ == Unit::kMonth ? Unit::kMonth : fine_unit_, 1};
  ts.bucketing = b;
  for (std::int64_t t = bucket_start(*first_, b); t <= *last_; t = next_bucket(t, b))
    ts.starts.push_back(t);
  ts.logins.assign(ts.starts.size(), 0);
  ts.anomalies.assign(ts.starts.size(), {});
  ts.incidents.assign(ts.starts.size(), {});
  for (const auto& [key, cell] : fine_) {
    std::int64_t s = bucket_start(key, b);
    auto it = std::lower_bound(ts.starts.begin(), ts.starts.end(), s);
    if (it == ts.starts.end() || *it != s) continue;  // cannot happen: every key is in the span
    auto i = static_cast<std::size_t>(it - ts.starts.begin());
    ts.logins[i] += cell.logins;
    for (int k = 0; k < kBandCount; ++k) {
      ts.anomalies[i][k] += cell.bands[k];
      ts.incidents[i][k] += cell.incidents[k];
    }
  }
  return ts;
}

ScoreHistogram Aggregator::histogram(std::size_t target_bins) const {
  // Work in thousandths, the resolution of the internal bins.
  int lo_t = -1, hi_t = -1;
  for (int i = 0; i < 1000; ++i)
    if (bins_all_[i]) {
      if (lo_t < 0) lo_t = i;
      hi_t = i + 1;
    }
  if (lo_t < 0) {
    lo_t = 0;
    hi_t = 1000;
  }
  if (hi_t - lo_t < 100) {  // at least 0.1 wide, around the data, within [0, 1]
    int mid = (lo_t + hi_t) / 2;
    lo_t = std::clamp(mid - 50, 0, 900);
    hi_t = lo_t + 100;
  }
  static const int kSteps[] = {5, 10, 20, 25, 50, 100};
  int step = 100, lo = 0, hi = 1000;
  for (int s : kSteps) {
    lo = lo_t / s * s;
    hi = (hi_t + s - 1) / s * s;
    step = s;
    if (static_cast<std::size_t>((hi - lo) / s) <= target_bins) break;
  }
  ScoreHistogram h;
  h.lo = lo / 1000.0;
  h.hi = hi / 1000.0;
  h.step = step / 1000.0;
  std::size_t n = static_cast<std::size_t>((hi - lo) / step);
  h.all.assign(n, 0);
  h.flagged.assign(n, 0);
  for (int i = lo; i < hi && i < 1000; ++i) {
    auto k = static_cast<std::size_t>((i - lo) / step);
    h.all[k] += bins_all_[i];
    h.flagged[k] += bins_flagged_[i];
  }
  return h;
}

void Aggregator::count(Tally& tally, std::string_view value) {
  if (value.empty()) return;
  std::string key = text::truncate(value, kValueChars);
  auto it = tally.counts.find(key);
  if (it != tally.counts.end()) {
    ++it->second;
  } else if (tally.counts.size() < kMaxDistinct) {
    tally.counts.emplace(std::move(key), 1);
  } else {
    tally.capped = true;
  }
}

std::vector<Count> Aggregator::top(const Counter& counter, std::size_t n) {
  std::vector<const Counter::value_type*> items;
  items.reserve(counter.size());
  for (const auto& kv : counter) items.push_back(&kv);
  auto order = [](const Counter::value_type* a, const Counter::value_type* b) {
    return a->second != b->second ? a->second > b->second : a->first < b->first;
  };
  n = std::min(n, items.size());
  std::partial_sort(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(n), items.end(), order);
  std::vector<Count> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back({items[i]->first, items[i]->second});
  return out;
}

std::vector<Anomaly> Aggregator::anomalies() const {
  std::vector<Anomaly> out = heap_;
  std::sort(out.begin(), out.end(), [](const Anomaly& a, const Anomaly& b) { return better(a, b); });
  return out;
}

}  // namespace ad::aggregate
