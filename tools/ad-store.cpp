// ad-store: save scored anomalies in PostgreSQL, and read the history back as CSV.
#include <signal.h>

#include "ad/core/cli.h"
#include "ad/core/io.h"
#include "ad/store/export.h"
#include "ad/store/store.h"
#include "ad/core/timestamp.h"

namespace {

std::optional<std::int64_t> parse_bound(const std::string& text, const char* option, int offset_s) {
  if (text.empty()) return std::nullopt;
  auto ms = ad::parse_time_ms(text, offset_s);
  if (!ms) throw ad::usage_error(std::string(option) + " expects a time such as 2025-01-31 or "
                                 "2025-01-31T08:00:00Z, got '" + text + "'");
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  ad::cli::Tool tool("ad-store",
                     "Save scored anomalies in PostgreSQL (idempotently), and read the history back "
                     "as CSV.");
  ad::store::SessionOptions session;
  ad::store::WriteOptions write;
  ad::cli::InputOptions in;
  std::string input, output, since, until, user;
  bool do_export = false, do_summary = false;
  auto& app = tool.app();
  app.add_option("--db", session.db, "PostgreSQL connection string or URL (default: $DATABASE_URL, "
                                     "else libpq's PG* environment); keep passwords in ~/.pgpass")
      ->type_name("URL");
  app.add_option("--table", write.table, "Table name (default login_anomalies)")->type_name("NAME");
  app.add_option("--retry-for", session.retry_for_s,
                 "Retry an unavailable server for up to SECONDS, then exit 75 (default 60)")
      ->check(CLI::Range(0.0, 1e6))
      ->type_name("SECONDS");
  auto* all = app.add_flag("--all", write.all, "Store every row, not only flagged ones");
  auto* tee = app.add_flag("--tee", write.tee, "Copy the input to standard output");
  auto* rows = app.add_option("--batch-rows", write.batch_rows, "Commit every N rows at most (default 50000)")
                   ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
                   ->type_name("N");
  auto* secs = app.add_option("--batch-seconds", write.batch_seconds,
                              "Commit a pending row within SECONDS (default 1)")
                   ->check(CLI::Range(0.001, 86400.0))
                   ->type_name("SECONDS");
  auto* model = app.add_option("--model-id", write.model_id, "Model identity to store with the rows")
                    ->type_name("TEXT");
  auto row_options = in.add_row_options(app);  // --map, --on-error, --assume-tz
  auto* maps = row_options[0];
  auto* on_error = row_options[1];
  auto* file = app.add_option("FILE", input, "Scored CSV to store (default: standard input)")
                   ->type_name("");
  app.add_flag("--export", do_export, "Write the stored rows as scored CSV");
  app.add_flag("--summary", do_summary, "Write counts by day and user as CSV");
  auto* o = app.add_option("-o,--output", output, "With --export/--summary: write to FILE (atomically)")
                ->type_name("FILE");
  auto* s = app.add_option("--since", since, "With --export/--summary: rows at or after time T")->type_name("T");
  auto* u = app.add_option("--until", until, "With --export/--summary: rows before time T")->type_name("T");
  auto* w = app.add_option("--user", user, "With --export/--summary: rows of user U")->type_name("U");

  return tool.run(argc, argv, [&] {
    auto warn = [&](const std::string& m) { tool.warn(m); };
    auto note = [&](const std::string& m) { tool.note(m); };
    int tz = in.assume_tz_s();
    if (ad::store::has_password(session.db))
      tool.warn("a password in --db is visible to other users; use PGPASSWORD or ~/.pgpass");

    if (do_export || do_summary) {
      if (do_export && do_summary) throw ad::usage_error("--export and --summary do not go together");
      for (auto* opt : {all, tee, rows, secs, model, maps, on_error, file})
        if (opt->count())
          throw ad::usage_error((opt == file ? std::string("a FILE") : opt->get_name()) + " does not go with " +
                                (do_export ? "--export" : "--summary"));
      ad::store::Filter filter{parse_bound(since, "--since", tz), parse_bound(until, "--until", tz),
                               w->count() ? std::optional<std::string>(user) : std::nullopt};
      ad::Sink sink(output);
      if (do_export)
        ad::store::export_csv(session, write.table, filter, sink.out(), warn, note);
      else
        ad::store::summary_csv(session, write.table, filter, sink.out(), warn, note);
      sink.commit();
      return;
    }
    for (auto* opt : {o, s, u, w})
      if (opt->count()) throw ad::usage_error(opt->get_name() + " needs --export or --summary");
    write.roles = in.role_map();
    write.assume_tz_s = tz;
    write.skip_bad_rows = in.skip_bad_rows();
    ad::store::install_stop_signals();
    auto stats = ad::store::write(input, session, write, warn, note);
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
