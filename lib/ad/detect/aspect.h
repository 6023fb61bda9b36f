// aspect.h: judging each aspect of a login on its own, as well as the login as a whole.
//
// An Isolation Forest averages path lengths over trees that pick their features at
// random. A login that is odd in one way only, say a 03:00 login from the user's own
// laptop at home, differs from the bulk in one feature of twenty; most trees never
// test that feature, and the average hides it. So, for login data, ad-train grows,
// besides the forest over all features (the "whole" forest), one forest per aspect
// of a login, over that aspect's features alone:
//
//   place     network and country rarity, new IP, network, country and city for the
//             user, travel speed
//   network   the wide network's features (network.h): new for the user, its users
//             here, concurrent sessions, new place, network and device at once
//   device    new device and user agent for the user
//   time      how unusual the hour and the weekday are for the user
//   attempts  the outcome, failures per user and per IP, users per IP, logins per
//             user, success after failures
//
// Scores of different forests are not on one scale, so each aspect's score is carried
// onto the whole forest's scale by quantile mapping: an aspect score at the q-th
// quantile of that aspect's training scores becomes the q-th quantile of the whole
// forest's training scores (linear between the 1001 stored quantiles, and linear from
// the top quantile to 1 above it). A login's anomaly_score is the largest of the whole
// forest's score and the mapped aspect scores. The threshold is then set on these
// combined scores, so the flagged share of training logins is still the contamination.
//
// Aspect forests have split ceilings (forest.h, has_ceilings); the whole forest has none
// and stays scikit-learn's. An aspect has few features, and without ceilings its score
// saturates: a session replayed from a network nobody uses, minutes after the victim's
// own login, is far beyond anything in training, yet it ends in the same leaves as the
// most extreme training login (a traveller's first login abroad), so both map to the
// whole forest's top training score, and the alert budget's threshold lies above it. With
// ceilings the replay scores above every training login. Measured with scripts/evaluate
// over data seeds 0-3 and realistic forest seeds 1-3 (27 runs, 848 attack incidents):
// 670 -> 701 raised, false incidents 307 -> 299 (2.66 -> 2.59 per 1,000 user-days);
// realistic data, forest seed 0: proxy takeover 1 -> 3 of 5, session replay 1 -> 3.
//
// Generic columns and the user's history length belong to no aspect: only the whole
// forest sees them. Data without user and time columns has no aspects, and its score
// is the whole forest's, exactly as scikit-learn's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ad/detect/features.h"
#include "ad/detect/forest.h"

namespace ad {

// Stored in model files: never renumber.
enum class Aspect : std::uint8_t { kPlace = 0, kDevice = 1, kTime = 2, kAttempts = 3, kNetwork = 4 };
inline constexpr int kAspectCount = 5;

std::string_view aspect_name(Aspect a);

// The aspects ad-train gives a forest of their own by default: time and network.
std::vector<Aspect> default_aspects();

// Parses a comma-separated list of aspect names, or "none". Throws ad::Error(kUsage)
// naming an unknown aspect.
std::vector<Aspect> parse_aspects(std::string_view list);

// The aspect feature f belongs to, if any.
std::optional<Aspect> aspect_of(const Feature& f);

// The labels of the features of aspect a, joined by ", " ("hour_unusual, weekday_unusual").
std::string aspect_features(Aspect a, const std::vector<Feature>& features);

struct AspectForest {
  Aspect aspect = Aspect::kPlace;
  Forest forest;                  // splits only on the aspect's features
  std::vector<double> quantiles;  // its training scores' quantiles, ascending
};

// Carries score from the scale of the ascending quantiles `from` onto that of `to`
// (same length, at least 2): linear between matching quantiles, and from the ends
// linearly to 0 and 1.
double map_quantiles(double score, const std::vector<double>& from, const std::vector<double>& to);

}  // namespace ad
