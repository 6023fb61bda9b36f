// ad-import: the logs people already have (sshd, Entra ID, Okta, Google Workspace,
// CloudTrail) as ad's login CSV. See man/ad-import.1 and lib/ad/import/importer.h.
#include <fmt/format.h>

#include "ad/core/cli.h"
#include "ad/core/io.h"
#include "ad/import/importer.h"

int main(int argc, char** argv) {
  ad::cli::Tool tool("ad-import",
                     "Convert an sshd log, an Entra ID, Okta, Google Workspace or CloudTrail export "
                     "into ad's login CSV.");
  auto& app = tool.app();
  std::string format, output, on_error = "fail", assume_tz = "UTC";
  ad::import::ImportOptions opt;
  app.add_option("FILE", opt.path, "Input file (default: standard input)");
  app.add_option("-f,--format", format, "Input format: sshd, entra, okta, gworkspace or cloudtrail")
      ->required()
      ->check(CLI::IsMember({"sshd", "entra", "okta", "gworkspace", "cloudtrail"}))
      ->type_name("FORMAT");
  app.add_option("-o,--output", output, "Write to FILE (atomically) instead of standard output")
      ->type_name("FILE");
  app.add_option("--year", opt.year, "Year of the first syslog line without one (default: inferred)")
      ->check(CLI::Range(1970, 9999))
      ->type_name("YEAR");
  app.add_option("--on-error", on_error, "On a bad record: fail (default) or skip it and count it")
      ->check(CLI::IsMember({"fail", "skip"}))
      ->type_name("fail|skip");
  app.add_option("--assume-tz", assume_tz, "UTC offset of times without a zone (default UTC)")
      ->type_name("OFFSET");

  return tool.run(argc, argv, [&] {
    ad::cli::InputOptions in;
    in.assume_tz = assume_tz;
    opt.assume_tz_s = in.assume_tz_s();
    opt.format = *ad::import::parse_format(format);
    opt.skip_bad = on_error == "skip";
    ad::Sink sink(output);
    ad::import::ImportSummary s = ad::import::run_import(opt, sink.out());
    sink.commit();
    auto records = [](std::uint64_t n) { return n == 1 ? std::string("1 record") : fmt::format("{} records", n); };
    if (s.skipped && s.first_skipped)
      tool.warn(records(s.skipped) + " skipped for bad data; the first: " + *s.first_skipped);
    tool.note(fmt::format("read {}, wrote {} logins, passed over {} that held none", records(s.records), s.logins,
                          s.passed));
  });
}
