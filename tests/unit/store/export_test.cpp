// Reading back: the queries (tests/integration/test_store.py runs them).
#include "ad/store/export.h"

#include <doctest/doctest.h>

using namespace ad::store;

TEST_SUITE("store_export") {
  TEST_CASE("the summary counts by UTC day and user, filtered") {
    Filter f;
    f.user = "alice";
    CHECK(summary_sql("t", f) ==
          "SELECT to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD'), user_id, count(*),"
          " count(*) FILTER (WHERE anomaly_flag = 1), max(severity) FROM \"t\" WHERE user_id ="
          " 'alice' GROUP BY 1, 2 ORDER BY 1, 2");
  }
}
