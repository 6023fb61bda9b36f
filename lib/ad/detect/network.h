// network.h: the network context of a login, wider than its /24.
//
// An attacker who blends in logs in from an ordinary address: a residential proxy in the
// victim's own country, or a cloud server replaying a stolen session. What gives them
// away is the network around the address, judged against the whole company and against
// the user, and the timing. A LoginTracker (login.h) keys each login by its wide network:
// the autonomous system ("AS14061") when an ASN database knows the address (geoip.h),
// else the IPv4 /16 or IPv6 /32 (ip.h). From it come five derived features:
//
//   new_wide_network    novelty of the wide network for the user: 1 / (1 + times seen);
//                       a phone's carrier-grade NAT address moves between /24s, rarely
//                       out of its carrier's /16 or AS
//   network_users       log2(1 + the company's users seen on the wide network before this
//                       login, this user included): 0 for a network nobody here uses
//   concurrent_session  for a success after one of the user's from another wide network:
//                       this network's novelty for the user (1 for a network they never
//                       used), divided by 1 + its users here, times 2^(-gap / 30 min);
//                       else 0. Laptop and phone overlapping on their usual networks stay
//                       near 0; a session replayed from a network new to the user and
//                       unused by anyone here, 12 minutes after their own, is 0.76
//   new_everything      the smallest of three novelties for the user: the place (city,
//                       else country), the wide network and the device (the newer of
//                       device type and user agent); 1 only when all three are new at once
//   place_jump          for a success after one of the user's from another wide network:
//                       the smaller of the place's and the wide network's novelties for
//                       the user, times 2^(-gap / 2 h); else 0. A new city and a new
//                       network while the user was just at home is what a takeover
//                       through a residential proxy in their country looks like; a
//                       trip's first login comes after the journey
//
// All but network_users need kNetworkHistory earlier logins of the user: to a new user
// every network is new. ad-train gives these five a forest of their own, the network
// aspect (aspect.h), so that a rare combination of them is not averaged away.
//
// NetworkPopulation counts, per wide network, the users who logged in from it. It is
// rebuilt from the profiles' wide-network lists (profile.h) when scoring starts, so the
// model file holds no separate table; a user counts once per wide network for as long as
// the network stays in their list (kMaxValues entries): the tracker takes the user off
// when the network gives way in the list, and counts again when profiles are evicted
// (max_users), so ad-train's counts, while it reads, are those the lists would rebuild. Memory: one entry per distinct wide network in those
// lists.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ad/detect/profile.h"

namespace ad {

struct LoginContext;
enum class Derived : int;

// All but network_users need this many earlier logins of the user (before, everything
// is new to them): missing until then.
inline constexpr std::uint32_t kNetworkHistory = 10;

// The half-lives of concurrent_session and place_jump: how fast two successes of one
// user from different wide networks stop counting as at once. Decaying, not a window:
// a feature that is 0 on nearly every training login is constant on most trees'
// samples, which then cannot split on it at all.
inline constexpr std::int64_t kSessionHalfLifeMs = 30 * 60 * 1000;
inline constexpr std::int64_t kJumpHalfLifeMs = 2 * 60 * 60 * 1000;

class NetworkPopulation {
 public:
  NetworkPopulation() = default;
  // Counts each user of profiles once per wide network in their list.
  explicit NetworkPopulation(const Profiles& profiles);
  // The users counted on wide network `wide` (0: nobody here).
  std::uint32_t users(const std::string& wide) const;
  // Counts one more user on `wide`.
  void add_user(const std::string& wide) { ++users_[wide]; }
  // Counts one user fewer on `wide` (its entry goes at 0): `wide` left a user's list.
  void remove_user(const std::string& wide);
  std::size_t size() const { return users_.size(); }

 private:
  std::unordered_map<std::string, std::uint32_t> users_;
};

// A login's client as profiles keep it for its session (copied sessions, incident.h):
// its device type and user agent family, joined by a unit separator; "" when the input
// has neither. set_session_client writes it into kept, reusing kept's memory (it runs
// for every successful login); is_session_client says whether kept is that client,
// without building it.
void set_session_client(std::string& kept, std::string_view device, std::string_view agent_family);
bool is_session_client(std::string_view kept, std::string_view device, std::string_view agent_family);
// Whether a client is a phone or tablet: its device type or user agent holds "mobile",
// "phone", "tablet", "android" or "ipad", or the device type is "ios" (any case). A phone
// moves between Wi-Fi and mobile networks on its own.
bool mobile_client(std::string_view device, std::string_view agent);

// A wide network as reasons name it: "AS14061 (hosting)" with the ASN database's kind
// of network when it has one, else the network itself ("203.0.0.0/16").
std::string network_name(const std::string& wide, const std::string& kind);

// The reason in words for one of the five features above, e.g.
// "network AS14061 (hosting) never used by anyone here",
// "2 sessions 12 min apart from different networks: 10.1.0.0/16, then 203.0.0.0/16 (new)"
// "new network, new city and new device at once: 198.51.0.0/16, Trondheim, tablet" or
// "new city and new network 47 min after a session from 10.1.0.0/16".
std::string describe_network(Derived d, const LoginContext& ctx);

}  // namespace ad
