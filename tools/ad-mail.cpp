// ad-mail: email the security team an alert about the flagged rows of scored CSV.
// Options here; the work is ad::mail::run (lib/ad/mail.h).
#include <cstdlib>

#include "ad/core/cli.h"
#include "ad/mail/mail.h"

int main(int argc, char** argv) {
  ad::cli::Tool tool("ad-mail", "Email the security team an alert about flagged logins.");
  CLI::App& app = tool.app();

  // Settings, which the environment and the config file may also give (see ad-mail(1)).
  std::map<std::string, std::string> given;
  auto setting = [&](const std::string& names, const std::string& key, const std::string& type,
                     const std::string& help) {
    app.add_option_function<std::string>(
           names, [&given, key](const std::string& v) { given[key] = v; }, help)
        ->type_name(type)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  };
  setting("--smtp", "smtp", "URL", "Mail server: smtp://host[:port] (STARTTLS) or smtps://host[:port]");
  setting("--from", "from", "ADDR", "Sender address");
  setting("--to", "to", "ADDR[,ADDR...]", "Recipients (only from here or the config, never from data)");
  setting("--subject", "subject", "TEXT", "Start the subject with TEXT (default [ad])");
  setting("--top", "top", "N", "List the top N incidents (or anomalies) in the body (default 10)");
  setting("--state", "state", "FILE", "Remember alerted events and incidents in FILE; never alert one twice");
  setting("--window", "window", "SECONDS", "Streaming: one mail per window (default 60)");
  setting("--max-per-hour", "max-per-hour", "N", "Streaming: at most N mails an hour (default 10; 0 = no cap)");
  setting("--max-attachment", "max-attachment", "SIZE",
          "Attach at most SIZE bytes of flagged rows (K, M; default 4M); the mail says what was left out");
  setting("--spool", "spool", "DIR", "Where unsent mail waits (default ~/.local/state/ad/spool)");
  setting("--cacert", "cacert", "FILE", "CA certificates (PEM) to verify the server with");
  setting("--timeout", "timeout", "SECONDS", "Give up on a silent server after SECONDS (default 30)");
  setting("--netrc", "netrc", "FILE", "Read credentials from FILE instead of ~/.netrc");

  ad::mail::Options flags;
  std::string config;
  ad::cli::InputOptions in;
  in.on_error = "skip";  // an alert about the good rows is worth more than none
  bool insecure = false;
  app.add_option("--config", config, "Read settings from FILE (see FILES in ad-mail(1))")
      ->type_name("FILE");
  app.add_flag("--insecure-no-tls", insecure, "Allow sending in clear text to a remote server");
  app.add_flag("--always", flags.always, "Send a mail even when nothing is flagged");
  app.add_flag("--flush-spool", flags.flush_spool, "Send the mail waiting in the spool, then exit");
  app.add_flag("--dry-run", flags.dry_run, "Write the message to standard output; send nothing");
  app.add_option("-o,--output", flags.output, "Write the message to FILE.eml; send nothing")
      ->type_name("FILE.eml");
  app.add_flag("--tee", flags.tee, "Copy the input records to standard output");
  in.add_row_options(app);
  app.add_option("FILE", flags.input, "Scored CSV (default: standard input)");

  return tool.run(argc, argv, [&] {
    if (insecure) given["insecure-no-tls"] = "yes";
    ad::mail::Options o =
        ad::mail::resolve(given, config, [](const char* name) { return std::getenv(name); });
    o.input = flags.input;
    o.output = flags.output;
    o.dry_run = flags.dry_run;
    o.always = flags.always;
    o.flush_spool = flags.flush_spool;
    o.tee = flags.tee;
    o.skip_bad_rows = in.skip_bad_rows();
    o.map = in.role_map();
    o.assume_tz_s = in.assume_tz_s();
    ad::mail::run(o, {[&](const std::string& m) { tool.note(m); },
                      [&](const std::string& m) { tool.warn(m); }});
  });
}
