#include "ad/detect/window.h"

#include <algorithm>

namespace ad {

template <typename Map>
typename Map::mapped_type* Windows::find(Map& m, std::string_view key) {
  key_.assign(key);
  auto it = m.find(key_);
  return it == m.end() ? nullptr : &it->second;
}

template <typename Map>
typename Map::mapped_type& Windows::get(Map& m, std::string_view key) {
  key_.assign(key);
  auto it = m.find(key_);
  return it != m.end() ? it->second : m[key_];
}

std::uint32_t Windows::since(Times& t, std::int64_t from_ms, std::int64_t evict_before_ms) {
  while (!t.empty() && t.front() < evict_before_ms) t.pop_front();
  auto it = std::lower_bound(t.begin(), t.end(), from_ms);
  return static_cast<std::uint32_t>(t.end() - it);
}

Windows::Counts Windows::counts(std::string_view user, std::string_view ip, std::int64_t now) {
  Counts c;
  const std::int64_t evict = now - kLongMs;
  if (!user.empty()) {
    if (Times* t = find(user_failures_, user)) {
      c.user_failures_long = since(*t, now - kLongMs, evict);
      c.user_failures_short = since(*t, now - kShortMs, evict);
    }
    if (Times* t = find(user_logins_, user)) c.user_logins_long = since(*t, now - kLongMs, evict);
  }
  if (!ip.empty()) {
    if (Times* t = find(ip_failures_, ip)) c.ip_failures_short = since(*t, now - kShortMs, evict);
    bool self = false;
    if (const auto* users = find(ip_users_, ip))
      for (const auto& [u, t] : *users)
        if (t >= evict) {
          ++c.ip_users_long;
          self = self || u == user;
        }
    if (!self && !user.empty()) ++c.ip_users_long;
  }
  return c;
}

void Windows::add(std::string_view user, std::string_view ip, std::int64_t now, bool failed) {
  auto push = [&](Times& t) {
    // Keep the deque sorted even if an event arrives slightly out of order.
    t.insert(std::upper_bound(t.begin(), t.end(), now), now);
    if (t.size() > kMaxEventsPerKey) t.pop_front();
  };
  if (!user.empty()) {
    push(get(user_logins_, user));
    if (failed) push(get(user_failures_, user));
  }
  if (!ip.empty()) {
    if (failed) push(get(ip_failures_, ip));
    if (!user.empty()) {
      auto& users = get(ip_users_, ip);
      auto it = std::find_if(users.begin(), users.end(), [&](const auto& p) { return p.first == user; });
      if (it != users.end()) {
        it->second = std::max(it->second, now);
      } else {
        if (users.size() >= kMaxUsersPerIp)
          users.erase(std::min_element(users.begin(), users.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; }));
        users.emplace_back(std::string(user), now);
      }
    }
  }
  if (++adds_ % 4096 == 0) sweep(now);
}

void Windows::sweep(std::int64_t now) {
  const std::int64_t evict = now - kLongMs;
  for (auto* m : {&user_failures_, &ip_failures_, &user_logins_})
    for (auto it = m->begin(); it != m->end();)
      it = it->second.empty() || it->second.back() < evict ? m->erase(it) : std::next(it);
  for (auto it = ip_users_.begin(); it != ip_users_.end();) {
    auto& v = it->second;
    v.erase(std::remove_if(v.begin(), v.end(), [&](const auto& p) { return p.second < evict; }), v.end());
    it = v.empty() ? ip_users_.erase(it) : std::next(it);
  }
}

std::size_t Windows::keys() const {
  return user_failures_.size() + ip_failures_.size() + user_logins_.size() + ip_users_.size();
}

}  // namespace ad
