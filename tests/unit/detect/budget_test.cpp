// Tests for budget.h: the threshold from an alert budget in false incidents per 1,000 user-days.
#include "ad/detect/budget.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

constexpr std::int64_t kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr std::int64_t kDay = 86'400'000;

// 10 users logging in at 09:00 every day for 100 days (1,000 user-days), each from
// their own address, in time order; scores 0.3, except `high` spread over the days.
struct History {
  std::vector<ad::IncidentEvent> events;
  std::vector<double> scores;
};
History history(const std::vector<double>& high) {
  History h;
  for (int day = 0; day < 100; ++day)
    for (int u = 0; u < 10; ++u) {
      ad::IncidentEvent e;
      e.time_ms = kT0 + day * kDay + 9 * 3600000;
      e.user = "user" + std::to_string(u);
      e.ip = "10.0." + std::to_string(u) + ".1";
      e.network = "10.0." + std::to_string(u) + ".0/24";
      e.success = true;
      h.events.push_back(e);
      std::size_t k = static_cast<std::size_t>(day / 10);
      h.scores.push_back(u == 0 && day % 10 == 0 && k < high.size() ? high[k] : 0.3);
    }
  return h;
}

}  // namespace

TEST_SUITE("budget") {
  TEST_CASE("user-days are distinct users and UTC days") {
    History h = history({});
    CHECK(ad::user_days(h.events) == 1000);
    h.events.push_back(h.events.back());
    h.events.back().time_ms += 3600000;  // the same user later that day
    CHECK(ad::user_days(h.events) == 1000);
  }

  TEST_CASE("incidents counted at a threshold") {
    History h = history({0.9, 0.8, 0.7});
    CHECK(ad::count_incidents(h.events, h.scores, 0.95) == 0);
    CHECK(ad::count_incidents(h.events, h.scores, 0.75) == 2);
    CHECK(ad::count_incidents(h.events, h.scores, 0.5) == 3);
    CHECK(ad::count_incidents(h.events, h.scores, 0.1) == 1000);  // a day apart: one incident per login
  }

  TEST_CASE("logins flagged by their signals count whatever the threshold, and take their share of the budget") {
    using namespace ad::signal;
    History h = history({0.97, 0.96, 0.95, 0.94, 0.93, 0.92, 0.91, 0.9});
    // Two logins of user5, on days 3 and 50, whose signals alone score 70 (a session
    // replayed from a network nobody uses, from a new country), at an ordinary score.
    for (std::size_t i : {3 * 10 + 5, 50 * 10 + 5})
      h.events[i].signals = kNewNetwork | kUnusedNetwork | kConcurrentSession | kNewCountry;
    CHECK(ad::count_incidents(h.events, h.scores, 0.95) == 2);
    CHECK(ad::count_incidents(h.events, h.scores, 0.95, 70) == 4);
    CHECK(ad::count_incidents(h.events, h.scores, 0.95, 75) == 2);
    CHECK(ad::count_incidents(h.events, h.scores, 0.95, 0) == 2);  // off
    // Budget 3: without the signals the threshold flags 3 incidents; with them it rises
    // so that those two and one by score make the 3.
    CHECK(ad::fit_budget(h.events, h.scores, 3).threshold == doctest::Approx(0.94));
    ad::BudgetFit fit = ad::fit_budget(h.events, h.scores, 3, 60);
    CHECK(fit.incidents == 3);
    CHECK(fit.threshold == doctest::Approx(0.96));
  }

  TEST_CASE("the lowest threshold that meets the budget") {
    History h = history({0.97, 0.96, 0.95, 0.94, 0.93, 0.92, 0.91, 0.9});
    ad::BudgetFit fit = ad::fit_budget(h.events, h.scores, 3);  // 3 per 1,000 user-days: 3 incidents
    CHECK(fit.user_days == 1000);
    CHECK(fit.incidents == 3);
    CHECK(fit.threshold == doctest::Approx(0.94));
    fit = ad::fit_budget(h.events, h.scores, 5.5);
    CHECK(fit.incidents == 5);
    CHECK(fit.threshold == doctest::Approx(0.92));
    fit = ad::fit_budget(h.events, h.scores, 0.5);  // not even one: flag nothing
    CHECK(fit.incidents == 0);
    CHECK(fit.threshold == doctest::Approx(0.97));
    fit = ad::fit_budget(h.events, h.scores, 1000);  // anything goes: the lowest score
    CHECK(fit.threshold == doctest::Approx(0.3));
    CHECK_THROWS_AS(ad::fit_budget(h.events, h.scores, 0), ad::Error);
  }
}
