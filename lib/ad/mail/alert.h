// alert.h: what an ad-mail alert says, from the rows of scored CSV.
//
// An alert is about a batch of scored rows: a whole file, or one window of a live
// stream. Rows are read as scored.h says, and sorted into three kinds: not scored (not
// a login), a normal login (flag 0) and an anomaly (flag 1). An alert holds:
//   - the number of logins scored and flagged, the flagged ones by severity band
//     (scored.h);
//   - the time span of the scored logins (from the time column, when there is one);
//   - the top N anomalies by score (ties: higher severity, then input order), each
//     with user, time, place (city and country, else latitude/longitude), IP, score,
//     severity and reasons; and, since one incident can fill that list, the users
//     with the most anomalies (at most N), with their count and highest score;
//   - the flagged rows, all their columns, as a CSV attachment whose cells a
//     spreadsheet would run as formulas are neutralised (csv::WriterOptions), of at
//     most max_attachment bytes: beyond it the attachment is cut at a row boundary,
//     and the bodies say how many rows were left out and that ad-store exports them;
//   - notes: flagged rows left out as already alerted (dedup.h), malformed rows
//     skipped, and anomalies an hourly cap held back (a digest).
// Memory does not grow with the flagged rows: they wait in a temporary file
// (row_spool.h), and render_alert() reads them once, keeping the top N in a heap and
// counting at most 10000 distinct users; the attachment is attachment.h's.
// The subject carries the counts and the highest severity. With incident columns the
// alert is about incidents instead (incidents.h). Data reaches the text and
// HTML bodies only through sanitising: control characters become spaces, long values
// are cut (the attachment keeps them whole), bidi and invisible format controls become
// U+FFFD, and the HTML escapes & < > " ' (text::html_escape). Data never
// reaches a header: the subject holds only numbers and the user's --subject text.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ad/core/csv.h"
#include "ad/core/roles.h"
#include "ad/core/scored.h"
#include "ad/mail/row_spool.h"

namespace ad::mail {

using scored::kBandCount;

// Where the columns an alert needs are in a scored CSV header.
struct Columns {
  // Finds the scored columns (scored.h) and the roles (roles.h, with overrides from
  // --map). Throws ad::Error(kData) naming the file when a scored column is missing,
  // and ad::Error(kUsage) for a bad --map.
  static Columns find(const std::vector<std::string>& header,
                      const std::map<std::string, std::string>& overrides, const std::string& file);

  std::vector<std::string> header;
  Roles roles;
  scored::Columns scored;
  // The columns the bodies read (the roles' and the reasons'): for each column, its
  // index among a slim Anomaly's fields, or -1.
  std::vector<int> slim_at;
  std::size_t slim_count = 0;
};

// One flagged row, copied out of the reader.
struct Anomaly {
  // Every column, as read; or, when slim, only the columns the bodies read (see
  // Columns::slim_at): a slim row is past the attachment's bound and is not attached.
  std::vector<std::string> fields;
  bool slim = false;
  std::uint64_t line = 0;           // where it started in the input
  double score = 0;
  double severity = 0;
  std::uint64_t key = 0;            // its event key (dedup.h)
  std::optional<std::int64_t> time_ms;  // its time, when the time column parses
  // The incident columns (scored.h), when the input has them.
  std::string incident_id, incident_kind;
  std::optional<double> incident_score;
};

// The value of column `column` of a, "" when a slim a does not keep it.
std::string_view value_of(const Columns& columns, const Anomaly& a, std::size_t column);
// The bytes a's row takes in the attachment, roughly (quoting aside).
std::size_t attachment_bytes(const Anomaly& a);
// Makes a slim: drops the fields the bodies do not read.
void make_slim(const Columns& columns, Anomaly& a);

enum class RowKind { kUnscored, kNormal, kFlagged };

// Reads one row of scored CSV. Returns its kind; for kNormal and kFlagged sets time_ms
// (nullopt when there is no time column or it does not parse); for kFlagged fills
// *anomaly. assume_tz_s applies to times without a zone.
// Throws ad::Error(kData) at the field for a row scored.h rejects.
RowKind read_row(const Columns& columns, const csv::Reader& reader, const csv::Row& row,
                 int assume_tz_s, std::optional<std::int64_t>& time_ms, Anomaly* anomaly);

// The rows of one alert. The flagged rows are in input order: the older ones in a
// temporary file (row_spool.h), the newest (at most kRowsInMemory, kBytesInMemory) in
// memory, so that memory does not grow with the number of flagged rows.
struct Batch {
  static constexpr std::size_t kRowsInMemory = 1024;
  static constexpr std::size_t kBytesInMemory = std::size_t{1} << 20;

  std::uint64_t scored = 0;               // logins scored (flag 0 or 1)
  RowSpool spooled;                       // the older flagged rows
  std::vector<Anomaly> anomalies;         // the newest flagged rows, after those spooled
  std::size_t memory_bytes = 0;           // attachment_bytes() of anomalies, as added
  std::optional<std::int64_t> first_ms, last_ms;  // time span of the scored logins
  std::uint64_t duplicates = 0;           // flagged rows left out: alerted before
  std::uint64_t skipped = 0;              // malformed rows skipped
  std::uint64_t held_windows = 0;         // windows the hourly cap held back
  std::optional<std::int64_t> held_since_ms;  // wall time the cap started holding
  std::size_t full_bytes = 0;             // attachment_bytes() of the rows kept whole

  void add_time(std::optional<std::int64_t> time_ms);
  // Adds a flagged row: whole while the rows kept whole stay within max_attachment
  // bytes, slim after, so that a batch holds at most about max_attachment bytes of
  // rows beyond the few columns the bodies show.
  void add_anomaly(const Columns& columns, Anomaly&& a, std::size_t max_attachment);
  // The flagged rows, spooled and in memory.
  std::uint64_t flagged() const { return spooled.size() + anomalies.size(); }
  // Calls f with each flagged row, in input order.
  void for_each(const std::function<void(const Anomaly&)>& f) const;
  // Keeps the flagged rows for which keep(row) is true, in order.
  void filter(const std::function<bool(Anomaly&)>& keep);
  bool empty() const { return scored == 0 && flagged() == 0 && skipped == 0; }

 private:
  void push(Anomaly&& a);  // to memory, spooling what is there when it is full
};

struct AlertOptions {
  std::string subject_prefix = "[ad]";
  std::size_t top = 10;         // anomalies listed in the body
  std::string input_name;       // for the body: the file or "<stdin>"
  std::int64_t now_ms = 0;      // for the attachment's name
  int max_per_hour = 0;         // for the digest note
  std::size_t max_attachment = 4u << 20;  // bytes of CSV attached at most
};

struct AlertContent {
  std::string subject;     // UTF-8, one line
  std::string text;        // text/plain body, LF line ends
  std::string html;        // text/html body
  std::string csv;         // the attachment: header and the anomalies that fit
  std::string csv_name;    // "ad-anomalies-20250701T040200Z.csv"
  std::uint64_t attached = 0;   // flagged rows in the attachment
  std::uint64_t left_out = 0;   // flagged rows the bound left out of it
  std::array<std::uint64_t, kBandCount> bands{};  // anomalies by band (scored::Band)
};

struct IncidentSelection;  // incidents.h

// The alert about batch. With incidents (the input has the incident columns, and
// incidents.h selected the batch's rows), the subject and the body are about the
// incidents: the subject says how many, how many in the highest band and of which
// kinds; the body lists the top `options.top` incidents, then the counts, and no
// longer the top rows or the users with the most.
AlertContent render_alert(const Columns& columns, const Batch& batch, const AlertOptions& options,
                          const IncidentSelection* incidents = nullptr);

// For bodies: control characters become spaces (see mime::strip_controls), and text
// longer than max_chars characters is cut to max_chars, "..." included
// (text::truncate). The HTML body escapes it further with text::html_escape.
std::string display_text(std::string_view value, std::size_t max_chars = 200);

}  // namespace ad::mail
