// Tests for incident_summary.h: one incident from its scored rows, and the ranking.
#include "ad/core/incident_summary.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using ad::IncidentSummary;

ad::scored::Row row(double incident_score, std::string_view kind, double score = 0.7, double severity = 99.2,
                    std::string_view reasons = "r", std::string_view id = "I-1") {
  ad::scored::Row r;
  r.score = score;
  r.flag = true;
  r.severity = severity;
  r.reasons = reasons;
  r.incident_id = id;
  r.incident_kind = kind;
  r.incident_score = incident_score;
  return r;
}

ad::scored::Row unscored_incident(std::string_view kind) {
  ad::scored::Row r = row(0, kind);
  r.incident_score.reset();
  return r;
}

}  // namespace

TEST_SUITE("incident_summary") {
  TEST_CASE("one incident: id, score, kind, severity, span, events, reasons, names") {
    IncidentSummary s;
    s.add(row(30, "novelty", 0.70, 99.5, "new IP"), "bob", "203.0.113.9", 3000);
    for (int k = 0; k < 8; ++k)
      s.add(row(40 + k, "brute_force", 0.75, 99.9, "burst", "I-other"), "u" + std::to_string(k % 7), "203.0.113.9",
            2000);
    s.add(row(47, "takeover", 0.9, 99.95, "success after failures"), "bob", "203.0.113.10", 5000);
    s.add(row(20, "spray", 0.6, 99.0, "late"), "", "", std::nullopt);
    CHECK(s.id == "I-1");  // of its first row
    CHECK(s.events == 11);
    CHECK(s.score == 47);
    CHECK(s.band() == ad::scored::Band::kMedium);
    CHECK(s.kind == "takeover");  // the row with the highest incident_score; a later row wins a tie
    CHECK(s.max_severity == 99.95);
    CHECK(*s.first_ms == 2000);
    CHECK(*s.last_ms == 5000);
    CHECK(s.reasons == "success after failures");  // the highest anomaly_score
    CHECK(s.users == std::vector<std::string>{"bob", "u0", "u1", "u2", "u3"});  // the first kNamesKept
    CHECK(s.user_count == 8);  // bob, u0..u6; empty values are not counted
    CHECK_FALSE(s.users_capped);
    CHECK(s.sources == std::vector<std::string>{"203.0.113.9", "203.0.113.10"});
    CHECK(s.source_count == 2);
  }

  TEST_CASE("kind: a tie goes to the later row, an empty kind never replaces one, but any kind fills it") {
    IncidentSummary s;
    s.add(row(50, "spray"), "a", "ip", 1);
    s.add(row(50, "brute_force"), "a", "ip", 2);
    CHECK(s.kind == "brute_force");
    s.add(row(60, ""), "a", "ip", 3);
    CHECK(s.kind == "brute_force");
    CHECK(s.score == 60);
    s.add(row(55, "takeover"), "a", "ip", 4);
    CHECK(s.kind == "brute_force");  // not the highest score
    s.add(unscored_incident("travel"), "a", "ip", 5);
    CHECK(s.kind == "brute_force");  // no score: carries nothing

    IncidentSummary t;
    t.add(row(70, ""), "a", "ip", 1);
    CHECK(t.kind.empty());
    t.add(unscored_incident("spray"), "a", "ip", 2);
    CHECK(t.kind == "spray");  // the kind was empty: any row's kind fills it
    CHECK(t.score == 70);

    IncidentSummary none;  // no row gives a score: 0, and the first kind
    none.add(unscored_incident("novelty"), "a", "ip", 1);
    none.add(unscored_incident("spray"), "a", "ip", 2);
    CHECK(none.score == 0);
    CHECK(none.kind == "novelty");
  }

  TEST_CASE("reasons: highest anomaly score, then severity, then the first") {
    IncidentSummary s;
    s.add(row(10, "k", 0.8, 99.0, "first"), "a", "ip", 1);
    s.add(row(10, "k", 0.8, 99.0, "same"), "a", "ip", 2);
    CHECK(s.reasons == "first");
    s.add(row(10, "k", 0.8, 99.5, "more severe"), "a", "ip", 3);
    CHECK(s.reasons == "more severe");
    s.add(row(10, "k", 0.79, 100, "lower score"), "a", "ip", 4);
    CHECK(s.reasons == "more severe");
    s.add(row(10, "k", 0.81, 99.0, "higher score"), "a", "ip", 5);
    CHECK(s.reasons == "higher score");
  }

  TEST_CASE("kind, reasons and names are cut to kValueChars characters") {
    ad::IncidentSummary s;
    const std::string kind(3000, 'k'), reasons(3000, 'r'), user(3000, 'u');
    auto r = row(50, kind);
    r.reasons = reasons;
    s.add(r, user, "10.0.0.1", std::nullopt);
    const std::size_t kept = ad::IncidentSummary::kValueChars - 1;  // and the ellipsis
    CHECK(s.kind == std::string(kept, 'k') + "\u2026");
    CHECK(s.reasons == std::string(kept, 'r') + "\u2026");
    CHECK(s.users == std::vector<std::string>{std::string(kept, 'u') + "\u2026"});
    CHECK(s.sources == std::vector<std::string>{"10.0.0.1"});
  }

  TEST_CASE("distinct names are counted exactly up to the cap, then as a lower bound") {
    IncidentSummary s;
    for (std::size_t i = 0; i < IncidentSummary::kDistinctCap; ++i)
      s.add(row(90, "spray"), "user" + std::to_string(i), "10.0.0.1", 1);
    s.add(row(90, "spray"), "user0", "10.0.0.1", 1);  // seen: no change
    CHECK(s.user_count == IncidentSummary::kDistinctCap);
    CHECK_FALSE(s.users_capped);  // exactly the cap
    s.add(row(90, "spray"), "one more", "10.0.0.1", 1);
    CHECK(s.user_count == IncidentSummary::kDistinctCap);
    CHECK(s.users_capped);
    CHECK(s.users.size() == IncidentSummary::kNamesKept);
    CHECK(s.users.front() == "user0");
    CHECK(s.source_count == 1);
    CHECK_FALSE(s.sources_capped);
    CHECK(s.events == IncidentSummary::kDistinctCap + 2);
  }

  TEST_CASE("ranking: score, then severity, then the earlier first time, then the earlier first row") {
    IncidentSummary a, b;
    a.score = b.score = 50;
    a.max_severity = 99.9;
    b.max_severity = 99.5;
    a.order = 9;
    b.order = 1;
    CHECK(ranks_before(a, b));
    b.max_severity = 99.9;
    CHECK(ranks_before(b, a));  // untimed both: by order
    CHECK_FALSE(ranks_before(a, a));
    a.first_ms = 1000;
    CHECK(ranks_before(a, b));  // a known time before none
    b.first_ms = 2000;
    CHECK(ranks_before(a, b));  // the earlier first time, whatever the order
    CHECK_FALSE(ranks_before(b, a));
    b.first_ms = 1000;
    CHECK(ranks_before(b, a));
    a.score = 51;
    CHECK(ranks_before(a, b));
  }
}
