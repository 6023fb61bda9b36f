#include "ad/store/batch.h"

#include <doctest/doctest.h>

using namespace ad::store;

namespace {

EncodedRow row_with_incident(const char* id) {
  EncodedRow r;
  r.null.fill(true);
  r.null[0] = false;
  r.key_size = 24;
  r.null[11] = id == nullptr;
  if (id) r.text[11] = id;
  return r;
}

}  // namespace

TEST_SUITE("store_batch") {
  TEST_CASE("a batch holds binary tuples and the distinct incident ids in order of first appearance") {
    Batch b(7, "");
    CHECK(b.empty());
    for (const char* id : std::initializer_list<const char*>{"I-b", "I-a", nullptr, "I-b", "I-a", "I-c"}) b.add(row_with_incident(id));
    CHECK(b.rows() == 6);
    CHECK(b.data().rows() == 6);
    CHECK(b.incident_ids() == std::vector<std::string>{"I-b", "I-a", "I-c"});
    Batch one(7, "");
    one.add(row_with_incident("I-b"));
    // Field count, key, 12 NULLs, the incident id, layout_id, model_id NULL.
    CHECK(one.bytes() == 2 + (4 + 24) + 12 * 4 + (4 + 3) + (4 + 8) + 4);
    auto capacity = b.data().tuples().capacity();
    b.clear();
    CHECK(b.empty());
    CHECK(b.incident_ids().empty());
    CHECK(b.data().tuples().capacity() == capacity);  // the memory is kept for the next batch
    b.add(row_with_incident("I-b"));
    CHECK(b.incident_ids() == std::vector<std::string>{"I-b"});
  }
  TEST_CASE("a row's tuple ends with layout_id, and model_id or NULL") {
    EncodedRow r = row_with_incident(nullptr);
    CopyData with, without;
    append_tuple(with, r, 1, "m");
    append_tuple(without, r, 1, "");
    CHECK(with.tuples().substr(with.tuples().size() - 17) ==
          std::string("\0\0\0\x08\0\0\0\0\0\0\0\x01\0\0\0\x01m", 17));
    CHECK(without.tuples().substr(without.tuples().size() - 4) == std::string(4, '\xff'));
    CHECK(with.tuples().substr(0, 2) == std::string("\0\x10", 2));  // 16 fields
  }
  TEST_CASE("the statements: COPY straight in, or through the staging table skipping stored keys") {
    auto s = batch_sql("logins", false);
    const std::string cols = copy_columns();
    CHECK(cols.find("row_key, event_id,") == 0);
    CHECK(cols.size() - cols.rfind(", layout_id, model_id") == std::string(", layout_id, model_id").size());
    CHECK(s.direct_copy == "COPY \"logins\" (" + cols + ") FROM STDIN (FORMAT binary)");
    CHECK(s.staging_copy == "COPY pg_temp.ad_store_staging (" + cols + ") FROM STDIN (FORMAT binary)");
    CHECK(s.insert == "INSERT INTO \"logins\" (" + cols + ") SELECT " + cols +
                          " FROM pg_temp.ad_store_staging ON CONFLICT (row_key) DO NOTHING");
    CHECK_FALSE(s.incidents);
    CHECK(staging_ddl().find("layout_id bigint, model_id text) ON COMMIT DELETE ROWS") != std::string::npos);
  }
  TEST_CASE("incident statements lock and refresh the batch's ids, quoted; none without ids") {
    CHECK(incident_sql("t", {}).empty());
    auto s = incident_sql("t", {"I-1", "o'brien"});
    REQUIRE(s.size() == 2);
    for (const auto& q : s) CHECK(q.find("SELECT unnest(ARRAY['I-1','o''brien']::text[])") != std::string::npos);
    CHECK(s[0].find("pg_advisory_xact_lock") != std::string::npos);
    CHECK(s[1].find("INSERT INTO \"t_incidents\"") == 0);
  }
}
