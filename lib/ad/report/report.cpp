// ad-report's input side: scored CSV into the aggregator, and the whole run.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "ad/core/csv.h"
#include "ad/report/html.h"
#include "ad/report/report.h"
#include "ad/core/roles.h"
#include "ad/core/timestamp.h"

namespace ad::report {

namespace {

std::optional<double> parse_number(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

int column_of(const std::vector<std::string>& header, std::string_view name) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

std::string_view field(const csv::Row& row, int column) {
  return column >= 0 ? row.fields[static_cast<std::size_t>(column)] : std::string_view();
}

}  // namespace

void read_scored(const std::string& path, const Options& options,
                 aggregate::Aggregator& aggregator, Summary& summary) {
  csv::Reader reader(path);
  const auto& header = reader.header();
  int score_col = column_of(header, kScoreColumn);
  int flag_col = column_of(header, kFlagColumn);
  int severity_col = column_of(header, kSeverityColumn);
  int reasons_col = column_of(header, kReasonsColumn);
  for (auto [col, name] : {std::pair{score_col, kScoreColumn}, {flag_col, kFlagColumn},
                           {severity_col, kSeverityColumn}, {reasons_col, kReasonsColumn}}) {
    if (col < 0)
      throw data_error("no '" + std::string(name) +
                           "' column: the input is not scored CSV (run it through ad-score)",
                       Location{reader.name(), 1});
  }
  Roles roles = Roles::find(header, options.map);
  int time_col = roles[Role::kTime];
  int user_col = roles[Role::kUser], ip_col = roles[Role::kIp];
  int country_col = roles[Role::kCountry], city_col = roles[Role::kCity];
  int device_col = roles[Role::kDevice];

  csv::Row row;
  aggregate::Event e;
  if (options.skip_bad_rows) reader.skip_bad_records({10, options.warn, {}});
  while (reader.next(row)) {
    try {
      std::string_view score = field(row, score_col), flag = field(row, flag_col);
      std::string_view severity = field(row, severity_col);
      e.scored = !(score.empty() && flag.empty() && severity.empty() &&
                   field(row, reasons_col).empty());
      e.flagged = false;
      e.score = e.severity = 0;
      if (e.scored) {
        auto s = parse_number(score);
        if (!s || *s < 0 || *s > 1)
          throw data_error("anomaly_score must be a number from 0 to 1, got '" +
                               std::string(score.substr(0, 40)) + "'",
                           reader.where(row.line, score_col));
        if (flag == "1" || flag == "true") {
          e.flagged = true;
        } else if (flag != "0" && flag != "false") {
          throw data_error("anomaly_flag must be 0 or 1, got '" + std::string(flag.substr(0, 40)) + "'",
                           reader.where(row.line, flag_col));
        }
        auto v = parse_number(severity);
        if (!v || *v < 0 || *v > 100)
          throw data_error("severity must be a number from 0 to 100, got '" +
                               std::string(severity.substr(0, 40)) + "'",
                           reader.where(row.line, severity_col));
        e.score = *s;
        e.severity = *v;
      }
    } catch (const Error& err) {
      reader.reject(err);  // throws unless --on-error skip
      continue;
    }
    e.time_ms.reset();
    if (time_col >= 0) e.time_ms = parse_time_ms(field(row, time_col), options.assume_tz_s);
    std::uint64_t untimed_before = aggregator.untimed();
    e.user = field(row, user_col);
    e.ip = field(row, ip_col);
    e.country = field(row, country_col);
    e.city = field(row, city_col);
    e.device = field(row, device_col);
    e.reasons = field(row, reasons_col);
    aggregator.add(e);
    if (aggregator.untimed() != untimed_before) {
      ++summary.untimed;
      if (!summary.first_untimed)
        summary.first_untimed =
            time_col >= 0 ? reader.where(row.line, time_col) : Location{reader.name(), row.line};
    }
    ++summary.events;
    summary.scored += e.scored;
    summary.flagged += e.flagged;
  }
  summary.skipped += reader.skipped();
  if (!summary.first_skipped && reader.first_skipped())
    summary.first_skipped = reader.first_skipped()->what();
}

Summary run(const std::vector<std::string>& paths, const Options& options, Output& out) {
  std::vector<std::string> inputs = paths;
  if (inputs.empty()) inputs.push_back("-");
  if (std::count_if(inputs.begin(), inputs.end(),
                    [](const std::string& p) { return p == "-" || p.empty(); }) > 1)
    throw usage_error("standard input ('-') can be read only once");
  aggregate::Options agg_options;
  agg_options.top_anomalies = options.top;
  agg_options.utc_offset_s = options.utc_offset_s;
  aggregate::Aggregator aggregator(agg_options);
  Summary summary;
  std::vector<std::string> names;
  for (const auto& path : inputs) {
    read_scored(path, options, aggregator, summary);
    names.push_back(csv::display_name(path));
  }
  write_html(aggregator, names, options, out);
  return summary;
}

}  // namespace ad::report
