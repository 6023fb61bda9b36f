#include "ad/detect/network.h"

#include <fmt/format.h>

#include <cmath>

#include "ad/detect/explain.h"
#include "ad/detect/login.h"

namespace ad {

NetworkPopulation::NetworkPopulation(const Profiles& profiles) {
  for (const auto& [name, profile] : profiles.sorted())
    for (const auto& e : profile->wide_networks.entries()) add_user(e.value);
}

void NetworkPopulation::remove_user(const std::string& wide) {
  auto it = users_.find(wide);
  if (it == users_.end()) return;
  if (--it->second == 0) users_.erase(it);
}

std::uint32_t NetworkPopulation::users(const std::string& wide) const {
  auto it = users_.find(wide);
  return it == users_.end() ? 0 : it->second;
}

namespace {

// Whether text holds word, ignoring ASCII case. REQUIRES: word is lower case.
bool contains_word(std::string_view text, std::string_view word) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    std::size_t k = 0;
    while (k < word.size() && lower(text[i + k]) == word[k]) ++k;
    if (k == word.size()) return true;
  }
  return false;
}

}  // namespace

void set_session_client(std::string& kept, std::string_view device, std::string_view agent_family) {
  kept.clear();
  if (device.empty() && agent_family.empty()) return;
  kept.append(device).push_back('\x1f');
  kept.append(agent_family);
}

bool is_session_client(std::string_view kept, std::string_view device, std::string_view agent_family) {
  if (kept.empty()) return false;
  return kept.size() == device.size() + 1 + agent_family.size() && kept.substr(0, device.size()) == device &&
         kept[device.size()] == '\x1f' && kept.substr(device.size() + 1) == agent_family;
}

bool mobile_client(std::string_view device, std::string_view agent) {
  for (std::string_view w : {"mobile", "phone", "tablet", "android", "ipad"})
    if (contains_word(device, w) || contains_word(agent, w)) return true;
  return device.size() == 3 && contains_word(device, "ios");
}

std::string network_name(const std::string& wide, const std::string& kind) {
  return kind.empty() ? reason_value(wide) : fmt::format("{} ({})", reason_value(wide), reason_value(kind));
}

namespace {

// "new" for a value never seen, "rare" for one seen before.
const char* new_or_rare(double novelty) { return novelty >= 0.999 ? "new" : "rare"; }

}  // namespace

std::string describe_network(Derived x, const LoginContext& c) {
  auto value = [&](Derived d) { return c.values[static_cast<std::size_t>(d)]; };
  const double v = value(x);
  const double place = value(c.place_is_city ? Derived::kNewCity : Derived::kNewCountry);
  const double novelty = value(Derived::kNewWideNetwork);  // before any decay
  const std::string net = network_name(c.wide, c.network_kind);
  switch (x) {
    case Derived::kNewWideNetwork: {
      std::string head = fmt::format("{} network for user: {}", new_or_rare(v), net);
      if (!c.usual_wide.empty() && c.usual_wide != c.wide) head += fmt::format(" (usual: {})", reason_value(c.usual_wide));
      return head;
    }
    case Derived::kNetworkUsers:
      if (c.network_users == 0) return fmt::format("network {} never used by anyone here", net);
      return fmt::format("network {} used by {} user{} here", net, c.network_users, c.network_users == 1 ? "" : "s");
    case Derived::kConcurrentSession:
      return fmt::format("2 sessions {:.0f} min apart from different networks: {}, then {}{}", c.session_minutes,
                         reason_value(c.session_from), net,
                         novelty >= 0.999 && c.network_users == 0 ? " (new for user, unused here)" : "");
    case Derived::kNewEverything: {
      const std::string& place = c.current[static_cast<int>(c.place_is_city ? Trait::kCity : Trait::kCountry)];
      const std::string& device = c.current[static_cast<int>(Trait::kDevice)];
      return fmt::format("{} network, {} {} and {} device at once: {}, {}, {}", new_or_rare(v), new_or_rare(v),
                         c.place_is_city ? "city" : "country", new_or_rare(v), net, reason_value(place),
                         reason_value(device.empty() ? c.current[static_cast<int>(Trait::kUserAgent)] : device));
    }
    case Derived::kPlaceJump:
      return fmt::format("{} {} and {} network {:.0f} min after a session from {}", new_or_rare(place),
                         c.place_is_city ? "city" : "country", new_or_rare(novelty), c.session_minutes,
                         reason_value(c.session_from));
    default:
      break;
  }
  return std::string(derived_name(x));
}

}  // namespace ad
