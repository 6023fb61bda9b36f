// config.h: ad-mail's settings, from the command line, the environment and a config file.
//
// Settings (resolve()): each has a key, used in the config file and named after the
// long option, and some have an environment variable. Precedence, highest first:
// command line, environment, config file, default.
//   key              environment        default
//   smtp             AD_SMTP_URL        (none; required to send)
//   from             AD_MAIL_FROM       (none; required)
//   to               AD_MAIL_TO         (none; required)
//   subject                             [ad]
//   cacert           AD_SMTP_CACERT     the system's CA store
//   netrc                               ~/.netrc
//   insecure-no-tls                     no
//   timeout                             30 (seconds)
//   spool            AD_MAIL_SPOOL      $XDG_STATE_HOME/ad/spool, ~/.local/state/ad/spool
//   state                               (none: no deduplication)
//   top                                 10
//   window                              60 (seconds)
//   max-per-hour                        10 (0: no cap)
//   max-attachment                      4M (bytes, or with K or M; 1K to 1024M)
// Credentials only come from AD_SMTP_USER and AD_SMTP_PASSWORD, or the netrc file.
// The config file is the first that exists of: --config FILE, $AD_MAIL_CONFIG (these
// two must exist), $XDG_CONFIG_HOME/ad/mail.conf (default ~/.config/ad/mail.conf),
// /etc/ad/mail.conf. It holds "key = value" lines, blank lines and "#" comments.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>

#include "ad/mail/smtp.h"

namespace ad::mail {

struct Options {
  // Settings (see above).
  smtp::Settings smtp;
  std::string from, to;  // mailbox and mailbox list, checked by run()
  std::string subject = "[ad]";
  std::size_t top = 10;
  std::string spool;     // "" = Spool::default_dir()
  std::string state;     // "" = no deduplication
  double window_s = 60;
  int max_per_hour = 10;
  std::size_t max_attachment = 4u << 20;  // bytes of CSV attached (before base64)
  // Command line only.
  std::string input;     // FILE; "" or "-" = standard input
  std::string output;    // -o FILE.eml: write the message there instead of sending it
  bool dry_run = false;  // write the message to standard output instead of sending it
  bool always = false;   // send even when nothing is flagged
  bool flush_spool = false;
  bool tee = false;      // copy the input records to standard output
  bool skip_bad_rows = true;  // --on-error skip (default) or fail
  int assume_tz_s = 0;   // --assume-tz: UTC offset of times without a zone
  std::map<std::string, std::string> map;  // --map role=column
};

// Resolves the settings. given holds the settings from the command line, by key;
// config_file is --config ("" when not given). getenv looks up the environment.
// Throws ad::Error(kUsage) for an unknown key or a bad value, naming where it came
// from ("--window", "AD_SMTP_URL", "/etc/ad/mail.conf:3"), and ad::Error(kIo) for an
// explicit config file that cannot be read.
Options resolve(const std::map<std::string, std::string>& given, const std::string& config_file,
                const std::function<const char*(const char*)>& getenv);

// The config file resolve() reads, or "" for none.
std::string find_config(const std::string& config_file,
                        const std::function<const char*(const char*)>& getenv);

}  // namespace ad::mail
