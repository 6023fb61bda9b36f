// ad-store: save scored anomalies in PostgreSQL, and read the history back as CSV.
#include <signal.h>

#include "ad/core/cli.h"
#include "ad/core/io.h"
#include "ad/core/timestamp.h"
#include "ad/store/export.h"
#include "ad/store/store.h"

namespace {

std::optional<std::int64_t> parse_bound(const std::string& text, const char* option, int offset_s) {
  if (text.empty()) return std::nullopt;
  auto ms = ad::parse_time_ms(text, offset_s);
  if (!ms) throw ad::usage_error(std::string(option) + " expects a time such as 2025-01-31 or "
                                 "2025-01-31T08:00:00Z, got '" + text + "'");
  return ms;
}

// The options of storing.
struct WriteArgs {
  ad::store::WriteOptions opt;
  std::string input;
  std::vector<CLI::Option*> only;  // the options that make no sense when reading back

  void add(CLI::App& app, ad::cli::InputOptions& in) {
    only.push_back(app.add_flag("--all", opt.all, "Store every row, not only flagged ones"));
    only.push_back(app.add_flag("--tee", opt.tee, "Copy the input to standard output"));
    only.push_back(app.add_option("--batch-rows", opt.batch_rows, "Commit every N rows at most (default 50000)")
                       ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
                       ->type_name("N"));
    only.push_back(app.add_option("--batch-seconds", opt.batch_seconds,
                                  "Commit a pending row within SECONDS (default 1)")
                       ->check(CLI::Range(0.001, 86400.0))
                       ->type_name("SECONDS"));
    only.push_back(app.add_option("--model-id", opt.model_id, "Model identity to store with the rows")
                       ->type_name("TEXT"));
    auto row_options = in.add_row_options(app);  // --map, --on-error, --assume-tz
    only.push_back(row_options[0]);
    only.push_back(row_options[1]);
    only.push_back(app.add_option("FILE", input, "Scored CSV to store (default: standard input)")->type_name(""));
  }
};

// --export and --summary, of events or of incidents.
struct ReadArgs {
  bool do_export = false, do_summary = false, incidents = false;
  std::string output, since, until, user, incident;
  std::vector<CLI::Option*> only;  // the options that need --export or --summary
  CLI::Option *user_opt = nullptr, *incident_opt = nullptr, *incidents_opt = nullptr;

  void add(CLI::App& app) {
    app.add_flag("--export", do_export, "Write the stored rows as scored CSV");
    app.add_flag("--summary", do_summary, "Write counts by day and user as CSV");
    incidents_opt = app.add_flag("--incidents", incidents,
                                 "With --export/--summary: one row per incident, or counts by day and kind");
    incident_opt = app.add_option("--incident", incident, "With --export: the events of incident ID")
                       ->type_name("ID");
    only = {app.add_option("-o,--output", output, "With --export/--summary: write to FILE (atomically)")
                ->type_name("FILE"),
            app.add_option("--since", since, "With --export/--summary: rows at or after time T")->type_name("T"),
            app.add_option("--until", until, "With --export/--summary: rows before time T")->type_name("T"),
            user_opt = app.add_option("--user", user, "With --export/--summary: rows of user U")->type_name("U"),
            incidents_opt, incident_opt};
  }
  bool requested() const { return do_export || do_summary; }

  void run(const WriteArgs& w, const ad::store::SessionOptions& session, int tz,
           const ad::store::Session::Notify& warn, const ad::store::Session::Notify& note) const {
    const char* mode = do_export ? "--export" : "--summary";
    if (do_export && do_summary) throw ad::usage_error("--export and --summary do not go together");
    for (auto* opt : w.only)
      if (opt->count())
        throw ad::usage_error((opt == w.only.back() ? std::string("a FILE") : opt->get_name()) +
                              " does not go with " + mode);
    if (incident_opt->count() && (do_summary || incidents))
      throw ad::usage_error(std::string("--incident does not go with ") + (incidents ? "--incidents" : mode));
    ad::store::Filter filter{parse_bound(since, "--since", tz), parse_bound(until, "--until", tz),
                             user_opt->count() ? std::optional<std::string>(user) : std::nullopt,
                             incident_opt->count() ? std::optional<std::string>(incident) : std::nullopt};
    ad::Sink sink(output);
    auto* job = do_export ? (incidents ? ad::store::export_incidents_csv : ad::store::export_csv)
                          : (incidents ? ad::store::summary_incidents_csv : ad::store::summary_csv);
    job(session, w.opt.table, filter, sink.out(), warn, note);
    sink.commit();
  }
};

}  // namespace

int main(int argc, char** argv) {
  ad::cli::Tool tool("ad-store",
                     "Save scored anomalies in PostgreSQL (idempotently), and read the history back "
                     "as CSV.");
  ad::store::SessionOptions session;
  ad::cli::InputOptions in;
  WriteArgs w;
  ReadArgs r;
  auto& app = tool.app();
  app.add_option("--db", session.db, "PostgreSQL connection string or URL (default: $DATABASE_URL, "
                                     "else libpq's PG* environment); keep passwords in ~/.pgpass")
      ->type_name("URL");
  app.add_option("--table", w.opt.table, "Table name (default login_anomalies)")->type_name("NAME");
  app.add_option("--retry-for", session.retry_for_s,
                 "Retry an unavailable server for up to SECONDS, then exit 75 (default 60)")
      ->check(CLI::Range(0.0, 1e6))
      ->type_name("SECONDS");
  w.add(app, in);
  r.add(app);

  return tool.run(argc, argv, [&] {
    auto warn = [&](const std::string& m) { tool.warn(m); };
    auto note = [&](const std::string& m) { tool.note(m); };
    if (ad::store::has_password(session.db))
      tool.warn("a password in --db is visible to other users; use PGPASSWORD or ~/.pgpass");
    if (r.requested()) return r.run(w, session, in.assume_tz_s(), warn, note);
    for (auto* opt : r.only)
      if (opt->count()) throw ad::usage_error(opt->get_name() + " needs --export or --summary");
    w.opt.roles = in.role_map();
    w.opt.assume_tz_s = in.assume_tz_s();
    w.opt.skip_bad_rows = in.skip_bad_rows();
    ad::store::install_stop_signals();
    auto stats = ad::store::write(w.input, session, w.opt, warn, note);
    if (stats.signal) {  // stored what was read; now end as the signal asked
      try {
        ad::standard_output().flush();
      } catch (...) {
      }
      ::signal(stats.signal, SIG_DFL);
      ::raise(stats.signal);
    }
  });
}
