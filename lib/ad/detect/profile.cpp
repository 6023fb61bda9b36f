#include "ad/detect/profile.h"

#include <algorithm>

namespace ad {

std::string ValueCounts::add(std::string_view value, std::int64_t when_ms) {
  for (auto& e : entries_)
    if (e.value == value) {
      ++e.count;
      e.last_ms = std::max(e.last_ms, when_ms);
      return {};
    }
  std::string evicted;
  if (entries_.size() >= kMaxValues) {
    auto victim = std::min_element(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return a.count != b.count ? a.count < b.count : a.last_ms < b.last_ms;
    });
    evicted = std::move(victim->value);
    entries_.erase(victim);
  }
  entries_.push_back({std::string(value), 1, when_ms});
  return evicted;
}

std::uint32_t ValueCounts::count(std::string_view value) const {
  for (const auto& e : entries_)
    if (e.value == value) return e.count;
  return 0;
}

const std::string& ValueCounts::top() const {
  static const std::string kNone;
  const Entry* best = nullptr;
  for (const auto& e : entries_)
    if (!best || e.count > best->count || (e.count == best->count && e.value < best->value)) best = &e;
  return best ? best->value : kNone;
}

namespace {

// The first start (from hour 0 on) of a run of len hours holding at least need logins,
// or -1: the window's sum slides along the day.
int first_run(const Hours& hours, int len, std::uint32_t need) {
  std::uint32_t sum = 0;
  for (int k = 0; k < len; ++k) sum += hours[static_cast<std::size_t>(k)];
  for (int start = 0; start < 24; ++start) {
    if (start) sum = sum - hours[static_cast<std::size_t>(start - 1)] + hours[static_cast<std::size_t>((start + len - 1) % 24)];
    if (sum >= need) return start;
  }
  return -1;
}

}  // namespace

std::pair<int, int> usual_hours(const Hours& hours) {
  std::uint32_t total = 0;
  for (auto h : hours) total += h;
  const std::uint32_t need = (total * 9 + 9) / 10;
  // A longer run holds at least as many logins as a shorter one inside it, so the
  // shortest length that has a run holding enough is found by bisection.
  int lo = 1, hi = 24;  // the shortest is in [lo, hi]; 24 hours hold them all
  while (lo < hi) {
    const int mid = (lo + hi) / 2;
    if (first_run(hours, mid, need) >= 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  const int start = first_run(hours, lo, need);
  return {start, (start + lo - 1) % 24};
}

const UserProfile* Profiles::find(std::string_view user) const {
  auto it = users_.find(std::string(user));
  return it == users_.end() ? nullptr : &it->second;
}

UserProfile& Profiles::get(std::string_view user, std::int64_t now_ms) {
  auto it = users_.find(std::string(user));
  if (it != users_.end()) return it->second;
  if (users_.size() >= max_users_ && max_users_ > 0) {
    // Drop the least recently seen tenth (ties by name, for determinism).
    std::vector<std::pair<std::int64_t, const std::string*>> order;
    order.reserve(users_.size());
    for (const auto& [name, p] : users_) order.emplace_back(p.last_seen_ms, &name);
    std::size_t drop = std::max<std::size_t>(1, users_.size() / 10);
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(drop - 1), order.end(),
                     [](const auto& a, const auto& b) {
                       return a.first != b.first ? a.first < b.first : *a.second < *b.second;
                     });
    std::vector<std::string> victims;
    for (std::size_t i = 0; i < drop; ++i) victims.push_back(*order[i].second);
    for (const auto& v : victims) users_.erase(v);
  }
  UserProfile& p = users_[std::string(user)];
  p.last_seen_ms = now_ms;
  return p;
}

std::vector<std::pair<const std::string*, const UserProfile*>> Profiles::sorted() const {
  std::vector<std::pair<const std::string*, const UserProfile*>> out;
  out.reserve(users_.size());
  for (const auto& [name, p] : users_) out.emplace_back(&name, &p);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  return out;
}

}  // namespace ad
