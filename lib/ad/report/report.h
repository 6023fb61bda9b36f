// report.h: one static HTML file that shows what ad-score found (ad-report).
//
// The report reads scored CSV (ad-score's output, or ad-store's export: any CSV that
// holds the scored columns of scored.h), feeds every row to an aggregate::Aggregator,
// and its flagged events to an aggregate::IncidentBook, and writes a single HTML5 document:
//   - headline figures: events, logins scored, flagged, the span, the users affected;
//     with the incident columns (scored.h), incidents first: how many, by band and by kind;
//   - with the incident columns, the incidents (at most Options::top_incidents, ranked
//     as incidents.h says), each with its events in a <details> element, and a plot of
//     incidents opened over time, stacked by incident band;
//   - inline SVG plots (svg.h): logins and anomalies over time, stacked by severity
//     band; the score distribution with the threshold marked; anomalies by weekday and
//     hour; the top users, source IPs and countries among the anomalies. Each has a
//     <title>, a <desc> and a data table as its text alternative;
//   - the most severe anomalies (at most Options::top), in that order, with a small
//     inline script that adds sorting and filtering when JavaScript runs.
// The file needs nothing else: no network, no fonts, no images, no JavaScript to be
// read (the script only adds sorting and filtering). A Content-Security-Policy meta
// tag allows only the page's own inline style and script, by their SHA-256 hashes, so
// even a value that escaped escaping could not run or load anything.
//
// Every value that comes from the data is escaped with text::html_escape (text, attributes
// and SVG alike). Memory is that of the aggregator and the incident book, whatever the number
// of rows.
//
// Reading rules, per input (several inputs are read in order, as one stream):
//   - the header must hold the scored columns, and each row is read, as scored.h
//     says (a row whose scored fields are all empty was not scored); other columns
//     are found by role (roles.h), --map overrides as in every tool;
//   - a bad scored field is a data error naming file, line and column (or, with
//     Options::skip_bad_rows, a row that is counted, reported and left out, as is a
//     row that is not valid CSV);
//   - a missing or unreadable time is not an error: the row counts everywhere but in
//     the plots over time and by hour, and the report says how many rows that was.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ad/report/aggregate.h"
#include "ad/report/incidents.h"
#include "ad/core/error.h"
#include "ad/core/io.h"

namespace ad::report {

struct Options {
  std::string title = "Login anomaly report";
  std::size_t top = 500;        // anomalies listed in the table (0: none)
  std::size_t top_incidents = 100;  // incidents listed, and kept in full (0: none)
  std::size_t top_values = 10;  // bars in each "top users/IPs/countries" plot
  int assume_tz_s = 0;      // UTC offset of input times without a zone (--assume-tz)
  int utc_offset_s = 0;         // UTC offset of every time shown (--tz)
  std::map<std::string, std::string> map;  // role -> column, from --map
  bool skip_bad_rows = false;              // --on-error skip: count bad rows, go on
  std::function<void(const std::string&)> warn;  // about the first bad rows of each input
  std::string generator;                   // e.g. "ad-report 0.1.0"; shown in the footer
  std::optional<std::int64_t> generated_ms;  // when, shown in the footer if set
};

// What was read, for the tool's notes and warnings.
struct Summary {
  std::uint64_t events = 0, scored = 0, flagged = 0, untimed = 0;
  std::optional<Location> first_untimed;  // the first row without a valid time
  std::uint64_t skipped = 0;              // bad rows skipped (skip_bad_rows)
  std::optional<std::string> first_skipped;  // the first one's error message
};

// Reads one scored CSV input ("-" or "" for standard input) into aggregator, and its
// flagged events into incidents, if given (incidents.h; call its finish() after the last input).
// Throws ad::Error(kData) for a header without the scored columns or a bad scored
// field, ad::Error(kIo) when the input cannot be read, ad::Error(kUsage) for a --map
// entry that names no column of this input.
void read_scored(const std::string& path, const Options& options, aggregate::Aggregator& aggregator,
                 Summary& summary, aggregate::IncidentBook* incidents = nullptr);

// The whole of ad-report: reads every path in order (none: standard input), then writes
// the report to out. Throws ad::Error(kUsage) if "-" is given more than once.
Summary run(const std::vector<std::string>& paths, const Options& options, Output& out);

}  // namespace ad::report
