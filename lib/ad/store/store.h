// store.h: ad-store, the history of scored logins in PostgreSQL.
//
// write() reads scored CSV (ad-score's output: the input columns plus anomaly_score,
// anomaly_flag, severity and anomaly_reasons) and stores the flagged rows, or every row,
// in a table (store/schema.h), one row per record, keyed so that a record is stored once
// however often it is offered (store/row.h). Rows go in batches (store/batch.h): each
// batch is COPYed in binary straight into the table, or, when it holds a key stored
// before, through a temporary staging table and INSERT ... ON CONFLICT DO NOTHING, in one
// transaction, so it is committed whole or not at all. A batch is committed when it holds
// batch_rows rows, when its first row is batch_seconds old (on a live pipe, a timer
// commits a trickle of rows even while no input arrives), at the end of the input, on an
// error in the input or the --tee output (the rows read before it are stored, then the
// error is thrown), and
// on SIGINT, SIGTERM or SIGHUP once install_stop_signals() was called. Two writer threads,
// each with its own connection, commit batches side by side (the server's work per row
// outweighs ours, and a second backend uses a second core). An outage of the
// server is ridden out by the Session (store_retry.h): exit status 75 if it lasts longer
// than retry_for, after which a re-run stores exactly the rows that are missing.
//
// Input policy: csv::Reader refuses invalid UTF-8 and NUL bytes with a data error naming
// file, line and column, before that record reaches the database. Everything else (quotes,
// SQL, HTML, control characters) is stored verbatim and exported verbatim.
//
// Reading the history back is store/export.h.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ad/core/io.h"
#include "ad/store/retry.h"
#include "ad/store/schema.h"

namespace ad::store {

inline constexpr const char* kDefaultTable = "login_anomalies";

struct WriteOptions {
  std::string table = kDefaultTable;
  bool all = false;           // store every row, not only those with anomaly_flag 1
  bool tee = false;           // copy the input to standard output (LF line ends)
  std::size_t batch_rows = 50000;   // REQUIRES: >= 1
  double batch_seconds = 1.0;       // REQUIRES: > 0
  std::string model_id;             // stored in model_id; "" = NULL
  std::map<std::string, std::string> roles;  // --map role=column overrides
  int assume_tz_s = 0;                  // zone of times without one (--assume-tz)
  bool skip_bad_rows = false;           // --on-error skip: leave bad rows out, warn, count
};

struct WriteStats {
  std::uint64_t read = 0;      // records read
  std::uint64_t selected = 0;  // records offered to the table (flagged, or all)
  std::uint64_t stored = 0;    // rows new to the table; selected - stored were there already
  std::uint64_t batches = 0;   // transactions committed
  int signal = 0;              // the signal that ended the run early, or 0
};

// Stores input ("" or "-" = standard input) as described above.
// Throws ad::Error: kUsage (bad table name), kIo (input), kData (bad record, table not
// ad-store's or newer), kUnavailable (server unavailable longer than retry_for).
WriteStats write(const std::string& input, const SessionOptions& session,
                 const WriteOptions& options, const Session::Notify& warn,
                 const Session::Notify& note);

// Makes SIGINT, SIGTERM and SIGHUP end write() gracefully: it commits what it has read
// and returns with WriteStats::signal set (the caller should then die by that signal).
void install_stop_signals();

}  // namespace ad::store
