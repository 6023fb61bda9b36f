// login.h: login features that know who the user is and what just happened.
//
// A LoginTracker follows the logins of an input in order. For each login it first
// computes the derived features below from what it knew *before* the login (the
// user's profile, profile.h, and the recent windows, window.h), then learns from the
// login. ad-train runs it over the history, so the forest learns what these features
// look like for normal logins; ad-score runs the same code on new logins.
//
//   history           log2(1 + the user's earlier logins); new users are judged with care
//   new_ip ... new_user_agent
//                     novelty of the IP, its network, country, city, device and user
//                     agent for this user: 1 / (1 + times seen); 1 = never seen.
//                     Missing for a user with no earlier login. User agents are compared
//                     without their version numbers ("Chrome/131.0.0.0" is "Chrome/*"),
//                     so a browser update is not a new user agent.
//   hour_unusual      how surprising this hour is for the user, in bits: -log2 of the
//                     share of the user's logins within two hours of it (weights 1 2 3 2 1,
//                     smoothed by 0.1 login per hour). A day worker's 14:00 is about 2
//                     bits, a 21:00 after work 5 to 7, a 03:00 more than 10. Judged on two
//                     clocks, UTC and local solar time at the login's place (UTC + 4 min
//                     per degree of longitude), each against the user's histogram on that
//                     clock; the smaller surprise counts, so a traveller keeping home hours
//                     and one adopting local hours are both at usual hours. Needs 5
//                     earlier logins.
//   hour_rarity       how rare the hour is for everyone here, in bits: -log2 of the
//                     share of all users' logins within an hour of it in local solar
//                     time, against the 3/24 an even spread would give (0 for a usual
//                     hour, about 6 for 03:00 in an office), smoothed by one login per
//                     hour. Needs kHourPopulationMin logins of all users before it.
//   weekday_unusual   1 - 7 x the user's share of logins on this weekday, at least 0;
//                     needs 10 earlier logins
//   travel_speed      km/h from the place of the user's last successful login (at
//                     least one minute apart); from latitude/longitude, or approximate
//                     from country centroids (geo.h)
//   user_failures     the user's failed logins in the last 10 minutes
//   ip_failures       failed logins from the source IP in the last 10 minutes
//   ip_users          distinct users tried from the source IP in the last hour
//   user_logins       the user's logins in the last hour
//   success_after_failures
//                     for a success: the user's failed logins in the hour before; 0 for
//                     a failure
//   new_wide_network, network_users, concurrent_session, new_everything, place_jump
//                     the login's wide network (/16, /32 or autonomous system) for the
//                     user and for the company, concurrent sessions from different
//                     networks, novelty of place, network and device at once, and a new
//                     place and network soon after a session elsewhere (network.h)
//
// A derived feature exists in a model only when the training input had the roles it
// needs (user and time always; ip, country, outcome, ... as named above).
// Their FeatureKind values are kDerivedKindBase + Derived: never renumber them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ad/core/csv.h"
#include "ad/detect/geo.h"
#include "ad/detect/geoip.h"
#include "ad/detect/network.h"
#include "ad/detect/profile.h"
#include "ad/core/roles.h"
#include "ad/detect/window.h"

namespace ad {

enum class Derived : int {
  kHistory = 0,
  kNewIp = 1,
  kNewNetwork = 2,
  kNewCountry = 3,
  kNewCity = 4,
  kNewDevice = 5,
  kNewUserAgent = 6,
  kHourUnusual = 7,
  kWeekdayUnusual = 8,
  kTravelSpeed = 9,
  kUserFailures = 10,
  kIpFailures = 11,
  kIpUsers = 12,
  kUserLogins = 13,
  kSuccessAfterFailures = 14,
  kNewWideNetwork = 15,
  kNetworkUsers = 16,
  kConcurrentSession = 17,
  kNewEverything = 18,
  kPlaceJump = 19,
  kHourRarity = 20,
};
inline constexpr int kDerivedCount = 21;
inline constexpr int kDerivedKindBase = 16;

// "history", "new_ip", ..., as in the table above.
std::string_view derived_name(Derived d);

// The role columns of one input.
class LoginColumns {
 public:
  // Binds by the model's training column names first, then by role. When `required`
  // names roles (the model's), a missing one is an ad::Error(kData) naming the column.
  static LoginColumns bind(const std::array<std::string, kRoleCount>& trained,
                           const std::vector<std::string>& header, const Roles& roles,
                           const std::string& input_name, bool require_trained);
  int operator[](Role r) const { return col_[static_cast<int>(r)]; }
  bool has(Role r) const { return (*this)[r] >= 0; }

 private:
  std::array<int, kRoleCount> col_{};
};

// The derived features an input with these columns supports, in Derived order. With
// `places` (a --geoip database fills in country, city and coordinates), the place
// features are supported without those columns.
std::vector<Derived> available_derived(const LoginColumns& columns, bool places = false);

// One login, as the tracker sees it. Views point into the row.
struct LoginEvent {
  std::int64_t time_ms = 0;
  std::string_view user;
  std::array<std::string_view, kTraitCount> traits;  // Trait order; network is derived
  std::optional<bool> success;
  std::optional<GeoPoint> point;
  std::string_view place_name;  // city, else country
};

// A user agent with every run of digits and dots between digits replaced by '*'.
std::string user_agent_family(std::string_view user_agent);

// The bytes of a value that profiles, windows and incidents keep: a longer user, IP,
// place, device or user agent is cut there (on a character boundary), so that their
// memory is bounded by counts, whatever the input's fields hold.
inline constexpr std::size_t kMaxValueBytes = 1024;
// v cut to kMaxValueBytes.
std::string_view kept_value(std::string_view v);

// Reads the login's fields from row, each cut by kept_value(). time_ms must already be parsed.
LoginEvent read_event(const LoginColumns& columns, const csv::Row& row, std::int64_t time_ms);

// What the tracker knew when it judged a login: the derived values and the facts that
// reasons quote.
struct LoginContext {
  std::int64_t time_ms = 0;                      // the login's time
  std::optional<bool> success;                   // its outcome, if known
  std::array<double, kDerivedCount> values{};
  std::array<std::string, kTraitCount> current;  // this login's values, network included
  std::array<std::string, kTraitCount> usual;    // the user's most frequent values before
  std::uint32_t prior_logins = 0;
  int hour = 0, minute = 0, weekday = 0;         // UTC, but the hour and minute in local
  bool local_time = false;                       // solar time when this is true
  std::pair<int, int> usual_hours{-1, -1};
  std::uint32_t near_logins = 0;                 // the user's logins within 2 h of the hour
  int local_hour = 0, local_minute = 0;          // local solar time, for hour_rarity
  double hour_share = 0;                         // all users' share of logins within 1 h
  double km = 0, minutes = 0;
  bool approximate = false;
  std::string from_place;
  Windows::Counts counts;
  // The wide network (network.h): its key, its kind from an ASN database, the user's
  // most frequent one before, the users counted on it, and, when the user's previous
  // success came from another wide network, that network and the minutes since.
  std::string wide, network_kind, usual_wide, session_from;
  std::uint32_t network_users = 0;
  std::uint32_t session_from_logins = 0;  // the user's logins learned from session_from
  double session_minutes = 0;
  bool place_is_city = false;  // new_everything judged the city (else the country)
  bool session_same_client = false;  // session_from's login had this login's client

  // Back to a fresh context's values, keeping the strings' memory for the next login
  // (a context is reused row after row; assigning a new one frees and allocates them).
  void reset();
};

// The logins of all users by hour of local solar time, from the profiles (profile.h)
// and then from each login learned, for hour_rarity.
class HourPopulation {
 public:
  HourPopulation() = default;
  explicit HourPopulation(const Profiles& profiles);
  void add(int hour) {
    ++logins_[static_cast<std::size_t>(hour)];
    ++total_;
  }
  // hour_rarity of a login at `hour`, NaN below kHourPopulationMin logins.
  double rarity(int hour) const;
  // The share of all logins within an hour of `hour` (0 with none).
  double share_near(int hour) const;

 private:
  std::uint64_t near(int hour) const;  // logins within an hour of `hour`
  std::array<std::uint64_t, 24> logins_{};
  std::uint64_t total_ = 0;
};
inline constexpr std::uint64_t kHourPopulationMin = 200;

class LoginTracker {
 public:
  // Starts from profiles, and counts the users of each wide network in them. With
  // geoip, each login's address is looked up: the databases fill in the country, city
  // and coordinates the event lacks, and an ASN database's AS is the wide network.
  explicit LoginTracker(Profiles& profiles, const GeoIp* geoip = nullptr)
      : profiles_(profiles), population_(profiles), hours_(profiles), geoip_(geoip) {}
  // Fills ctx for event from what is known before it, then learns from it.
  void observe(const LoginEvent& event, LoginContext& ctx);

 private:
  // The event with what the databases know filled in; views into facts_.
  LoginEvent fill_in(const LoginEvent& event);

  Profiles& profiles_;
  Windows windows_;
  NetworkPopulation population_;
  HourPopulation hours_;
  const GeoIp* geoip_;
  IpFacts facts_;  // the current login's, while observe() runs
};

// One reason in words for derived feature d of a login, e.g.
// "new country for user: RO (usual: NO)", "travel 2100 km in 25 min since Oslo" or
// "login at 03:12 local time, usual 08-18, 0 of 212 logins within 2 h".
std::string describe_derived(Derived d, const LoginContext& ctx);

}  // namespace ad
