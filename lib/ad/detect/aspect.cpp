#include "ad/detect/aspect.h"

#include <algorithm>
#include <cmath>

#include "ad/core/error.h"
#include "ad/detect/login.h"
#include "ad/core/roles.h"

namespace ad {

std::string_view aspect_name(Aspect a) {
  switch (a) {
    case Aspect::kPlace: return "place";
    case Aspect::kDevice: return "device";
    case Aspect::kTime: return "time";
    case Aspect::kAttempts: return "attempts";
    case Aspect::kNetwork: return "network";
  }
  return "?";
}

std::vector<Aspect> default_aspects() { return {Aspect::kTime, Aspect::kNetwork}; }

std::vector<Aspect> parse_aspects(std::string_view list) {
  std::vector<Aspect> out;
  if (list == "none") return out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t comma = list.find(',', pos);
    std::string_view name = list.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
    bool found = false;
    for (int a = 0; a < kAspectCount && !found; ++a)
      if (name == aspect_name(static_cast<Aspect>(a))) {
        found = true;
        if (std::find(out.begin(), out.end(), static_cast<Aspect>(a)) == out.end()) out.push_back(static_cast<Aspect>(a));
      }
    if (!found)
      throw usage_error("--aspects: unknown aspect '" + std::string(name) +
                        "' (choose from place, device, time, attempts, network, or none)");
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

std::optional<Aspect> aspect_of(const Feature& f) {
  switch (f.kind) {
    case FeatureKind::kNumeric:
    case FeatureKind::kCategorical:
      return std::nullopt;
    case FeatureKind::kRarity:
      if (f.role == static_cast<int>(Role::kIp) || f.role == static_cast<int>(Role::kCountry)) return Aspect::kPlace;
      return std::nullopt;
    case FeatureKind::kFailure:
      return Aspect::kAttempts;
    default:
      break;
  }
  if (!is_derived(f.kind)) return std::nullopt;
  switch (static_cast<Derived>(static_cast<int>(f.kind) - kDerivedKindBase)) {
    case Derived::kHistory:
      return std::nullopt;
    case Derived::kNewIp:
    case Derived::kNewNetwork:
    case Derived::kNewCountry:
    case Derived::kNewCity:
    case Derived::kTravelSpeed:
      return Aspect::kPlace;
    case Derived::kNewWideNetwork:
    case Derived::kNetworkUsers:
    case Derived::kConcurrentSession:
    case Derived::kNewEverything:
    case Derived::kPlaceJump:
      return Aspect::kNetwork;
    case Derived::kNewDevice:
    case Derived::kNewUserAgent:
      return Aspect::kDevice;
    case Derived::kHourUnusual:
    case Derived::kWeekdayUnusual:
    case Derived::kHourRarity:
      return Aspect::kTime;
    case Derived::kUserFailures:
    case Derived::kIpFailures:
    case Derived::kIpUsers:
    case Derived::kUserLogins:
    case Derived::kSuccessAfterFailures:
      return Aspect::kAttempts;
  }
  return std::nullopt;
}

std::string aspect_features(Aspect a, const std::vector<Feature>& features) {
  std::string names;
  for (const auto& f : features)
    if (aspect_of(f) == a) names += (names.empty() ? "" : ", ") + f.label();
  return names;
}

double map_quantiles(double score, const std::vector<double>& from, const std::vector<double>& to) {
  if (std::isnan(score)) return score;
  const double from_lo = from.front(), from_hi = from.back(), to_lo = to.front(), to_hi = to.back();
  if (score > from_hi) return from_hi < 1 ? to_hi + (score - from_hi) * (1 - to_hi) / (1 - from_hi) : to_hi;
  if (score < from_lo) return from_lo > 0 ? to_lo * score / from_lo : to_lo;
  // A score shared by several quantiles maps to the middle of them (mid-rank).
  auto lo = std::lower_bound(from.begin(), from.end(), score);
  std::size_t i = static_cast<std::size_t>(lo - from.begin());
  if (*lo == score) {
    std::size_t j = static_cast<std::size_t>(std::upper_bound(lo, from.end(), score) - from.begin()) - 1;
    std::size_t mid = (i + j) / 2;
    return (i + j) % 2 ? (to[mid] + to[mid + 1]) / 2 : to[mid];
  }
  double frac = (score - from[i - 1]) / (from[i] - from[i - 1]);
  return to[i - 1] + frac * (to[i] - to[i - 1]);
}

}  // namespace ad
