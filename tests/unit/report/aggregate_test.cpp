#include "ad/report/aggregate.h"

#include <doctest/doctest.h>

#include <numeric>

#include "ad/core/timestamp.h"

namespace agg = ad::aggregate;

namespace {

std::int64_t t(const char* text) { return *ad::parse_time_ms(text); }

agg::Event login(const char* when, double score, bool flagged, double severity, const char* user = "u",
                 const char* ip = "10.0.0.1", const char* country = "NO") {
  agg::Event e;
  e.time_ms = t(when);
  e.scored = true;
  e.score = score;
  e.flagged = flagged;
  e.severity = severity;
  e.user = user;
  e.ip = ip;
  e.country = country;
  return e;
}

std::uint64_t sum(const std::vector<std::uint64_t>& v) { return std::accumulate(v.begin(), v.end(), 0ull); }

}  // namespace

TEST_SUITE("aggregate") {

  TEST_CASE("buckets align to the clock and the calendar") {
    std::int64_t x = t("2024-05-01T08:37:12Z");  // a Wednesday
    CHECK(agg::bucket_start(x, {agg::Unit::kMinute, 1}) == t("2024-05-01T08:37:00Z"));
    CHECK(agg::bucket_start(x, {agg::Unit::kMinute, 15}) == t("2024-05-01T08:30:00Z"));
    CHECK(agg::bucket_start(x, {agg::Unit::kHour, 3}) == t("2024-05-01T06:00:00Z"));
    CHECK(agg::bucket_start(x, {agg::Unit::kDay, 1}) == t("2024-05-01T00:00:00Z"));
    CHECK(agg::bucket_start(x, {agg::Unit::kWeek, 1}) == t("2024-04-29T00:00:00Z"));
    CHECK(agg::bucket_start(x, {agg::Unit::kMonth, 1}) == t("2024-05-01T00:00:00Z"));
    CHECK(agg::bucket_start(x, {agg::Unit::kYear, 1}) == t("2024-01-01T00:00:00Z"));
    CHECK(agg::bucket_start(t("1969-12-31T23:59:59Z"), {agg::Unit::kHour, 1}) == t("1969-12-31T23:00:00Z"));
    CHECK(agg::next_bucket(t("2024-12-01T00:00:00Z"), {agg::Unit::kMonth, 1}) == t("2025-01-01T00:00:00Z"));
    CHECK(agg::next_bucket(t("2024-01-01T00:00:00Z"), {agg::Unit::kYear, 1}) == t("2025-01-01T00:00:00Z"));
    CHECK(agg::next_bucket(t("2024-04-29T00:00:00Z"), {agg::Unit::kWeek, 1}) == t("2024-05-06T00:00:00Z"));
  }

  TEST_CASE("the bucket size follows the span") {
    std::int64_t x = t("2024-05-01T08:37:12Z");
    CHECK(agg::choose_bucketing(x, x, 60) == agg::Bucketing{agg::Unit::kMinute, 1});
    CHECK(agg::choose_bucketing(t("2024-05-01T08:00:00Z"), t("2024-05-01T08:59:00Z"), 60) ==
          agg::Bucketing{agg::Unit::kMinute, 1});
    CHECK(agg::choose_bucketing(t("2024-05-01T00:00:00Z"), t("2024-05-01T23:59:00Z"), 60) ==
          agg::Bucketing{agg::Unit::kHour, 1});
    CHECK(agg::choose_bucketing(t("2024-05-01T00:00:00Z"), t("2024-05-07T23:59:00Z"), 60) ==
          agg::Bucketing{agg::Unit::kHour, 3});
    CHECK(agg::choose_bucketing(t("2024-01-01T00:00:00Z"), t("2024-12-31T23:00:00Z"), 60) ==
          agg::Bucketing{agg::Unit::kWeek, 1});
    CHECK(agg::choose_bucketing(t("2000-01-01T00:00:00Z"), t("2024-12-31T23:00:00Z"), 60) ==
          agg::Bucketing{agg::Unit::kYear, 1});
  }

  TEST_CASE("axis labels for a single minute, a day and a year") {
    auto one = agg::time_labels({t("2024-05-01T08:37:00Z")}, {agg::Unit::kMinute, 1}, 12);
    REQUIRE(one.size() == 1);
    CHECK(one[0].first == 0);
    CHECK(one[0].second == "08:37\n1 May 2024");

    std::vector<std::int64_t> hours;
    for (int h = 0; h < 24; ++h) hours.push_back(t("2024-05-01T00:00:00Z") + h * 3600000LL);
    auto day = agg::time_labels(hours, {agg::Unit::kHour, 1}, 12);
    REQUIRE(day.size() == 12);
    CHECK(day[0] == std::pair<std::size_t, std::string>{0, "00:00\n1 May 2024"});
    CHECK(day[1] == std::pair<std::size_t, std::string>{2, "02:00"});
    CHECK(day[11].second == "22:00");

    std::vector<std::int64_t> weeks;
    for (int w = 0; w < 53; ++w) weeks.push_back(t("2024-01-01T00:00:00Z") + w * 7 * 86400000LL);
    auto year = agg::time_labels(weeks, {agg::Unit::kWeek, 1}, 12);
    REQUIRE(year.size() == 12);  // the first week of each month
    CHECK(year[0] == std::pair<std::size_t, std::string>{0, "1 Jan\n2024"});
    CHECK(year[1] == std::pair<std::size_t, std::string>{5, "5 Feb"});
    CHECK(year[11].second == "2 Dec");

    // Sub-day buckets labelled once a day are labelled by date.
    std::vector<std::int64_t> halves;
    for (int h = 0; h < 20; ++h) halves.push_back(t("2025-02-01T00:00:00Z") + h * 12 * 3600000LL);
    auto daily = agg::time_labels(halves, {agg::Unit::kHour, 12}, 12);
    REQUIRE(daily.size() == 10);
    CHECK(daily[0] == std::pair<std::size_t, std::string>{0, "1 Feb\n2025"});
    CHECK(daily[1] == std::pair<std::size_t, std::string>{2, "2 Feb"});

    // Crossing midnight repeats the date, crossing a year repeats the year.
    auto cross = agg::time_labels({t("2024-12-31T23:00:00Z"), t("2025-01-01T00:00:00Z")},
                                  {agg::Unit::kHour, 1}, 12);
    REQUIRE(cross.size() == 2);
    CHECK(cross[1].second == "00:00\n1 Jan 2025");
  }

  TEST_CASE("text forms") {
    CHECK(agg::format_local(t("2024-05-01T08:37:12Z")) == "2024-05-01 08:37");
    CHECK(agg::format_local(t("2024-05-01T08:37:12Z"), true) == "2024-05-01 08:37:12");
    CHECK(agg::describe_bucket(t("2024-05-01T08:00:00Z"), {agg::Unit::kHour, 1}) ==
          "Wed 1 May 2024 08:00 to 09:00");
    CHECK(agg::describe_bucket(t("2024-04-29T00:00:00Z"), {agg::Unit::kWeek, 1}) == "week of Mon 29 Apr 2024");
    CHECK(agg::describe({agg::Unit::kMinute, 5}) == "5 minutes");
    CHECK(agg::describe({agg::Unit::kHour, 1}) == "hour");
    CHECK(agg::format_duration(0) == "0 s");
    CHECK(agg::format_duration(45'000) == "45 s");
    CHECK(agg::format_duration(12 * 60'000 + 5'000) == "12 min");
    CHECK(agg::format_duration(3 * 3600'000LL) == "3 h");
    CHECK(agg::format_duration(3 * 3600'000LL + 20 * 60'000) == "3 h 20 min");
    CHECK(agg::format_duration(86400'000LL) == "1 day");
    CHECK(agg::format_duration(5 * 86400'000LL + 4 * 3600'000LL) == "5 days 4 h");
    CHECK(agg::format_duration(400 * 86400'000LL) == "400 days");
    CHECK(agg::format_offset(0) == "UTC");
    CHECK(agg::format_offset(7200) == "UTC+02:00");
    CHECK(agg::format_offset(-19800) == "UTC-05:30");
  }

  TEST_CASE("counters, threshold, users and the heat map") {
    agg::Aggregator a;
    a.add(login("2024-05-01T08:37:12Z", 0.41, false, 40, "alice"));
    a.add(login("2024-05-01T09:10:00Z", 0.72, true, 99.5, "bob", "45.3.2.1", "RO"));
    a.add(login("2024-05-02T23:59:00Z", 0.81, true, 99.95, "bob", "45.3.2.1", "RO"));
    a.add(login("2024-05-03T10:00:00Z", 0.75, true, 99.2, "carol", "10.0.0.9", "NO"));
    agg::Event chat;  // not a login: counted as an event only
    chat.time_ms = t("2024-05-04T00:00:00Z");
    a.add(chat);
    agg::Event untimed = login("2024-05-01T00:00:00Z", 0.5, false, 50);
    untimed.time_ms.reset();
    a.add(untimed);

    CHECK(a.events() == 6);
    CHECK(a.scored() == 5);
    CHECK(a.flagged() == 3);
    CHECK(a.untimed() == 1);
    CHECK(a.users_affected() == 2);
    CHECK(*a.threshold() == 0.72);
    CHECK(*a.max_unflagged() == 0.5);
    CHECK(*a.first() == t("2024-05-01T08:37:12Z"));
    CHECK(*a.last() == t("2024-05-04T00:00:00Z"));
    CHECK(a.flagged_in(agg::Band::kCritical) == 1);
    CHECK(a.flagged_in(agg::Band::kHigh) == 1);
    CHECK(a.flagged_in(agg::Band::kMedium) == 1);
    CHECK(a.heat()[2][9] == 1);   // Wednesday 09:00
    CHECK(a.heat()[3][23] == 1);  // Thursday 23:00
    CHECK(a.heat()[4][10] == 1);  // Friday 10:00

    auto users = a.top_users(10);
    REQUIRE(users.size() == 2);
    CHECK(users[0].value == "bob");
    CHECK(users[0].count == 2);
    CHECK(users[1].value == "carol");
    auto countries = a.top_countries(1);
    REQUIRE(countries.size() == 1);
    CHECK(countries[0].value == "RO");

    auto ts = a.time_series(60);
    CHECK(ts.bucketing == agg::Bucketing{agg::Unit::kHour, 3});
    CHECK(ts.starts.front() == t("2024-05-01T06:00:00Z"));
    CHECK(sum(ts.logins) == 4);  // the untimed login is not in it
    std::uint64_t anomalies = 0;
    for (const auto& b : ts.anomalies) anomalies += std::accumulate(b.begin(), b.end(), 0ull);
    CHECK(anomalies == 3);
  }

  TEST_CASE("the table keeps the most severe anomalies, ties in input order") {
    agg::Options o;
    o.top_anomalies = 3;
    agg::Aggregator a(o);
    a.add(login("2024-05-01T00:00:00Z", 0.70, true, 97, "a"));
    a.add(login("2024-05-01T00:01:00Z", 0.90, true, 99.9, "b"));
    a.add(login("2024-05-01T00:02:00Z", 0.80, true, 99.9, "c"));
    a.add(login("2024-05-01T00:03:00Z", 0.90, true, 99.9, "d"));  // ties with b, comes later
    a.add(login("2024-05-01T00:04:00Z", 0.60, true, 96, "e"));
    auto kept = a.anomalies();
    REQUIRE(kept.size() == 3);
    CHECK(kept[0].user == "b");
    CHECK(kept[1].user == "d");
    CHECK(kept[2].user == "c");
    CHECK(a.flagged() == 5);

    agg::Options none;
    none.top_anomalies = 0;
    agg::Aggregator b(none);
    b.add(login("2024-05-01T00:00:00Z", 0.70, true, 97, "a"));
    CHECK(b.anomalies().empty());
    CHECK(b.flagged() == 1);
  }

  TEST_CASE("place joins city and country") {
    agg::Aggregator a;
    auto e = login("2024-05-01T00:00:00Z", 0.9, true, 99.9);
    e.city = "Oslo";
    a.add(e);
    CHECK(a.anomalies()[0].place == "Oslo, NO");
  }

  TEST_CASE("distinct users, IPs and countries are counted up to kMaxDistinct, then as a lower bound") {
    agg::Aggregator a;
    std::vector<std::string> users;
    for (std::size_t i = 0; i <= agg::kMaxDistinct; ++i) users.push_back("user" + std::to_string(i));
    for (std::size_t i = 0; i < agg::kMaxDistinct; ++i)
      a.add(login("2024-05-01T00:00:00Z", 0.9, true, 99.9, users[i].c_str()));
    CHECK(a.users_affected() == agg::kMaxDistinct);
    CHECK_FALSE(a.users_capped());
    a.add(login("2024-05-01T00:00:00Z", 0.9, true, 99.9, users.back().c_str()));  // one too many
    a.add(login("2024-05-01T00:00:00Z", 0.9, true, 99.9, "user7"));                // known: counted
    CHECK(a.users_affected() == agg::kMaxDistinct);
    CHECK(a.users_capped());
    CHECK_FALSE(a.ips_capped());
    CHECK(a.top_users(1)[0].value == "user7");
    CHECK(a.top_users(1)[0].count == 2);
    CHECK(a.flagged() == agg::kMaxDistinct + 2);
  }

  TEST_CASE("values kept for the table and the counts are cut to kValueChars") {
    agg::Aggregator a;
    std::string long_user(5000, 'u');
    auto e = login("2024-05-01T00:00:00Z", 0.9, true, 99.9, long_user.c_str());
    std::string reasons(3000, 'r');
    e.reasons = reasons;
    a.add(e);
    CHECK(a.anomalies()[0].user == std::string(agg::kValueChars - 1, 'u') + "\u2026");
    CHECK(a.anomalies()[0].reasons.size() == agg::kValueChars - 1 + 3);
    CHECK(a.top_users(1)[0].value == a.anomalies()[0].user);
  }

  TEST_CASE("a long span coarsens the internal buckets without losing counts") {
    agg::Aggregator a;
    // One login every 6 hours over 200 days: 800 logins, 288000 minutes of span.
    std::int64_t start = t("2024-01-01T00:00:00Z");
    for (int i = 0; i < 800; ++i) {
      agg::Event e;
      e.time_ms = start + i * 6 * 3600'000LL;
      e.scored = true;
      e.score = 0.5;
      e.flagged = i % 100 == 0;
      e.severity = e.flagged ? 99.95 : 50;
      a.add(e);
    }
    auto ts = a.time_series(60);
    CHECK(ts.bucketing == agg::Bucketing{agg::Unit::kWeek, 1});
    CHECK(sum(ts.logins) == 800);
    std::uint64_t critical = 0;
    for (const auto& b : ts.anomalies) critical += b[static_cast<int>(agg::Band::kCritical)];
    CHECK(critical == 8);
    CHECK(ts.starts.size() == 29);
  }

  TEST_CASE("local time moves hours and days") {
    agg::Options o;
    o.utc_offset_s = 2 * 3600;
    agg::Aggregator a(o);
    a.add(login("2024-05-01T23:30:00Z", 0.9, true, 99.9));  // Thursday 01:30 at UTC+2
    CHECK(a.heat()[3][1] == 1);
    CHECK(*a.first() == t("2024-05-02T01:30:00Z"));
  }

  TEST_CASE("score histogram: round bins, at least 0.1 wide") {
    agg::Aggregator a;
    a.add(login("2024-05-01T00:00:00Z", 0.5, false, 50));
    auto h = a.histogram(40);
    CHECK(h.lo == doctest::Approx(0.45));
    CHECK(h.hi == doctest::Approx(0.55));
    CHECK(h.step == doctest::Approx(0.005));
    REQUIRE(h.all.size() == 20);
    CHECK(h.all[10] == 1);

    agg::Aggregator b;
    b.add(login("2024-05-01T00:00:00Z", 0.31, false, 10));
    b.add(login("2024-05-01T00:00:00Z", 0.859, true, 99.9));
    b.add(login("2024-05-01T00:00:00Z", 1.0, true, 100));
    h = b.histogram(40);
    CHECK(h.step == doctest::Approx(0.02));
    CHECK(h.lo == doctest::Approx(0.30));
    CHECK(h.hi == doctest::Approx(1.0));
    CHECK(sum(h.all) == 3);
    CHECK(sum(h.flagged) == 2);
    CHECK(h.flagged.back() == 1);  // a score of exactly 1 is in the last bin

    agg::Aggregator none;
    h = none.histogram(40);
    CHECK(h.lo == 0);
    CHECK(h.hi == 1);
    CHECK(sum(h.all) == 0);
  }

  TEST_CASE("times outside years 1 to 9999 count as missing") {
    agg::Aggregator a;
    agg::Event e;
    e.time_ms = 400'000'000'000'000'000LL;
    a.add(e);
    CHECK(a.untimed() == 1);
    CHECK_FALSE(a.first());
    CHECK(a.time_series(60).starts.empty());
  }
}
