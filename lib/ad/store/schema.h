// schema.h: the ad-store tables, their recorded version, and the SQL that reads them.
//
// ad-store keeps its history in three tables, created on first use:
//   <table>           one row per stored record (see store_row.h and ad-store(1))
//   <table>_layouts   one row per distinct input header: its column names and where
//                     each field is kept, so --export can restore the columns as they came
//   <table>_incidents one row per incident (store/incident.h)
// and records their version in ad_schema(table_name, version, updated_at). The version
// is the number of migrations applied; migration(v, table) takes a table from version v
// to v + 1, and ensure_schema() applies the missing ones in one transaction under an
// advisory lock, so that concurrent ad-store processes upgrade once. The history:
//   1  the tables, the unique row_key index and the event_time and user_id indexes
//   2  model_id (the model's identity), and an index on ip_address
//   3  incidents: incident_id (indexed), incident_score and incident_kind columns, filled
//      from extra for the rows stored before, and <table>_incidents (store/incident.h)
//   4  the ip_address index is dropped: no query of ad-store's uses it, and keeping it up
//      was about a sixth of the server's work per stored row
//   5  the event_time index becomes a BRIN index (autosummarize on): rows arrive about in
//      time order, so a summary per 128 pages finds a time range, and a BRIN index costs
//      the server almost nothing per stored row, where the B-tree cost about an eighth
//      of its work
//   6  time-ordered row keys (row.h) for a table that has no rows yet; one with rows
//      keeps the keys it has (key_format() tells them apart), and this version keeps
//      an older ad-store, which would write the other kind, away from it
// A table without an ad_schema row that already exists (the prototype's pandas table,
// say) is refused rather than touched. A newer version than this ad-store knows is a data
// error: use the newer ad-store.
//
// Table names are identifiers [a-z_][a-z0-9_]* of at most 48 bytes (leaving room for the
// suffixes of the index and layout names), and are always double-quoted in SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ad/store/row.h"

namespace pqxx {
class connection_base;
}

namespace ad::store {

inline constexpr int kSchemaVersion = 6;
inline constexpr std::size_t kMaxTableName = 48;

// Throws ad::Error(kUsage) unless name is a valid table name (see above).
void check_table_name(const std::string& name);

// "\"name\"", doubling any double quote.
std::string quote_ident(std::string_view name);
// 'text', doubling single quotes. REQUIRES: standard_conforming_strings is on (ad-store
// sets it for its sessions) and text has no NUL byte.
std::string sql_literal(std::string_view text);
// ARRAY['a', ...]::text[] of sql_literal()s, with the same requirements.
std::string text_array(const std::vector<std::string>& items);

// The statements that take table from version `from` to from + 1.
// REQUIRES: 0 <= from < kSchemaVersion; table passed check_table_name.
std::vector<std::string> migration(int from, const std::string& table);

// Brings table (and ad_schema) to kSchemaVersion. With create false a missing table is
// ad::Error(kData) "does not exist" instead of being created. Throws ad::Error(kData) for a
// table that is not ad-store's or is newer than kSchemaVersion; lets pqxx errors through.
void ensure_schema(pqxx::connection_base& conn, const std::string& table, bool create);

// The key format of table's rows (row.h): that of any row it has, else kTimeOrdered.
// REQUIRES: the table exists (ensure_schema). Rows come in only through ad-store, at
// schema version 6 or later for a table that has this version, so all have one format.
KeyFormat key_format(pqxx::connection_base& conn, const std::string& table);

// One stored layout, as read back from <table>_layouts.
struct StoredLayout {
  std::int64_t id = 0;
  std::vector<std::string> header;
  std::vector<std::string> placement;
};

// What --export writes: the header, and one SQL expression per header column (text or
// NULL), over the table's columns (layout_id, the text core columns and extra).
struct ExportColumns {
  std::vector<std::string> header;
  std::vector<std::string> expressions;
};
// With one layout, its header exactly. With several (inputs of different shapes), the
// union of their columns in order of first appearance, with the scored columns
// (scored::kAppended, incident columns included) moved to the end; a field a layout lacks is empty. With none, a default header of the
// core columns and the scored columns.
ExportColumns export_columns(const std::vector<StoredLayout>& layouts);

// Rows selected by --export and --summary. Times are epoch milliseconds; since is
// inclusive, until exclusive.
struct Filter {
  std::optional<std::int64_t> since_ms;
  std::optional<std::int64_t> until_ms;
  std::optional<std::string> user;
  std::optional<std::string> incident;  // the events of one incident (--incident)
};
// "WHERE ..." (or "") for filter, with literals inlined.
std::string where_clause(const Filter& filter);

}  // namespace ad::store
