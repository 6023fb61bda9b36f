// profile.h: what ad knows about each user's normal logins.
//
// A profile holds, for one user: the IP addresses and networks, countries, cities,
// devices and user agents seen, each with a count; histograms of login hours (in UTC,
// and in local solar time at the login's place) and of weekdays (UTC); the login,
// success and failure counts; the place and time of the last successful login; and the
// wide networks (network.h) seen, with the wide network and time of the last success.
// ad-train builds profiles over the whole history and stores them in the model;
// ad-score starts from them.
//
// Update rule (the same in ad-train and ad-score, so that a feature means the same in
// both): a successful login, or one whose outcome is unknown, teaches the profile its
// values, hour, weekday and place. A failed login only counts as a failure: a password
// guesser never makes its own IP or country familiar, and never moves the user's "last
// place". ad-score's updates live in memory for the run; they reach the model file only
// by retraining.
//
// Memory bound: each value list keeps at most kMaxValues entries (when full, the least
// counted, then least recent, entry gives way), and Profiles keeps at most max_users
// users (when over, the least recently seen tenth is dropped). A profile costs about
// 3 KB, so the default of 100,000 users stays near 300 MB even in the worst case.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ad/detect/geo.h"

namespace ad {

// The value lists a profile keeps, one per kind of value.
enum class Trait : int { kIp = 0, kNetwork = 1, kCountry = 2, kCity = 3, kDevice = 4, kUserAgent = 5 };
inline constexpr int kTraitCount = 6;

// Logins counted by hour of day.
using Hours = std::array<std::uint32_t, 24>;

class ValueCounts {
 public:
  static constexpr std::size_t kMaxValues = 8;
  struct Entry {
    std::string value;
    std::uint32_t count = 0;
    std::int64_t last_ms = 0;
  };
  // Counts value; when it is new and the list is full, the least counted (then least
  // recent) entry gives way. Returns the value that gave way ("" if none).
  std::string add(std::string_view value, std::int64_t when_ms);
  std::uint32_t count(std::string_view value) const;
  // The most counted value ("" if none).
  const std::string& top() const;
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>& entries() { return entries_; }

 private:
  std::vector<Entry> entries_;
};

struct UserProfile {
  std::uint32_t logins = 0;     // successful or unknown-outcome logins learned
  std::uint32_t failures = 0;   // failed logins seen
  std::uint32_t successes = 0;  // logins known to have succeeded
  std::array<ValueCounts, kTraitCount> traits;
  Hours hours{};        // login hours in UTC
  Hours local_hours{};  // login hours in local solar time at the login's place
  std::array<std::uint32_t, 7> weekdays{};  // 0 = Monday
  std::int64_t last_seen_ms = 0;            // any login, for eviction
  bool has_place = false;                   // the last successful login's place:
  std::int64_t place_ms = 0;
  GeoPoint place;
  std::string place_name;  // city, else country
  ValueCounts wide_networks;     // wide networks (network.h) of the logins learned
  std::int64_t session_ms = 0;   // the last successful login's time and wide network,
  std::string session_net;       // "" when unknown,
  std::string session_client;    // and its client (set_session_client, network.h)

  const ValueCounts& trait(Trait t) const { return traits[static_cast<int>(t)]; }
  ValueCounts& trait(Trait t) { return traits[static_cast<int>(t)]; }
};

// The smallest run of consecutive hours (wrapping at midnight) that holds at least 90%
// of the logins counted in hours, as [first, last]. REQUIRES: some count is not 0.
std::pair<int, int> usual_hours(const Hours& hours);

class Profiles {
 public:
  explicit Profiles(std::size_t max_users = 100000) : max_users_(max_users) {}
  // nullptr for a user never seen (or evicted).
  const UserProfile* find(std::string_view user) const;
  // The user's profile, created if new. May evict other users first.
  UserProfile& get(std::string_view user, std::int64_t now_ms);
  std::size_t size() const { return users_.size(); }
  std::size_t max_users() const { return max_users_; }
  void set_max_users(std::size_t n) { max_users_ = n; }
  // Users sorted by name, for a deterministic model file.
  std::vector<std::pair<const std::string*, const UserProfile*>> sorted() const;

 private:
  std::unordered_map<std::string, UserProfile> users_;
  std::size_t max_users_;
};

}  // namespace ad
