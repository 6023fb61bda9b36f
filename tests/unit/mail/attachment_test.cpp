#include "ad/mail/attachment.h"

#include <doctest/doctest.h>

#include <string>

namespace {

ad::mail::Columns columns() {
  return ad::mail::Columns::find({"user_id", "note", "anomaly_score", "anomaly_flag", "severity", "anomaly_reasons"},
                                 {}, "t.csv");
}

ad::mail::Anomaly row(const std::string& user, const std::string& note) {
  ad::mail::Anomaly a;
  a.fields = {user, note, "0.9", "1", "99.5", "why"};
  return a;
}

}  // namespace

TEST_SUITE("attachment") {
  TEST_CASE("header and rows, formulas neutralised, rows spooled to disk included in order") {
    auto c = columns();
    ad::mail::Batch b;
    for (std::size_t i = 0; i < ad::mail::Batch::kRowsInMemory + 3; ++i)
      b.add_anomaly(c, row("u" + std::to_string(i), i == 0 ? "=1+2" : "n"), 1u << 30);
    REQUIRE(b.spooled.size() > 0);
    std::uint64_t rows = 0;
    std::string csv = ad::mail::attachment_csv(c, b, 1u << 30, rows);
    CHECK(rows == ad::mail::Batch::kRowsInMemory + 3);
    CHECK(csv.rfind("user_id,note,anomaly_score,anomaly_flag,severity,anomaly_reasons\nu0,\"'=1+2\",0.9,1,99.5,why\nu1,n,", 0) == 0);
    CHECK(csv.find("\nu1026,n,0.9,1,99.5,why\n") != std::string::npos);
  }

  TEST_CASE("cut at a row boundary within max_bytes, and before the first slim row") {
    auto c = columns();
    ad::mail::Batch b;
    for (int i = 0; i < 10; ++i) b.add_anomaly(c, row("u" + std::to_string(i), "n"), 1u << 30);
    const std::string header = "user_id,note,anomaly_score,anomaly_flag,severity,anomaly_reasons\n";
    const std::size_t line = std::string("u0,n,0.9,1,99.5,why\n").size();
    std::uint64_t rows = 0;
    std::string csv = ad::mail::attachment_csv(c, b, header.size() + 3 * line + line / 2, rows);
    CHECK(rows == 3);
    CHECK(csv.size() == header.size() + 3 * line);
    ad::mail::Batch slim;
    slim.add_anomaly(c, row("a", "n"), 30);
    slim.add_anomaly(c, row("b", "n"), 30);  // past 30 bytes: slim, never attached
    CHECK(slim.anomalies[1].slim);
    csv = ad::mail::attachment_csv(c, slim, 1u << 30, rows);
    CHECK(rows == 1);
    CHECK(csv == header + "a,n,0.9,1,99.5,why\n");
  }
}
