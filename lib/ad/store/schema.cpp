#include "ad/store/schema.h"

#include <algorithm>
#include <map>
#include <pqxx/pqxx>

#include "ad/core/error.h"
#include "ad/core/roles.h"
#include "ad/core/scored.h"
#include "ad/core/timestamp.h"
#include "ad/store/incident.h"

namespace ad::store {

namespace {

// pg_advisory_xact_lock key for schema changes: "adstore1" in ASCII.
constexpr const char* kSchemaLock = "7017861063273243953";

}  // namespace

void check_table_name(const std::string& name) {
  auto bad = [&](const std::string& why) {
    return usage_error("--table '" + name + "': " + why);
  };
  if (name.empty()) throw bad("a table name cannot be empty");
  if (name.size() > kMaxTableName)
    throw bad("longer than " + std::to_string(kMaxTableName) + " characters");
  if (!(name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z')))
    throw bad("must start with a lower-case letter or '_'");
  for (char c : name)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
      throw bad("only lower-case letters, digits and '_' are allowed");
}

std::string quote_ident(std::string_view name) {
  std::string s = "\"";
  for (char c : name) {
    if (c == '"') s.push_back('"');
    s.push_back(c);
  }
  s.push_back('"');
  return s;
}

std::string sql_literal(std::string_view text) {
  std::string s = "'";
  for (char c : text) {
    if (c == '\'') s.push_back('\'');
    s.push_back(c);
  }
  s.push_back('\'');
  return s;
}

std::string text_array(const std::vector<std::string>& items) {
  std::string s = "ARRAY[";
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? "," : "") + sql_literal(items[i]);
  return s + "]::text[]";
}

std::vector<std::string> migration(int from, const std::string& table) {
  const std::string t = quote_ident(table);
  auto index = [&](const std::string& suffix) { return quote_ident(table + "_" + suffix); };
  switch (from) {
    case 0:
      return {
          "CREATE TABLE " + quote_ident(table + "_layouts") +
              " (layout_id bigint PRIMARY KEY, header text[] NOT NULL, placement text[] NOT NULL,"
              " created_at timestamptz NOT NULL DEFAULT now())",
          "CREATE TABLE " + t +
              " (id bigint GENERATED ALWAYS AS IDENTITY,"
              " row_key bytea PRIMARY KEY,"
              " event_id text,"
              " event_time timestamptz,"
              " user_id text COLLATE \"C\","
              " ip_address inet,"
              " location text,"
              " anomaly_score double precision,"
              " anomaly_flag smallint,"
              " severity double precision,"
              " anomaly_reasons text,"
              " stored_at timestamptz NOT NULL DEFAULT now(),"
              " layout_id bigint NOT NULL,"
              " extra jsonb NOT NULL DEFAULT '{}')",
          "CREATE INDEX " + index("event_time") + " ON " + t + " (event_time)",
          "CREATE INDEX " + index("user_id") + " ON " + t + " (user_id, event_time)",
      };
    case 1:
      return {
          "ALTER TABLE " + t + " ADD COLUMN model_id text",
          "CREATE INDEX " + index("ip_address") + " ON " + t + " (ip_address)",
      };
    case 2:
      return incident_migration(table);
    case 3:
      return {"DROP INDEX IF EXISTS " + index("ip_address")};
    case 4:
      return {"DROP INDEX IF EXISTS " + index("event_time"),
              "CREATE INDEX " + index("event_time") + " ON " + t +
                  " USING brin (event_time) WITH (autosummarize = on)"};
    case 5:
      return {};  // the key format changes for tables without rows (row.h), not the table
    default:
      throw Error(Status::kInternal, "no schema migration from version " + std::to_string(from));
  }
}

void ensure_schema(pqxx::connection_base& conn, const std::string& table, bool create) {
  const std::string name = sql_literal(table);
  {
    // The common case, without a lock or DDL (so a read-only role can export).
    pqxx::nontransaction n(conn);
    if (n.exec("SELECT to_regclass('ad_schema') IS NOT NULL")[0][0].as<bool>()) {
      auto r = n.exec("SELECT version, to_regclass(" + sql_literal(quote_ident(table)) +
                      ") IS NOT NULL FROM ad_schema WHERE table_name = " + name);
      if (!r.empty() && r[0][0].as<int>() == kSchemaVersion && r[0][1].as<bool>()) return;
    }
  }
  pqxx::work tx(conn);
  tx.exec(std::string("SELECT pg_advisory_xact_lock(") + kSchemaLock + ")");
  bool have_registry = tx.exec("SELECT to_regclass('ad_schema') IS NOT NULL")[0][0].as<bool>();
  int version = 0;
  if (have_registry) {
    auto r = tx.exec("SELECT version FROM ad_schema WHERE table_name = " + name);
    if (!r.empty()) version = r[0][0].as<int>();
  }
  bool exists =
      tx.exec("SELECT to_regclass(" + sql_literal(quote_ident(table)) + ") IS NOT NULL")[0][0]
          .as<bool>();
  if (version > 0 && !exists)
    throw data_error("table '" + table + "' is registered in ad_schema (version " +
                     std::to_string(version) +
                     ") but does not exist; delete its row from ad_schema to start afresh");
  if (version == kSchemaVersion) return;  // another process just did it
  if (version > kSchemaVersion)
    throw data_error("table '" + table + "' has schema version " + std::to_string(version) +
                     ", newer than this ad-store knows (" + std::to_string(kSchemaVersion) +
                     "); use a newer ad-store");
  if (version == 0) {
    if (exists)
      throw data_error("table '" + table +
                       "' exists but was not created by ad-store (it has no row in ad_schema); "
                       "choose another --table");
    if (!create)
      throw data_error("table '" + table + "' does not exist in this database (nothing stored yet?)");
  }
  if (!have_registry)
    tx.exec(
        "CREATE TABLE ad_schema (table_name text PRIMARY KEY, version integer NOT NULL,"
        " updated_at timestamptz NOT NULL DEFAULT now())");
  for (int v = version; v < kSchemaVersion; ++v)
    for (const auto& statement : migration(v, table)) tx.exec(statement);
  tx.exec("INSERT INTO ad_schema (table_name, version) VALUES (" + name + ", " +
          std::to_string(kSchemaVersion) +
          ") ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version, updated_at = now()");
  tx.commit();
}

KeyFormat key_format(pqxx::connection_base& conn, const std::string& table) {
  pqxx::nontransaction n(conn);
  // The greatest key, from the primary key's index: no scan past rows deleted from the
  // start of the table (the oldest, as a retention job removes them).
  auto r = n.exec("SELECT octet_length(row_key) FROM " + quote_ident(table) + " ORDER BY row_key DESC LIMIT 1");
  return r.empty() || r[0][0].as<std::size_t>() == kTimeKeyBytes + kHashKeyBytes ? KeyFormat::kTimeOrdered
                                                                                : KeyFormat::kHash;
}

ExportColumns export_columns(const std::vector<StoredLayout>& layouts) {
  ExportColumns out;
  if (layouts.empty()) {
    out.header = {"event_id", "timestamp", "user_id", "ip_address", "location"};
    for (auto c : scored::kColumns) out.header.emplace_back(c);
    out.expressions.assign(out.header.size(), "NULL");
    return out;
  }
  auto expression = [](const StoredLayout& l, std::size_t i) {
    const std::string& p = i < l.placement.size() ? l.placement[i] : std::string();
    return p.empty() ? "extra->>" + sql_literal(l.header[i]) : quote_ident(p);
  };
  if (layouts.size() == 1) {
    out.header = layouts[0].header;
    for (std::size_t i = 0; i < out.header.size(); ++i)
      out.expressions.push_back(expression(layouts[0], i));
    return out;
  }
  // The union of the columns, scored columns last.
  std::vector<std::string> names, scored;
  for (const auto& l : layouts)
    for (const auto& n : l.header) {
      auto& list = scored::is_column(n) ? scored : names;
      if (std::find(list.begin(), list.end(), n) == list.end()) list.push_back(n);
    }
  for (auto c : scored::kAppended)
    if (std::find(scored.begin(), scored.end(), c) != scored.end()) names.emplace_back(c);
  for (const auto& name : names) {
    std::vector<std::pair<std::int64_t, std::string>> cases;
    for (const auto& l : layouts) {
      auto it = std::find(l.header.begin(), l.header.end(), name);
      if (it != l.header.end())
        cases.emplace_back(l.id, expression(l, static_cast<std::size_t>(it - l.header.begin())));
    }
    bool uniform = cases.size() == layouts.size() &&
                   std::all_of(cases.begin(), cases.end(),
                               [&](const auto& c) { return c.second == cases[0].second; });
    std::string e;
    if (uniform) {
      e = cases[0].second;
    } else {
      e = "CASE layout_id";
      for (const auto& [id, ex] : cases) e += " WHEN " + std::to_string(id) + " THEN " + ex;
      e += " END";
    }
    out.header.push_back(name);
    out.expressions.push_back(e);
  }
  return out;
}

std::string where_clause(const Filter& filter) {
  std::vector<std::string> terms;
  if (filter.since_ms)
    terms.push_back("event_time >= " + sql_literal(format_time_iso(*filter.since_ms)) +
                    "::timestamptz");
  if (filter.until_ms)
    terms.push_back("event_time < " + sql_literal(format_time_iso(*filter.until_ms)) +
                    "::timestamptz");
  if (filter.user) terms.push_back("user_id = " + sql_literal(*filter.user));
  if (filter.incident) terms.push_back("incident_id = " + sql_literal(*filter.incident));
  std::string s;
  for (const auto& t : terms) s += (s.empty() ? "WHERE " : " AND ") + t;
  return s;
}

}  // namespace ad::store
