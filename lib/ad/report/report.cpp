// ad-report's input side: scored CSV into the aggregator, and the whole run.
#include <algorithm>

#include "ad/core/csv.h"
#include "ad/report/html.h"
#include "ad/report/report.h"
#include "ad/core/roles.h"
#include "ad/core/scored.h"
#include "ad/core/timestamp.h"
#include "ad/core/text.h"

namespace ad::report {

namespace {

std::string_view field(const csv::Row& row, int column) {
  return column >= 0 ? row.fields[static_cast<std::size_t>(column)] : std::string_view();
}

}  // namespace

void read_scored(const std::string& path, const Options& options, aggregate::Aggregator& aggregator,
                 Summary& summary, aggregate::IncidentBook* incidents) {
  csv::Reader reader(path);
  const auto& header = reader.header();
  auto scored_columns = scored::Columns::find(header);
  scored_columns.require(reader.name());
  if (incidents && scored_columns.has_incidents()) incidents->set_present();
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
      auto parsed = scored::parse(scored_columns, row, reader.name());
      e.scored = parsed.has_value();
      e.flagged = parsed && parsed->flag;
      e.score = parsed ? parsed->score : 0;
      e.severity = parsed ? parsed->severity : 0;
      e.reasons = parsed ? parsed->reasons : std::string_view();
      e.incident_id = parsed ? parsed->incident_id : std::string_view();
      e.incident_kind = parsed ? parsed->incident_kind : std::string_view();
      e.incident_score = parsed ? parsed->incident_score : std::nullopt;
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
    aggregator.add(e);
    if (incidents && e.flagged)
      incidents->add(e, aggregator.local_time(e.time_ms), aggregator.events() - 1);
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
  aggregate::IncidentBook incidents(options.top_incidents, [&](const aggregate::Incident& s) {
    aggregator.count_incident(s.first_ms, s.band());
  });
  Summary summary;
  std::vector<std::string> names;
  for (const auto& path : inputs) {
    read_scored(path, options, aggregator, summary, &incidents);
    names.push_back(csv::display_name(path));
  }
  incidents.finish();
  write_html(aggregator, incidents, names, options, out);
  return summary;
}

}  // namespace ad::report
