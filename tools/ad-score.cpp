// ad-score: score login CSV with a model; batch, or real time on a pipe.
#include <fmt/format.h>

#include "ad/core/cli.h"
#include "ad/core/csv.h"
#include "ad/core/io.h"
#include "ad/detect/geoip.h"
#include "ad/detect/model.h"
#include "ad/detect/score.h"

int main(int argc, char** argv) {
  ad::cli::Tool tool("ad-score",
                     "Score login CSV with a model from ad-train: append anomaly_score, anomaly_flag, "
                     "severity and anomaly_reasons to every row.");
  ad::ScoreOptions opt;
  ad::cli::InputOptions in;
  std::string model_path, output;
  bool info = false;
  auto& app = tool.app();
  app.add_option("-m,--model", model_path, "Model file from ad-train")->required()->type_name("MODEL");
  app.add_option("-o,--output", output, "Write to FILE (atomically) instead of standard output")
      ->type_name("FILE");
  app.add_flag("--logins-only", opt.logins_only, "Drop rows whose activity is not a login");
  app.add_flag("--allow-empty", opt.allow_empty, "Accept an input with a header and no rows");
  app.add_flag("--model-info", info, "Describe the model and exit");
  ad::GeoIpOptions geoip;
  geoip.add_to(app);
  in.add_to(app);

  return tool.run(argc, argv, [&] {
    opt.threads = in.threads;
    opt.map = in.role_map();
    opt.on_error = in.skip_bad_rows() ? ad::OnError::kSkip : ad::OnError::kFail;
    opt.assume_tz_s = in.assume_tz_s();
    ad::Model model = ad::Model::load(model_path);
    if (info) {
      ad::standard_output().write(ad::describe_model(model));
      return;
    }
    auto databases = geoip.open();
    opt.geoip = databases.get();
    ad::csv::Reader reader(in.path);
    ad::Sink sink(output);
    ad::ScoreReport report;
    ad::score(model, reader, sink.out(), opt, report, [&](const std::string& m) { tool.warn(m); });
    sink.commit();
    tool.note(fmt::format("scored {} of {} rows, flagged {}", report.scored, report.rows_read, report.flagged));
  });
}
