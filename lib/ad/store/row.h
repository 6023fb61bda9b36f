// row.h: how one scored CSV record becomes one row of the ad-store table.
//
// A table row has typed core columns, for the history queries, and keeps every input
// field verbatim, so that --export gives back the CSV exactly as it came in:
//   - Text core columns hold their field verbatim: event_id (role id), user_id (role
//     user), location (role country) and anomaly_reasons; and incident_id and
//     incident_kind (scored.h), NULL when empty, so that a row outside any incident has
//     no incident_id. Input without the incident columns leaves all three NULL.
//   - Typed core columns are parsed: event_time (role time, by ad::parse_time_ms),
//     ip_address (role ip, inet): a value that does not parse goes NULL there; and
//     anomaly_score, anomaly_flag, severity and incident_score, read as scored.h says
//     (NULL in a row that was not scored, or an empty incident_score; a bad value is a
//     data error). Their text is kept verbatim
//     in `extra`.
//   - `extra` (jsonb) maps the header name of every other non-empty field, and of the
//     typed ones, to its text: {"timestamp": "2025-01-01 04:02:00", ...}. The keys are
//     written in jsonb's own order (shorter names first, then by bytes), which saves
//     the server sorting them.
// A Layout records, per input header, which column holds each field (its "placement":
// a text core column, or "" for extra), so the original header and column order can be
// rebuilt. Layouts are stored once, in <table>_layouts, keyed by a hash of their content.
//
// Every row has a stable key, the unique column row_key: the first 16 bytes of SHA-256
// over "id\0" + the event id when the input has an event id column and the field is not
// empty, else over "row\0" + name "\0" value "\0" for every column other than the
// scored ones (scored::kAppended), in byte order of the names. So the same event is the same row whatever
// its column order or score, and storing it again is a no-op.
//
// A table's keys have one of two formats (KeyFormat), the one its first rows had:
//   kTimeOrdered  (tables that were empty when schema version 6 met them) 8 bytes of the
//                 row's time, then those 16 bytes: the time field's instant in epoch
//                 milliseconds, a time without a zone read as UTC whatever --assume-tz
//                 says (so the key stays a function of the text), as a big-endian 64-bit
//                 integer with its sign bit flipped, so that keys sort as their times do;
//                 8 zero bytes without a time field or when it does not parse. So an
//                 event id is one row per instant: the same event id at another time is
//                 another row (an event's time does not change when it is sent again). Rows
//                 arrive about in time order, so each new key goes at the right edge of
//                 the primary key's index instead of on a random page of it: a tenth of
//                 the server's work per stored row.
//   kHash         the 16 bytes alone (tables with rows from schema version 5 or before).
// This definition is part of the table format: never change it without a new schema
// version (store/schema.h).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ad/core/csv.h"
#include "ad/core/roles.h"
#include "ad/core/scored.h"
#include "ad/core/sha256.h"
#include "ad/store/copy.h"

namespace ad::store {

using ad::Sha256;

// Appends s to out as a JSON string literal (with quotes). REQUIRES: s is valid UTF-8
// without NUL bytes (csv::Reader guarantees it). Control characters become \uXXXX.
void append_json_string(std::string& out, std::string_view s);

// True if s is an IPv4 or IPv6 address that PostgreSQL's inet accepts (inet_pton).
bool is_ip_address(std::string_view s);

// The columns of a row that come from the input, in COPY order; see RowEncoder::encode.
inline constexpr std::array<const char*, 14> kStagingColumns = {
    "row_key",         "event_id",    "event_time",     "user_id",      "ip_address",
    "location",        "anomaly_score", "anomaly_flag", "severity",     "anomaly_reasons",
    "extra",           "incident_id", "incident_score", "incident_kind"};
inline constexpr std::size_t kFields = kStagingColumns.size();

enum class KeyFormat { kHash, kTimeOrdered };
inline constexpr std::size_t kHashKeyBytes = 16;
inline constexpr std::size_t kTimeKeyBytes = 8;  // kTimeOrdered's time prefix
// The text core columns: a field placed in one of these is not repeated in extra.
inline constexpr std::array<std::string_view, 6> kTextColumns = {
    "event_id", "user_id", "location", "anomaly_reasons", "incident_id", "incident_kind"};

struct Layout {
  std::vector<std::string> header;     // the input header, in order
  std::vector<std::string> placement;  // per column: a kTextColumns name, or "" (extra)
  // The first 8 bytes of SHA-256 over the header and placement, as a signed integer.
  std::int64_t id = 0;
};

// Builds the layout of header with the roles found in it. Throws ad::Error(kData) for a
// header that names a column twice (extra keeps fields by name), with its location.
Layout make_layout(const std::vector<std::string>& header, const Roles& roles,
                   const std::string& file = {});
std::int64_t layout_id(const std::vector<std::string>& header,
                       const std::vector<std::string>& placement);

// One encoded row, field i for kStagingColumns[i]; null[i] when it is NULL. The text
// columns (event_id, user_id, location, anomaly_reasons, incident_id, incident_kind) and
// extra (JSON) are in text[i]; the typed ones in the members below.
struct EncodedRow {
  std::array<std::string, kFields> text;
  std::array<bool, kFields> null{};
  std::array<std::uint8_t, kTimeKeyBytes + kHashKeyBytes> key{};  // row_key: its first key_size bytes
  std::size_t key_size = 0;
  std::int64_t time_ms = 0;            // event_time, epoch milliseconds
  IpAddress ip;                        // ip_address
  double score = 0, severity = 0, incident_score = 0;
  bool flag = false;
};

// Appends row to out as one binary COPY tuple of kStagingColumns, then layout_id and
// model_id (NULL when empty): the columns of copy_columns().
void append_tuple(CopyData& out, const EncodedRow& row, std::int64_t layout_id,
                  const std::string& model_id);
// kStagingColumns, then layout_id and model_id, comma-separated.
std::string copy_columns();

class RowEncoder {
 public:
  // assume_tz_s is for times without a zone (see timestamp.h).
  RowEncoder(const std::vector<std::string>& header, const Roles& roles, std::string file,
             int assume_tz_s = 0);

  const Layout& layout() const { return layout_; }
  // Where the scored columns are in the input.
  const scored::Columns& scored_columns() const { return scored_; }

  // Whether row is flagged (scored.h): false for a row that was not scored, or when the
  // input has no scored columns at all. Throws ad::Error(kData) for a row scored.h
  // rejects, naming file, line and column, and for an input with only some of the
  // scored columns.
  bool flagged(const csv::Row& row) const;

  // Fills out with the staging fields of row (in kStagingColumns order). Throws
  // ad::Error(kData) as flagged() does, and for a NUL byte.
  void encode(const csv::Row& row, EncodedRow& out) const;

  // The key format of the rows encode() fills (default kTimeOrdered, a new table's).
  void set_key_format(KeyFormat f) { key_format_ = f; }
  // The 16 bytes of SHA-256 that end row's key (see the top of this file).
  std::array<std::uint8_t, kHashKeyBytes> key(const csv::Row& row) const;
  // kTimeOrdered's prefix for a row whose time field is the instant ms (epoch
  // milliseconds, read as UTC without a zone); nullopt: no time field, or it does not parse.
  static std::array<std::uint8_t, kTimeKeyBytes> time_key(std::optional<std::int64_t> ms);

 private:
  // Sets out's key (null[0], key, key_size). REQUIRES: out's event_time is set.
  void set_key(const csv::Row& row, EncodedRow& out) const;
  // The scored fields of row; nullopt if it was not scored or the input has none.
  std::optional<scored::Row> parse(const csv::Row& row) const;

  Layout layout_;
  std::string file_;
  int assume_tz_s_;
  KeyFormat key_format_ = KeyFormat::kTimeOrdered;
  int id_ = -1, time_ = -1, user_ = -1, ip_ = -1, country_ = -1;
  scored::Columns scored_;
  int reasons_ = -1;
  std::vector<int> extra_columns_;  // columns kept in extra, in jsonb's key order
  std::vector<int> key_columns_;    // non-scored columns, by byte order of their names
  // key()'s message, kept for its memory (a RowEncoder serves one thread).
  mutable std::string key_message_;
};

}  // namespace ad::store
