#include "ad/mail/incidents.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "ad/core/csv.h"
#include "ad/mail/alert.h"
#include "ad/mail/dedup.h"

namespace {

using ad::scored::Band;

const std::string kHeader =
    "event_id,timestamp,user_id,ip_address,anomaly_score,anomaly_flag,severity,anomaly_reasons,"
    "incident_id,incident_score,incident_kind\n";

// Reads rows of kHeader's layout into a batch, as ad-mail does.
struct Fixture {
  ad::csv::Reader reader;
  ad::mail::Columns columns;
  ad::mail::Batch batch;
  explicit Fixture(const std::string& body)
      : reader(ad::csv::string_lines("t.csv", kHeader + body), "t.csv"),
        columns(ad::mail::Columns::find(reader.header(), {}, "t.csv")) {
    ad::csv::Row row;
    while (reader.next(row)) {
      std::optional<std::int64_t> t;
      ad::mail::Anomaly a;
      auto kind = ad::mail::read_row(columns, reader, row, 0, t, &a);
      if (kind == ad::mail::RowKind::kUnscored) continue;
      ++batch.scored;
      batch.add_time(t);
      if (kind == ad::mail::RowKind::kFlagged) batch.anomalies.push_back(a);
    }
  }
};

// A brute force (I-B) of 4 events on alice from two IPs, a spray (I-S) over 7 users,
// a takeover (I-T) on bob, one normal row, and a flagged row without an incident.
const std::string kRows =
    "1,2025-01-01T03:00:00Z,alice,203.0.113.9,0.70,1,99.9,failed login,I-B,35,novelty\n"
    "2,2025-01-01T03:01:00Z,u1,198.51.100.1,0.60,1,99.2,spray 1,I-S,40,spray\n"
    "3,2025-01-01T03:02:00Z,alice,203.0.113.9,0.75,1,99.9,burst,I-B,65,brute_force\n"
    "4,2025-01-01T02:00:00Z,bob,192.0.2.1,0.90,1,99.95,new country,I-T,65,takeover\n"
    "5,2025-01-01T03:03:00Z,carol,10.0.0.1,0.30,0,50,,,,\n"
    "6,2025-01-01T03:04:00Z,alice,203.0.113.10,0.72,1,99.9,more,I-B,65,brute_force\n"
    "7,2025-01-01T03:05:00Z,alice,203.0.113.9,0.71,1,99.9,more,I-B,65,brute_force\n"
    "8,2025-01-01T04:00:00Z,dave,10.9.9.9,0.65,1,99.5,odd,,,\n"
    "9,2025-01-01T03:06:00Z,u2,198.51.100.2,0.61,1,99.2,spray 2,I-S,50,spray\n"
    "10,2025-01-01T03:07:00Z,u3,198.51.100.3,0.61,1,99.2,spray 3,I-S,50,spray\n"
    "11,2025-01-01T03:08:00Z,u4,198.51.100.4,0.61,1,99.2,spray 4,I-S,50,spray\n"
    "12,2025-01-01T03:09:00Z,u5,198.51.100.5,0.61,1,99.2,spray 5,I-S,50,spray\n"
    "13,2025-01-01T03:10:00Z,u6,198.51.100.6,0.61,1,99.2,spray 6,I-S,50,spray\n"
    "14,2025-01-01T03:11:00Z,u7,198.51.100.6,0.61,1,99.2,spray 7,I-S,65,spray\n";

const ad::mail::Incident& by_id(const std::vector<ad::mail::Incident>& v,
                                       const std::string& id) {
  for (const auto& inc : v)
    if (inc.id == id) return inc;
  FAIL("no incident " << id);
  throw 0;
}

}  // namespace

TEST_SUITE("incidents") {
  TEST_CASE("flagged rows group by incident id, keeping what the mail shows") {
    Fixture f(kRows);
    auto groups = ad::mail::group_incidents(f.columns, f.batch.anomalies);
    REQUIRE(groups.size() == 4);  // I-B, I-S, I-T and the id-less row
    const auto& b = by_id(groups, "I-B");
    CHECK(b.events == 4);
    CHECK(b.score == 65);
    CHECK(b.kind == "brute_force");  // the kind of its highest incident_score, not its first
    CHECK(b.max_severity == doctest::Approx(99.9));
    CHECK(b.users == std::vector<std::string>{"alice"});
    CHECK(b.user_count == 1);
    CHECK(b.sources == std::vector<std::string>{"203.0.113.9", "203.0.113.10"});
    CHECK(b.source_count == 2);
    CHECK(b.reasons == "burst");  // of its event with the highest anomaly_score
    REQUIRE(b.first_ms);
    CHECK(*b.last_ms - *b.first_ms == 5 * 60 * 1000);
    const auto& s = by_id(groups, "I-S");
    CHECK(s.events == 7);
    CHECK(s.users.size() == ad::IncidentSummary::kNamesKept);
    CHECK(s.user_count == 7);
    CHECK(s.source_count == 6);
    CHECK(by_id(groups, "").events == 1);
  }

  TEST_CASE("ranking: incident score, then severity, then first seen") {
    Fixture f(kRows);
    auto groups = ad::mail::group_incidents(f.columns, f.batch.anomalies);
    std::sort(groups.begin(), groups.end(), ad::ranks_before);
    // Three at 65, by severity: the takeover 99.95, the brute force 99.9, the spray 99.2.
    // The id-less row has no incident score: last.
    std::vector<std::string> ids;
    for (const auto& inc : groups) ids.push_back(inc.id);
    CHECK(ids == std::vector<std::string>{"I-T", "I-B", "I-S", ""});

    // Equal score and severity: the one that started first leads.
    Fixture g("1,2025-01-01T05:00:00Z,a,1.1.1.1,0.7,1,99.5,r,I-late,50,other\n"
              "2,2025-01-01T04:00:00Z,b,1.1.1.2,0.7,1,99.5,r,I-early,50,other\n");
    auto two = ad::mail::group_incidents(g.columns, g.batch.anomalies);
    std::sort(two.begin(), two.end(), ad::ranks_before);
    CHECK(two[0].id == "I-early");
  }

  TEST_CASE("an incident re-alerts only when its band rises") {
    Fixture f(kRows);
    ad::mail::AlertedIncidents memory;
    memory.alerted(ad::mail::key_of_incident("I-B"), Band::kHigh, 1);    // 65: still high
    memory.alerted(ad::mail::key_of_incident("I-S"), Band::kMedium, 1);  // 65: rose to high
    auto sel = ad::mail::select_batch(f.columns, f.batch, memory);
    CHECK(sel.held_incidents == 1);
    CHECK(sel.held_rows == 4);
    CHECK(sel.held_event_keys.size() == 4);
    REQUIRE(sel.alerted.size() == 3);
    CHECK(sel.alerted[0].id == "I-T");
    CHECK_FALSE(sel.alerted[0].alerted_before);
    CHECK(sel.alerted[1].id == "I-S");
    REQUIRE(sel.alerted[1].alerted_before);
    CHECK(*sel.alerted[1].alerted_before == Band::kMedium);
    CHECK(f.batch.anomalies.size() == 9);  // the brute force's rows left the batch
    for (const auto& a : f.batch.anomalies) CHECK(a.incident_id != "I-B");

    ad::mail::remember_incidents(sel, memory, 100);
    CHECK(memory.find(ad::mail::key_of_incident("I-S"))->band == Band::kHigh);
    CHECK(memory.find(ad::mail::key_of_incident("I-T"))->band == Band::kHigh);
    CHECK(memory.find(ad::mail::key_of_incident("I-B"))->seen_s == 100);  // held, yet seen

    // The same rows again: everything with an id is held; the id-less row alerts.
    Fixture again(kRows);
    auto sel2 = ad::mail::select_batch(again.columns, again.batch, memory);
    CHECK(sel2.held_incidents == 3);
    REQUIRE(sel2.alerted.size() == 1);
    CHECK(sel2.alerted[0].id.empty());
  }

  TEST_CASE("the subject counts incidents, the top band and the kinds, and holds no data") {
    Fixture f(kRows);
    auto sel = ad::mail::select_batch(f.columns, f.batch, ad::mail::AlertedIncidents());
    CHECK(ad::mail::incident_subject(sel) == "4 incidents (3 high): takeover, brute_force, spray, other");
    CHECK(ad::mail::subject_kind("brute_force") == "brute_force");
    CHECK(ad::mail::subject_kind("x\r\nBcc: evil@example.net") == "other");
    CHECK(ad::mail::subject_kind("Spray") == "other");
    CHECK(ad::mail::subject_kind("") == "other");

    Fixture one("1,2025-01-01T05:00:00Z,a,1.1.1.1,0.7,1,99.5,r,I-1,85,\x1b[31mspray\n");
    auto sel1 = ad::mail::select_batch(one.columns, one.batch, ad::mail::AlertedIncidents());
    CHECK(ad::mail::incident_subject(sel1) == "1 incident (1 critical): other");
  }

  TEST_CASE("the bodies list the top incidents with users, sources, span, events and reasons") {
    Fixture f(kRows);
    ad::mail::AlertedIncidents memory;
    memory.alerted(ad::mail::key_of_incident("I-S"), Band::kMedium, 1);
    auto sel = ad::mail::select_batch(f.columns, f.batch, memory);
    std::string t = ad::mail::incidents_text(sel, 2);
    CHECK(t.find("Top 2 of 4 incidents, by incident score") != std::string::npos);
    CHECK(t.find("1. takeover, incident score 65 (high), highest severity 99.95") != std::string::npos);
    CHECK(t.find("   incident: I-B\n") != std::string::npos);
    CHECK(t.find("   sources:  203.0.113.9, 203.0.113.10\n") != std::string::npos);
    CHECK(t.find("   span:     2025-01-01T03:00:00Z to 2025-01-01T03:05:00Z\n") != std::string::npos);
    CHECK(t.find("   events:   4\n") != std::string::npos);
    CHECK(t.find("I-S") == std::string::npos);  // third: not in the top 2
    CHECK(t.find("high                    3") != std::string::npos);

    std::string all = ad::mail::incidents_text(sel, 10);
    CHECK(all.find("   users:    u1, u2, u3, u4, u5 and 2 more (7 in all)\n") != std::string::npos);
    CHECK(all.find("   re-alert: its band rose from medium to high\n") != std::string::npos);
    CHECK(all.find("   incident: (none)\n") != std::string::npos);

    // Past IncidentSummary::kDistinctCap distinct users, the totals are lower bounds.
    std::string many;
    for (std::size_t i = 0; i <= ad::IncidentSummary::kDistinctCap; ++i)
      many += std::to_string(i) + ",2025-01-01T05:00:00Z,v" + std::to_string(i) + ",1.1.1.1,0.7,1,99.5,r,I-1,50,spray\n";
    Fixture wide(many);
    auto sw = ad::mail::select_batch(wide.columns, wide.batch, ad::mail::AlertedIncidents());
    std::string tw = ad::mail::incidents_text(sw, 1);
    CHECK(tw.find("   users:    v0, v1, v2, v3, v4 and at least 251 more (at least 256 in all)\n") !=
          std::string::npos);
    CHECK(tw.find("   sources:  1.1.1.1\n") != std::string::npos);

    Fixture bad("1,2025-01-01T05:00:00Z,<script>,1.1.1.1,0.7,1,99.5,a & b,I-1,50,other\n");
    auto sb = ad::mail::select_batch(bad.columns, bad.batch, ad::mail::AlertedIncidents());
    std::string h = ad::mail::incidents_html(sb, 10);
    CHECK(h.find("<script>") == std::string::npos);
    CHECK(h.find("&lt;script&gt;") != std::string::npos);
    CHECK(h.find("a &amp; b") != std::string::npos);
  }
}
