// window.h: what happened a moment ago, for bursts, spraying and stuffing.
//
// Windows keeps recent events in memory and answers, for a new login, how many
// failed logins the user and the source IP had in the last 10 minutes, how many
// distinct users were tried from the IP in the last hour, and how many logins the
// user had in the last hour. Events older than the longest window (1 hour) are
// evicted as time moves on, so memory follows the activity of the last hour, not the
// length of the input.
//
// Bounds: at most kMaxEventsPerKey timestamps per user or IP and kMaxUsersPerIp users
// per IP (the oldest go first); a sweep every 4096 events drops keys idle for an hour.
// Time comes from the logins themselves, so a file replayed later, or a stream piped
// in over hours, behaves the same. Input is expected in time order, as logs are; an
// event older than the newest seen is counted at its own time.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ad {

class Windows {
 public:
  static constexpr std::int64_t kShortMs = 10 * 60 * 1000;  // failures window
  static constexpr std::int64_t kLongMs = 60 * 60 * 1000;   // users-per-IP and logins window
  static constexpr std::size_t kMaxEventsPerKey = 1000;
  static constexpr std::size_t kMaxUsersPerIp = 1000;

  struct Counts {
    std::uint32_t user_failures_short = 0;  // user's failures in the last 10 min
    std::uint32_t user_failures_long = 0;   // user's failures in the last hour
    std::uint32_t ip_failures_short = 0;    // IP's failures in the last 10 min
    std::uint32_t ip_users_long = 0;        // distinct users from the IP in the last hour, this one included
    std::uint32_t user_logins_long = 0;     // user's logins in the last hour
  };

  // Counts over the windows ending at now, before the current event.
  Counts counts(std::string_view user, std::string_view ip, std::int64_t now_ms);
  // Records an event. Empty user or ip are not keyed.
  void add(std::string_view user, std::string_view ip, std::int64_t now_ms, bool failed);
  std::size_t keys() const;

 private:
  using Times = std::deque<std::int64_t>;
  static std::uint32_t since(Times& t, std::int64_t from_ms, std::int64_t evict_before_ms);
  void sweep(std::int64_t now_ms);
  // The value of key in m, or nullptr; the value of key in m, made if new. The key is
  // copied into key_, whose memory is used again, not into a new string each time.
  template <typename Map>
  typename Map::mapped_type* find(Map& m, std::string_view key);
  template <typename Map>
  typename Map::mapped_type& get(Map& m, std::string_view key);

  std::unordered_map<std::string, Times> user_failures_, ip_failures_, user_logins_;
  std::unordered_map<std::string, std::vector<std::pair<std::string, std::int64_t>>> ip_users_;
  std::uint64_t adds_ = 0;
  std::string key_;
};

}  // namespace ad
