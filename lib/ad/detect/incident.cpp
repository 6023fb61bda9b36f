#include "ad/detect/incident.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ad/core/sha256.h"
#include "ad/core/text.h"
#include "ad/core/timestamp.h"

namespace ad {

namespace {

constexpr std::uint32_t kBurst = signal::kUserBurst | signal::kSourceBurst;
constexpr std::uint32_t kNewPlace = signal::kNewNetwork | signal::kNewCountry;

bool has(std::uint32_t bits, std::uint32_t any) { return (bits & any) != 0; }

// Adds name to the distinct list (kept up to Incident::kMaxUsersKept); true if new.
bool remember(std::vector<std::string>& names, std::uint32_t& count, const std::string& name) {
  if (std::find(names.begin(), names.end(), name) != names.end()) return false;
  ++count;
  if (names.size() < Incident::kMaxUsersKept) names.push_back(name);
  return true;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::uint32_t login_signals(const LoginContext& ctx) {
  auto v = [&](Derived d) { return ctx.values[static_cast<std::size_t>(d)]; };
  auto never = [](double x) { return !std::isnan(x) && x >= 0.999; };
  std::uint32_t s = 0;
  if (never(v(Derived::kNewNetwork)) || (std::isnan(v(Derived::kNewNetwork)) && never(v(Derived::kNewIp))))
    s |= signal::kNewNetwork;
  if (never(v(Derived::kNewCountry))) s |= signal::kNewCountry;
  if (never(v(Derived::kNewDevice)) || never(v(Derived::kNewUserAgent))) s |= signal::kNewDevice;
  if (v(Derived::kTravelSpeed) > kFastTravelKmh) s |= signal::kFastTravel;
  if (v(Derived::kHourUnusual) >= kOffHoursBits) s |= signal::kOffHours;
  if (ctx.counts.user_failures_short >= 5) s |= signal::kUserBurst;
  if (ctx.counts.ip_failures_short >= 10) s |= signal::kSourceBurst;
  if (ctx.success && *ctx.success && ctx.counts.user_failures_long >= 3) s |= signal::kSuccessAfterFailures;
  if (ctx.prior_logins == 0) s |= signal::kUnknownUser;
  // As concurrent_session counts it: a login of unknown outcome counts as a success.
  const bool success = !ctx.success || *ctx.success;
  if (success && !ctx.session_from.empty() && ctx.session_minutes <= kConcurrentMinutes &&
      never(v(Derived::kNewWideNetwork)))
    s |= signal::kConcurrentSession;
  if (!std::isnan(v(Derived::kNewWideNetwork)) && ctx.network_users == 0) s |= signal::kUnusedNetwork;
  if (has(s, signal::kConcurrentSession) && has(s, signal::kUnusedNetwork) && ctx.session_same_client &&
      ctx.session_from_logins >= kKnownNetworkLogins &&
      !mobile_client(ctx.current[static_cast<int>(Trait::kDevice)], ctx.current[static_cast<int>(Trait::kUserAgent)]))
    s |= signal::kSessionCopy;
  // Judged only for a success at an unusual hour at night (few logins are).
  auto at_home = [&] {
    constexpr std::uint32_t kSomethingNew = signal::kNewNetwork | signal::kNewCountry | signal::kNewDevice |
                                            signal::kUnusedNetwork | signal::kUnknownUser;
    if (std::isnan(v(Derived::kTravelSpeed)) || ctx.km >= kHomeKm || has(s, kSomethingNew) ||
        never(v(Derived::kNewCity)) || never(v(Derived::kNewWideNetwork)))
      return false;
    // The user's most frequent city (else country): a trip's city, once seen, is not it.
    auto usual = [&](Trait t) { return ctx.current[static_cast<int>(t)] == ctx.usual[static_cast<int>(t)]; };
    if (!ctx.current[static_cast<int>(Trait::kCity)].empty()) return usual(Trait::kCity);
    return ctx.current[static_cast<int>(Trait::kCountry)].empty() || usual(Trait::kCountry);
  };
  const bool night = ctx.local_hour >= kNightStartHour && ctx.local_hour < kNightEndHour;
  if (success && has(s, signal::kOffHours) && night && at_home()) s |= signal::kNightAtHome;
  return s;
}

IncidentEvent incident_event(const LoginContext& ctx, std::string_view user, std::uint32_t signals, bool flagged) {
  IncidentEvent e;
  e.time_ms = ctx.time_ms;
  e.user = std::string(kept_value(user));
  e.ip = ctx.current[static_cast<int>(Trait::kIp)];
  e.network = ctx.current[static_cast<int>(Trait::kNetwork)];
  e.success = ctx.success;
  e.signals = signals;
  e.flagged = flagged;
  return e;
}

std::string_view incident_kind_name(IncidentKind kind) {
  switch (kind) {
    case IncidentKind::kOther: return "other";
    case IncidentKind::kNovelty: return "novelty";
    case IncidentKind::kOffHours: return "off_hours";
    case IncidentKind::kConcurrentSession: return "concurrent_session";
    case IncidentKind::kTravel: return "travel";
    case IncidentKind::kTakeover: return "takeover";
    case IncidentKind::kBruteForce: return "brute_force";
    case IncidentKind::kSpray: return "spray";
  }
  return "other";
}

double incident_score(const Incident& inc) {
  const std::uint32_t s = inc.signals;
  double points = 0;
  int aspects = 0;
  double place = has(s, signal::kFastTravel)
                     ? 35
                     : (has(s, signal::kNewCountry) ? 15 : 0) + (has(s, signal::kNewNetwork) ? 10 : 0) +
                           (has(s, signal::kUnusedNetwork) ? 10 : 0);
  if (place > 0) {
    points += place;
    ++aspects;
  }
  if (has(s, signal::kNewDevice)) {
    points += 10;
    ++aspects;
  }
  if (has(s, signal::kOffHours)) {
    points += has(s, signal::kNightAtHome) ? 60 : 10;
    ++aspects;
  }
  if (has(s, signal::kConcurrentSession)) {
    points += has(s, signal::kSessionCopy) ? 35 : 25;
    ++aspects;
  }
  const bool burst = has(s, kBurst);
  const bool taken = has(s, signal::kSuccessAfterFailures) || inc.success_after_failure;
  if (burst || taken) {
    points += (burst ? 20 : 0) + (taken ? 30 : 0);
    ++aspects;
  }
  if (aspects > 1) points += 10.0 * (aspects - 1);
  if (inc.user_count > 1) points += std::min(30.0, 10.0 * std::log2(static_cast<double>(inc.user_count)));
  if (inc.events > 1) points += std::min(10.0, 5.0 * std::log2(static_cast<double>(inc.events)));
  return std::min(100.0, points);
}

double signal_score(std::uint32_t signals) {
  Incident alone;
  alone.signals = signals;
  alone.events = 1;
  alone.user_count = 1;
  return incident_score(alone);
}

bool flagged(double score, double threshold, std::uint32_t signals, double signal_threshold) {
  // Most logins have no signal: no incident to score for them.
  return score > threshold || (signal_threshold > 0 && signals != 0 && signal_score(signals) >= signal_threshold);
}

std::vector<Derived> signal_features(const LoginContext& ctx, std::size_t max) {
  const std::uint32_t signals = login_signals(ctx);
  // A new device type, else (the signal's other half) a new user agent.
  const double device = ctx.values[static_cast<std::size_t>(Derived::kNewDevice)];
  const Derived new_client = !std::isnan(device) && device >= 0.999 ? Derived::kNewDevice : Derived::kNewUserAgent;
  // By incident_score's points: night at home 60, travel 35, success after failures 30,
  // a concurrent session 25, a burst 20, a new country 15, then 10 each.
  static constexpr std::pair<std::uint32_t, Derived> kOrder[] = {
      {signal::kNightAtHome, Derived::kHourUnusual},
      {signal::kFastTravel, Derived::kTravelSpeed},
      {signal::kSuccessAfterFailures, Derived::kSuccessAfterFailures},
      {signal::kConcurrentSession, Derived::kConcurrentSession},
      {signal::kUserBurst, Derived::kUserFailures},
      {signal::kSourceBurst, Derived::kIpFailures},
      {signal::kNewCountry, Derived::kNewCountry},
      {signal::kUnusedNetwork, Derived::kNetworkUsers},
      {signal::kNewNetwork, Derived::kNewNetwork},
      {signal::kNewDevice, Derived::kNewDevice},
      {signal::kOffHours, Derived::kHourUnusual},
  };
  std::vector<Derived> out;
  for (const auto& [bit, feature] : kOrder) {
    const Derived f = bit == signal::kNewDevice ? new_client : feature;
    if (has(signals, bit) && out.size() < max && std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  }
  return out;
}

IncidentKind incident_kind(const Incident& inc) {
  const std::uint32_t s = inc.signals;
  if (inc.failed_user_count >= 3) return IncidentKind::kSpray;
  if (has(s, kBurst)) return IncidentKind::kBruteForce;
  if (has(s, signal::kSuccessAfterFailures) || inc.success_after_failure) return IncidentKind::kTakeover;
  if (has(s, signal::kFastTravel)) return IncidentKind::kTravel;
  if (has(s, kNewPlace) && has(s, signal::kNewDevice)) return IncidentKind::kTakeover;
  if (has(s, signal::kConcurrentSession)) return IncidentKind::kConcurrentSession;
  if (has(s, signal::kOffHours)) return IncidentKind::kOffHours;
  if (has(s, kNewPlace | signal::kNewDevice)) return IncidentKind::kNovelty;
  return IncidentKind::kOther;
}

std::string incident_id(const IncidentEvent& e) {
  const std::int64_t ms = e.time_ms;
  const std::int64_t day = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
  const std::int64_t sec = (ms - day * 86400000) / 1000;
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(day, y, m, d);
  std::string hash = text::hex(sha256(fmt::format("{}\n{}\n{}", ms, e.user, e.ip))).substr(0, 8);
  return fmt::format("I-{:04}{:02}{:02}T{:02}{:02}{:02}-{}", y, m, d, sec / 3600, sec / 60 % 60, sec % 60, hash);
}

bool IncidentGrouper::campaign(const IncidentEvent& e) {
  const std::int64_t t = e.time_ms;
  while (!foreign_failures_.empty() && foreign_failures_.front().first < t - kCampaignWindowMs) {
    auto it = foreign_users_.find(foreign_failures_.front().second);
    if (it != foreign_users_.end() && --it->second == 0) foreign_users_.erase(it);
    foreign_failures_.pop_front();
  }
  if (e.user.empty() || !has(e.signals, signal::kNewNetwork | signal::kUnknownUser)) return false;
  if (!(e.success && !*e.success)) return e.success && foreign_users_.size() >= kCampaignUsers;
  foreign_failures_.emplace_back(t, e.user);
  ++foreign_users_[e.user];
  if (foreign_failures_.size() > kMaxCampaignEvents) {
    auto it = foreign_users_.find(foreign_failures_.front().second);
    if (it != foreign_users_.end() && --it->second == 0) foreign_users_.erase(it);
    foreign_failures_.pop_front();
  }
  return true;
}

void IncidentGrouper::join(Incident& inc, const IncidentEvent& e) {
  ++inc.events;
  inc.last_ms = std::max(inc.last_ms, e.time_ms);
  inc.signals |= e.signals;
  if (!e.user.empty()) remember(inc.users, inc.user_count, e.user);
  if (e.success && !*e.success) {
    ++inc.failures;
    if (!e.user.empty()) remember(inc.failed_users, inc.failed_user_count, e.user);
  } else if (e.success && contains(inc.failed_users, e.user)) {
    inc.success_after_failure = true;
  }
  inc.score = incident_score(inc);
  inc.kind = incident_kind(inc);
}

void IncidentGrouper::sweep(std::int64_t now_ms) {
  for (auto it = incidents_.begin(); it != incidents_.end();) {
    const Incident& inc = it->second;
    if (inc.last_ms + kSourceGapMs < now_ms || now_ms - inc.first_ms > kMaxSpanMs)
      it = incidents_.erase(it);
    else
      ++it;
  }
  for (auto it = keys_.begin(); it != keys_.end();) {
    if (it->second.last_ms + it->second.gap_ms < now_ms || !incidents_.count(it->second.seq))
      it = keys_.erase(it);
    else
      ++it;
  }
}

void IncidentGrouper::evict_oldest() {
  if (incidents_.size() > kMaxOpen) {
    std::vector<std::pair<std::int64_t, std::uint64_t>> by_last;
    for (const auto& [seq, inc] : incidents_) by_last.emplace_back(inc.last_ms, seq);
    std::sort(by_last.begin(), by_last.end());
    for (std::size_t i = 0; i < by_last.size() - kMaxOpen * 3 / 4; ++i) incidents_.erase(by_last[i].second);
  }
  for (auto it = keys_.begin(); it != keys_.end();)
    it = incidents_.count(it->second.seq) ? std::next(it) : keys_.erase(it);
  if (keys_.size() > kMaxKeys) {
    std::vector<std::pair<std::int64_t, std::string>> by_last;
    for (const auto& [key, link] : keys_) by_last.emplace_back(link.last_ms, key);
    std::sort(by_last.begin(), by_last.end());
    for (std::size_t i = 0; i < by_last.size() - kMaxKeys * 3 / 4; ++i) keys_.erase(by_last[i].second);
  }
}

const Incident* IncidentGrouper::add(const IncidentEvent& e) {
  if (++adds_ % 1024 == 0) sweep(e.time_ms);
  const bool in_campaign = campaign(e);
  if (!e.flagged) return nullptr;
  if (incidents_.size() >= kMaxOpen || keys_.size() + 4 > kMaxKeys) {
    sweep(e.time_ms);
    evict_oldest();
  }
  std::vector<std::pair<std::string, std::int64_t>> keys;
  if (!e.user.empty()) keys.emplace_back("u:" + e.user, kUserGapMs);
  if (!e.ip.empty()) keys.emplace_back("i:" + e.ip, kSourceGapMs);
  if (!e.network.empty() && e.network != e.ip) keys.emplace_back("n:" + e.network, kSourceGapMs);
  if (in_campaign) keys.emplace_back("c:", kCampaignWindowMs);
  Incident* best = nullptr;
  for (const auto& [key, gap] : keys) {
    auto it = keys_.find(key);
    if (it == keys_.end() || it->second.last_ms + it->second.gap_ms < e.time_ms) continue;
    auto inc = incidents_.find(it->second.seq);
    if (inc == incidents_.end() || e.time_ms - inc->second.first_ms > kMaxSpanMs) continue;
    if (!best || inc->second.seq < best->seq) best = &inc->second;
  }
  if (!best) {
    const std::uint64_t seq = next_seq_++;
    best = &incidents_[seq];
    best->id = incident_id(e);
    best->seq = seq;
    best->first_ms = best->last_ms = e.time_ms;
  }
  join(*best, e);
  for (const auto& [key, gap] : keys) {
    Link& link = keys_[key];
    link.last_ms = link.seq == best->seq ? std::max(link.last_ms, e.time_ms) : e.time_ms;
    link.seq = best->seq;
    link.gap_ms = gap;
  }
  return best;
}

}  // namespace ad
