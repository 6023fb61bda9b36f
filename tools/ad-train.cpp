// ad-train: learn a model from historical login CSV and write the model file.
#include <fmt/format.h>

#include "ad/core/cli.h"
#include "ad/core/csv.h"
#include "ad/detect/budget.h"
#include "ad/detect/geoip.h"
#include "ad/detect/model.h"
#include "ad/detect/train.h"

int main(int argc, char** argv) {
  ad::cli::Tool tool("ad-train",
                     "Learn each user's normal login behaviour from historical login CSV and write a model "
                     "file for ad-score.");
  ad::TrainOptions opt;
  ad::cli::InputOptions in;
  std::string model_path;
  auto& app = tool.app();
  app.add_option("-m,--model", model_path, "Model file to write (atomically)")->required()->type_name("MODEL");
  app.add_option("--seed", opt.forest.seed, "Random seed; the same seed gives the same model")->type_name("N");
  app.add_option("--trees", opt.forest.trees, "Number of trees (default 100)")
      ->check(CLI::Range(1, 100000))->type_name("N");
  app.add_option("--sample-size", opt.forest.sample_size, "Rows per tree, psi (default 256)")
      ->check(CLI::Range(2, 1 << 20))->type_name("N");
  opt.budget = ad::kDefaultBudget;
  auto* budget = app.add_option("--budget", opt.budget,
                                "Alert budget: false incidents per 1,000 user-days the threshold allows, "
                                "calibrated on the history (default 3; login data only)")
                     ->check(CLI::Range(1e-6, 1e6))->type_name("N");
  auto* contamination = app.add_option("--contamination", opt.contamination,
                                       "Set the threshold instead so that this share of training rows is "
                                       "flagged (default 0.01; always so for data without user and time)")
                            ->check(CLI::Range(1e-6, 0.5))->type_name("F");
  contamination->excludes(budget);
  app.add_option("--signal-threshold", opt.signal_threshold,
                 "With the alert budget, also flag a login whose signals alone score this many incident "
                 "points, whatever its anomaly score (default 60; 0 turns it off)")
      ->check(CLI::Range(0.0, 100.0))->type_name("POINTS")->excludes(contamination);
  app.add_option("--ignore", opt.ignore, "Never use COLUMN as a feature (repeatable)")
      ->type_name("COLUMN")
      ->allow_extra_args(false);
  app.add_option("--sample-rows", opt.sample_limit,
                 "Rows kept in memory to train on (default 100000)")
      ->check(CLI::Range(2, 100000000))->type_name("N");
  app.add_option("--max-users", opt.max_users,
                 "User profiles kept; the least recently seen go first (default 100000)")
      ->check(CLI::Range(1, 100000000))->type_name("N");
  std::string aspects = "time,network";
  app.add_option("--aspects", aspects,
                 "Login aspects judged by a forest of their own: place, device, time, attempts, network, "
                 "comma-separated, or none (default time,network)")
      ->type_name("LIST");
  ad::GeoIpOptions geoip;
  geoip.add_to(app);
  in.add_to(app);

  return tool.run(argc, argv, [&] {
    opt.aspects = ad::parse_aspects(aspects);
    opt.forest.threads = in.threads;
    opt.map = in.role_map();
    if (auto preset = ad::format_preset(in.format); preset.restrict_features) opt.features = preset.features;
    opt.on_error = in.skip_bad_rows() ? ad::OnError::kSkip : ad::OnError::kFail;
    opt.assume_tz_s = in.assume_tz_s();
    if (*contamination) opt.budget = 0;
    auto databases = geoip.open();
    opt.geoip = databases.get();
    ad::csv::Reader reader(in.path);
    ad::TrainReport report;
    ad::Model model = ad::train(reader, opt, report, [&](const std::string& m) { tool.warn(m); });
    model.save(model_path);
    for (const auto& note : report.notes) tool.note(note);
    if (model.info.budget > 0)
      tool.note(fmt::format("alert budget {:g} false incidents per 1,000 user-days: {} incidents in {} "
                            "calibration user-days",
                            model.info.budget, model.info.budget_incidents, model.info.budget_user_days));
    else if (opt.budget > 0)
      tool.note("no user and time columns: the contamination sets the threshold, not the budget");
    tool.note(fmt::format("learned from {} of {} rows ({} not logins, {} skipped); {} features; "
                          "threshold {:.4f}; wrote {}",
                          model.info.rows_used, report.rows_read, report.not_logins, report.skipped,
                          model.features.size(), model.threshold, model_path));
  });
}
