#include "ad/mail/alert.h"

#include <doctest/doctest.h>

#include <string>

#include "ad/mail/dedup.h"
#include "ad/core/error.h"
#include "ad/core/scored.h"

namespace {

const std::string kHeader =
    "event_id,timestamp,user_id,ip_address,country,city,anomaly_score,anomaly_flag,severity,"
    "anomaly_reasons\n";

struct Fixture {
  ad::csv::Reader reader;
  ad::mail::Columns columns;
  explicit Fixture(const std::string& body)
      : reader(ad::csv::string_lines("t.csv", kHeader + body), "t.csv"),
        columns(ad::mail::Columns::find(reader.header(), {}, "t.csv")) {}

  // Reads every row into a batch; returns the number of rows that failed.
  int read(ad::mail::Batch& batch) {
    ad::csv::Row row;
    int bad = 0;
    while (reader.next(row)) {
      std::optional<std::int64_t> t;
      ad::mail::Anomaly a;
      ad::mail::RowKind kind;
      try {
        kind = ad::mail::read_row(columns, reader, row, 0, t, &a);
      } catch (const ad::Error&) {
        ++bad;
        continue;
      }
      if (kind == ad::mail::RowKind::kUnscored) continue;
      ++batch.scored;
      batch.add_time(t);
      if (kind == ad::mail::RowKind::kFlagged) batch.anomalies.push_back(a);
    }
    return bad;
  }
};

}  // namespace

TEST_SUITE("alert") {
  TEST_CASE("a severity's band is scored.h's, as in ad-report") {
    for (double severity : {97.0, 99.0, 99.2, 99.5, 99.7, 99.9, 100.0}) {
      char row[128];
      std::snprintf(row, sizeof row, "e1,2025-01-01T00:00:00Z,bob,1.1.1.1,NO,Oslo,0.8,1,%.1f,x\n",
                    severity);
      Fixture f(row);
      ad::mail::Batch batch;
      REQUIRE(f.read(batch) == 0);
      auto c = ad::mail::render_alert(f.columns, batch, {});
      auto band = ad::scored::band_of(severity);
      char highest[64];
      std::snprintf(highest, sizeof highest, "highest severity %.1f (%s)", severity,
                    std::string(ad::scored::band_name(band)).c_str());
      CAPTURE(severity);
      CHECK(c.subject.find(highest) != std::string::npos);
      CHECK(c.bands[static_cast<int>(band)] == 1);
    }
  }

  TEST_CASE("input without the scored columns is a data error") {
    try {
      ad::mail::Columns::find({"user_id", "timestamp", "anomaly_score"}, {}, "in.csv");
      FAIL("expected a data error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kData);
      CHECK(std::string(e.what()).find("in.csv:1: not scored CSV") == 0);
    }
  }

  TEST_CASE("rows: unscored, normal, flagged, and bad values at their column") {
    Fixture f(
        "e1,2025-01-01T00:00:00Z,alice,1.1.1.1,NO,Oslo,,,,\n"
        "e2,2025-01-01T01:00:00Z,alice,1.1.1.1,NO,Oslo,0.3,0,20.0,\n"
        "e3,2025-01-01T02:00:00Z,bob,2.2.2.2,RO,Cluj,0.8,1,99.5,new country\n"
        "e4,2025-01-01T03:00:00Z,bob,2.2.2.2,RO,Cluj,0.8,yes,99.5,x\n"
        "e5,2025-01-01T03:00:00Z,bob,2.2.2.2,RO,Cluj,1.5,1,99.5,x\n"
        "e6,2025-01-01T03:00:00Z,bob,2.2.2.2,RO,Cluj,0.9,1,,x\n"
        "e7,2025-01-01T03:00:00Z,bob,2.2.2.2,RO,Cluj,0.9,,99.5,x\n"
        "e8,2025-01-01T03:00:00Z,bob,2.2.2.2,RO,Cluj,0.9,true,99.5,x\n"
        "e9,2025-01-01T03:00:00Z,bob,2.2.2.2,RO,Cluj,abc,0,20.0,\n");
    ad::csv::Row row;
    std::optional<std::int64_t> t;
    ad::mail::Anomaly a;
    REQUIRE(f.reader.next(row));
    CHECK(ad::mail::read_row(f.columns, f.reader, row, 0, t, &a) == ad::mail::RowKind::kUnscored);
    REQUIRE(f.reader.next(row));
    CHECK(ad::mail::read_row(f.columns, f.reader, row, 0, t, &a) == ad::mail::RowKind::kNormal);
    CHECK(t == 1735693200000);
    REQUIRE(f.reader.next(row));
    CHECK(ad::mail::read_row(f.columns, f.reader, row, 0, t, &a) == ad::mail::RowKind::kFlagged);
    CHECK(a.score == doctest::Approx(0.8));
    CHECK(a.severity == doctest::Approx(99.5));
    CHECK(a.line == 4);
    CHECK(a.key == ad::mail::key_of_id("e3"));
    for (std::uint32_t column : {8u, 7u, 9u, 8u, 8u, 7u}) {
      REQUIRE(f.reader.next(row));
      try {
        ad::mail::read_row(f.columns, f.reader, row, 0, t, &a);
        FAIL("expected a data error");
      } catch (const ad::Error& e) {
        CHECK(e.status() == ad::Status::kData);
        CHECK(e.where().column == column);
      }
    }
  }

  TEST_CASE("the summary: counts, span, bands, top N by score, subject") {
    Fixture f(
        "e1,2025-01-01T00:00:00Z,alice,1.1.1.1,NO,Oslo,0.3,0,20.0,\n"
        "e2,2025-01-01T05:00:00Z,bob,2.2.2.2,RO,Cluj,0.70,1,99.6,r2\n"
        "e3,2025-01-01T02:00:00Z,carol,3.3.3.3,US,,0.90,1,99.94,r3\n"
        "e4,2025-01-01T03:00:00Z,dave,4.4.4.4,,,0.60,1,99.2,r4\n"
        "e6,2025-01-01T03:30:00Z,dave,4.4.4.4,,,0.50,1,97.0,r6\n"
        "e5,,erin,5.5.5.5,,,,,,\n");
    ad::mail::Batch batch;
    REQUIRE(f.read(batch) == 0);
    ad::mail::AlertOptions o;
    o.top = 2;
    o.input_name = "t.csv";
    o.now_ms = 1735704120123;
    auto c = ad::mail::render_alert(f.columns, batch, o);
    CHECK(c.subject == "[ad] 4 of 5 logins anomalous, highest severity 99.9 (critical)");
    CHECK(c.bands == std::array<std::uint64_t, 4>{1, 1, 1, 1});
    CHECK(c.text.find("2025-01-01T00:00:00Z to 2025-01-01T05:00:00Z") != std::string::npos);
    CHECK(c.text.find("Top 2 of 4 anomalies") != std::string::npos);
    auto carol = c.text.find("carol"), bob = c.text.find("bob");
    CHECK(carol < bob);                                 // by score
    const std::string users = "Users with the most anomalies\n  2 (highest score 0.600)  dave\n";
    auto at = c.text.find(users);
    CHECK(at != std::string::npos);
    CHECK(c.text.find("dave") == at + users.find("dave"));  // not in the top 2 by score
    CHECK(c.text.find("Cluj, RO") != std::string::npos);
    CHECK(c.csv_name == "ad-anomalies-20250101T040200Z.csv");
    CHECK(c.csv.find("dave") != std::string::npos);     // every row in the attachment
    CHECK(c.csv.find("alice") == std::string::npos);    // only flagged rows
    CHECK(c.csv.rfind(kHeader, 0) == 0);

    batch.anomalies.clear();
    c = ad::mail::render_alert(f.columns, batch, o);
    CHECK(c.subject == "[ad] no anomalies in 5 logins");
    CHECK(c.csv.empty());
  }

  TEST_CASE("hostile data: escaped in HTML, one line in text, neutralised in the CSV") {
    Fixture f(
        "e1,2025-01-01T00:00:00Z,\"=HYPERLINK(\"\"http://x\"\")\",\"1.2.3.4\r\nBcc: x@y\","
        "\"<script>alert('x')</script>\",Zürich,0.9,1,99,\"a & b\nnext\"\n");
    ad::mail::Batch batch;
    REQUIRE(f.read(batch) == 0);
    ad::mail::AlertOptions o;
    o.subject_prefix = "SOC\r\nBcc: evil@x";
    auto c = ad::mail::render_alert(f.columns, batch, o);
    CHECK(c.html.find("<script>") == std::string::npos);
    CHECK(c.html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") != std::string::npos);
    CHECK(c.html.find("a &amp; b next") != std::string::npos);
    CHECK(c.text.find("IP:      1.2.3.4 Bcc: x@y\n") != std::string::npos);
    CHECK(c.text.find("Zürich") != std::string::npos);
    CHECK(c.csv.find("\"'=HYPERLINK(\"\"http://x\"\")\"") != std::string::npos);
    CHECK(c.csv.find("\"a & b\nnext\"") != std::string::npos);  // the attachment keeps data whole
  }

  TEST_CASE("notes: duplicates, skipped rows, and the digest") {
    Fixture f("e1,2025-01-01T00:00:00Z,alice,1.1.1.1,NO,Oslo,0.9,1,99,x\n");
    ad::mail::Batch batch;
    REQUIRE(f.read(batch) == 0);
    batch.duplicates = 2;
    batch.skipped = 1;
    batch.held_windows = 3;
    batch.held_since_ms = 1735704120000;
    ad::mail::AlertOptions o;
    o.max_per_hour = 5;
    auto c = ad::mail::render_alert(f.columns, batch, o);
    CHECK(c.subject.rfind("[ad] digest: 1 of 1 login anomalous", 0) == 0);
    CHECK(c.text.find("2 flagged rows were alerted before") != std::string::npos);
    CHECK(c.text.find("1 malformed row was skipped") != std::string::npos);
    CHECK(c.text.find("--max-per-hour 5) held back 3 alert windows since 2025-01-01T04:02:00Z") !=
          std::string::npos);
  }

  TEST_CASE("the attachment is cut at a row boundary within max_attachment, and says so") {
    std::string body;
    for (int i = 0; i < 50; ++i)
      body += "e" + std::to_string(i) + ",2025-01-01T00:" + (i < 10 ? "0" : "") + std::to_string(i) +
              ":00Z,user" + std::to_string(i) + ",1.1.1.1,NO,Oslo,0." + std::to_string(10 + i) +
              ",1,99.5,reason" + std::to_string(i) + "\n";
    Fixture f(body);
    ad::mail::Batch batch;
    REQUIRE(f.read(batch) == 0);
    ad::mail::AlertOptions o;
    o.max_attachment = 1024;
    auto c = ad::mail::render_alert(f.columns, batch, o);
    CHECK(c.csv.size() <= 1024);
    CHECK(c.csv.size() > 1024 - 80);  // one more row would not fit
    CHECK(c.csv.back() == '\n');
    CHECK(c.attached + c.left_out == 50);
    CHECK(c.left_out > 0);
    std::size_t rows = 0;
    for (char ch : c.csv) rows += ch == '\n';
    CHECK(rows == c.attached + 1);  // the header and whole rows
    std::string note = "The first " + std::to_string(c.attached) + " of 50 flagged rows are attached";
    CHECK(c.text.find(note) != std::string::npos);
    CHECK(c.text.find(std::to_string(c.left_out) + " rows were left out") != std::string::npos);
    CHECK(c.text.find("'ad-store --export --since 2025-01-01T00:00:00Z' writes them all") !=
          std::string::npos);
    CHECK(c.html.find(note) != std::string::npos);

    o.max_attachment = 4u << 20;
    c = ad::mail::render_alert(f.columns, batch, o);
    CHECK(c.left_out == 0);
    CHECK(c.text.find("All 50 flagged rows are attached") != std::string::npos);
  }

  TEST_CASE("a batch keeps rows whole up to max_attachment, then only what the bodies show") {
    std::string body;
    for (int i = 0; i < 20; ++i)
      body += "e" + std::to_string(i) + ",2025-01-01T00:00:00Z,user" + std::to_string(i) +
              ",1.1.1.1,NO,Oslo,0." + std::to_string(10 + i) + ",1,99.5,why" + std::to_string(i) + "\n";
    Fixture f(body);
    ad::mail::Batch all;
    REQUIRE(f.read(all) == 0);
    ad::mail::Batch batch;
    for (auto& a : all.anomalies) batch.add_anomaly(f.columns, std::move(a), 300);
    REQUIRE(batch.anomalies.size() == 20);
    CHECK(!batch.anomalies.front().slim);
    CHECK(batch.anomalies.back().slim);
    CHECK(batch.full_bytes <= 300);
    const auto& last = batch.anomalies.back();
    CHECK(last.fields.size() == f.columns.slim_count);
    CHECK(last.fields.size() < f.columns.header.size());
    CHECK(ad::mail::value_of(f.columns, last, 2) == "user19");   // user: kept
    CHECK(ad::mail::value_of(f.columns, last, 9) == "why19");    // reasons: kept
    CHECK(ad::mail::value_of(f.columns, last, 7) == "");         // anomaly_flag: dropped
    batch.scored = 20;
    ad::mail::AlertOptions o;
    o.top = 20;
    auto c = ad::mail::render_alert(f.columns, batch, o);
    CHECK(c.text.find("user19") != std::string::npos);  // the bodies still show slim rows
    CHECK(c.text.find("why19") != std::string::npos);
    CHECK(c.csv.find("user19") == std::string::npos);   // the attachment stops at the first
    CHECK(c.left_out > 0);
  }

  TEST_CASE("display_text cuts long values at a character") {
    CHECK(ad::mail::display_text("abcdefgh", 6) == "abc...");
    CHECK(ad::mail::display_text("abcdef", 6) == "abcdef");
    CHECK(ad::mail::display_text("éééééé", 5) == "éé...");
    CHECK(ad::mail::display_text("a\nb", 10) == "a b");
  }
}
