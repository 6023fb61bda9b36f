#include "ad/report/incidents.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ad/core/timestamp.h"

namespace agg = ad::aggregate;

namespace {

std::int64_t t(const char* text) { return *ad::parse_time_ms(text); }

// Strings the events view; they live as long as the test.
struct Feed {
  agg::IncidentBook& book;
  std::uint64_t sequence = 0;
  std::vector<std::string> keep;

  void add(const char* when, const std::string& id, double incident_score, const std::string& kind,
           const std::string& user, const std::string& ip, double score = 0.7, double severity = 99.9,
           const std::string& reasons = "r") {
    keep.insert(keep.end(), {id, kind, user, ip, reasons});
    std::size_t n = keep.size();
    agg::Event e;
    e.time_ms = when ? std::optional<std::int64_t>(t(when)) : std::nullopt;
    e.scored = e.flagged = true;
    e.score = score;
    e.severity = severity;
    e.incident_id = keep[n - 5];
    e.incident_kind = keep[n - 4];
    e.user = keep[n - 3];
    e.ip = keep[n - 2];
    e.reasons = keep[n - 1];
    e.incident_score = incident_score;
    book.add(e, e.time_ms, sequence++);
  }
  Feed(agg::IncidentBook& b) : book(b) { keep.reserve(100000); }
};

}  // namespace

TEST_SUITE("incidents") {
  TEST_CASE("events of one id are one incident: kind, score, names, span and reasons") {
    agg::IncidentBook book(10);
    Feed f(book);
    f.add("2024-05-29T03:00:00Z", "I-1", 30, "novelty", "bob", "203.0.113.9", 0.70, 99.5, "new IP");
    f.add("2024-05-29T03:01:00Z", "I-2", 20, "other", "eve", "10.0.0.9");
    for (int k = 0; k < 8; ++k)
      f.add("2024-05-29T03:02:00Z", "I-1", 40 + k, "brute_force", "u" + std::to_string(k % 7), "203.0.113.9", 0.75,
            99.9, "burst");
    f.add("2024-05-29T03:29:00Z", "I-1", 47, "takeover", "bob", "203.0.113.10", 0.9, 99.95, "success after failures");
    book.finish();
    CHECK(book.total() == 2);
    CHECK(book.open() == 0);
    auto top = book.top();
    REQUIRE(top.size() == 2);
    const auto& s = top[0];
    CHECK(s.id == "I-1");
    CHECK(s.events == 10);
    CHECK(s.score == 47);
    CHECK(s.kind == "takeover");  // the row that carried the highest score; a later row wins a tie
    CHECK(s.band() == agg::Band::kMedium);
    CHECK(s.max_severity == 99.95);
    CHECK(*s.first_ms == t("2024-05-29T03:00:00Z"));
    CHECK(*s.last_ms == t("2024-05-29T03:29:00Z"));
    CHECK(s.reasons == "success after failures");  // its highest-scoring event
    CHECK(s.users == std::vector<std::string>{"bob", "u0", "u1", "u2", "u3"});  // the first kNamesKept
    CHECK(s.user_count == 8);  // bob, u0..u6
    CHECK(s.sources == std::vector<std::string>{"203.0.113.9", "203.0.113.10"});
    CHECK(s.source_count == 2);
    REQUIRE(s.shown.size() == 10);
    CHECK(s.shown.front().sequence < s.shown.back().sequence);  // input order
    CHECK(s.shown.front().incident == "I-1");
    CHECK(top[1].id == "I-2");
    CHECK(book.in_band(agg::Band::kMedium) == 1);
    CHECK(book.in_band(agg::Band::kLow) == 1);
    auto kinds = book.kinds();
    REQUIRE(kinds.size() == 2);
    CHECK(kinds[0].value == "other");  // ties by name
    CHECK(kinds[1].value == "takeover");
  }

  TEST_CASE("only the top incidents are kept, the rest are counted") {
    agg::IncidentBook book(3);
    Feed f(book);
    for (int i = 0; i < 20; ++i) f.add("2024-05-29T03:00:00Z", "I-" + std::to_string(i), i % 10 * 10, "spray", "u", "ip");
    book.finish();
    CHECK(book.total() == 20);
    auto top = book.top();
    REQUIRE(top.size() == 3);
    CHECK(top[0].id == "I-9");  // score 90, seen before I-19
    CHECK(top[1].id == "I-19");
    CHECK(top[2].id == "I-8");
    CHECK(book.in_band(agg::Band::kCritical) == 4);  // 80 and 90, twice each
    agg::IncidentBook none(0);
    Feed g(none);
    g.add("2024-05-29T03:00:00Z", "I-1", 90, "spray", "u", "ip");
    none.finish();
    CHECK(none.total() == 1);
    CHECK(none.top().empty());
  }

  TEST_CASE("ranking ties: the earlier first time leads, then the first in the input") {
    agg::IncidentBook book(3);
    Feed f(book);
    f.add("2024-05-29T05:00:00Z", "I-late", 50, "spray", "a", "ip", 0.7, 99.5);
    f.add("2024-05-29T04:00:00Z", "I-early", 50, "spray", "b", "ip", 0.7, 99.5);
    f.add(nullptr, "I-untimed", 50, "spray", "c", "ip", 0.7, 99.5);
    book.finish();
    auto top = book.top();
    REQUIRE(top.size() == 3);
    CHECK(top[0].id == "I-early");  // started first, though read second
    CHECK(top[1].id == "I-late");
    CHECK(top[2].id == "I-untimed");  // a known time before none
  }

  TEST_CASE("per incident, bounded: events kept, distinct names counted up to a cap") {
    agg::IncidentBook book(1);
    Feed f(book);
    std::size_t n = ad::IncidentSummary::kDistinctCap + 50;
    for (std::size_t i = 0; i < n; ++i)
      f.add("2024-05-29T03:00:00Z", "I-1", 90, "spray", "user" + std::to_string(i), "10.0.0.1", 0.7,
            i == 100 ? 100.0 : 99.0);
    book.finish();
    auto s = book.top().at(0);
    CHECK(s.events == n);
    CHECK(s.users.size() == ad::IncidentSummary::kNamesKept);
    CHECK(s.user_count == ad::IncidentSummary::kDistinctCap);
    CHECK(s.users_capped);
    CHECK(s.source_count == 1);
    CHECK_FALSE(s.sources_capped);
    REQUIRE(s.shown.size() == agg::IncidentBook::kEventsKept);
    bool has_worst = false;
    for (const auto& a : s.shown) has_worst |= a.severity == 100.0;
    CHECK(has_worst);  // the most severe events are the ones kept
  }

  TEST_CASE("incidents settle once time has passed them, or when too many are open") {
    std::vector<std::string> settled;
    agg::IncidentBook book(100, [&](const agg::Incident& s) { settled.push_back(s.id); });
    Feed f(book);
    f.add("2024-05-01T00:00:00Z", "I-old", 50, "brute_force", "a", "ip");
    for (int i = 0; i < 300; ++i) f.add("2024-05-03T00:00:00Z", "I-new", 50, "brute_force", "b", "ip");
    CHECK(settled == std::vector<std::string>{"I-old"});  // more than kSettleMs later
    CHECK(book.open() == 1);
    for (std::size_t i = 0; i < agg::IncidentBook::kMaxOpen + 10; ++i)
      f.add(nullptr, "U-" + std::to_string(i), 10, "other", "c", "ip");
    CHECK(book.open() <= agg::IncidentBook::kMaxOpen);
    book.finish();
    CHECK(book.total() == settled.size());
    CHECK(settled.size() == agg::IncidentBook::kMaxOpen + 12);  // each once
  }

  TEST_CASE("flagged events without an incident are counted, unflagged ones ignored") {
    agg::IncidentBook book(5);
    agg::Event e;
    e.flagged = true;
    book.add(e, std::nullopt, 0);
    e.flagged = false;
    e.incident_id = "I-1";
    book.add(e, std::nullopt, 1);
    book.finish();
    CHECK(book.unassigned() == 1);
    CHECK(book.total() == 0);
  }

  TEST_CASE("kinds past the cap count as other") {
    agg::IncidentBook book(0);
    Feed f(book);
    for (std::size_t i = 0; i < agg::IncidentBook::kMaxKinds + 5; ++i)
      f.add("2024-05-29T03:00:00Z", "I-" + std::to_string(i), 10, "kind" + std::to_string(i), "u", "ip");
    book.finish();
    std::uint64_t sum = 0;
    for (const auto& k : book.kinds()) sum += k.count;
    CHECK(sum == agg::IncidentBook::kMaxKinds + 5);
    CHECK(book.kinds().size() <= agg::IncidentBook::kMaxKinds + 1);
  }
}
