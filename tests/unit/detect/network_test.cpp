// Tests for network.h: the wide-network features, computed by hand on small replays
// through the path ad-train and ad-score take (read_event, LoginTracker::observe), the
// population rebuilt from profiles, and the reasons in words.
#include "ad/detect/network.h"

#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "ad/core/csv.h"
#include "ad/core/roles.h"
#include "ad/core/timestamp.h"
#include "ad/detect/incident.h"
#include "ad/detect/login.h"

namespace {

using ad::Derived;
using ad::Role;

const char* kHeader = "timestamp,user,ip,city,device,status";

// Replays rows (no header) through one tracker over profiles; keeps every context.
struct Replay {
  explicit Replay(ad::Profiles& p) : profiles(p), tracker(p) {}
  const ad::LoginContext& feed(const std::string& rows) {
    ad::csv::Reader in(ad::csv::string_lines("n.csv", std::string(kHeader) + "\n" + rows), "n.csv");
    auto roles = ad::Roles::find(in.header());
    auto columns = ad::LoginColumns::bind({}, in.header(), roles, in.name(), false);
    ad::csv::Row row;
    while (in.next(row)) {
      auto ms = ad::parse_time_ms(row.fields[static_cast<std::size_t>(columns[Role::kTime])]);
      REQUIRE(ms);
      seen.push_back(std::make_unique<ad::LoginContext>());
      tracker.observe(ad::read_event(columns, row, *ms), *seen.back());
    }
    REQUIRE(!seen.empty());
    return *seen.back();
  }
  ad::Profiles& profiles;
  ad::LoginTracker tracker;
  std::vector<std::unique_ptr<ad::LoginContext>> seen;
};

double value(const ad::LoginContext& c, Derived d) { return c.values[static_cast<std::size_t>(d)]; }

// n daily successes of user at 09:00 from ip in city on device, from 2025-01-06.
std::string daily(const std::string& user, int n, const std::string& ip, const std::string& city = "Oslo",
                  const std::string& device = "laptop") {
  std::string out;
  for (int i = 0; i < n; ++i) {
    auto t = ad::parse_time_ms("2025-01-06T09:00:00Z");
    REQUIRE(t);
    out += ad::format_time_iso(*t + i * 86400000LL) + "," + user + "," + ip + "," + city + "," + device + ",success\n";
  }
  return out;
}

// Rows one hour apart from 2025-01-06T09:00Z: row(user, ip) is the next success.
struct Hourly {
  std::int64_t at = *ad::parse_time_ms("2025-01-06T09:00:00Z");
  std::string operator()(const std::string& user, const std::string& ip) {
    at += 3600000;
    return ad::format_time_iso(at) + "," + user + "," + ip + ",Oslo,laptop,success\n";
  }
};

}  // namespace

TEST_SUITE("network") {
  TEST_CASE("new_wide_network and network_users: the /16 for the user and for everyone") {
    ad::Profiles profiles;
    Replay r(profiles);
    r.feed(daily("alice", 12, "10.1.2.3") + daily("bob", 12, "10.1.9.9"));
    // Another /24 of alice's /16: not a new wide network; 2 users there.
    const auto& same = r.feed("2025-02-01T09:00:00Z,alice,10.1.77.5,Oslo,laptop,success\n");
    CHECK(same.wide == "10.1.0.0/16");
    CHECK(value(same, Derived::kNewWideNetwork) == doctest::Approx(1.0 / 13));
    CHECK(same.network_users == 2);
    CHECK(value(same, Derived::kNetworkUsers) == doctest::Approx(std::log2(3.0)));
    // A /16 nobody uses.
    const auto& fresh = r.feed("2025-02-02T09:00:00Z,alice,203.0.113.5,Oslo,laptop,success\n");
    CHECK(value(fresh, Derived::kNewWideNetwork) == 1.0);
    CHECK(value(fresh, Derived::kNetworkUsers) == 0.0);
    CHECK(ad::describe_derived(Derived::kNetworkUsers, fresh) == "network 203.0.0.0/16 never used by anyone here");
    CHECK(ad::describe_derived(Derived::kNewWideNetwork, fresh) ==
          "new network for user: 203.0.0.0/16 (usual: 10.1.0.0/16)");
    // Now alice used it: 1 user, and bob's first visit counts him too.
    const auto& bob = r.feed("2025-02-02T10:00:00Z,bob,203.0.7.1,Oslo,laptop,success\n");
    CHECK(bob.network_users == 1);
    CHECK(ad::describe_derived(Derived::kNetworkUsers, bob) == "network 203.0.0.0/16 used by 1 user here");
    CHECK(r.feed("2025-02-02T11:00:00Z,carol,203.0.7.2,Oslo,laptop,success\n").network_users == 2);
  }

  TEST_CASE("a new user's networks are not judged until kNetworkHistory logins") {
    ad::Profiles profiles;
    Replay r(profiles);
    const auto& c = r.feed(daily("dave", static_cast<int>(ad::kNetworkHistory), "10.1.2.3") +
                           "2025-02-01T09:00:00Z,dave,198.51.100.1,Oslo,laptop,success\n");
    CHECK(c.prior_logins == ad::kNetworkHistory);
    CHECK(value(c, Derived::kNewWideNetwork) == 1.0);
    const auto& early = *r.seen[static_cast<std::size_t>(ad::kNetworkHistory) - 1];
    CHECK(early.prior_logins == ad::kNetworkHistory - 1);
    CHECK(std::isnan(value(early, Derived::kNewWideNetwork)));
    CHECK(std::isnan(value(early, Derived::kConcurrentSession)));
    CHECK(std::isnan(value(early, Derived::kNewEverything)));
    CHECK(value(early, Derived::kNetworkUsers) == 1.0);  // dave himself: log2(1 + 1)
  }

  TEST_CASE("concurrent_session: a success from a network new to the user and to everyone, minutes after") {
    ad::Profiles profiles;
    Replay r(profiles);
    r.feed(daily("erin", 12, "10.1.2.3") + daily("erin", 12, "172.16.5.5", "Oslo", "mobile") +
           daily("frank", 12, "192.0.2.1"));
    const double half_hour = 1.0 / std::exp2(1);  // 2^(-30 min / 30 min)
    const auto base = "2025-02-03T09:00:00Z,erin,10.1.2.3,Oslo,laptop,success\n";
    // Her phone on its usual network 30 minutes later: 1/13 novelty, 2 users, half-life.
    const auto& phone = r.feed(std::string(base) + "2025-02-03T09:30:00Z,erin,172.16.5.9,Oslo,mobile,success\n");
    CHECK(value(phone, Derived::kConcurrentSession) == doctest::Approx(1.0 / 13 / 2 * half_hour));
    // 12 minutes after her own login, from a /16 nobody here ever used: 2^(-12/30).
    const auto& replay = r.feed("2025-02-03T09:42:00Z,erin,10.1.2.3,Oslo,laptop,success\n"
                                "2025-02-03T09:54:00Z,erin,198.51.100.7,Oslo,laptop,success\n");
    CHECK(value(replay, Derived::kConcurrentSession) == doctest::Approx(std::exp2(-12.0 / 30)));
    CHECK(replay.session_minutes == doctest::Approx(12.0));
    CHECK(ad::describe_derived(Derived::kConcurrentSession, replay) ==
          "2 sessions 12 min apart from different networks: 10.1.0.0/16, then 198.51.0.0/16 "
          "(new for user, unused here)");
    // At once from a network new to her and unused here: 1.
    const auto& now = r.feed("2025-02-03T10:00:00Z,erin,10.1.2.3,Oslo,laptop,success\n"
                             "2025-02-03T10:00:00Z,erin,198.18.0.7,Oslo,laptop,success\n");
    CHECK(value(now, Derived::kConcurrentSession) == 1.0);
    // frank's network, new to erin, at once: 1 / (1 + 1 user), and not "unused here".
    const auto& other = r.feed("2025-02-04T09:00:00Z,erin,10.1.2.3,Oslo,laptop,success\n"
                               "2025-02-04T09:00:00Z,erin,192.0.2.50,Oslo,laptop,success\n");
    CHECK(value(other, Derived::kConcurrentSession) == doctest::Approx(0.5));
    CHECK(ad::describe_derived(Derived::kConcurrentSession, other) ==
          "2 sessions 0 min apart from different networks: 10.1.0.0/16, then 192.0.0.0/16");
    // The same network as her previous success is 0; so is a failure.
    CHECK(value(r.feed("2025-02-05T09:00:00Z,erin,10.1.2.3,Oslo,laptop,success\n"
                       "2025-02-05T09:01:00Z,erin,10.1.99.1,Oslo,laptop,success\n"),
                Derived::kConcurrentSession) == 0.0);
    CHECK(value(r.feed("2025-02-05T09:40:00Z,erin,10.1.2.3,Oslo,laptop,success\n"
                       "2025-02-05T09:45:00Z,erin,198.19.0.1,Oslo,laptop,failure\n"),
                Derived::kConcurrentSession) == 0.0);
  }

  TEST_CASE("login signals: a concurrent session from a new network, and a network nobody used") {
    using namespace ad::signal;
    ad::Profiles profiles;
    Replay r(profiles);
    r.feed(daily("erin", 12, "10.1.2.3") + daily("frank", 12, "192.0.2.1"));
    auto signals = [&](const std::string& rows) { return ad::login_signals(r.feed(rows)); };
    // 12 minutes after her own login, from a /16 nobody here ever used: both.
    std::uint32_t replay = signals("2025-02-03T09:42:00Z,erin,10.1.2.3,Oslo,laptop,success\n"
                                   "2025-02-03T09:54:00Z,erin,198.51.100.7,Oslo,laptop,success\n");
    CHECK((replay & kConcurrentSession) != 0);
    CHECK((replay & kUnusedNetwork) != 0);
    // Her laptop, after her session from the network of her 12 days: a copied session.
    CHECK((replay & kSessionCopy) != 0);
    // frank's network, new to erin, 5 minutes after her: concurrent, but used here.
    std::uint32_t shared = signals("2025-02-04T09:00:00Z,erin,10.1.2.3,Oslo,laptop,success\n"
                                   "2025-02-04T09:05:00Z,erin,192.0.2.50,Oslo,laptop,success\n");
    CHECK((shared & kConcurrentSession) != 0);
    CHECK((shared & kUnusedNetwork) == 0);
    CHECK((shared & kSessionCopy) == 0);  // a network used here
    // More than kConcurrentMinutes after, or a failure: not a concurrent session.
    CHECK((signals("2025-02-05T09:00:00Z,erin,10.1.2.3,Oslo,laptop,success\n"
                   "2025-02-05T09:31:00Z,erin,198.18.0.7,Oslo,laptop,success\n") &
           kConcurrentSession) == 0);
    CHECK((signals("2025-02-06T09:00:00Z,erin,10.1.2.3,Oslo,laptop,success\n"
                   "2025-02-06T09:05:00Z,erin,198.20.0.7,Oslo,laptop,failure\n") &
           kConcurrentSession) == 0);
    // A network she has used before is not new to her, minutes after or not.
    CHECK((signals("2025-02-07T09:00:00Z,erin,192.0.2.50,Oslo,laptop,success\n"
                   "2025-02-07T09:05:00Z,erin,10.1.2.3,Oslo,laptop,success\n") &
           kConcurrentSession) == 0);
    // A new user's first logins: the network features are not judged, so neither signal.
    std::uint32_t fresh = signals("2025-02-08T09:00:00Z,gus,198.21.0.1,Oslo,laptop,success\n");
    CHECK((fresh & (kConcurrentSession | kUnusedNetwork)) == 0);
    // Not a copied session: from another client than the session before (her phone,
    // new or not, beside her laptop), or after a session from a network she has used
    // fewer than kKnownNetworkLogins times (a traveller between two new networks).
    std::uint32_t phone = signals("2025-02-09T09:00:00Z,erin,10.1.2.3,Oslo,laptop,success\n"
                                  "2025-02-09T09:05:00Z,erin,198.22.0.7,Oslo,phone,success\n");
    CHECK((phone & (kConcurrentSession | kUnusedNetwork)) == (kConcurrentSession | kUnusedNetwork));
    CHECK((phone & kSessionCopy) == 0);
    std::uint32_t known_phone = signals("2025-02-09T10:00:00Z,erin,10.1.2.3,Oslo,laptop,success\n"
                                        "2025-02-09T10:05:00Z,erin,198.25.0.7,Oslo,phone,success\n");
    CHECK((known_phone & (kConcurrentSession | kUnusedNetwork)) == (kConcurrentSession | kUnusedNetwork));
    CHECK((known_phone & kSessionCopy) == 0);
    std::uint32_t trip = signals("2025-02-10T09:00:00Z,erin,198.23.0.7,Rome,laptop,success\n"
                                 "2025-02-10T09:10:00Z,erin,198.24.0.7,Rome,laptop,success\n");
    CHECK((trip & (kConcurrentSession | kUnusedNetwork)) == (kConcurrentSession | kUnusedNetwork));
    CHECK((trip & kSessionCopy) == 0);
  }

  TEST_CASE("clients: a session's client, and phones and tablets by device type or user agent") {
    std::string kept = "something longer, from before";
    ad::set_session_client(kept, "laptop", "Mozilla/* (Windows NT *)");
    CHECK(kept == "laptop\x1fMozilla/* (Windows NT *)");
    CHECK(ad::is_session_client(kept, "laptop", "Mozilla/* (Windows NT *)"));
    CHECK_FALSE(ad::is_session_client(kept, "laptop", "Mozilla/* (Macintosh)"));
    CHECK_FALSE(ad::is_session_client(kept, "phone", "Mozilla/* (Windows NT *)"));
    CHECK_FALSE(ad::is_session_client(kept, "laptop\x1fMozilla/*", " (Windows NT *)"));  // split elsewhere
    ad::set_session_client(kept, "", "curl/*");
    CHECK(kept == "\x1f" "curl/*");
    CHECK(ad::is_session_client(kept, "", "curl/*"));
    ad::set_session_client(kept, "", "");
    CHECK(kept.empty());
    CHECK_FALSE(ad::is_session_client(kept, "", ""));  // no client: never the same one
    struct Case {
      const char* device;
      const char* agent;
      bool mobile;
    };
    for (const Case& c : std::initializer_list<Case>{
             {"Mobile", "", true},
             {"smartphone", "", true},
             {"Tablet", "", true},
             {"Ios", "", true},
             {"ANDROID", "", true},
             {"", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_4 like Mac OS X)", true},
             {"", "Mozilla/5.0 (Linux; Android 10; K) Chrome/* Mobile Safari/*", true},
             {"", "Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X)", true},
             {"laptop", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", false},
             {"desktop", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)", false},
             {"MacOs", "", false},
             {"Windows 10", "", false},
             {"", "", false}}) {
      CAPTURE(c.device);
      CAPTURE(c.agent);
      CHECK(ad::mobile_client(c.device, c.agent) == c.mobile);
    }
  }

  TEST_CASE("place_jump: a new place and network soon after a session elsewhere") {
    ad::Profiles profiles;
    Replay r(profiles);
    r.feed(daily("hugo", 12, "10.1.2.3"));
    // An hour after his own login at home, from a new city and network: 2^(-1 h / 2 h).
    const auto& jump = r.feed("2025-02-03T09:00:00Z,hugo,10.1.2.3,Oslo,laptop,success\n"
                              "2025-02-03T10:00:00Z,hugo,198.51.100.7,Bergen,laptop,success\n");
    CHECK(value(jump, Derived::kPlaceJump) == doctest::Approx(std::exp2(-0.5)));
    CHECK(ad::describe_derived(Derived::kPlaceJump, jump) ==
          "new city and new network 60 min after a session from 10.1.0.0/16");
    // Back home 8 hours later: a known city and network (13 logins each).
    CHECK(value(r.feed("2025-02-03T18:00:00Z,hugo,10.1.2.3,Oslo,laptop,success\n"), Derived::kPlaceJump) ==
          doctest::Approx(1.0 / 14 * std::exp2(-4.0)));
    // A trip: a new city and network a day after the last login.
    CHECK(value(r.feed("2025-02-04T18:00:00Z,hugo,203.0.113.1,Tromsø,laptop,success\n"), Derived::kPlaceJump) ==
          doctest::Approx(std::exp2(-12.0)));
  }

  TEST_CASE("new_everything: new place, network and device at once, not one of them alone") {
    ad::Profiles profiles;
    Replay r(profiles);
    r.feed(daily("gina", 12, "10.1.2.3"));
    CHECK(value(r.feed("2025-02-01T09:00:00Z,gina,203.0.113.1,Bergen,laptop,success\n"), Derived::kNewEverything) ==
          doctest::Approx(1.0 / 13));  // her own laptop: a trip
    CHECK(value(r.feed("2025-02-02T09:00:00Z,gina,10.1.2.3,Oslo,desktop,success\n"), Derived::kNewEverything) ==
          doctest::Approx(1.0 / 13));  // a new device at home: Oslo seen 12 times
    const auto& all = r.feed("2025-02-03T09:00:00Z,gina,198.51.100.1,Trondheim,tablet,success\n");
    CHECK(value(all, Derived::kNewEverything) == 1.0);
    CHECK(ad::describe_derived(Derived::kNewEverything, all) ==
          "new network, new city and new device at once: 198.51.0.0/16, Trondheim, tablet");
  }

  TEST_CASE("NetworkPopulation: rebuilt from the profiles' wide networks, as ad-score starts") {
    ad::Profiles profiles;
    {
      Replay r(profiles);
      r.feed(daily("hal", 12, "10.1.2.3") + daily("ivy", 12, "10.1.4.4") + daily("ivy", 1, "10.2.4.4"));
    }
    ad::NetworkPopulation pop(profiles);
    CHECK(pop.users("10.1.0.0/16") == 2);
    CHECK(pop.users("10.2.0.0/16") == 1);
    CHECK(pop.users("10.3.0.0/16") == 0);
    CHECK(pop.size() == 2);
    pop.add_user("10.3.0.0/16");
    CHECK(pop.users("10.3.0.0/16") == 1);
  }

  TEST_CASE("network_users: a network that leaves a user's list and comes back counts the user once") {
    // jo uses 10.1/16 once, then eight other /16s twice each: the ninth network pushes
    // 10.1 out of jo's list (kMaxValues 8, the least counted goes). The tracker's counts
    // must stay those of the lists, as ad-score rebuilds them: it counted jo again on
    // 10.1 when it came back, and never let the eviction take jo off.
    static_assert(ad::ValueCounts::kMaxValues == 8);
    ad::Profiles profiles;
    Replay r(profiles);
    Hourly row;
    std::string rows = row("jo", "10.1.0.1");
    for (int net = 2; net <= 9; ++net)
      for (int k = 0; k < 2; ++k) rows += row("jo", "10." + std::to_string(net) + ".0.1");
    r.feed(rows);
    CHECK(profiles.find("jo")->wide_networks.count("10.1.0.0/16") == 0);  // pushed out
    CHECK(ad::NetworkPopulation(profiles).users("10.1.0.0/16") == 0);
    CHECK(r.feed(row("kim", "10.1.5.5")).network_users == 0);  // jo no longer counts
    r.feed(row("jo", "10.1.0.1"));                             // back in jo's list
    CHECK(ad::NetworkPopulation(profiles).users("10.1.0.0/16") == 2);
    CHECK(r.feed(row("lee", "10.1.6.6")).network_users == 2);  // jo and kim, once each
  }

  TEST_CASE("network_users: users evicted from the profiles (max_users) no longer count") {
    ad::Profiles profiles(10);
    Replay r(profiles);
    Hourly row;
    std::string rows;
    for (int u = 0; u < 10; ++u) rows += row("u" + std::to_string(u), "10.5.0.1");
    for (int u = 10; u < 15; ++u) rows += row("u" + std::to_string(u), "10.6.0.1");  // u0..u4 go
    r.feed(rows);
    CHECK(profiles.size() == 10);
    CHECK(profiles.find("u0") == nullptr);
    CHECK(ad::NetworkPopulation(profiles).users("10.5.0.0/16") == 5);
    CHECK(r.feed(row("kim", "10.5.9.9")).network_users == 5);
  }

  TEST_CASE("network_name: the kind from an ASN database when known") {
    CHECK(ad::network_name("AS14061", "hosting") == "AS14061 (hosting)");
    CHECK(ad::network_name("10.1.0.0/16", "") == "10.1.0.0/16");
  }
}
