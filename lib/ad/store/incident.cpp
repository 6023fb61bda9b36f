#include "ad/store/incident.h"

#include "ad/core/timestamp.h"

namespace ad::store {

namespace {

// A number as scored.h reads it (spaces around, a leading '+'), for the backfill from extra.
constexpr const char* kNumber = "'^ *[+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)? *$'";

// An ISO 8601 UTC text of a timestamptz expression, milliseconds only when there are any
// (as format_time_iso writes it).
std::string iso(const std::string& e) {
  std::string utc = "(" + e + " AT TIME ZONE 'UTC')";
  return "to_char(" + utc + ", 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN date_part('milliseconds', " +
         utc + ")::numeric % 1000 <> 0 THEN to_char(" + utc + ", '.MS') ELSE '' END || 'Z'";
}

std::string literal_time(std::int64_t ms) {
  return sql_literal(format_time_iso(ms)) + "::timestamptz";
}

// WHERE for the incident rows that filter selects.
std::string incident_where(const std::string& table, const Filter& filter) {
  std::vector<std::string> terms;
  if (filter.since_ms) terms.push_back("last_time >= " + literal_time(*filter.since_ms));
  if (filter.until_ms) terms.push_back("first_time < " + literal_time(*filter.until_ms));
  if (filter.user)
    terms.push_back("incident_id IN (SELECT incident_id FROM " + quote_ident(table) +
                    " WHERE user_id = " + sql_literal(*filter.user) + " AND incident_id IS NOT NULL)");
  if (filter.incident) terms.push_back("incident_id = " + sql_literal(*filter.incident));
  std::string s;
  for (const auto& t : terms) s += (s.empty() ? " WHERE " : " AND ") + t;
  return s;
}

}  // namespace

const std::vector<std::string> kIncidentExportHeader = {
    "incident_id", "incident_kind", "incident_score", "max_severity", "first_time", "last_time",
    "events",      "users",         "user_ids",       "sources",      "source_ips", "reasons"};
const std::vector<std::string> kIncidentSummaryHeader = {"day", "incident_kind", "incidents", "events",
                                                         "max_incident_score"};

std::string incidents_table(const std::string& table) { return table + "_incidents"; }

std::vector<std::string> incident_migration(const std::string& table) {
  const std::string t = quote_ident(table);
  const std::string all_ids = "SELECT incident_id FROM " + t + " WHERE incident_id IS NOT NULL";
  return {
      "ALTER TABLE " + t +
          " ADD COLUMN incident_id text COLLATE \"C\", ADD COLUMN incident_score double precision,"
          " ADD COLUMN incident_kind text",
      "UPDATE " + t +
          " SET incident_id = NULLIF(extra->>'incident_id', ''),"
          " incident_kind = NULLIF(extra->>'incident_kind', ''),"
          " incident_score = CASE WHEN extra->>'incident_score' ~ " + kNumber +
          " THEN (extra->>'incident_score')::double precision END"
          " WHERE extra ? 'incident_id' AND anomaly_flag = 1",
      "CREATE INDEX " + quote_ident(table + "_incident_id") + " ON " + t +
          " (incident_id, event_time) WHERE incident_id IS NOT NULL",
      "CREATE TABLE " + quote_ident(incidents_table(table)) +
          " (incident_id text COLLATE \"C\" PRIMARY KEY,"
          " incident_kind text,"
          " incident_score double precision,"
          " max_severity double precision,"
          " first_time timestamptz,"
          " last_time timestamptz,"
          " events bigint NOT NULL,"
          " users bigint NOT NULL,"
          " user_ids text[] NOT NULL,"
          " sources bigint NOT NULL,"
          " source_ips inet[] NOT NULL,"
          " reasons text,"
          " updated_at timestamptz NOT NULL DEFAULT now())",
      "CREATE INDEX " + quote_ident(table + "_inc_first") + " ON " +
          quote_ident(incidents_table(table)) + " (first_time)",
      refresh_incidents_sql(table, all_ids),
  };
}

std::string lock_incidents_sql(const std::string& table, const std::string& ids_query) {
  return "SELECT count(pg_advisory_xact_lock(hashtext(" + sql_literal(table) +
         "), hashtext(i))) FROM (SELECT i FROM (" + ids_query +
         ") ids(i) WHERE i IS NOT NULL GROUP BY i ORDER BY hashtext(i), i) s";
}

std::string refresh_incidents_sql(const std::string& table, const std::string& ids_query) {
  const std::string n = std::to_string(kMaxListed);
  const char* columns[] = {"incident_kind", "incident_score", "max_severity", "first_time",
                           "last_time",     "events",         "users",        "user_ids",
                           "sources",       "source_ips",     "reasons"};
  std::string names, set, old_row, new_row;
  for (const char* c : columns) {
    std::string sep = names.empty() ? "" : ", ";
    names += sep + c;
    set += sep + c + " = EXCLUDED." + c;
    old_row += sep + "i." + c;
    new_row += sep + "EXCLUDED." + c;
  }
  return "INSERT INTO " + quote_ident(incidents_table(table)) + " AS i (incident_id, " + names +
         ") SELECT incident_id,"
         " (array_agg(incident_kind ORDER BY incident_score DESC NULLS LAST,"
         " event_time DESC NULLS LAST, row_key))[1],"
         " max(incident_score), max(severity), min(event_time), max(event_time), count(*),"
         " count(DISTINCT user_id), coalesce((array_agg(DISTINCT user_id ORDER BY user_id)"
         " FILTER (WHERE user_id IS NOT NULL))[1:" + n + "], '{}'),"
         " count(DISTINCT ip_address), coalesce((array_agg(DISTINCT ip_address ORDER BY ip_address)"
         " FILTER (WHERE ip_address IS NOT NULL))[1:" + n + "], '{}'),"
         " (array_agg(anomaly_reasons ORDER BY anomaly_score DESC NULLS LAST,"
         " event_time NULLS LAST, row_key))[1]"
         " FROM " + quote_ident(table) + " WHERE incident_id IN (" + ids_query +
         ") GROUP BY incident_id ON CONFLICT (incident_id) DO UPDATE SET " + set +
         ", updated_at = now() WHERE (" + old_row + ") IS DISTINCT FROM (" + new_row + ")";
}

std::string incidents_export_sql(const std::string& table, const Filter& filter) {
  return "SELECT incident_id, incident_kind, incident_score, max_severity, " + iso("first_time") +
         ", " + iso("last_time") +
         ", events, users, array_to_string(user_ids, ';'), sources,"
         " array_to_string(source_ips, ';'), reasons FROM " +
         quote_ident(incidents_table(table)) + incident_where(table, filter) +
         " ORDER BY first_time, incident_id";
}

std::string incidents_summary_sql(const std::string& table, const Filter& filter) {
  return "SELECT to_char(first_time AT TIME ZONE 'UTC', 'YYYY-MM-DD'), incident_kind, count(*),"
         " sum(events), max(incident_score) FROM " +
         quote_ident(incidents_table(table)) + incident_where(table, filter) +
         " GROUP BY 1, 2 ORDER BY 1, 2";
}

}  // namespace ad::store
