#include "ad/store/schema.h"

#include <doctest/doctest.h>

#include "ad/core/error.h"

using namespace ad::store;

TEST_SUITE("store_schema") {
  TEST_CASE("table names are lower-case identifiers of at most 48 bytes") {
    CHECK_NOTHROW(check_table_name("login_anomalies"));
    CHECK_NOTHROW(check_table_name("_t2"));
    CHECK_NOTHROW(check_table_name(std::string(48, 'a')));
    for (std::string bad : std::vector<std::string>{"", "Login", "1abc", "a-b", "a b", "a\"b", "x;drop table y", "é",
                            std::string(49, 'a')}) {
      CAPTURE(bad);
      try {
        check_table_name(bad);
        FAIL("accepted");
      } catch (const ad::Error& e) {
        CHECK(e.status() == ad::Status::kUsage);
      }
    }
  }
  TEST_CASE("identifiers and literals are quoted") {
    CHECK(quote_ident("a\"b") == "\"a\"\"b\"");
    CHECK(sql_literal("it's") == "'it''s'");
    CHECK(sql_literal("a\\b") == "'a\\b'");
  }
  TEST_CASE("migrations go one version at a time, up to kSchemaVersion") {
    auto v1 = migration(0, "t");
    REQUIRE(v1.size() >= 3);
    CHECK(v1[0].find("CREATE TABLE \"t_layouts\"") == 0);
    CHECK(v1[1].find("CREATE TABLE \"t\"") == 0);
    CHECK(v1[1].find("row_key bytea PRIMARY KEY") != std::string::npos);
    auto v2 = migration(1, "t");
    CHECK(v2[0] == "ALTER TABLE \"t\" ADD COLUMN model_id text");
    auto v3 = migration(2, "t");
    CHECK(v3[0].find("ALTER TABLE \"t\" ADD COLUMN incident_id text") == 0);
    CHECK(v3.back().find("INSERT INTO \"t_incidents\"") == 0);
    CHECK(migration(3, "t") == std::vector<std::string>{"DROP INDEX IF EXISTS \"t_ip_address\""});
    CHECK(migration(4, "t") ==
          std::vector<std::string>{"DROP INDEX IF EXISTS \"t_event_time\"",
                                   "CREATE INDEX \"t_event_time\" ON \"t\" USING brin (event_time)"
                                   " WITH (autosummarize = on)"});
    CHECK(migration(5, "t").empty());  // the key format follows the rows (row.h)
    CHECK(kSchemaVersion == 6);
    CHECK_THROWS_AS(migration(kSchemaVersion, "t"), ad::Error);
  }
  TEST_CASE("export of one layout restores its header exactly") {
    StoredLayout l{7, {"user_id", "timestamp", "anomaly_flag"}, {"user_id", "", ""}};
    auto c = export_columns({l});
    CHECK(c.header == l.header);
    CHECK(c.expressions == std::vector<std::string>{"\"user_id\"", "extra->>'timestamp'",
                                                    "extra->>'anomaly_flag'"});
  }
  TEST_CASE("export of several layouts: union in order, scored columns last, CASE where they differ") {
    StoredLayout a{1, {"user_id", "ts", "anomaly_score", "anomaly_flag"}, {"user_id", "", "", ""}};
    StoredLayout b{2, {"username", "ts", "city", "anomaly_flag", "anomaly_score"},
                   {"user_id", "", "", "", ""}};
    auto c = export_columns({a, b});
    CHECK(c.header == std::vector<std::string>{"user_id", "ts", "username", "city", "anomaly_score",
                                               "anomaly_flag"});
    CHECK(c.expressions[0] == "CASE layout_id WHEN 1 THEN \"user_id\" END");
    CHECK(c.expressions[1] == "extra->>'ts'");
    CHECK(c.expressions[2] == "CASE layout_id WHEN 2 THEN \"user_id\" END");
    CHECK(c.expressions[3] == "CASE layout_id WHEN 2 THEN extra->>'city' END");
    CHECK(c.expressions[4] == "extra->>'anomaly_score'");
  }
  TEST_CASE("export of several layouts keeps the incident columns, last") {
    StoredLayout a{1, {"user_id", "anomaly_flag", "incident_id", "incident_kind"},
                   {"user_id", "", "", ""}};
    StoredLayout b{2, {"user_id", "anomaly_flag", "incident_id", "incident_kind"},
                   {"user_id", "", "incident_id", "incident_kind"}};
    auto c = export_columns({a, b});
    CHECK(c.header == std::vector<std::string>{"user_id", "anomaly_flag", "incident_id", "incident_kind"});
    CHECK(c.expressions[2] ==
          "CASE layout_id WHEN 1 THEN extra->>'incident_id' WHEN 2 THEN \"incident_id\" END");
  }
  TEST_CASE("export with no layouts has a default scored header") {
    auto c = export_columns({});
    CHECK(c.header.back() == "anomaly_reasons");
    CHECK(c.header.size() == c.expressions.size());
  }
  TEST_CASE("filters become a WHERE clause with quoted literals") {
    CHECK(where_clause({}) == "");
    Filter f;
    f.since_ms = 0;
    f.until_ms = 86400000;
    f.user = "o'brien";
    CHECK(where_clause(f) ==
          "WHERE event_time >= '1970-01-01T00:00:00Z'::timestamptz AND event_time < "
          "'1970-01-02T00:00:00Z'::timestamptz AND user_id = 'o''brien'");
    Filter one;
    one.incident = "I-1'x";
    CHECK(where_clause(one) == "WHERE incident_id = 'I-1''x'");
  }
}
