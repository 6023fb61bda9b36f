// Tests for login.h: the derived login features, computed by hand.
//
// Most tests replay a small CSV through the same path ad-train and ad-score take:
// Roles::find, LoginColumns::bind, parse_time_ms, read_event, LoginTracker::observe.
#include "ad/detect/login.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ad/core/csv.h"
#include "ad/core/error.h"
#include "ad/detect/geo.h"
#include "ad/core/roles.h"
#include "ad/core/timestamp.h"

namespace {

using ad::Derived;
using ad::Role;

// A tracker over its own profiles, fed CSV rows under one header.
struct Replay {
  explicit Replay(std::string header_line, std::size_t max_users = 100000)
      : header(std::move(header_line)), profiles(max_users), tracker(profiles) {}

  // Observes each line of rows (no header) in order; returns the last row's context.
  const ad::LoginContext& feed(const std::string& rows) {
    ad::csv::Reader in(ad::csv::string_lines("logins.csv", header + "\n" + rows), "logins.csv");
    auto roles = ad::Roles::find(in.header());
    auto columns = ad::LoginColumns::bind({}, in.header(), roles, in.name(), false);
    ad::csv::Row row;
    std::size_t before = seen.size();
    while (in.next(row)) {
      auto ms = ad::parse_time_ms(row.fields[static_cast<std::size_t>(columns[Role::kTime])]);
      REQUIRE(ms);
      seen.push_back(std::make_unique<ad::LoginContext>());
      tracker.observe(ad::read_event(columns, row, *ms), *seen.back());
    }
    REQUIRE(seen.size() > before);
    return *seen.back();
  }
  const ad::UserProfile& profile(const std::string& user) const {
    const ad::UserProfile* p = profiles.find(user);
    REQUIRE(p != nullptr);
    return *p;
  }

  std::string header;
  ad::Profiles profiles;
  ad::LoginTracker tracker;
  std::vector<std::unique_ptr<ad::LoginContext>> seen;
};

double value(const ad::LoginContext& c, Derived d) { return c.values[static_cast<std::size_t>(d)]; }
std::string say(const ad::LoginContext& c, Derived d) { return ad::describe_derived(d, c); }
const std::string& current(const ad::LoginContext& c, ad::Trait t) {
  return c.current[static_cast<std::size_t>(t)];
}

// The user's n logins at the same time of day, one a day from 2025-01-06 (a Monday).
std::string daily(const std::string& user, int n, const std::string& hhmm, const std::string& rest = "") {
  std::string out;
  for (int i = 0; i < n; ++i) {
    auto day = ad::parse_time_ms("2025-01-06T" + hhmm + ":00Z");
    REQUIRE(day);
    out += ad::format_time_iso(*day + i * 86400000LL) + "," + user + rest + "\n";
  }
  return out;
}

std::vector<std::string> header_of(const std::string& line) {
  std::vector<std::string> h;
  std::size_t start = 0;
  for (;;) {
    auto comma = line.find(',', start);
    h.push_back(line.substr(start, comma - start));
    if (comma == std::string::npos) return h;
    start = comma + 1;
  }
}

ad::LoginColumns columns_of(const std::string& line) {
  auto h = header_of(line);
  return ad::LoginColumns::bind({}, h, ad::Roles::find(h), "in.csv", false);
}

std::vector<Derived> derived_of(const std::string& line) { return ad::available_derived(columns_of(line)); }

// hour_unusual as login.h defines it, for a hand-written histogram: near[0..4] are the
// user's logins in hours h-2 .. h+2, logins all of them. -log2 of the share
// sum(w x (near + s)) / (9 x (logins + 24 s)), weights w = 1 2 3 2 1 and smoothing s.
constexpr double kHourSmoothing = 0.1;  // login.h: "smoothed by 0.1 login per hour"
double hour_bits(const std::array<int, 5>& near, int logins) {
  const double w[5] = {1, 2, 3, 2, 1};
  double sum = 0;
  for (int k = 0; k < 5; ++k) sum += w[k] * (near[static_cast<std::size_t>(k)] + kHourSmoothing);
  return -std::log2(sum / (9 * (logins + 24 * kHourSmoothing)));
}

// The first record of csv (header included), read and kept alive.
struct OneRow {
  explicit OneRow(const std::string& csv) : in(ad::csv::string_lines("e.csv", csv), "e.csv") {
    REQUIRE(in.next(row));
  }
  ad::csv::Reader in;
  ad::csv::Row row;
};


// Every member of a context, in words, to compare two contexts whole.
std::string dump(const ad::LoginContext& c) {
  std::string s = std::to_string(c.time_ms) + (c.success ? (*c.success ? " ok" : " failed") : " unknown");
  for (double v : c.values) s += " " + (std::isnan(v) ? std::string("nan") : std::to_string(v));
  for (const auto& v : c.current) s += " [" + v + "]";
  for (const auto& v : c.usual) s += " <" + v + ">";
  for (long long v : {static_cast<long long>(c.prior_logins), static_cast<long long>(c.hour),
                      static_cast<long long>(c.minute), static_cast<long long>(c.weekday),
                      static_cast<long long>(c.local_time), static_cast<long long>(c.usual_hours.first),
                      static_cast<long long>(c.usual_hours.second), static_cast<long long>(c.near_logins),
                      static_cast<long long>(c.local_hour), static_cast<long long>(c.local_minute),
                      static_cast<long long>(c.approximate), static_cast<long long>(c.counts.user_failures_short),
                      static_cast<long long>(c.counts.user_failures_long),
                      static_cast<long long>(c.counts.ip_failures_short),
                      static_cast<long long>(c.counts.ip_users_long), static_cast<long long>(c.counts.user_logins_long),
                      static_cast<long long>(c.network_users), static_cast<long long>(c.place_is_city),
                      static_cast<long long>(c.session_from_logins), static_cast<long long>(c.session_same_client)})
    s += " " + std::to_string(v);
  for (double v : {c.hour_share, c.km, c.minutes, c.session_minutes}) s += " " + std::to_string(v);
  for (const auto* v : {&c.from_place, &c.wide, &c.network_kind, &c.usual_wide, &c.session_from}) s += " {" + *v + "}";
  return s;
}

}  // namespace

TEST_SUITE("login") {
  TEST_CASE("a context reused login after login holds what a fresh one would") {
    const std::string header = "timestamp,user,ip,country,city,latitude,longitude,device_type,user_agent,status";
    std::string history;  // enough of ann's logins for the network features to be judged
    for (int day = 10; day < 10 + static_cast<int>(ad::kNetworkHistory); ++day)
      history += "2024-12-" + std::to_string(day) +
                 "T09:00:00Z,ann,10.0.0.1,NO,Oslo,59.91,10.75,laptop,Mozilla/5.0 Firefox/128.0,success\n";
    const std::string rows =
        history +
        "2025-01-06T09:00:00Z,ann,10.0.0.1,NO,Oslo,59.91,10.75,laptop,Mozilla/5.0 Firefox/128.0,success\n"
        "2025-01-06T09:05:00Z,ann,10.0.0.1,NO,Oslo,59.91,10.75,laptop,Mozilla/5.0 Firefox/128.0,failure\n"
        "2025-01-06T09:07:00Z,ann,203.0.113.9,US,Boston,42.36,-71.06,phone,curl/8.0,success\n"
        "2025-01-06T09:07:30Z,ann,198.51.100.9,US,Boston,42.36,-71.06,phone,curl/8.1,success\n"
        "2025-01-06T09:08:00Z,bob,,,,,,,,\n"
        "2025-01-06T09:09:00Z,ann,2001:db8::1,NO,Bergen,60.39,5.32,,,success\n";
    Replay fresh(header);
    fresh.feed(rows);
    ad::Profiles profiles;
    ad::LoginTracker tracker(profiles);
    ad::csv::Reader in(ad::csv::string_lines("logins.csv", header + "\n" + rows), "logins.csv");
    auto roles = ad::Roles::find(in.header());
    auto columns = ad::LoginColumns::bind({}, in.header(), roles, in.name(), false);
    ad::csv::Row row;
    ad::LoginContext reused;
    for (std::size_t i = 0; in.next(row); ++i) {
      CAPTURE(i);
      auto ms = ad::parse_time_ms(row.fields[static_cast<std::size_t>(columns[Role::kTime])]);
      REQUIRE(ms);
      tracker.observe(ad::read_event(columns, row, *ms), reused);
      REQUIRE(i < fresh.seen.size());
      if (i == ad::kNetworkHistory + 3) CHECK(reused.session_same_client);  // the phone again, from another network
      CHECK(dump(reused) == dump(*fresh.seen[i]));
    }
  }

  TEST_CASE("derived feature names") {
    const char* names[] = {"history",     "new_ip",          "new_network",  "new_country",
                           "new_city",    "new_device",      "new_user_agent", "hour_unusual",
                           "weekday_unusual", "travel_speed", "user_failures", "ip_failures",
                           "ip_users",    "user_logins",     "success_after_failures",
                           "new_wide_network", "network_users", "concurrent_session", "new_everything",
                           "place_jump", "hour_rarity"};
    REQUIRE(ad::kDerivedCount == 21);
    for (int i = 0; i < ad::kDerivedCount; ++i) CHECK(ad::derived_name(static_cast<Derived>(i)) == names[i]);
  }

  TEST_CASE("an unknown user: history 0, novelty and habits missing") {
    Replay r("timestamp,user,ip,country,status");
    const auto& c = r.feed("2025-01-06T09:00:00Z,alice,10.1.2.3,NO,success\n");
    CHECK(c.prior_logins == 0);
    CHECK(value(c, Derived::kHistory) == 0.0);  // log2(1 + 0)
    for (Derived d : {Derived::kNewIp, Derived::kNewNetwork, Derived::kNewCountry, Derived::kNewCity,
                      Derived::kNewDevice, Derived::kNewUserAgent, Derived::kHourUnusual,
                      Derived::kWeekdayUnusual, Derived::kTravelSpeed})
      CHECK_MESSAGE(std::isnan(value(c, d)), ad::derived_name(d));
    CHECK(value(c, Derived::kUserFailures) == 0);
    CHECK(value(c, Derived::kIpFailures) == 0);
    CHECK(value(c, Derived::kIpUsers) == 1);  // alice herself
    CHECK(value(c, Derived::kUserLogins) == 0);
    CHECK(value(c, Derived::kSuccessAfterFailures) == 0);
    CHECK(c.usual_hours == std::make_pair(-1, -1));
    CHECK(c.usual[static_cast<int>(ad::Trait::kCountry)].empty());
    CHECK(say(c, Derived::kHistory) == "first login of this user");
    CHECK(say(c, Derived::kNewCountry) == "country for user: NO");
    CHECK(say(c, Derived::kHourUnusual) == "login at 09:00 UTC");

    // It learned: one successful login on a Monday at 09, from the NO centroid.
    const auto& p = r.profile("alice");
    CHECK(p.logins == 1);
    CHECK(p.successes == 1);
    CHECK(p.failures == 0);
    CHECK(p.hours[9] == 1);
    CHECK(p.weekdays[0] == 1);
    CHECK(p.trait(ad::Trait::kIp).count("10.1.2.3") == 1);
    CHECK(p.trait(ad::Trait::kNetwork).count("10.1.2.0/24") == 1);
    CHECK(p.trait(ad::Trait::kCountry).count("NO") == 1);
    CHECK(p.has_place);
    CHECK(p.place.approximate);
    CHECK(p.place_name == "NO");

    // Her second login: history log2(2) = 1, the same IP seen once: 1 / (1 + 1).
    const auto& c2 = r.feed("2025-01-06T09:30:00Z,alice,10.1.2.3,NO,success\n");
    CHECK(c2.prior_logins == 1);
    CHECK(value(c2, Derived::kHistory) == doctest::Approx(1.0));
    CHECK(value(c2, Derived::kNewIp) == doctest::Approx(0.5));
    CHECK(value(c2, Derived::kNewCountry) == doctest::Approx(0.5));
    CHECK(std::isnan(value(c2, Derived::kNewCity)));  // no city column
    CHECK(value(c2, Derived::kUserLogins) == 1);
    CHECK(say(c2, Derived::kHistory) == "new user: 1 earlier login");
    CHECK(say(c2, Derived::kNewIp) == "rare IP for user: 10.1.2.3 (seen 1 time)");
    CHECK(say(c2, Derived::kUserLogins) == "1 login by this user in 1 h");

    // Another user is still unknown, whatever alice did.
    const auto& b = r.feed("2025-01-06T09:31:00Z,bob,10.1.2.3,NO,success\n");
    CHECK(value(b, Derived::kHistory) == 0.0);
    CHECK(std::isnan(value(b, Derived::kNewIp)));
    CHECK(value(b, Derived::kIpUsers) == 2);  // alice before, bob now
    CHECK(say(b, Derived::kIpUsers) == "2 users tried from 10.1.2.3 in 1 h");

    // Third login: history log2(3).
    CHECK(value(r.feed("2025-01-06T10:00:00Z,alice,10.1.2.3,NO,success\n"), Derived::kHistory) ==
          doctest::Approx(std::log2(3.0)));
  }

  TEST_CASE("a user known only by failures, or evicted, is judged as new") {
    Replay r("timestamp,user,ip,status", 2);
    r.feed("2025-01-06T09:00:00Z,alice,10.0.0.1,failed\n");
    // A profile exists (one failure), but no login was learned: still history 0, no novelty.
    CHECK(r.profile("alice").failures == 1);
    CHECK(r.profile("alice").logins == 0);
    const auto& c = r.feed("2025-01-06T09:01:00Z,alice,10.0.0.1,success\n");
    CHECK(value(c, Derived::kHistory) == 0.0);
    CHECK(std::isnan(value(c, Derived::kNewIp)));
    CHECK(say(c, Derived::kHistory) == "first login of this user");

    // With room for 2 users, carol's arrival evicts alice (the least recently seen).
    r.feed("2025-01-06T10:00:00Z,bob,10.0.0.2,success\n"
           "2025-01-06T11:00:00Z,carol,10.0.0.3,success\n");
    CHECK(r.profiles.find("alice") == nullptr);
    const auto& again = r.feed("2025-01-06T12:00:00Z,alice,10.0.0.1,success\n");
    CHECK(again.prior_logins == 0);
    CHECK(std::isnan(value(again, Derived::kNewIp)));
  }

  TEST_CASE("IP and network novelty: IPv4 /24") {
    Replay r("timestamp,user,ip");
    r.feed(daily("alice", 3, "09:00", ",10.1.2.3"));
    // A new address in the known /24: new_ip 1 / (1 + 0), new_network 1 / (1 + 3).
    const auto& c = r.feed("2025-01-10T09:00:00Z,alice,10.1.2.77\n");
    CHECK(value(c, Derived::kNewIp) == 1.0);
    CHECK(value(c, Derived::kNewNetwork) == doctest::Approx(0.25));
    CHECK(current(c, ad::Trait::kNetwork) == "10.1.2.0/24");
    CHECK(say(c, Derived::kNewIp) == "new IP for user: 10.1.2.77 (usual: 10.1.2.3)");
    CHECK(say(c, Derived::kNewNetwork) == "rare network for user: 10.1.2.0/24 (seen 3 times)");

    // Another /24: new network. The usual one is the /24 seen 4 times.
    const auto& d = r.feed("2025-01-11T09:00:00Z,alice,10.1.3.5\n");
    CHECK(value(d, Derived::kNewNetwork) == 1.0);
    CHECK(say(d, Derived::kNewNetwork) == "new network for user: 10.1.3.0/24 (usual: 10.1.2.0/24)");
    CHECK(value(d, Derived::kHistory) == doctest::Approx(std::log2(5.0)));

    // Something that is not an address is its own network.
    const auto& e = r.feed("2025-01-12T09:00:00Z,alice,vpn-gateway\n");
    CHECK(current(e, ad::Trait::kNetwork) == "vpn-gateway");
    CHECK(value(e, Derived::kNewNetwork) == 1.0);
    CHECK(value(r.feed("2025-01-13T09:00:00Z,alice,vpn-gateway\n"), Derived::kNewNetwork) ==
          doctest::Approx(0.5));
  }

  TEST_CASE("IP and network novelty: IPv6 /48") {
    Replay r("timestamp,user,ip");
    r.feed(daily("alice", 2, "09:00", ",2001:db8:42:1::5"));
    // Another address in the same /48 is the same network, seen twice: 1 / (1 + 2).
    const auto& c = r.feed("2025-01-10T09:00:00Z,alice,2001:db8:42:ffff::9\n");
    CHECK(value(c, Derived::kNewIp) == 1.0);
    CHECK(value(c, Derived::kNewNetwork) == doctest::Approx(1.0 / 3));
    CHECK(current(c, ad::Trait::kNetwork) == "2001:db8:42::/48");

    // The /48 is compared in canonical form, whatever the spelling: seen 3 times now.
    const auto& d = r.feed("2025-01-11T09:00:00Z,alice,2001:DB8:0042:0007:0:0:0:1\n");
    CHECK(current(d, ad::Trait::kNetwork) == "2001:db8:42::/48");
    CHECK(value(d, Derived::kNewNetwork) == doctest::Approx(0.25));

    // The next /48 is a new network.
    const auto& e = r.feed("2025-01-12T09:00:00Z,alice,2001:db8:43::1\n");
    CHECK(current(e, ad::Trait::kNetwork) == "2001:db8:43::/48");
    CHECK(value(e, Derived::kNewNetwork) == 1.0);
    CHECK(say(e, Derived::kNewNetwork) == "new network for user: 2001:db8:43::/48 (usual: 2001:db8:42::/48)");
  }

  TEST_CASE("IP novelty and IP windows compare addresses in canonical form") {
    Replay r("timestamp,user,ip,status");
    r.feed(daily("alice", 2, "09:00", ",2001:db8:42:1::5,success"));
    // The same address in capitals and without compression is not new: seen twice.
    const auto& c = r.feed("2025-01-10T09:00:00Z,alice,2001:DB8:42:1:0:0:0:5,success\n");
    CHECK(current(c, ad::Trait::kIp) == "2001:db8:42:1::5");
    CHECK(value(c, Derived::kNewIp) == doctest::Approx(1.0 / 3));
    // An IPv4-mapped address is its IPv4 address, for novelty and for the windows.
    r.feed("2025-01-10T10:00:00Z,bob,10.9.8.7,failure\n");
    const auto& d = r.feed("2025-01-10T10:01:00Z,carol,::ffff:10.9.8.7,failure\n");
    CHECK(current(d, ad::Trait::kIp) == "10.9.8.7");
    CHECK(value(d, Derived::kIpFailures) == 1);
    CHECK(value(d, Derived::kIpUsers) == 2);
    CHECK(say(d, Derived::kIpFailures) == "1 failed login from 10.9.8.7 in 10 min");
  }

  TEST_CASE("country, city, device and user agent novelty") {
    Replay r("timestamp,user,country,city,device_type,user_agent");
    const std::string ua131 = "\"Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36\"";
    const std::string ua132 = "\"Mozilla/5.0 (X11; Linux x86_64) Chrome/132.0.6834.83 Safari/537.36\"";
    r.feed(daily("alice", 2, "09:00", ",NO,Oslo,laptop," + ua131));

    // From Bucharest on a phone, with a newer Chrome: country, city and device are new;
    // the user agent family is the same, seen twice: 1 / (1 + 2).
    const auto& c = r.feed("2025-01-10T09:00:00Z,alice,RO,Bucharest,phone," + ua132 + "\n");
    CHECK(value(c, Derived::kNewCountry) == 1.0);
    CHECK(value(c, Derived::kNewCity) == 1.0);
    CHECK(value(c, Derived::kNewDevice) == 1.0);
    CHECK(value(c, Derived::kNewUserAgent) == doctest::Approx(1.0 / 3));
    CHECK(say(c, Derived::kNewCountry) == "new country for user: RO (usual: NO)");
    CHECK(say(c, Derived::kNewCity) == "new city for user: Bucharest (usual: Oslo)");
    CHECK(say(c, Derived::kNewDevice) == "new device for user: phone (usual: laptop)");
    // ';' would split the reasons column, so it is written as ','.
    CHECK(say(c, Derived::kNewUserAgent) ==
          "rare user agent for user: Mozilla/* (X*, Linux x*_*) Chrome/* Safari/* (seen 2 times)");

    // Back in Norway: NO seen twice (1 / 3), and it is the usual country, so no "usual".
    const auto& d = r.feed("2025-01-11T09:00:00Z,alice,NO,Oslo,laptop,curl/8.5.0\n");
    CHECK(value(d, Derived::kNewCountry) == doctest::Approx(1.0 / 3));
    CHECK(say(d, Derived::kNewCountry) == "rare country for user: NO (seen 2 times)");
    CHECK(value(d, Derived::kNewUserAgent) == 1.0);
    CHECK(current(d, ad::Trait::kUserAgent) == "curl/*");

    // An empty field has no novelty and is not learned.
    const auto& e = r.feed("2025-01-12T09:00:00Z,alice,NO,Oslo,,curl/8.5.0\n");
    CHECK(std::isnan(value(e, Derived::kNewDevice)));
    CHECK(value(e, Derived::kNewUserAgent) == doctest::Approx(0.5));
    const auto& p = r.profile("alice");
    CHECK(p.trait(ad::Trait::kDevice).count("") == 0);
    CHECK(p.trait(ad::Trait::kDevice).count("laptop") == 3);
    CHECK(p.trait(ad::Trait::kDevice).count("phone") == 1);

    // A reason quotes at most 60 characters of a value, and a tab becomes a space.
    const std::string odd = "Android\tphone " + std::string(60, 'z');  // 74 characters
    const auto& f = r.feed("2025-01-13T09:00:00Z,alice,NO,Oslo,\"" + odd + "\",curl/8.5.0\n");
    CHECK(say(f, Derived::kNewDevice) ==
          "new device for user: Android phone " + std::string(46, 'z') + "... (usual: laptop)");
  }

  TEST_CASE("user agents are compared without version numbers") {
    CHECK(ad::user_agent_family("Chrome/131.0.0.0") == "Chrome/*");
    CHECK(ad::user_agent_family("Chrome/132.0.6834.83") == "Chrome/*");
    CHECK(ad::user_agent_family("Mozilla/5.0 (X11; Linux x86_64)") == "Mozilla/* (X*; Linux x*_*)");
    CHECK(ad::user_agent_family("v1.2.") == "v*.");  // a dot not followed by a digit stays
    CHECK(ad::user_agent_family("a.b") == "a.b");
    CHECK(ad::user_agent_family("") == "");
  }

  TEST_CASE("hour_unusual in bits") {
    SUBCASE("missing below 5 logins, then exact") {
      Replay r("timestamp,user");
      r.feed(daily("alice", 4, "09:00"));
      CHECK(std::isnan(value(r.feed("2025-01-10T09:30:00Z,alice\n"), Derived::kHourUnusual)));
      // Now 5 logins at 09. At 09:30, hours 07..11 hold 0 0 5 0 0:
      // (0.1 + 2x0.1 + 3x5.1 + 2x0.1 + 0.1) / (9 x 7.4) = 15.9 / 66.6: 2.0665 bits.
      const auto& c = r.feed("2025-01-11T09:30:00Z,alice\n");
      CHECK(value(c, Derived::kHourUnusual) == doctest::Approx(hour_bits({0, 0, 5, 0, 0}, 5)));
      CHECK(c.usual_hours == std::make_pair(9, 9));
      // The helper gives the numbers written out by hand here and below.
      CHECK(hour_bits({0, 0, 5, 0, 0}, 5) == doctest::Approx(2.0665).epsilon(1e-4));
      CHECK(hour_bits({0, 0, 0, 0, 0}, 10) == doctest::Approx(6.9542).epsilon(1e-4));
      CHECK(hour_bits({0, 5, 0, 0, 0}, 5) == doctest::Approx(2.6112).epsilon(1e-4));
    }
    SUBCASE("a day worker at 03:12 and at noon") {
      // 2 logins at 08, 6 at 12, 2 at 17: 10 logins. Usual hours 08..17 (see profile_test).
      std::string history = daily("alice", 2, "08:00") + daily("alice", 6, "12:00") + daily("alice", 2, "17:00");
      Replay night("timestamp,user");
      night.feed(history);
      // 03:12: hours 01..05 are empty: 9 x 0.1 / (9 x 12.4) = 1 / 124: 6.954 bits.
      const auto& c = night.feed("2025-01-20T03:12:00Z,alice\n");
      CHECK(value(c, Derived::kHourUnusual) == doctest::Approx(hour_bits({0, 0, 0, 0, 0}, 10)));
      CHECK(c.hour == 3);
      CHECK(c.minute == 12);
      CHECK(c.usual_hours == std::make_pair(8, 17));
      CHECK(say(c, Derived::kHourUnusual) == "login at 03:12 UTC, usual 08-18, 0 of 10 logins within 2 h");

      Replay noon("timestamp,user");
      noon.feed(history);
      // 12:00: hours 10..14 hold 0 0 6 0 0: (0.1 + 2x0.1 + 3x6.1 + 2x0.1 + 0.1) / 111.6
      // = 18.9 / 111.6: 2.5619 bits.
      const auto& d = noon.feed("2025-01-20T12:00:00Z,alice\n");
      CHECK(value(d, Derived::kHourUnusual) == doctest::Approx(hour_bits({0, 0, 6, 0, 0}, 10)));
      CHECK(value(d, Derived::kHourUnusual) < value(c, Derived::kHourUnusual));

      Replay evening("timestamp,user");
      evening.feed(history);
      // 18:40: hours 16..20 hold 0 2 0 0 0: (0.1 + 2x2.1 + 3x0.1 + 2x0.1 + 0.1) / 111.6
      // = 4.9 / 111.6: 4.5094 bits.
      const auto& e = evening.feed("2025-01-20T18:40:00Z,alice\n");
      CHECK(value(e, Derived::kHourUnusual) == doctest::Approx(hour_bits({0, 2, 0, 0, 0}, 10)));
    }
  }

  TEST_CASE("midnight: 23:50 and 00:10 are neighbours") {
    // 5 logins at 23:50. Each probe is judged against those 5 only.
    auto probe = [](const std::string& when) {
      Replay r("timestamp,user");
      r.feed(daily("alice", 5, "23:50"));
      return value(r.feed(when + ",alice\n"), Derived::kHourUnusual);
    };
    // 00:10 next day: hours 22 23 00 01 02 hold 0 5 0 0 0:
    // (0.1 + 2x5.1 + 3x0.1 + 2x0.1 + 0.1) / 66.6 = 10.9 / 66.6: 2.6112 bits.
    const double after = probe("2025-01-11T00:10:00Z");
    CHECK(after == doctest::Approx(hour_bits({0, 5, 0, 0, 0}, 5)));
    // 22:10 is as near on the other side: hours 20..00 hold 0 0 0 5 0.
    CHECK(probe("2025-01-11T22:10:00Z") == doctest::Approx(after));
    // 01:10: hour 23 is 2 away: hours 23..03 hold 5 0 0 0 0: 5.9 / 66.6: 3.4967 bits.
    const double later = probe("2025-01-11T01:10:00Z");
    CHECK(later == doctest::Approx(hour_bits({5, 0, 0, 0, 0}, 5)));
    // 12:10, far away: 0.9 / 66.6 = 1 / 74: 6.2095 bits.
    const double noon = probe("2025-01-11T12:10:00Z");
    CHECK(noon == doctest::Approx(hour_bits({0, 0, 0, 0, 0}, 5)));
    CHECK(after < later);
    CHECK(later < noon);

    Replay r("timestamp,user");
    r.feed(daily("alice", 5, "23:50"));
    const auto& c = r.feed("2025-01-11T00:10:00Z,alice\n");
    CHECK(c.usual_hours == std::make_pair(23, 23));
    CHECK(say(c, Derived::kHourUnusual) == "login at 00:10 UTC, usual 23-00, 5 of 5 logins within 2 h");
  }

  TEST_CASE("time zones: without a place, hours and weekdays are taken in UTC, not the zone of the timestamp") {
    Replay r("timestamp,user");
    // 01:30 at +02:00 on Wednesday 2025-01-01 is 23:30 UTC on Tuesday 2024-12-31.
    const auto& c = r.feed("2025-01-01T01:30:00+02:00,alice\n");
    CHECK(c.hour == 23);
    CHECK(c.minute == 30);
    CHECK(c.weekday == 1);  // Tuesday
    CHECK(say(c, Derived::kHourUnusual) == "login at 23:30 UTC");
    CHECK(r.profile("alice").hours[23] == 1);
    CHECK(r.profile("alice").weekdays[1] == 1);

    // The same wall-clock time in UTC is Wednesday 01:30.
    const auto& d = r.feed("2025-01-01T01:30:00Z,bob\n");
    CHECK(d.hour == 1);
    CHECK(d.weekday == 2);
    // 20:00 at -05:00 on Tuesday is 01:00 UTC on Wednesday.
    const auto& e = r.feed("2024-12-31T20:00:00-05:00,carol\n");
    CHECK(e.hour == 1);
    CHECK(e.weekday == 2);
    // Epoch milliseconds: 1735693200000 is 2025-01-01T01:00:00Z.
    const auto& f = r.feed("1735693200000,dave\n");
    CHECK(f.hour == 1);
    CHECK(f.weekday == 2);
    // Before 1970: 1969-12-31T23:00Z was a Wednesday, 23:00.
    const auto& g = r.feed("1969-12-31T23:00:00Z,erin\n");
    CHECK(g.hour == 23);
    CHECK(g.minute == 0);
    CHECK(g.weekday == 2);

    // Five logins at 00:50 +01:00 (23:50 UTC the day before), then one at 01:10 +01:00
    // (00:10 UTC): neighbours across midnight, 2.6112 bits as in the midnight test.
    Replay z("timestamp,user");
    z.feed("2025-01-06T00:50:00+01:00,frank\n2025-01-07T00:50:00+01:00,frank\n"
           "2025-01-08T00:50:00+01:00,frank\n2025-01-09T00:50:00+01:00,frank\n"
           "2025-01-10T00:50:00+01:00,frank\n");
    CHECK(z.profile("frank").hours[23] == 5);
    CHECK(z.profile("frank").weekdays[6] == 1);  // Monday 00:50 +01:00 is Sunday in UTC
    CHECK(value(z.feed("2025-01-11T01:10:00+01:00,frank\n"), Derived::kHourUnusual) ==
          doctest::Approx(hour_bits({0, 5, 0, 0, 0}, 5)));
  }

  TEST_CASE("weekday_unusual") {
    // 9 logins on Mondays (2025-01-06 .. 2025-03-03) and 1 on Tuesday 2025-03-04.
    std::string history;
    for (const char* day : {"01-06", "01-13", "01-20", "01-27", "02-03", "02-10", "02-17", "02-24", "03-03"})
      history += std::string("2025-") + day + "T09:00:00Z,alice\n";
    {
      // With 9 earlier logins, the 10th (Tuesday) has no weekday_unusual yet.
      Replay r("timestamp,user");
      r.feed(history);
      CHECK(std::isnan(value(r.feed("2025-03-04T09:00:00Z,alice\n"), Derived::kWeekdayUnusual)));
    }
    // A probe after those 10 logins (a copy of its context).
    auto judge = [&](const std::string& when) -> ad::LoginContext {
      Replay r("timestamp,user");
      r.feed(history + "2025-03-04T09:00:00Z,alice\n");
      return r.feed(when + ",alice\n");
    };
    // Tuesday: 1 of 10, so 1 - 7 x 0.1 = 0.3.
    CHECK(value(judge("2025-03-11T09:00:00Z"), Derived::kWeekdayUnusual) == doctest::Approx(0.3));
    // Wednesday: never, so 1.
    auto wed = judge("2025-03-12T09:00:00Z");
    CHECK(value(wed, Derived::kWeekdayUnusual) == 1.0);
    CHECK(say(wed, Derived::kWeekdayUnusual) == "login on a Wednesday (UTC), rare for this user");
    // Monday: 9 of 10, 1 - 6.3 is below 0, so 0.
    CHECK(value(judge("2025-03-10T09:00:00Z"), Derived::kWeekdayUnusual) == 0.0);
  }

  TEST_CASE("travel speed from latitude and longitude") {
    const std::string header = "timestamp,user,city,country,latitude,longitude";
    const std::string oslo = "alice,Oslo,NO,59.91,10.75\n";
    const std::string bucharest = "alice,Bucharest,RO,44.43,26.10\n";
    // Oslo to Bucharest by haversine: 2003.67 km.
    constexpr double kKm = 2003.67;

    Replay r(header);
    CHECK(std::isnan(value(r.feed("2025-01-06T08:00:00Z," + oslo), Derived::kTravelSpeed)));  // no place yet
    const auto& c = r.feed("2025-01-06T08:25:00Z," + bucharest);
    CHECK(c.km == doctest::Approx(kKm).epsilon(1e-5));
    CHECK(c.minutes == doctest::Approx(25.0));
    CHECK_FALSE(c.approximate);
    CHECK(c.from_place == "Oslo");
    // 2003.67 km in 25 min = 4808.8 km/h.
    CHECK(value(c, Derived::kTravelSpeed) == doctest::Approx(kKm * 60 / 25).epsilon(1e-5));
    CHECK(say(c, Derived::kTravelSpeed) == "travel 2004 km in 25 min since Oslo");

    // 20 seconds apart counts as one minute: 2003.67 km/min = 120220 km/h.
    Replay quick(header);
    quick.feed("2025-01-06T08:00:00Z," + oslo);
    const auto& q = quick.feed("2025-01-06T08:00:20Z," + bucharest);
    CHECK(q.minutes == doctest::Approx(1.0 / 3));
    CHECK(value(q, Derived::kTravelSpeed) == doctest::Approx(kKm * 60).epsilon(1e-5));

    // 4 hours apart: 500.9 km/h, said in hours.
    Replay slow(header);
    slow.feed("2025-01-06T08:00:00Z," + oslo);
    const auto& s = slow.feed("2025-01-06T12:00:00Z," + bucharest);
    CHECK(value(s, Derived::kTravelSpeed) == doctest::Approx(kKm / 4).epsilon(1e-5));
    CHECK(say(s, Derived::kTravelSpeed) == "travel 2004 km in 4 h since Oslo");

    // Staying put: 0 km/h.
    CHECK(value(slow.feed("2025-01-06T13:00:00Z," + bucharest), Derived::kTravelSpeed) == 0.0);
  }

  TEST_CASE("travel speed from country centroids is approximate") {
    Replay r("timestamp,user,country");
    r.feed("2025-01-06T08:00:00Z,alice,NO\n");
    // Centroids NO (60.47, 8.47) to RO (45.94, 24.97): 1942.0 km; in 25 min 4660.8 km/h.
    const auto& c = r.feed("2025-01-06T08:25:00Z,alice,RO\n");
    CHECK(c.approximate);
    CHECK(c.km == doctest::Approx(1942.0).epsilon(1e-4));
    CHECK(value(c, Derived::kTravelSpeed) == doctest::Approx(1942.0 * 60 / 25).epsilon(1e-4));
    CHECK(c.from_place == "NO");  // no city column: the country names the place
    CHECK(say(c, Derived::kTravelSpeed) == "travel ~1942 km in 25 min since NO (country centroids)");

    // Within one country: exactly 0 km, whatever the time.
    const auto& d = r.feed("2025-01-06T08:26:00Z,alice,Romania\n");
    CHECK(d.km == 0.0);
    CHECK(value(d, Derived::kTravelSpeed) == 0.0);
    CHECK(d.approximate);

    // An unknown country has no place: no speed, and the last place stays.
    const auto& e = r.feed("2025-01-06T09:00:00Z,alice,Atlantis\n");
    CHECK(std::isnan(value(e, Derived::kTravelSpeed)));
    CHECK(r.profile("alice").place_ms == *ad::parse_time_ms("2025-01-06T08:26:00Z"));
    const auto& f = r.feed("2025-01-06T10:26:00Z,alice,NO\n");
    CHECK(f.minutes == doctest::Approx(120.0));  // since 08:26 in Romania
    CHECK(f.km == doctest::Approx(1942.0).epsilon(1e-4));
  }

  TEST_CASE("travel mixing exact coordinates and a centroid is approximate") {
    Replay r("timestamp,user,city,country,latitude,longitude");
    r.feed("2025-01-06T08:00:00Z,alice,Oslo,NO,59.91,10.75\n");
    // No coordinates on this row: the RO centroid. Oslo (59.91, 10.75) to (45.94, 24.97)
    // is 1814.0 km.
    const auto& c = r.feed("2025-01-06T10:00:00Z,alice,,RO,,\n");
    CHECK(c.approximate);
    CHECK(c.km == doctest::Approx(1814.0).epsilon(1e-4));
    CHECK(say(c, Derived::kTravelSpeed) == "travel ~1814 km in 2 h since Oslo (country centroids)");
  }

  TEST_CASE("a late login does not move the last place back") {
    Replay r("timestamp,user,city,latitude,longitude");
    r.feed("2025-01-06T08:00:00Z,alice,Oslo,59.91,10.75\n"
           "2025-01-06T10:00:00Z,alice,Bucharest,44.43,26.10\n");
    // A login from Oslo stamped 09:00 arrives after the 10:00 one: 60 min from Bucharest.
    const auto& late = r.feed("2025-01-06T09:00:00Z,alice,Oslo,59.91,10.75\n");
    CHECK(late.from_place == "Bucharest");
    CHECK(late.minutes == doctest::Approx(60.0));
    CHECK(late.km == doctest::Approx(2003.67).epsilon(1e-5));
    // The last place is still Bucharest at 10:00.
    const auto& next = r.feed("2025-01-06T10:30:00Z,alice,Bucharest,44.43,26.10\n");
    CHECK(next.from_place == "Bucharest");
    CHECK(next.km == doctest::Approx(0.0));
    CHECK(next.minutes == doctest::Approx(30.0));
  }

  TEST_CASE("failed logins never teach traits or move the last place") {
    Replay r("timestamp,user,ip,city,country,latitude,longitude,status");
    r.feed("2025-01-06T08:00:00Z,alice,10.0.0.1,Oslo,NO,59.91,10.75,success\n");
    const auto& f1 = r.feed("2025-01-06T08:10:00Z,alice,45.3.2.1,Bucharest,RO,44.43,26.10,failed\n");
    CHECK(value(f1, Derived::kNewIp) == 1.0);
    CHECK(value(f1, Derived::kUserFailures) == 0);
    CHECK(value(f1, Derived::kSuccessAfterFailures) == 0);  // a failure
    CHECK(say(f1, Derived::kSuccessAfterFailures) == "failed login");
    CHECK(f1.minutes == doctest::Approx(10.0));

    const auto& f2 = r.feed("2025-01-06T08:12:00Z,alice,45.3.2.1,Bucharest,RO,44.43,26.10,failed\n");
    CHECK(value(f2, Derived::kNewIp) == 1.0);  // the failure at 08:10 taught nothing
    CHECK(value(f2, Derived::kNewCountry) == 1.0);
    CHECK(f2.from_place == "Oslo");
    CHECK(f2.minutes == doctest::Approx(12.0));
    CHECK(value(f2, Derived::kUserFailures) == 1);
    CHECK(value(f2, Derived::kIpFailures) == 1);
    CHECK(say(f2, Derived::kUserFailures) == "1 failed login for this user in 10 min");
    CHECK(say(f2, Derived::kIpFailures) == "1 failed login from 45.3.2.1 in 10 min");
    {
      const auto& p = r.profile("alice");
      CHECK(p.logins == 1);
      CHECK(p.successes == 1);
      CHECK(p.failures == 2);
      CHECK(p.trait(ad::Trait::kIp).count("45.3.2.1") == 0);
      CHECK(p.trait(ad::Trait::kCountry).count("RO") == 0);
      CHECK(p.hours[8] == 1);
      CHECK(p.place_name == "Oslo");
    }

    // The success at 08:25: the failures at 08:10 and 08:12 are out of the 10 min window
    // (from 08:15) but within the hour.
    const auto& s = r.feed("2025-01-06T08:25:00Z,alice,45.3.2.1,Bucharest,RO,44.43,26.10,success\n");
    CHECK(s.prior_logins == 1);
    CHECK(value(s, Derived::kHistory) == doctest::Approx(1.0));
    CHECK(value(s, Derived::kNewIp) == 1.0);
    CHECK(value(s, Derived::kUserFailures) == 0);
    CHECK(value(s, Derived::kSuccessAfterFailures) == 2);
    CHECK(value(s, Derived::kUserLogins) == 3);  // failures are logins in the window
    CHECK(say(s, Derived::kSuccessAfterFailures) == "success after 2 failed logins in 1 h");
    CHECK(say(s, Derived::kTravelSpeed) == "travel 2004 km in 25 min since Oslo");
    CHECK(r.profile("alice").place_name == "Bucharest");
    CHECK(r.profile("alice").successes == 2);

    // An unknown outcome is learned as a login, but not as a success, and has no
    // success_after_failures.
    const auto& u = r.feed("2025-01-06T08:30:00Z,alice,10.0.0.1,Oslo,NO,59.91,10.75,\n");
    CHECK(std::isnan(value(u, Derived::kSuccessAfterFailures)));
    CHECK(r.profile("alice").logins == 3);
    CHECK(r.profile("alice").successes == 2);
    CHECK(r.profile("alice").failures == 2);
  }

  TEST_CASE("spraying and brute force: ip_failures and ip_users") {
    Replay r("timestamp,user,ip,status");
    const std::int64_t t0 = *ad::parse_time_ms("2025-01-06T09:00:00Z");
    // 38 users fail from 45.3.2.1, 10 s apart (09:00:00 .. 09:06:10).
    std::string rows;
    for (int i = 0; i < 38; ++i)
      rows += ad::format_time_iso(t0 + i * 10000LL) + ",u" + std::to_string(i) + ",45.3.2.1,failed\n";
    r.feed(rows);
    const auto& u0 = *r.seen.front();
    CHECK(value(u0, Derived::kIpUsers) == 1);
    CHECK(say(u0, Derived::kIpUsers) == "1 user tried from 45.3.2.1 in 1 h");
    CHECK(say(u0, Derived::kIpFailures) == "0 failed logins from 45.3.2.1 in 10 min");

    // Then the victim, at 09:06:20: all 38 failures are within 10 min, 39 users in the hour.
    const auto& c = r.feed("2025-01-06T09:06:20Z,victim,45.3.2.1,success\n");
    CHECK(value(c, Derived::kIpFailures) == 38);
    CHECK(value(c, Derived::kIpUsers) == 39);
    CHECK(value(c, Derived::kUserFailures) == 0);
    CHECK(value(c, Derived::kSuccessAfterFailures) == 0);  // none of them were the victim's
    CHECK(say(c, Derived::kIpFailures) == "38 failed logins from 45.3.2.1 in 10 min");
    CHECK(say(c, Derived::kIpUsers) == "39 users tried from 45.3.2.1 in 1 h");
    CHECK(say(c, Derived::kUserLogins) == "0 logins by this user in 1 h");

    // At 09:10:05 the window starts at 09:00:05: the failure at 09:00:00 is out, 37 stay.
    const auto& d = r.feed("2025-01-06T09:10:05Z,other,45.3.2.1,success\n");
    CHECK(value(d, Derived::kIpFailures) == 37);
    CHECK(value(d, Derived::kIpUsers) == 40);

    // Brute force on one user: 3 failures, then the 4th sees 3 in 10 min.
    Replay b("timestamp,user,ip,status");
    b.feed("2025-01-06T09:00:00Z,bob,45.3.2.9,failed\n"
           "2025-01-06T09:01:00Z,bob,45.3.2.9,failed\n"
           "2025-01-06T09:02:00Z,bob,45.3.2.9,failed\n");
    const auto& e = b.feed("2025-01-06T09:03:00Z,bob,45.3.2.9,success\n");
    CHECK(value(e, Derived::kUserFailures) == 3);
    CHECK(value(e, Derived::kIpFailures) == 3);
    CHECK(value(e, Derived::kSuccessAfterFailures) == 3);
    CHECK(value(e, Derived::kIpUsers) == 1);
    CHECK(say(e, Derived::kUserFailures) == "3 failed logins for this user in 10 min");
  }

  TEST_CASE("available_derived follows the columns") {
    const std::vector<Derived> all = {
        Derived::kHistory,    Derived::kNewIp,          Derived::kNewNetwork,    Derived::kNewCountry,
        Derived::kNewCity,    Derived::kNewDevice,      Derived::kNewUserAgent,  Derived::kHourUnusual,
        Derived::kWeekdayUnusual, Derived::kHourRarity, Derived::kTravelSpeed, Derived::kUserFailures, Derived::kIpFailures,
        Derived::kIpUsers,    Derived::kUserLogins,     Derived::kSuccessAfterFailures,
        Derived::kNewWideNetwork, Derived::kNetworkUsers, Derived::kConcurrentSession, Derived::kNewEverything,
        Derived::kPlaceJump};
    CHECK(derived_of("timestamp,user,ip,country,city,latitude,longitude,device,user_agent,status") == all);

    // Without user or time there is nothing to learn about anyone.
    CHECK(derived_of("timestamp,ip,country,status").empty());
    CHECK(derived_of("user,ip,country,status").empty());

    // User and time only.
    CHECK(derived_of("timestamp,user") ==
          std::vector<Derived>{Derived::kHistory, Derived::kHourUnusual, Derived::kWeekdayUnusual, Derived::kHourRarity,
                               Derived::kUserLogins});

    // Without an outcome: no failure features. Without a device: no new_everything.
    CHECK(derived_of("timestamp,user,ip,country") ==
          std::vector<Derived>{Derived::kHistory, Derived::kNewIp, Derived::kNewNetwork, Derived::kNewCountry,
                               Derived::kHourUnusual, Derived::kWeekdayUnusual, Derived::kHourRarity, Derived::kTravelSpeed,
                               Derived::kIpUsers, Derived::kUserLogins, Derived::kNewWideNetwork,
                               Derived::kNetworkUsers, Derived::kConcurrentSession, Derived::kPlaceJump});

    // An outcome but no IP: the user's failures only.
    CHECK(derived_of("timestamp,user,status") ==
          std::vector<Derived>{Derived::kHistory, Derived::kHourUnusual, Derived::kWeekdayUnusual, Derived::kHourRarity,
                               Derived::kUserFailures, Derived::kUserLogins, Derived::kSuccessAfterFailures});

    // Travel needs a country or both coordinates.
    auto has_travel = [](const std::string& h) {
      auto d = derived_of(h);
      return std::find(d.begin(), d.end(), Derived::kTravelSpeed) != d.end();
    };
    CHECK(has_travel("timestamp,user,latitude,longitude"));
    CHECK_FALSE(has_travel("timestamp,user,latitude"));
    CHECK_FALSE(has_travel("timestamp,user,city"));

    // The prototype's layout: no outcome, no city, no user agent.
    CHECK(derived_of("user_id,timestamp,activity_type,ip_address,device_type,data_size_kb,location") ==
          std::vector<Derived>{Derived::kHistory, Derived::kNewIp, Derived::kNewNetwork, Derived::kNewCountry,
                               Derived::kNewDevice, Derived::kHourUnusual, Derived::kWeekdayUnusual, Derived::kHourRarity,
                               Derived::kTravelSpeed, Derived::kIpUsers, Derived::kUserLogins,
                               Derived::kNewWideNetwork, Derived::kNetworkUsers, Derived::kConcurrentSession,
                               Derived::kNewEverything, Derived::kPlaceJump});
  }

  TEST_CASE("missing columns leave their features missing") {
    Replay r("timestamp,user");
    r.feed("2025-01-06T09:00:00Z,alice\n");
    const auto& c = r.feed("2025-01-06T09:10:00Z,alice\n");
    CHECK(value(c, Derived::kHistory) == doctest::Approx(1.0));
    for (Derived d : {Derived::kNewIp, Derived::kNewNetwork, Derived::kNewCountry, Derived::kNewCity,
                      Derived::kNewDevice, Derived::kNewUserAgent, Derived::kTravelSpeed,
                      Derived::kSuccessAfterFailures})
      CHECK_MESSAGE(std::isnan(value(c, d)), ad::derived_name(d));
    CHECK(value(c, Derived::kIpUsers) == 0);  // no IP, nobody tried from it
    CHECK(value(c, Derived::kUserLogins) == 1);
  }

  TEST_CASE("LoginColumns::bind: trained names first, then roles, missing ones named") {
    std::array<std::string, ad::kRoleCount> trained{};
    trained[static_cast<int>(Role::kTime)] = "timestamp";
    trained[static_cast<int>(Role::kUser)] = "user_id";
    trained[static_cast<int>(Role::kIp)] = "src_ip";
    trained[static_cast<int>(Role::kCountry)] = "country";
    trained[static_cast<int>(Role::kActivity)] = "activity_type";

    // The role finder prefers ip_address; the model's src_ip wins. user_id is not there,
    // but "username" plays the user role. activity_type is optional.
    std::vector<std::string> h = {"timestamp", "username", "ip_address", "src_ip", "country"};
    auto roles = ad::Roles::find(h);
    CHECK(roles[Role::kIp] == 2);
    auto c = ad::LoginColumns::bind(trained, h, roles, "new.csv", true);
    CHECK(c[Role::kIp] == 3);
    CHECK(c[Role::kUser] == 1);
    CHECK(c[Role::kCountry] == 4);
    CHECK_FALSE(c.has(Role::kActivity));
    CHECK_FALSE(c.has(Role::kOutcome));  // not in the model, not required

    // Without the trained names, the roles decide.
    auto plain = ad::LoginColumns::bind({}, h, roles, "new.csv", true);
    CHECK(plain[Role::kIp] == 2);

    // The model's country column is missing.
    std::vector<std::string> h2 = {"timestamp", "user_id", "src_ip"};
    auto roles2 = ad::Roles::find(h2);
    try {
      ad::LoginColumns::bind(trained, h2, roles2, "new.csv", true);
      FAIL("expected ad::Error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().file == "new.csv");
      CHECK(e.message().find("column 'country' (role country)") != std::string::npos);
      CHECK(std::string(e.what()).find("new.csv") != std::string::npos);
    }
    // Not required (training): bound as far as possible.
    auto loose = ad::LoginColumns::bind(trained, h2, roles2, "new.csv", false);
    CHECK_FALSE(loose.has(Role::kCountry));
    CHECK(loose[Role::kIp] == 2);
  }

  TEST_CASE("read_event takes the fields of a row") {
    const std::string header = "timestamp,user,ip,country,city,latitude,longitude,device,user_agent,status";
    auto cols = columns_of(header);
    OneRow a(header + "\n2025-01-06T09:00:00Z,alice,10.0.0.1,NO,Oslo,59.91,10.75,laptop,curl/8,failed\n");
    auto e = ad::read_event(cols, a.row, 42);
    CHECK(e.time_ms == 42);
    CHECK(e.user == "alice");
    CHECK(e.traits[static_cast<int>(ad::Trait::kIp)] == "10.0.0.1");
    CHECK(e.traits[static_cast<int>(ad::Trait::kNetwork)].empty());  // derived by the tracker
    CHECK(e.traits[static_cast<int>(ad::Trait::kCountry)] == "NO");
    CHECK(e.traits[static_cast<int>(ad::Trait::kCity)] == "Oslo");
    CHECK(e.traits[static_cast<int>(ad::Trait::kDevice)] == "laptop");
    CHECK(e.traits[static_cast<int>(ad::Trait::kUserAgent)] == "curl/8");
    REQUIRE(e.success);
    CHECK_FALSE(*e.success);
    REQUIRE(e.point);
    CHECK(e.point->lat == 59.91);
    CHECK(e.point->lon == 10.75);
    CHECK_FALSE(e.point->approximate);
    CHECK(e.place_name == "Oslo");

    // Out-of-range or unreadable coordinates fall back to the country's centroid.
    auto no = ad::country_centroid("NO");
    REQUIRE(no);
    OneRow b(header + "\nt,alice,,NO,,91,10.75,,,success\n");
    e = ad::read_event(cols, b.row, 42);
    REQUIRE(e.point);
    CHECK(e.point->approximate);
    CHECK(e.point->lat == no->lat);
    CHECK(e.place_name == "NO");  // no city: the country
    REQUIRE(e.success);
    CHECK(*e.success);
    OneRow c(header + "\nt,alice,,NO,,north,10.75,,,\n");
    e = ad::read_event(cols, c.row, 42);
    REQUIRE(e.point);
    CHECK(e.point->approximate);
    CHECK_FALSE(e.success);  // empty outcome: unknown

    // No coordinates and no known country: no place.
    OneRow d(header + "\nt,alice,,Atlantis,,,,,,\n");
    e = ad::read_event(cols, d.row, 42);
    CHECK_FALSE(e.point);
    OneRow none(header + "\nt,alice,,,,,,,,\n");
    e = ad::read_event(cols, none.row, 42);
    CHECK_FALSE(e.point);
    CHECK(e.place_name.empty());

    // No outcome column: unknown.
    OneRow two("timestamp,user\nt,bob\n");
    auto f = ad::read_event(columns_of("timestamp,user"), two.row, 7);
    CHECK(f.user == "bob");
    CHECK_FALSE(f.success);
    CHECK_FALSE(f.point);
  }

  TEST_CASE("hour_rarity: how rare the local hour is among everyone's logins") {
    // 10 users x 20 days at 09:00 (no place: local solar time is UTC) = 200 logins, the
    // minimum: the 201st login is the first judged.
    Replay r("timestamp,user");
    std::string history;
    for (int u = 0; u < 10; ++u) history += daily("u" + std::to_string(u), 20, "09:00");
    const auto& last = r.feed(history);
    CHECK(std::isnan(value(last, Derived::kHourRarity)));  // 199 logins before it
    // 09:30: hours 08..10 hold all 200: (200 + 3) / (200 + 24) against 3/24.
    const auto& usual = r.feed("2025-02-01T09:30:00Z,u0\n");
    CHECK(value(usual, Derived::kHourRarity) == doctest::Approx(-std::log2(203.0 / 224.0 * 8.0)));
    CHECK(value(usual, Derived::kHourRarity) < -2.8);
    // 03:10, nobody's hour: (0 + 3) / (201 + 24) against 3/24, about 3.2 bits; also for a
    // user who never logged in before.
    const auto& night = r.feed("2025-02-01T03:10:00Z,newcomer\n");
    CHECK(value(night, Derived::kHourRarity) == doctest::Approx(-std::log2(3.0 / 225.0 * 8.0)));
    CHECK(ad::describe_derived(Derived::kHourRarity, night) ==
          "login at 03:10 local time, rare for everyone here: 0.0% of logins within 1 h");
    // Each login counts at once, and a tracker that starts from the profiles (as
    // ad-score's does) counts the same.
    r.feed("2025-02-01T03:30:00Z,u1\n");
    const auto& again = r.feed("2025-02-01T03:40:00Z,u2\n");
    CHECK(value(again, Derived::kHourRarity) == doctest::Approx(-std::log2(5.0 / 227.0 * 8.0)));
    ad::HourPopulation rebuilt(r.profiles);
    CHECK(rebuilt.rarity(3) == doctest::Approx(-std::log2(6.0 / 228.0 * 8.0)));
    CHECK(rebuilt.share_near(9) == doctest::Approx(201.0 / 204.0));

    // A failed login is not counted, as profiles do not count it among the hours.
    Replay f("timestamp,user,status");
    std::string succeeded;
    for (int u = 0; u < 10; ++u) succeeded += daily("u" + std::to_string(u), 20, "09:00", ",success");
    f.feed(succeeded + "2025-02-01T03:00:00Z,u1,failure\n");
    CHECK(value(f.feed("2025-02-01T03:10:00Z,u2,success\n"), Derived::kHourRarity) ==
          doctest::Approx(-std::log2(3.0 / 224.0 * 8.0)));
  }

  TEST_CASE("hour_unusual in two clocks: UTC and local solar time") {
    // Oslo (lon 10.75): local solar time is UTC + lround(10.75 x 4) = 43 min. Tokyo
    // (lon 139.69): UTC + lround(558.76) = 559 min = 9 h 19 min.
    const std::string header = "timestamp,user,city,latitude,longitude";
    const std::string oslo = ",Oslo,59.91,10.75";
    const std::string tokyo = ",Tokyo,35.68,139.69";
    REQUIRE(std::lround(10.75 * 4) == 43);
    REQUIRE(std::lround(139.69 * 4) == 559);
    // Five days at work in Oslo, a login each hour 09:05 .. 16:05 UTC (09:48 .. 16:48
    // local, the same hours): 40 logins, 5 in each of hours 09..16 in both clocks.
    auto at_home = [&] {
      auto r = std::make_unique<Replay>(header);
      std::string history;
      for (int h = 9; h <= 16; ++h) history += daily("alice", 5, (h < 10 ? "0" : "") + std::to_string(h) + ":05", oslo);
      r->feed(history);
      const auto& p = r->profile("alice");
      REQUIRE(p.logins == 40);
      for (int h = 0; h < 24; ++h) {
        CAPTURE(h);
        REQUIRE(p.hours[static_cast<std::size_t>(h)] == (h >= 9 && h <= 16 ? 5u : 0u));
        REQUIRE(p.local_hours[static_cast<std::size_t>(h)] == (h >= 9 && h <= 16 ? 5u : 0u));
      }
      return r;
    };

    SUBCASE("in Tokyo at 10:00 local time: the local clock, and usual") {
      auto r = at_home();
      // 00:41 UTC is 10:00 in Tokyo. UTC: hours 22..02 hold nothing. Local: hours 08..12
      // hold 0 5 5 5 5.
      const auto& c = r->feed("2025-01-20T00:41:00Z,alice" + tokyo + "\n");
      const double utc = hour_bits({0, 0, 0, 0, 0}, 40), local = hour_bits({0, 5, 5, 5, 5}, 40);
      REQUIRE(local < utc);
      CHECK(value(c, Derived::kHourUnusual) == doctest::Approx(local));
      CHECK(value(c, Derived::kHourUnusual) == doctest::Approx(3.2219).epsilon(1e-4));
      CHECK(c.local_time);
      CHECK(c.hour == 10);
      CHECK(c.minute == 0);
      CHECK(c.weekday == 0);  // Monday, in UTC
      CHECK(c.usual_hours == std::make_pair(9, 16));
      CHECK(say(c, Derived::kHourUnusual) == "login at 10:00 local time, usual 09-17, 20 of 40 logins within 2 h");
      // Learned in both clocks: UTC hour 00, local hour 10.
      const auto& p = r->profile("alice");
      CHECK(p.hours[0] == 1);
      CHECK(p.hours[10] == 5);
      CHECK(p.local_hours[10] == 6);
      CHECK(p.local_hours[0] == 0);
    }

    SUBCASE("in Tokyo, keeping home hours: the UTC clock, and usual") {
      auto r = at_home();
      // 09:17 UTC is 10:00 in Oslo and 18:36 in Tokyo. UTC: hours 07..11 hold 0 0 5 5 5.
      // Local: hours 16..20 hold 5 0 0 0 0.
      const auto& c = r->feed("2025-01-20T09:17:00Z,alice" + tokyo + "\n");
      const double utc = hour_bits({0, 0, 5, 5, 5}, 40), local = hour_bits({5, 0, 0, 0, 0}, 40);
      REQUIRE(utc < local);
      CHECK(value(c, Derived::kHourUnusual) == doctest::Approx(utc));
      CHECK(value(c, Derived::kHourUnusual) == doctest::Approx(3.6264).epsilon(1e-4));
      CHECK_FALSE(c.local_time);
      CHECK(c.hour == 9);
      CHECK(c.minute == 17);
      CHECK(say(c, Derived::kHourUnusual) == "login at 09:17 UTC, usual 09-17, 15 of 40 logins within 2 h");
      const auto& p = r->profile("alice");
      CHECK(p.hours[9] == 6);
      CHECK(p.local_hours[18] == 1);
      CHECK(p.local_hours[9] == 5);
    }

    SUBCASE("at home at 03:00 local time: unusual in both clocks") {
      auto r = at_home();
      // 02:17 UTC is 03:00 in Oslo: hours 00..04 and 01..05 hold nothing in either clock.
      const auto& c = r->feed("2025-01-20T02:17:00Z,alice" + oslo + "\n");
      const double utc = hour_bits({0, 0, 0, 0, 0}, 40), local = hour_bits({0, 0, 0, 0, 0}, 40);
      CHECK(value(c, Derived::kHourUnusual) == doctest::Approx(std::min(utc, local)));
      CHECK(value(c, Derived::kHourUnusual) == doctest::Approx(8.7279).epsilon(1e-4));
      CHECK_FALSE(c.local_time);  // a tie is told in UTC
      CHECK(c.hour == 2);
      CHECK(c.minute == 17);
      CHECK(say(c, Derived::kHourUnusual) == "login at 02:17 UTC, usual 09-17, 0 of 40 logins within 2 h");
      const auto& p = r->profile("alice");
      CHECK(p.hours[2] == 1);
      CHECK(p.local_hours[3] == 1);
      CHECK(p.local_hours[2] == 0);
    }

    SUBCASE("at home at 10:40 UTC: the hours differ by one between the clocks") {
      auto r = at_home();
      // 10:40 UTC is 11:23 in Oslo. UTC: hours 08..12 hold 0 5 5 5 5; local: hours
      // 09..13 hold 5 5 5 5 5, the smaller surprise.
      const auto& c = r->feed("2025-01-20T10:40:00Z,alice" + oslo + "\n");
      CHECK(value(c, Derived::kHourUnusual) == doctest::Approx(hour_bits({5, 5, 5, 5, 5}, 40)));
      CHECK(hour_bits({5, 5, 5, 5, 5}, 40) < hour_bits({0, 5, 5, 5, 5}, 40));
      CHECK(c.local_time);
      CHECK(c.hour == 11);
      CHECK(c.minute == 23);
      CHECK(say(c, Derived::kHourUnusual) == "login at 11:23 local time, usual 09-17, 25 of 40 logins within 2 h");
      CHECK(r->profile("alice").hours[10] == 6);
      CHECK(r->profile("alice").local_hours[11] == 6);
    }
  }

  TEST_CASE("local hours: west of Greenwich, from a country centroid, and without a place") {
    {
      // New York (lon -74.01): UTC - lround(296.04) = 296 min. 02:00 UTC on Tuesday is
      // 21:04 on Monday.
      Replay r("timestamp,user,latitude,longitude");
      REQUIRE(std::lround(-74.01 * 4) == -296);
      const auto& c = r.feed("2025-01-07T02:00:00Z,alice,40.71,-74.01\n");
      CHECK_FALSE(c.local_time);  // no history: no hour_unusual, so the UTC clock
      CHECK(say(c, Derived::kHourUnusual) == "login at 02:00 UTC");
      const auto& p = r.profile("alice");
      CHECK(p.hours[2] == 1);
      CHECK(p.local_hours[21] == 1);
      CHECK(p.weekdays[1] == 1);  // the weekday stays UTC: Tuesday
    }
    {
      // Only a country: its centroid's longitude. NO's is 8.47: 34 min.
      auto no = ad::country_centroid("NO");
      REQUIRE(no);
      const long offset = std::lround(no->lon * 4);
      CHECK(offset == 34);
      Replay r("timestamp,user,country");
      r.feed("2025-01-06T10:30:00Z,alice,NO\n"   // 11:04 local
             "2025-01-06T10:20:00Z,bob,NO\n");   // 10:54 local
      CHECK(r.profile("alice").hours[10] == 1);
      CHECK(r.profile("alice").local_hours[11] == 1);
      CHECK(r.profile("alice").local_hours[10] == 0);
      CHECK(r.profile("bob").local_hours[10] == 1);
    }
    {
      // No place at all: both clocks are UTC, and the two histograms are the same.
      Replay r("timestamp,user");
      r.feed(daily("alice", 6, "09:50") + daily("alice", 3, "13:20"));
      const auto& c = r.feed("2025-01-20T23:59:00Z,alice\n");
      CHECK(value(c, Derived::kHourUnusual) == doctest::Approx(hour_bits({0, 0, 0, 0, 0}, 9)));
      CHECK_FALSE(c.local_time);
      CHECK(c.hour == 23);
      CHECK(c.usual_hours == std::make_pair(9, 13));
      CHECK(say(c, Derived::kHourUnusual) == "login at 23:59 UTC, usual 09-14, 0 of 9 logins within 2 h");
      const auto& p = r.profile("alice");
      CHECK(p.hours == p.local_hours);
      CHECK(p.local_hours[9] == 6);
      CHECK(p.local_hours[13] == 3);
      CHECK(p.local_hours[23] == 1);
    }
    {
      // Coordinate columns left empty and an unknown country: no place, UTC.
      Replay r("timestamp,user,country,latitude,longitude");
      r.feed(daily("alice", 5, "09:50", ",Atlantis,,"));
      const auto& c = r.feed("2025-01-20T09:50:00Z,alice,,,\n");
      CHECK(value(c, Derived::kHourUnusual) == doctest::Approx(hour_bits({0, 0, 5, 0, 0}, 5)));
      CHECK_FALSE(c.local_time);
      const auto& p = r.profile("alice");
      CHECK(p.hours == p.local_hours);
      CHECK(p.local_hours[9] == 6);
    }
  }
}
