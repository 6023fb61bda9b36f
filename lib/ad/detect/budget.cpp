#include "ad/detect/budget.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <string>
#include <utility>

#include "ad/core/error.h"

namespace ad {

std::uint64_t user_days(const std::vector<IncidentEvent>& events) {
  std::set<std::pair<std::string_view, std::int64_t>> days;
  for (const auto& e : events) {
    const std::int64_t day = e.time_ms >= 0 ? e.time_ms / 86400000 : (e.time_ms - 86399999) / 86400000;
    days.emplace(e.user, day);
  }
  return days.size();
}

std::uint64_t count_incidents(const std::vector<IncidentEvent>& events, const std::vector<double>& scores,
                              double threshold, double signal_threshold) {
  IncidentGrouper grouper;
  IncidentEvent e;
  for (std::size_t i = 0; i < events.size(); ++i) {
    e = events[i];
    e.flagged = flagged(scores[i], threshold, e.signals, signal_threshold);
    grouper.add(e);
  }
  return grouper.opened();
}

BudgetFit fit_budget(const std::vector<IncidentEvent>& events, const std::vector<double>& scores, double budget,
                     double signal_threshold) {
  if (!(budget > 0)) throw usage_error("the alert budget must be above 0");
  BudgetFit fit;
  fit.user_days = user_days(events);
  std::vector<double> cand(scores);
  std::sort(cand.begin(), cand.end());
  cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
  if (cand.empty()) return fit;
  const double allowed = budget * static_cast<double>(fit.user_days) / 1000.0;
  auto meets = [&](std::size_t i, std::uint64_t& n) {
    n = count_incidents(events, scores, cand[i], signal_threshold);
    return static_cast<double>(n) <= allowed;
  };
  // cand.back() flags nothing, so it always meets the budget.
  std::size_t lo = 0, hi = cand.size() - 1;
  std::uint64_t n = 0;
  if (meets(lo, n)) hi = lo;
  while (hi - lo > 1) {  // invariant: lo fails, hi meets
    std::size_t mid = lo + (hi - lo) / 2;
    if (meets(mid, n))
      hi = mid;
    else
      lo = mid;
  }
  fit.threshold = cand[hi];
  fit.incidents = count_incidents(events, scores, fit.threshold, signal_threshold);
  return fit;
}

void calibrate_budget(Model& model, const std::vector<double>& calib_scores, const std::vector<std::size_t>& calib,
                      const std::vector<std::uint64_t>& order, const std::vector<IncidentEvent>& events,
                      double budget) {
  std::vector<std::size_t> ks(calib.size());
  std::iota(ks.begin(), ks.end(), std::size_t{0});
  std::sort(ks.begin(), ks.end(), [&](std::size_t a, std::size_t b) { return order[calib[a]] < order[calib[b]]; });
  std::vector<IncidentEvent> replay;
  std::vector<double> scores;
  replay.reserve(ks.size());
  scores.reserve(ks.size());
  for (std::size_t k : ks) {
    replay.push_back(events[calib[k]]);
    scores.push_back(calib_scores[k]);
  }
  BudgetFit fit = fit_budget(replay, scores, budget, model.signal_threshold);
  model.threshold = fit.threshold;
  model.info.budget = budget;
  model.info.budget_user_days = fit.user_days;
  model.info.budget_incidents = fit.incidents;
}

}  // namespace ad
