// ad-report: one static HTML report, with SVG plots, of scored logins.
// See man/ad-report.1 and lib/ad/report.h.
#include <string>
#include <vector>

#include "ad/core/clock.h"
#include "ad/core/cli.h"
#include "ad/core/io.h"
#include "ad/report/report.h"
#include "ad/report/svg.h"
#include "ad/core/timestamp.h"

int main(int argc, char** argv) {
  ad::cli::Tool tool("ad-report", "Write one self-contained HTML report, with SVG plots, of scored logins.");
  auto& app = tool.app();
  std::vector<std::string> files;
  std::string output, tz;
  ad::cli::InputOptions in;
  ad::report::Options options;
  app.add_option("FILE", files, "Scored CSV input(s), read in order (default: standard input)");
  app.add_option("-o,--output", output, "Write the report to FILE, atomically (default: standard output)")
      ->type_name("FILE");
  app.add_option("--title", options.title, "Title of the report")->capture_default_str();
  app.add_option("--top", options.top, "List at most N anomalies in the table, the most severe (0: none)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  app.add_option("--top-incidents", options.top_incidents,
                 "List at most N incidents, the highest-ranked, each with its events (0: none)")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--tz", tz, "Show times at this UTC offset (default: the --assume-tz offset)")
      ->type_name("OFFSET");
  in.add_row_options(app);

  return tool.run(argc, argv, [&] {
    options.assume_tz_s = in.assume_tz_s();
    options.utc_offset_s = options.assume_tz_s;
    if (!tz.empty()) {
      auto v = ad::parse_utc_offset(tz);
      if (!v) throw ad::usage_error("--tz: not a UTC offset: '" + tz + "' (use e.g. Z, +02:00, -0530)");
      options.utc_offset_s = *v;
    }
    options.map = in.role_map();
    options.skip_bad_rows = in.skip_bad_rows();
    options.warn = [&](const std::string& m) { tool.warn(m); };
    options.generator = std::string("ad-report ") + ad::cli::version();
    options.generated_ms = ad::reproducible_now_ms();  // SOURCE_DATE_EPOCH: byte-identical output
    ad::Sink sink(output);
    ad::report::Summary s = ad::report::run(files, options, sink.out());
    sink.commit();
    auto rows = [](std::uint64_t n) { return ad::svg::format_count(n) + (n == 1 ? " row" : " rows"); };
    if (s.skipped) tool.warn(rows(s.skipped) + " with bad data skipped");
    if (s.untimed && s.first_untimed)
      tool.warn(ad::format_message(*s.first_untimed, rows(s.untimed) +
                                                         " without a valid time, left out of the plots "
                                                         "over time; the first is here"));
    tool.note("read " + ad::svg::format_count(s.events) + " events, " + ad::svg::format_count(s.scored) +
              " scored, " + ad::svg::format_count(s.flagged) + " flagged" +
              (output.empty() || output == "-" ? std::string() : "; wrote " + output));
  });
}
