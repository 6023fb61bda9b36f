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
// With the incident columns, a message is about incidents (incidents.h), and an
// incident alerted by this run (or, with a state, by any run) is held back from later
// messages unless its band rises; a window or input that only extends such incidents
// sends nothing and says so in a note.
// Every message is deduplicated against the alert state (dedup.h) when there is one,
// and delivered (smtp.h) or, if that fails, spooled (spool.h): no alert is lost. After
// a successful delivery the spool is flushed too. A preview (dry_run, or output) writes
// the message instead and leaves the state alone.
//
// Settings: see config.h.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "ad/mail/config.h"

namespace ad::mail {

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
