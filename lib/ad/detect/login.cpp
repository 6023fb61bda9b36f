#include "ad/detect/login.h"

#include <fmt/format.h>

#include <cmath>

#include "ad/core/error.h"
#include "ad/core/text.h"
#include "ad/detect/explain.h"
#include "ad/detect/features.h"
#include "ad/detect/ip.h"

namespace ad {

namespace {

constexpr std::array<std::string_view, kDerivedCount> kNames = {
    "history",     "new_ip",          "new_network", "new_country",  "new_city",
    "new_device",  "new_user_agent",  "hour_unusual", "weekday_unusual", "travel_speed",
    "user_failures", "ip_failures",   "ip_users",    "user_logins",  "success_after_failures",
    "new_wide_network", "network_users", "concurrent_session", "new_everything", "place_jump",
    "hour_rarity"};

int d(Derived x) { return static_cast<int>(x); }


// "1 failed login", "2 failed logins".
std::string count_of(std::uint32_t n, std::string_view what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

// How surprising `hour` is in the hour histogram `hours` of `logins` logins, in bits:
// -log2 of the share of logins within two hours of it (weights 1 2 3 2 1), smoothed by
// kSmooth logins added to every hour.
double hour_surprise(const Hours& hours, int hour, std::uint32_t logins) {
  constexpr double kWeights[5] = {1, 2, 3, 2, 1};  // hours -2 .. +2, 9 in all
  constexpr double kSmooth = 0.1;
  double near = 0;
  for (int k = -2; k <= 2; ++k) near += kWeights[k + 2] * (hours[static_cast<std::size_t>((hour + k + 24) % 24)] + kSmooth);
  return -std::log2(near / (9.0 * (logins + 24 * kSmooth)));
}

}  // namespace

std::string user_agent_family(std::string_view ua) {
  std::string out;
  for (std::size_t i = 0; i < ua.size(); ++i) {
    if (ua[i] >= '0' && ua[i] <= '9') {
      while (i + 1 < ua.size() && ((ua[i + 1] >= '0' && ua[i + 1] <= '9') ||
                                   (ua[i + 1] == '.' && i + 2 < ua.size() && ua[i + 2] >= '0' && ua[i + 2] <= '9')))
        ++i;
      out.push_back('*');
    } else {
      out.push_back(ua[i]);
    }
  }
  return out;
}

std::string_view derived_name(Derived x) { return kNames[static_cast<std::size_t>(d(x))]; }

LoginColumns LoginColumns::bind(const std::array<std::string, kRoleCount>& trained,
                                const std::vector<std::string>& header, const Roles& roles,
                                const std::string& input_name, bool require_trained) {
  LoginColumns c;
  for (int r = 0; r < kRoleCount; ++r) {
    int found = -1;
    if (!trained[r].empty())
      for (std::size_t i = 0; i < header.size() && found < 0; ++i)
        if (header[i] == trained[r]) found = static_cast<int>(i);
    if (found < 0) found = roles[static_cast<Role>(r)];
    bool optional = r == static_cast<int>(Role::kActivity) || r == static_cast<int>(Role::kId);
    if (found < 0 && require_trained && !trained[r].empty() && !optional)
      throw data_error("column " + text::quote(trained[r]) + " (role " + std::string(role_name(static_cast<Role>(r))) +
                           ") is required by the model but missing from the input; "
                           "name it with --map ROLE=COLUMN or add the column",
                       Location{input_name});
    c.col_[static_cast<std::size_t>(r)] = found;
  }
  return c;
}

std::vector<Derived> available_derived(const LoginColumns& c, bool places) {
  std::vector<Derived> out;
  if (!c.has(Role::kUser) || !c.has(Role::kTime)) return out;
  bool outcome = c.has(Role::kOutcome), ip = c.has(Role::kIp);
  places = places && ip;
  bool country = c.has(Role::kCountry) || places, city = c.has(Role::kCity) || places;
  bool place = country || (c.has(Role::kLatitude) && c.has(Role::kLongitude));
  out.push_back(Derived::kHistory);
  if (ip) out.push_back(Derived::kNewIp);
  if (ip) out.push_back(Derived::kNewNetwork);
  if (country) out.push_back(Derived::kNewCountry);
  if (city) out.push_back(Derived::kNewCity);
  if (c.has(Role::kDevice)) out.push_back(Derived::kNewDevice);
  if (c.has(Role::kUserAgent)) out.push_back(Derived::kNewUserAgent);
  out.push_back(Derived::kHourUnusual);
  out.push_back(Derived::kWeekdayUnusual);
  out.push_back(Derived::kHourRarity);
  if (place) out.push_back(Derived::kTravelSpeed);
  if (outcome) out.push_back(Derived::kUserFailures);
  if (outcome && ip) out.push_back(Derived::kIpFailures);
  if (ip) out.push_back(Derived::kIpUsers);
  out.push_back(Derived::kUserLogins);
  if (outcome) out.push_back(Derived::kSuccessAfterFailures);
  if (ip) out.push_back(Derived::kNewWideNetwork);
  if (ip) out.push_back(Derived::kNetworkUsers);
  if (ip) out.push_back(Derived::kConcurrentSession);
  if (ip && country && (c.has(Role::kDevice) || c.has(Role::kUserAgent)))
    out.push_back(Derived::kNewEverything);
  if (ip && country) out.push_back(Derived::kPlaceJump);
  return out;
}

std::string_view kept_value(std::string_view v) { return v.substr(0, text::char_boundary(v, kMaxValueBytes)); }

LoginEvent read_event(const LoginColumns& c, const csv::Row& row, std::int64_t time_ms) {
  auto field = [&](Role r) -> std::string_view {
    return c.has(r) ? kept_value(row.fields[static_cast<std::size_t>(c[r])]) : std::string_view();
  };
  LoginEvent e;
  e.time_ms = time_ms;
  e.user = field(Role::kUser);
  e.traits[static_cast<int>(Trait::kIp)] = field(Role::kIp);
  e.traits[static_cast<int>(Trait::kCountry)] = field(Role::kCountry);
  e.traits[static_cast<int>(Trait::kCity)] = field(Role::kCity);
  e.traits[static_cast<int>(Trait::kDevice)] = field(Role::kDevice);
  e.traits[static_cast<int>(Trait::kUserAgent)] = field(Role::kUserAgent);
  if (c.has(Role::kOutcome)) e.success = parse_outcome(field(Role::kOutcome));
  double lat, lon;
  if (parse_number(field(Role::kLatitude), lat) && parse_number(field(Role::kLongitude), lon) &&
      std::abs(lat) <= 90 && std::abs(lon) <= 180)
    e.point = GeoPoint{lat, lon, false};
  else if (!field(Role::kCountry).empty())
    e.point = country_centroid(field(Role::kCountry));
  e.place_name = !field(Role::kCity).empty() ? field(Role::kCity) : field(Role::kCountry);
  return e;
}

namespace {

// A login's hour and minute in UTC, and in local solar time at its place.
struct Clock {
  int utc_hour = 0;
  int local_hour = 0, local_minute = 0;
};

// The day since 1970-01-01 of ms, and its hour and minute.
std::int64_t split_time(std::int64_t ms, int& hour, int& minute) {
  const std::int64_t day = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
  const std::int64_t in_day = ms - day * 86400000;
  hour = static_cast<int>(in_day / 3600000);
  minute = static_cast<int>(in_day / 60000 % 60);
  return day;
}

// Sets ctx's hour, minute and weekday in UTC, and returns the clock: the hour in UTC and
// in local solar time at the login's place (4 minutes a degree of longitude; UTC where
// the place is unknown).
Clock read_clock(const LoginEvent& e, LoginContext& ctx) {
  Clock clock;
  const std::int64_t day = split_time(e.time_ms, ctx.hour, ctx.minute);
  clock.utc_hour = ctx.hour;
  ctx.weekday = static_cast<int>(((day + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  const int offset_min = e.point ? static_cast<int>(std::lround(e.point->lon * 4.0)) : 0;
  split_time(e.time_ms + std::int64_t{offset_min} * 60000, clock.local_hour, clock.local_minute);
  return clock;
}

// This login's trait values as profiles keep them: the IP in one spelling, its network,
// the user agent's family.
void set_current(const LoginEvent& e, LoginContext& ctx) {
  for (int k = 0; k < kTraitCount; ++k)
    ctx.current[static_cast<std::size_t>(k)] = std::string(e.traits[static_cast<std::size_t>(k)]);
  std::string& address = ctx.current[static_cast<int>(Trait::kIp)];
  std::string& net = ctx.current[static_cast<int>(Trait::kNetwork)];
  if (auto names = ip_names(address)) {  // one parse for all three
    address = std::move(names->address);
    net = std::move(names->network);
    ctx.wide = std::move(names->wide);
  } else {
    net = address;  // not an address: judged as it is written
  }
  std::string& ua = ctx.current[static_cast<int>(Trait::kUserAgent)];
  ua = user_agent_family(ua);
}

// history, and new_ip ... new_user_agent.
void judge_novelty(const UserProfile* p, LoginContext& ctx) {
  const std::uint32_t logins = p ? p->logins : 0;
  ctx.prior_logins = logins;
  ctx.values[d(Derived::kHistory)] = std::log2(1.0 + logins);
  if (!p || logins == 0) return;
  for (int k = 0; k < kTraitCount; ++k) {
    const std::string& v = ctx.current[static_cast<std::size_t>(k)];
    ctx.usual[static_cast<std::size_t>(k)] = p->traits[static_cast<std::size_t>(k)].top();
    if (v.empty()) continue;
    ctx.values[d(Derived::kNewIp) + k] = 1.0 / (1.0 + p->traits[static_cast<std::size_t>(k)].count(v));
  }
}

// hour_unusual and weekday_unusual.
void judge_time(const UserProfile* p, const Clock& clock, LoginContext& ctx) {
  const std::uint32_t logins = p ? p->logins : 0;
  if (p && logins >= 5) {
    // The hour counts as unusual only if it is unusual in both clocks: a traveller may
    // keep home hours (UTC) or adopt local ones.
    double utc = hour_surprise(p->hours, ctx.hour, logins);
    double local = hour_surprise(p->local_hours, clock.local_hour, logins);
    ctx.values[d(Derived::kHourUnusual)] = std::min(utc, local);
    if (local < utc) {
      ctx.hour = clock.local_hour;
      ctx.minute = clock.local_minute;
      ctx.local_time = true;
    }
    const Hours& hours = ctx.local_time ? p->local_hours : p->hours;
    ctx.usual_hours = usual_hours(hours);
    for (int k = -2; k <= 2; ++k) ctx.near_logins += hours[static_cast<std::size_t>((ctx.hour + k + 24) % 24)];
  }
  if (p && logins >= 10) {
    double share = static_cast<double>(p->weekdays[static_cast<std::size_t>(ctx.weekday)]) / logins;
    ctx.values[d(Derived::kWeekdayUnusual)] = std::max(0.0, 1.0 - 7.0 * share);
  }
}

// travel_speed.
void judge_travel(const UserProfile* p, const LoginEvent& e, LoginContext& ctx) {
  if (!p || !p->has_place || !e.point) return;
  ctx.km = distance_km(p->place, *e.point);
  ctx.approximate = p->place.approximate || e.point->approximate;
  if (ctx.approximate && ctx.km < 1e-6) ctx.km = 0;  // the same country's centroid
  ctx.minutes = std::abs(static_cast<double>(e.time_ms - p->place_ms)) / 60000.0;
  ctx.values[d(Derived::kTravelSpeed)] = ctx.km / (std::max(ctx.minutes, 1.0) / 60.0);
  ctx.from_place = p->place_name;
}

// user_failures, ip_failures, ip_users, user_logins, success_after_failures.
void judge_attempts(Windows& windows, const LoginEvent& e, LoginContext& ctx) {
  ctx.counts = windows.counts(e.user, ctx.current[static_cast<int>(Trait::kIp)], e.time_ms);
  ctx.values[d(Derived::kUserFailures)] = ctx.counts.user_failures_short;
  ctx.values[d(Derived::kIpFailures)] = ctx.counts.ip_failures_short;
  ctx.values[d(Derived::kIpUsers)] = ctx.counts.ip_users_long;
  ctx.values[d(Derived::kUserLogins)] = ctx.counts.user_logins_long;
  if (e.success) ctx.values[d(Derived::kSuccessAfterFailures)] = *e.success ? ctx.counts.user_failures_long : 0;
}

// The larger of two novelties, either of which may be missing (NaN).
double newer(double a, double b) { return std::isnan(a) ? b : std::isnan(b) ? a : std::max(a, b); }

// new_wide_network, network_users, concurrent_session, new_everything and place_jump
// (network.h). Needs the novelties of judge_novelty. For a user's first kNetworkHistory
// logins every network is new: only network_users judges them.
void judge_network(const UserProfile* p, const NetworkPopulation& population, LoginContext& ctx) {
  if (ctx.wide.empty()) return;
  ctx.network_users = population.users(ctx.wide);
  ctx.values[d(Derived::kNetworkUsers)] = std::log2(1.0 + ctx.network_users);
  if (!p || p->logins < kNetworkHistory) return;
  const double novelty = 1.0 / (1.0 + p->wide_networks.count(ctx.wide));
  ctx.values[d(Derived::kNewWideNetwork)] = novelty;
  ctx.usual_wide = p->wide_networks.top();
  // Closeness to the user's previous success when it came from another wide network:
  // 2^(-gap / half-life), 0 for the same network (or a failure).
  const double gap_ms = std::max(0.0, static_cast<double>(ctx.time_ms - p->session_ms));
  const bool elsewhere = (!ctx.success || *ctx.success) && !p->session_net.empty() && p->session_net != ctx.wide;
  if (elsewhere) {
    ctx.session_minutes = gap_ms / 60000.0;
    ctx.session_from = p->session_net;
    ctx.session_from_logins = p->wide_networks.count(p->session_net);
    ctx.session_same_client = is_session_client(p->session_client, ctx.current[static_cast<int>(Trait::kDevice)],
                                                ctx.current[static_cast<int>(Trait::kUserAgent)]);
  }
  auto closeness = [&](std::int64_t half_life_ms) {
    return elsewhere ? std::exp2(-gap_ms / static_cast<double>(half_life_ms)) : 0.0;
  };
  ctx.values[d(Derived::kConcurrentSession)] = novelty / (1.0 + ctx.network_users) * closeness(kSessionHalfLifeMs);
  const double city = ctx.values[d(Derived::kNewCity)];
  ctx.place_is_city = !std::isnan(city);
  const double place = ctx.place_is_city ? city : ctx.values[d(Derived::kNewCountry)];
  if (std::isnan(place)) return;
  ctx.values[d(Derived::kPlaceJump)] = std::min(place, novelty) * closeness(kJumpHalfLifeMs);
  const double device = newer(ctx.values[d(Derived::kNewDevice)], ctx.values[d(Derived::kNewUserAgent)]);
  if (!std::isnan(device)) ctx.values[d(Derived::kNewEverything)] = std::min({place, novelty, device});
}

// Teaches the user's profile this login (profile.h's update rule), and the population
// a user new to the login's wide network.
void learn_profile(UserProfile& up, const LoginEvent& e, const LoginContext& ctx, const Clock& clock,
                   NetworkPopulation& population) {
  const std::int64_t t = e.time_ms;
  up.last_seen_ms = std::max(up.last_seen_ms, t);
  if (e.success && !*e.success) {
    ++up.failures;
    return;
  }
  ++up.logins;
  if (e.success) ++up.successes;
  for (int k = 0; k < kTraitCount; ++k)
    if (!ctx.current[static_cast<std::size_t>(k)].empty())
      up.traits[static_cast<std::size_t>(k)].add(ctx.current[static_cast<std::size_t>(k)], t);
  ++up.hours[static_cast<std::size_t>(clock.utc_hour)];
  ++up.local_hours[static_cast<std::size_t>(clock.local_hour)];
  ++up.weekdays[static_cast<std::size_t>(ctx.weekday)];
  if (!ctx.wide.empty()) {
    if (up.wide_networks.count(ctx.wide) == 0) population.add_user(ctx.wide);
    const std::string evicted = up.wide_networks.add(ctx.wide, t);
    if (!evicted.empty()) population.remove_user(evicted);
    if (t >= up.session_ms) {
      up.session_ms = t;
      up.session_net = ctx.wide;
      set_session_client(up.session_client, ctx.current[static_cast<int>(Trait::kDevice)],
                         ctx.current[static_cast<int>(Trait::kUserAgent)]);
    }
  }
  if (e.point && t >= up.place_ms) {
    up.has_place = true;
    up.place_ms = t;
    up.place = *e.point;
    up.place_name = std::string(e.place_name);
  }
}

}  // namespace

LoginEvent LoginTracker::fill_in(const LoginEvent& event) {
  LoginEvent e = event;
  facts_ = geoip_->lookup(e.traits[static_cast<int>(Trait::kIp)]);
  std::string_view& country = e.traits[static_cast<int>(Trait::kCountry)];
  std::string_view& city = e.traits[static_cast<int>(Trait::kCity)];
  // The database's place only where the event has none, or the same country's centroid.
  const bool same_country = country.empty() || country == facts_.country;
  if (country.empty()) country = facts_.country;
  if (city.empty() && same_country) city = facts_.city;
  if (facts_.point && same_country && (!e.point || e.point->approximate)) e.point = facts_.point;
  if (!e.point && !country.empty()) e.point = country_centroid(country);
  if (e.place_name.empty()) e.place_name = !city.empty() ? city : country;
  return e;
}

void LoginContext::reset() {
  // Every member, in order: a member added to LoginContext must be reset here too (the
  // size check, on the usual build, is there to say so).
#if defined(__x86_64__) && defined(__GLIBCXX__)
  static_assert(sizeof(LoginContext) == 848, "LoginContext changed: update reset()");
#endif
  time_ms = 0;
  success.reset();
  values.fill(0);
  for (auto& s : current) s.clear();
  for (auto& s : usual) s.clear();
  prior_logins = 0;
  hour = minute = weekday = 0;
  local_time = false;
  usual_hours = {-1, -1};
  near_logins = 0;
  local_hour = local_minute = 0;
  hour_share = 0;
  km = minutes = 0;
  approximate = false;
  from_place.clear();
  counts = {};
  wide.clear();
  network_kind.clear();
  usual_wide.clear();
  session_from.clear();
  network_users = 0;
  session_from_logins = 0;
  session_minutes = 0;
  place_is_city = false;
  session_same_client = false;
}

void LoginTracker::observe(const LoginEvent& event, LoginContext& ctx) {
  const LoginEvent& e = geoip_ ? fill_in(event) : event;
  ctx.reset();
  ctx.time_ms = e.time_ms;
  ctx.success = e.success;
  ctx.values.fill(NAN);
  const Clock clock = read_clock(e, ctx);
  set_current(e, ctx);
  if (geoip_ && geoip_->networks() && facts_.asn) ctx.wide = "AS" + std::to_string(facts_.asn);
  if (geoip_) ctx.network_kind = facts_.kind;

  // Judge, from what was known before this login.
  const UserProfile* p = profiles_.find(e.user);
  judge_novelty(p, ctx);
  judge_time(p, clock, ctx);
  judge_travel(p, e, ctx);
  judge_attempts(windows_, e, ctx);
  judge_network(p, population_, ctx);
  ctx.local_hour = clock.local_hour;
  ctx.local_minute = clock.local_minute;
  ctx.hour_share = hours_.share_near(clock.local_hour);
  ctx.values[d(Derived::kHourRarity)] = hours_.rarity(clock.local_hour);

  // Learn.
  windows_.add(e.user, ctx.current[static_cast<int>(Trait::kIp)], e.time_ms, e.success && !*e.success);
  if (e.user.empty()) return;
  const std::size_t users_before = profiles_.size();
  UserProfile& up = profiles_.get(e.user, e.time_ms);
  // A new user over max_users evicted others (profile.h): their networks no longer count.
  if (!p && profiles_.size() <= users_before) {
    population_ = NetworkPopulation(profiles_);
    hours_ = HourPopulation(profiles_);
  }
  learn_profile(up, e, ctx, clock, population_);
  if (!e.success || *e.success) hours_.add(clock.local_hour);  // as learn_profile counts hours
}

HourPopulation::HourPopulation(const Profiles& profiles) {
  for (const auto& [name, profile] : profiles.sorted())
    for (int h = 0; h < 24; ++h) {
      logins_[static_cast<std::size_t>(h)] += profile->local_hours[static_cast<std::size_t>(h)];
      total_ += profile->local_hours[static_cast<std::size_t>(h)];
    }
}

std::uint64_t HourPopulation::near(int hour) const {
  std::uint64_t n = 0;
  for (int k = -1; k <= 1; ++k) n += logins_[static_cast<std::size_t>((hour + k + 24) % 24)];
  return n;
}

double HourPopulation::share_near(int hour) const {
  return total_ == 0 ? 0 : static_cast<double>(near(hour)) / static_cast<double>(total_);
}

double HourPopulation::rarity(int hour) const {
  if (total_ < kHourPopulationMin) return NAN;
  const double share = (static_cast<double>(near(hour)) + 3.0) / (static_cast<double>(total_) + 24.0);
  return -std::log2(share / (3.0 / 24.0));
}

std::string describe_derived(Derived x, const LoginContext& c) {
  static const char* kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
  static const char* kTraitWords[] = {"IP", "network", "country", "city", "device", "user agent"};
  const double v = c.values[static_cast<std::size_t>(d(x))];
  switch (x) {
    case Derived::kHistory:
      return c.prior_logins == 0 ? "first login of this user"
                                 : "new user: " + count_of(c.prior_logins, "earlier login");
    case Derived::kNewIp:
    case Derived::kNewNetwork:
    case Derived::kNewCountry:
    case Derived::kNewCity:
    case Derived::kNewDevice:
    case Derived::kNewUserAgent: {
      int k = d(x) - d(Derived::kNewIp);
      const std::string& cur = c.current[static_cast<std::size_t>(k)];
      const std::string& usual = c.usual[static_cast<std::size_t>(k)];
      std::string head = std::isnan(v) ? fmt::format("{} for user: {}", kTraitWords[k], reason_value(cur))
                         : v >= 0.999 ? fmt::format("new {} for user: {}", kTraitWords[k], reason_value(cur))
                                      : fmt::format("rare {} for user: {} (seen {})", kTraitWords[k], reason_value(cur),
                                                    count_of(static_cast<std::uint32_t>(std::lround(1.0 / v - 1.0)), "time"));
      if (!usual.empty() && usual != cur) head += fmt::format(" (usual: {})", reason_value(usual));
      return head;
    }
    case Derived::kHourUnusual: {
      std::string_view zone = c.local_time ? "local time" : "UTC";
      if (c.usual_hours.first < 0) return fmt::format("login at {:02}:{:02} {}", c.hour, c.minute, zone);
      return fmt::format("login at {:02}:{:02} {}, usual {:02}-{:02}, {} of {} within 2 h", c.hour, c.minute, zone,
                         c.usual_hours.first, (c.usual_hours.second + 1) % 24, c.near_logins,
                         count_of(c.prior_logins, "login"));
    }
    case Derived::kWeekdayUnusual:
      return fmt::format("login on a {} (UTC), rare for this user", kDays[c.weekday]);
    case Derived::kHourRarity:
      return fmt::format("login at {:02}:{:02} local time, rare for everyone here: {:.1f}% of logins within 1 h",
                         c.local_hour, c.local_minute, 100.0 * c.hour_share);
    case Derived::kTravelSpeed: {
      std::string t = c.minutes >= 120 ? fmt::format("{:.0f} h", c.minutes / 60) : fmt::format("{:.0f} min", c.minutes);
      return fmt::format("travel {}{:.0f} km in {} since {}{}", c.approximate ? "~" : "", c.km, t,
                         reason_value(c.from_place), c.approximate ? " (country centroids)" : "");
    }
    case Derived::kUserFailures:
      return count_of(c.counts.user_failures_short, "failed login") + " for this user in 10 min";
    case Derived::kIpFailures:
      return fmt::format("{} from {} in 10 min", count_of(c.counts.ip_failures_short, "failed login"),
                         reason_value(c.current[static_cast<int>(Trait::kIp)]));
    case Derived::kIpUsers:
      return fmt::format("{} tried from {} in 1 h", count_of(c.counts.ip_users_long, "user"),
                         reason_value(c.current[static_cast<int>(Trait::kIp)]));
    case Derived::kUserLogins:
      return count_of(c.counts.user_logins_long, "login") + " by this user in 1 h";
    case Derived::kSuccessAfterFailures:
      return v > 0 ? "success after " + count_of(c.counts.user_failures_long, "failed login") + " in 1 h"
                   : "failed login";
    case Derived::kNewWideNetwork:
    case Derived::kNetworkUsers:
    case Derived::kConcurrentSession:
    case Derived::kNewEverything:
    case Derived::kPlaceJump:
      return describe_network(x, c);
  }
  return std::string(derived_name(x));
}

}  // namespace ad
