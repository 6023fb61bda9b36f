// mail.h: ad-mail, the alerting sink: settings, batch and streaming runs, the spool.
//
// ad-mail reads scored CSV and sends one alert (alert.h) about its flagged rows:
//   - Batch: the input is a file, or ends soon (a pipe that closes). One message at the
//     end of the input; none when nothing is flagged (unless `always`).
//   - Streaming: the input is live (csv::Reader::live(): a pipe, FIFO or terminal) and
//     a message would be sent (not a preview). The first flagged row opens a window of
//     window_s seconds; when it closes, one message holds every row flagged in it. The
//     window closes on time even when no further line arrives: before the reader
//     blocks, its idle hook waits in poll(2) on the input with a timeout that ends at
//     the next deadline. At most max_per_hour messages leave in any 60 minutes; while
//     the cap holds, windows keep collecting, and the next message (a digest) holds
//     everything held back and says so. At the end of the input, and on SIGINT,
//     SIGTERM or SIGHUP, whatever is held is sent at once, whatever the cap.
// Every message is deduplicated against the alert state (dedup.h) when there is one,
// and delivered (smtp.h) or, if that fails, spooled (spool.h): no alert is lost. After
// a successful delivery the spool is flushed too. A preview (dry_run, or output) writes
// the message instead and leaves the state alone.
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
// Credentials only come from AD_SMTP_USER and AD_SMTP_PASSWORD, or the netrc file.
// The config file is the first that exists of: --config FILE, $AD_MAIL_CONFIG (these
// two must exist), $XDG_CONFIG_HOME/ad/mail.conf (default ~/.config/ad/mail.conf),
// /etc/ad/mail.conf. It holds "key = value" lines, blank lines and "#" comments.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "ad/smtp.h"

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
  // Command line only.
  std::string input;     // FILE; "" or "-" = standard input
  std::string output;    // -o FILE.eml: write the message there instead of sending it
  bool dry_run = false;  // write the message to standard output instead of sending it
  bool always = false;   // send even when nothing is flagged
  bool flush_spool = false;
  bool tee = false;      // copy the input records to standard output
  bool skip_bad_rows = true;  // --on-error skip (default) or fail
  int tz_offset_s = 0;   // --assume-tz
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

// How run() talks to the user (the tool prints; the library does not).
struct Reporter {
  std::function<void(const std::string&)> note;  // progress, silenced by --quiet
  std::function<void(const std::string&)> warn;  // always shown
};

// Reads options.input and alerts, as described above; or, with flush_spool, sends the
// spooled messages. Returns when every alert was delivered or written. Throws
// ad::Error: kUsage for bad options; kData for bad input (when rows were skipped, after
// alerting about the rest); kIo; kUnavailable when a message could not be delivered
// and waits in the spool (the message says where).
void run(const Options& options, const Reporter& reporter);

}  // namespace ad::mail
