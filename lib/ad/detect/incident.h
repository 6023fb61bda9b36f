// incident.h: flagged logins grouped into incidents, in real time, with a score.
//
// An analyst reads attacks, not events. A brute force is forty flagged failures, a
// password spray one flagged failure per victim. An IncidentGrouper takes every scored
// login in arrival order and gives each flagged one the incident it belongs to. Events
// of one incident are linked by keys, each open for a gap after its last event:
//
//   user      the same user                                      gap kUserGapMs (1 h)
//   ip        the same source IP                                 gap kSourceGapMs (6 h)
//   network   the same source network (/24, /48; ip.h)           gap kSourceGapMs (6 h)
//   campaign  a failure from a network new to the user (or of a user with no earlier
//             successful login), or a success from such a network while at least
//             kCampaignUsers (5) distinct users failed that way in the last
//             kCampaignWindowMs: a spray or stuffing run that rotates addresses and
//             clients is one incident, however many victims      gap kCampaignWindowMs (1 h)
//
// A flagged event joins the open incident of any of its keys; with none, it opens a
// new incident. An incident stays open for at most kMaxSpanMs (24 h) after its first
// event: later events open a new one.
//
// Ids are stable on a pipe: an incident's id is fixed when its first event arrives and
// never changes. When an event links two open incidents (say the user's and the
// source's), it joins the older one (the one opened first), and from then on all the
// event's keys lead to the older one (keys of the younger that the event does not hold
// still lead to the younger); the younger keeps its id and its earlier events. There is
// no lookahead and no renaming, so a row once written is never contradicted.
//
// The id is "I-<first event's UTC time, yyyymmddThhmmss>-<8 hex digits>", the hex being
// the start of SHA-256 over the first event's time (ms), user and IP. It depends on the
// first event alone, not on a counter or on what came before, so scoring overlapping
// files, or a file in parts, names an incident that starts at the same event alike,
// and incidents from different runs do not collide (a counter would restart at 1).
//
// Bounded state: incidents idle for longer than kSourceGapMs are closed and forgotten,
// and so are expired keys (a sweep every 1024 events); at most kMaxOpen incidents and
// kMaxKeys keys are kept: beyond that the least recently active incidents (and keys)
// are closed first. The campaign window keeps at most kMaxCampaignEvents failures.
// Time comes from the events themselves; input is expected in time order, as logs are.
//
// Incident score (0-100), recomputed as each event joins (so it can only grow):
//
//   place      impossible travel (> 1000 km/h) 35, else new country 15 + new network 10
//              + a network nobody here has used 10
//   device     new device or user agent family 10
//   time       hour unusual for the user (>= 8 bits, login.h) 10; at night and at home
//              (signal::kNightAtHome) 60, enough to flag a login alone at the default
//              signal threshold
//   session    a success from a new network within 30 min of one from another (a
//              concurrent session) 25; 35 for a copied session (signal::kSessionCopy)
//   attempts   burst of failures on the user (>= 5 in 10 min) or from the source IP
//              (>= 10 failures in 10 min) 20; a success after
//              >= 3 failures of the user in 1 h, or a failure then a success of one
//              user in the incident, 30 more
//   together   10 for each of these five aspects beyond the first that fired
//   victims    10 x log2(distinct users), at most 30
//   volume     5 x log2(events), at most 10
//
// The sum, at most 100. One odd feature scores 10 to 25 (a believable trip: 25; late
// work: 10; a new phone on a new carrier: 30); an attack scores where signals stack:
// a takeover's new network, country and device 45 and more, a session replayed from a
// network nobody uses 55, a brute force 35 to 80, a spray 60 to 100.
//
// The same points for a lone login (signal_score) also flag it, whatever its anomaly
// score, when they reach the model's signal threshold (Model::signal_threshold, flagged).
//
// The kind names what the incident looks like most, first match wins: spray (3 or
// more users with failures), brute_force (a burst of failures), takeover (success
// after failures), travel (impossible travel), takeover (a new network or country
// together with a new device), concurrent_session, off_hours, novelty (a new network,
// country or device), other.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ad/detect/login.h"

namespace ad {

// What fired for one login, as bits.
namespace signal {
inline constexpr std::uint32_t kNewNetwork = 1u << 0;   // network (or IP) never seen for the user
inline constexpr std::uint32_t kNewCountry = 1u << 1;   // country never seen for the user
inline constexpr std::uint32_t kNewDevice = 1u << 2;    // device or user agent family never seen
inline constexpr std::uint32_t kFastTravel = 1u << 3;   // travel_speed > kFastTravelKmh
inline constexpr std::uint32_t kOffHours = 1u << 4;     // hour_unusual >= kOffHoursBits
inline constexpr std::uint32_t kUserBurst = 1u << 5;    // user_failures >= 5 (this one excluded)
inline constexpr std::uint32_t kSourceBurst = 1u << 6;  // ip_failures >= 10 (this one excluded)
inline constexpr std::uint32_t kSuccessAfterFailures = 1u << 7;  // >= 3
inline constexpr std::uint32_t kUnknownUser = 1u << 8;  // no earlier successful login
// A success from a wide network new to the user, at most kConcurrentMinutes after the
// user's last success from another one (network.h: concurrent_session).
inline constexpr std::uint32_t kConcurrentSession = 1u << 9;
// A wide network no user has logged in from before (network_users 0), for a user with
// the kNetworkHistory logins the network features need.
inline constexpr std::uint32_t kUnusedNetwork = 1u << 10;
// Night at home: a success at night (01:00 to 05:00 local solar time) at an hour unusual
// for the user (kOffHours), in the user's usual (most frequent) city, else country,
// within kHomeKm of the user's last success, with nothing new (network, wide network,
// country, city, device): someone at the user's own computer at an hour the user is
// never at it. A traveller's first night back home comes from far away; a trip's nights
// come from a city that is not the usual one; late work ends before 01:00.
inline constexpr std::uint32_t kNightAtHome = 1u << 11;
// A copied session: a concurrent session (kConcurrentSession) from a wide network nobody
// here uses (kUnusedNetwork), with the same client (device type and user agent family;
// the input must have one) as the session before it, which came from a wide network
// the user has logged in from at least kKnownNetworkLogins times: the user's own
// browser in two places at once, one of them the user's usual. A traveller moving
// between networks comes from new ones; a phone beside a laptop is another client; a
// phone (mobile_client, network.h) moves between networks on its own, and is left out.
inline constexpr std::uint32_t kSessionCopy = 1u << 12;
}  // namespace signal

inline constexpr double kConcurrentMinutes = 30;

inline constexpr double kFastTravelKmh = 1000;
inline constexpr double kOffHoursBits = 8;
inline constexpr int kNightStartHour = 1, kNightEndHour = 5;  // night: 01:00 to 05:00 local solar time
inline constexpr double kHomeKm = 100;
inline constexpr std::uint32_t kKnownNetworkLogins = 3;

// The signals of a login from what the tracker knew when it judged it (login.h).
std::uint32_t login_signals(const LoginContext& ctx);

// One scored login, as the grouper sees it.
struct IncidentEvent {
  std::int64_t time_ms = 0;
  std::string user, ip, network;
  std::optional<bool> success;
  std::uint32_t signals = 0;
  bool flagged = false;
};

// The event of a login of `user` judged with ctx (its time, outcome, canonical IP and
// network), whose signals are login_signals(ctx), computed once by the caller.
IncidentEvent incident_event(const LoginContext& ctx, std::string_view user, std::uint32_t signals, bool flagged);

// Stored nowhere, printed in incident_kind: the order is the precedence, lowest first.
enum class IncidentKind : std::uint8_t {
  kOther,
  kNovelty,
  kOffHours,
  kConcurrentSession,
  kTravel,
  kTakeover,
  kBruteForce,
  kSpray
};

// "other", "novelty", "off_hours", "concurrent_session", "travel", "takeover",
// "brute_force", "spray".
std::string_view incident_kind_name(IncidentKind kind);

struct Incident {
  std::string id;
  std::uint64_t seq = 0;  // creation order
  std::int64_t first_ms = 0, last_ms = 0;
  std::uint32_t events = 0, failures = 0;
  std::uint32_t signals = 0;  // union over the events
  bool success_after_failure = false;  // a user of the incident failed, then succeeded
  std::vector<std::string> failed_users;  // distinct, at most kMaxUsersKept
  std::vector<std::string> users;         // distinct, at most kMaxUsersKept
  std::uint32_t user_count = 0;           // distinct users (exact up to kMaxUsersKept)
  std::uint32_t failed_user_count = 0;
  double score = 0;
  IncidentKind kind = IncidentKind::kOther;
  static constexpr std::size_t kMaxUsersKept = 256;
};

// The score and kind of an incident from its counts, as documented above.
double incident_score(const Incident& incident);
IncidentKind incident_kind(const Incident& incident);

// The score a login's signals give it alone: that of an incident of this one login.
// A session replayed from a network nobody uses, minutes after the user's own login,
// scores 55; the same from a new country 70; a believable trip 25 to 45.
double signal_score(std::uint32_t signals);

// Whether a login is flagged: its anomaly score above `threshold`, or, with a signal
// threshold above 0, its signal_score at least that (Model::signal_threshold).
bool flagged(double score, double threshold, std::uint32_t signals, double signal_threshold);

// The derived features whose reasons (describe_derived, login.h) put the signals of the
// login judged with ctx in words, the signals worth most points first, at most `max`.
std::vector<Derived> signal_features(const LoginContext& ctx, std::size_t max = 3);

// "I-20250101T001947-1a2b3c4d" for an incident whose first event is e.
std::string incident_id(const IncidentEvent& e);

class IncidentGrouper {
 public:
  static constexpr std::int64_t kUserGapMs = 60 * 60 * 1000;
  static constexpr std::int64_t kSourceGapMs = 6 * 60 * 60 * 1000;
  static constexpr std::int64_t kMaxSpanMs = 24 * 60 * 60 * 1000;
  static constexpr std::int64_t kCampaignWindowMs = 60 * 60 * 1000;
  static constexpr std::uint32_t kCampaignUsers = 5;
  static constexpr std::size_t kMaxOpen = 10000;
  static constexpr std::size_t kMaxKeys = 100000;
  static constexpr std::size_t kMaxCampaignEvents = 100000;

  // Takes the next scored login, flagged or not (the campaign window counts all). Returns its incident if it is flagged (valid until
  // the next call), nullptr if not.
  const Incident* add(const IncidentEvent& e);

  std::size_t open_incidents() const { return incidents_.size(); }
  std::size_t keys() const { return keys_.size(); }
  std::uint64_t opened() const { return next_seq_; }  // incidents opened so far

 private:
  struct Link {
    std::uint64_t seq = 0;
    std::int64_t last_ms = 0;
    std::int64_t gap_ms = 0;
  };
  bool campaign(const IncidentEvent& e);
  void join(Incident& inc, const IncidentEvent& e);
  void sweep(std::int64_t now_ms);
  void evict_oldest();

  std::map<std::uint64_t, Incident> incidents_;  // open, by seq
  std::unordered_map<std::string, Link> keys_;
  std::deque<std::pair<std::int64_t, std::string>> foreign_failures_;  // campaign window
  std::unordered_map<std::string, std::uint32_t> foreign_users_;      // user -> failures in window
  std::uint64_t next_seq_ = 0;
  std::uint64_t adds_ = 0;
};

}  // namespace ad
