// The SQL of the incident table: generated text only (tests/integration/test_store.py
// runs it against a server).
#include "ad/store/incident.h"

#include <doctest/doctest.h>

using namespace ad::store;

namespace {
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_SUITE("store_incident") {
  TEST_CASE("the migration adds typed event columns, backfills them, and creates the table") {
    auto m = incident_migration("t");
    REQUIRE(m.size() == 6);
    CHECK(m[0] ==
          "ALTER TABLE \"t\" ADD COLUMN incident_id text COLLATE \"C\", ADD COLUMN incident_score"
          " double precision, ADD COLUMN incident_kind text");
    CHECK(has(m[1], "SET incident_id = NULLIF(extra->>'incident_id', '')"));
    CHECK(has(m[1], "WHERE extra ? 'incident_id' AND anomaly_flag = 1"));
    CHECK(has(m[2], "CREATE INDEX \"t_incident_id\" ON \"t\" (incident_id, event_time) WHERE incident_id IS NOT NULL"));
    CHECK(has(m[3], "CREATE TABLE \"t_incidents\" (incident_id text COLLATE \"C\" PRIMARY KEY"));
    CHECK(has(m[5], "WHERE incident_id IN (SELECT incident_id FROM \"t\" WHERE incident_id IS NOT NULL)"));
    // Index names fit PostgreSQL's 63 bytes for the longest table name.
    std::string longest(kMaxTableName, 'x');
    for (const auto& s : incident_migration(longest))
      if (s.rfind("CREATE INDEX \"", 0) == 0) CHECK(s.find('"', 14) - 14 <= 63);
  }
  TEST_CASE("locks are taken per id, in key order, scoped to the table") {
    auto sql = lock_incidents_sql("it's", "SELECT incident_id FROM s");
    CHECK(sql ==
          "SELECT count(pg_advisory_xact_lock(hashtext('it''s'), hashtext(i))) FROM (SELECT i FROM"
          " (SELECT incident_id FROM s) ids(i) WHERE i IS NOT NULL GROUP BY i ORDER BY hashtext(i), i) s");
  }
  TEST_CASE("the refresh derives every aggregate from the events table, and writes only changes") {
    auto sql = refresh_incidents_sql("t", "SELECT incident_id FROM s");
    CHECK(sql.rfind("INSERT INTO \"t_incidents\" AS i (incident_id, incident_kind,", 0) == 0);
    CHECK(has(sql, " FROM \"t\" WHERE incident_id IN (SELECT incident_id FROM s) GROUP BY incident_id"));
    CHECK(has(sql, "count(*)"));
    CHECK(has(sql, "[1:10]"));
    CHECK(has(sql, "ORDER BY anomaly_score DESC NULLS LAST, event_time NULLS LAST, row_key))[1]"));
    CHECK(has(sql, "ON CONFLICT (incident_id) DO UPDATE SET incident_kind = EXCLUDED.incident_kind,"));
    CHECK(has(sql, "updated_at = now() WHERE (i.incident_kind, i.incident_score,"));
    CHECK(has(sql, ") IS DISTINCT FROM (EXCLUDED.incident_kind,"));
    CHECK_FALSE(has(sql, "+ EXCLUDED"));  // no increments: a repeat gives the same row
  }
  TEST_CASE("incident filters: the span overlaps the range, a user is any event's user") {
    Filter f;
    f.since_ms = 0;
    f.until_ms = 86400000;
    f.user = "o'b";
    auto sql = incidents_export_sql("t", f);
    CHECK(has(sql, " FROM \"t_incidents\" WHERE last_time >= '1970-01-01T00:00:00Z'::timestamptz AND"
                   " first_time < '1970-01-02T00:00:00Z'::timestamptz AND incident_id IN (SELECT"
                   " incident_id FROM \"t\" WHERE user_id = 'o''b' AND incident_id IS NOT NULL)"
                   " ORDER BY first_time, incident_id"));
    CHECK(has(sql, "array_to_string(user_ids, ';')"));
    CHECK(kIncidentExportHeader.size() == 12);
    CHECK(has(incidents_export_sql("t", {}), "FROM \"t_incidents\" ORDER BY"));
    auto summary = incidents_summary_sql("t", {});
    CHECK(has(summary, "GROUP BY 1, 2 ORDER BY 1, 2"));
    CHECK(kIncidentSummaryHeader.front() == "day");
  }
}
