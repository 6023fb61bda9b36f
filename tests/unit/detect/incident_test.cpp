// Tests for incident.h: grouping flagged logins into incidents, their ids, score and kind.
#include "ad/detect/incident.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cmath>
#include <regex>
#include <string>

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr std::int64_t kMin = 60 * 1000;
constexpr std::int64_t kHour = 60 * kMin;

ad::IncidentEvent ev(std::int64_t t, const std::string& user, const std::string& ip, bool flagged = true,
                     std::uint32_t signals = 0, std::optional<bool> success = true) {
  ad::IncidentEvent e;
  e.time_ms = t;
  e.user = user;
  e.ip = ip;
  e.network = ip.substr(0, ip.rfind('.')) + ".0/24";
  e.success = success;
  e.signals = signals;
  e.flagged = flagged;
  return e;
}

std::string id_of(ad::IncidentGrouper& g, const ad::IncidentEvent& e) {
  const ad::Incident* inc = g.add(e);
  REQUIRE(inc != nullptr);
  return inc->id;
}

// An incident of one event with these signals.
ad::Incident single(std::uint32_t signals) {
  ad::IncidentGrouper g;
  return *g.add(ev(kT0, "u", "10.0.0.1", true, signals));
}

}  // namespace

TEST_SUITE("incident") {
  TEST_CASE("ids come from the first event: its UTC time and a hash of time, user and IP") {
    std::string id = ad::incident_id(ev(kT0, "alice", "10.0.0.1"));
    CHECK(std::regex_match(id, std::regex("I-20231114T221320-[0-9a-f]{8}")));
    CHECK(ad::incident_id(ev(kT0, "alice", "10.0.0.1")) == id);
    CHECK(ad::incident_id(ev(kT0, "bob", "10.0.0.1")) != id);
    CHECK(ad::incident_id(ev(kT0 + 1, "alice", "10.0.0.1")) != id);
    // Another grouper (another run, another file) names the same first event alike.
    ad::IncidentGrouper a, b;
    a.add(ev(kT0 - kHour * 48, "zed", "192.0.2.9"));
    CHECK(id_of(a, ev(kT0, "alice", "10.0.0.1")) == id_of(b, ev(kT0, "alice", "10.0.0.1")));
  }

  TEST_CASE("unflagged events get no incident") {
    ad::IncidentGrouper g;
    CHECK(g.add(ev(kT0, "alice", "10.0.0.1", false)) == nullptr);
    CHECK(g.opened() == 0);
  }

  TEST_CASE("the same user within the gap is one incident, after the gap or the span a new one") {
    ad::IncidentGrouper g;
    std::string first = id_of(g, ev(kT0, "alice", "10.0.0.1"));
    CHECK(id_of(g, ev(kT0 + 50 * kMin, "alice", "172.16.5.5")) == first);
    CHECK(id_of(g, ev(kT0 + 100 * kMin, "alice", "198.51.100.7")) == first);  // gap counts from the last event
    CHECK(id_of(g, ev(kT0 + 100 * kMin + ad::IncidentGrouper::kUserGapMs + 1, "alice", "203.0.113.1")) != first);
    // Linked every 50 minutes, an incident still ends after kMaxSpanMs.
    ad::IncidentGrouper h;
    std::string start = id_of(h, ev(kT0, "bob", "10.0.0.1"));
    std::string last;
    for (std::int64_t t = kT0; t <= kT0 + 25 * kHour; t += 50 * kMin) last = id_of(h, ev(t, "bob", "10.0.0.1"));
    CHECK(last != start);
  }

  TEST_CASE("one source across users is one incident, unrelated users are not") {
    ad::IncidentGrouper g;
    std::string a = id_of(g, ev(kT0, "alice", "203.0.113.5"));
    CHECK(id_of(g, ev(kT0 + 2 * kHour, "bob", "203.0.113.5")) == a);   // same IP, within 6 h
    CHECK(id_of(g, ev(kT0 + 3 * kHour, "carol", "203.0.113.77")) == a); // same /24
    CHECK(id_of(g, ev(kT0 + 3 * kHour, "dave", "198.51.100.1")) != a);
    const ad::Incident* inc = g.add(ev(kT0 + 4 * kHour, "erin", "203.0.113.9"));
    CHECK(inc->users.size() == 4);
    CHECK(inc->user_count == 4);
    CHECK(inc->events == 4);
  }

  TEST_CASE("a spray from rotating addresses is one incident, however many victims") {
    ad::IncidentGrouper g;
    std::string first;
    const ad::Incident* inc = nullptr;
    for (int i = 0; i < 40; ++i) {
      std::string ip = std::to_string(20 + i) + ".1.2.3";  // a network of its own each time
      auto e = ev(kT0 + i * kMin, "user" + std::to_string(i), ip, i % 3 == 0, ad::signal::kNewNetwork, false);
      inc = g.add(e);
      if (inc && first.empty()) first = inc->id;
      if (inc) CHECK(inc->id == first);
    }
    REQUIRE(inc != nullptr);
    CHECK(g.opened() == 1);
    CHECK(inc->kind == ad::IncidentKind::kSpray);
    // Failures from the user's own networks do not make a campaign.
    ad::IncidentGrouper h;
    for (int i = 0; i < 10; ++i)
      h.add(ev(kT0 + i * kMin, "user" + std::to_string(i), std::to_string(20 + i) + ".1.2.3", true, 0, false));
    CHECK(h.opened() == 10);
  }

  TEST_CASE("an event that links two open incidents joins the older, ids never change") {
    ad::IncidentGrouper g;
    std::string a = id_of(g, ev(kT0, "alice", "10.0.0.1"));
    std::string b = id_of(g, ev(kT0 + kMin, "bob", "192.0.2.1"));
    REQUIRE(a != b);
    CHECK(id_of(g, ev(kT0 + 2 * kMin, "alice", "192.0.2.1")) == a);
    // From now on that event's keys (192.0.2.1's among them) lead to the older incident;
    // bob's own key, not one of the event's, still leads to his.
    CHECK(id_of(g, ev(kT0 + 3 * kMin, "carol", "192.0.2.1")) == a);
    CHECK(id_of(g, ev(kT0 + 4 * kMin, "bob", "198.51.100.4")) == b);
    CHECK(g.opened() == 2);
  }

  TEST_CASE("login_signals reads the tracker's context") {
    ad::LoginContext ctx;
    ctx.values.fill(NAN);
    ctx.prior_logins = 20;
    CHECK(ad::login_signals(ctx) == 0);
    ctx.values[static_cast<int>(ad::Derived::kNewNetwork)] = 1.0;
    ctx.values[static_cast<int>(ad::Derived::kNewUserAgent)] = 1.0;
    ctx.values[static_cast<int>(ad::Derived::kNewCountry)] = 0.5;  // seen once: not new
    ctx.values[static_cast<int>(ad::Derived::kTravelSpeed)] = 900;  // a plane
    ctx.values[static_cast<int>(ad::Derived::kHourUnusual)] = 9;
    CHECK(ad::login_signals(ctx) == (ad::signal::kNewNetwork | ad::signal::kNewDevice | ad::signal::kOffHours));
    ctx.values[static_cast<int>(ad::Derived::kTravelSpeed)] = 5000;
    ctx.counts.user_failures_short = 5;
    ctx.counts.ip_failures_short = 10;
    ctx.counts.user_failures_long = 3;
    ctx.success = true;
    ctx.prior_logins = 0;
    std::uint32_t s = ad::login_signals(ctx);
    CHECK((s & ad::signal::kFastTravel) != 0);
    CHECK((s & ad::signal::kUserBurst) != 0);
    CHECK((s & ad::signal::kSourceBurst) != 0);
    CHECK((s & ad::signal::kSuccessAfterFailures) != 0);
    CHECK((s & ad::signal::kUnknownUser) != 0);
    ctx.success = false;
    CHECK((ad::login_signals(ctx) & ad::signal::kSuccessAfterFailures) == 0);

    // A concurrent session: a new wide network minutes after a session elsewhere. Data
    // without an outcome column counts as successes, as concurrent_session does.
    ad::LoginContext c;
    c.values.fill(NAN);
    c.prior_logins = 20;
    c.values[static_cast<int>(ad::Derived::kNewWideNetwork)] = 1.0;
    c.session_from = "10.1.0.0/16";
    c.session_minutes = 12;
    c.network_users = 3;
    CHECK(ad::login_signals(c) == ad::signal::kConcurrentSession);
    c.success = false;
    CHECK(ad::login_signals(c) == 0);
    c.success = true;
    c.session_minutes = 31;
    CHECK(ad::login_signals(c) == 0);
    c.network_users = 0;
    CHECK(ad::login_signals(c) == ad::signal::kUnusedNetwork);

    // A copied session: concurrent, from a network nobody uses, with the client of the
    // session before, which came from a network of at least kKnownNetworkLogins logins.
    using namespace ad::signal;
    c.session_minutes = 12;
    c.session_from_logins = ad::kKnownNetworkLogins;
    CHECK(ad::login_signals(c) == (kConcurrentSession | kUnusedNetwork));  // another client
    c.session_same_client = true;
    CHECK(ad::login_signals(c) == (kConcurrentSession | kUnusedNetwork | kSessionCopy));
    c.session_from_logins = ad::kKnownNetworkLogins - 1;
    CHECK(ad::login_signals(c) == (kConcurrentSession | kUnusedNetwork));
    c.session_from_logins = ad::kKnownNetworkLogins;
    c.current[static_cast<int>(ad::Trait::kDevice)] = "Mobile";  // a phone roams on its own
    CHECK(ad::login_signals(c) == (kConcurrentSession | kUnusedNetwork));
    c.current[static_cast<int>(ad::Trait::kDevice)] = "laptop";
    CHECK(ad::login_signals(c) == (kConcurrentSession | kUnusedNetwork | kSessionCopy));
    c.network_users = 2;  // a network used here
    CHECK(ad::login_signals(c) == kConcurrentSession);
    c.network_users = 0;
    c.session_minutes = 31;  // not concurrent
    CHECK(ad::login_signals(c) == kUnusedNetwork);
  }

  TEST_CASE("night at home: an unusual hour at night, where the user was last, with nothing new") {
    using namespace ad::signal;
    auto at_home = [] {
      ad::LoginContext c;
      c.values.fill(NAN);
      c.success = true;
      c.prior_logins = 60;
      for (auto d : {ad::Derived::kNewNetwork, ad::Derived::kNewCountry, ad::Derived::kNewCity, ad::Derived::kNewDevice,
                     ad::Derived::kNewUserAgent, ad::Derived::kNewWideNetwork})
        c.values[static_cast<int>(d)] = 1.0 / 31;
      c.values[static_cast<int>(ad::Derived::kHourUnusual)] = 11;
      c.local_hour = 3;
      c.km = 4;
      c.minutes = 600;
      c.values[static_cast<int>(ad::Derived::kTravelSpeed)] = c.km / (c.minutes / 60);
      c.network_users = 12;
      return c;
    };
    CHECK(ad::login_signals(at_home()) == (kOffHours | kNightAtHome));
    CHECK(ad::signal_score(kOffHours | kNightAtHome) == 60);
    CHECK(single(kOffHours | kNightAtHome).kind == ad::IncidentKind::kOffHours);
    // Data without an outcome column counts as a success; a failure is no login.
    auto c = at_home();
    c.success.reset();
    CHECK(ad::login_signals(c) == (kOffHours | kNightAtHome));
    c.success = false;
    CHECK(ad::login_signals(c) == kOffHours);
    // Not at night (local solar time: late work past midnight is not), or at an hour the
    // user keeps.
    c = at_home();
    c.local_hour = ad::kNightEndHour;
    CHECK(ad::login_signals(c) == kOffHours);
    c.local_hour = ad::kNightStartHour - 1;
    CHECK(ad::login_signals(c) == kOffHours);
    c.local_hour = ad::kNightStartHour;
    CHECK(ad::login_signals(c) == (kOffHours | kNightAtHome));
    // Not in the user's usual city (a trip's city, seen before), else country.
    auto in = [](ad::LoginContext& x, ad::Trait t, const char* now, const char* usual) {
      x.current[static_cast<int>(t)] = now;
      x.usual[static_cast<int>(t)] = usual;
    };
    c = at_home();
    in(c, ad::Trait::kCity, "Oslo", "Oslo");
    in(c, ad::Trait::kCountry, "NO", "NO");
    CHECK(ad::login_signals(c) == (kOffHours | kNightAtHome));
    in(c, ad::Trait::kCity, "Manila", "Oslo");
    CHECK(ad::login_signals(c) == kOffHours);
    c = at_home();
    in(c, ad::Trait::kCountry, "PH", "NO");  // no city column: the country
    CHECK(ad::login_signals(c) == kOffHours);
    c = at_home();
    c.values[static_cast<int>(ad::Derived::kHourUnusual)] = 7.9;
    CHECK(ad::login_signals(c) == 0);
    // Back from a trip: far from the last success; or no place to judge it by.
    c = at_home();
    c.km = ad::kHomeKm;
    CHECK(ad::login_signals(c) == kOffHours);
    c = at_home();
    c.values[static_cast<int>(ad::Derived::kTravelSpeed)] = NAN;
    CHECK(ad::login_signals(c) == kOffHours);
    // Anything new: a network, wide network, city, device or user agent.
    for (auto d : {ad::Derived::kNewNetwork, ad::Derived::kNewWideNetwork, ad::Derived::kNewCountry,
                   ad::Derived::kNewCity, ad::Derived::kNewDevice, ad::Derived::kNewUserAgent}) {
      CAPTURE(ad::derived_name(d));
      c = at_home();
      c.values[static_cast<int>(d)] = 1.0;
      CHECK((ad::login_signals(c) & kNightAtHome) == 0);
    }
    c = at_home();
    c.network_users = 0;
    CHECK((ad::login_signals(c) & kNightAtHome) == 0);
  }

  TEST_CASE("attacks outrank legitimate oddities, one odd feature ranks lowest") {
    using namespace ad::signal;
    double late = single(kOffHours).score;
    double trip = single(kNewNetwork | kNewCountry).score;
    double phone = single(kNewDevice).score;
    double takeover = single(kNewNetwork | kNewCountry | kNewDevice).score;
    double travel = single(kFastTravel | kNewNetwork).score;
    CHECK(late == 10);
    CHECK(trip == 25);
    CHECK(phone == 10);
    CHECK(takeover == 45);
    CHECK(travel > trip);
    CHECK(single(kNewNetwork | kNewCountry | kNewDevice).kind == ad::IncidentKind::kTakeover);
    CHECK(single(kNewNetwork | kNewCountry).kind == ad::IncidentKind::kNovelty);
    CHECK(single(kOffHours).kind == ad::IncidentKind::kOffHours);
    CHECK(single(0).kind == ad::IncidentKind::kOther);

    // A session replayed from a network nobody here uses: new network 10 + unused 10,
    // a concurrent session 25, two aspects 10.
    const ad::Incident replay = single(kNewNetwork | kUnusedNetwork | kConcurrentSession);
    CHECK(replay.score == 55);
    CHECK(replay.kind == ad::IncidentKind::kConcurrentSession);
    CHECK(ad::incident_kind_name(replay.kind) == "concurrent_session");
    CHECK(single(kUnusedNetwork | kNewNetwork).score == 20);
    CHECK(single(kUnusedNetwork | kNewNetwork).kind == ad::IncidentKind::kNovelty);
    // A new device as well makes it a takeover; an impossible trip makes it travel.
    CHECK(single(kNewNetwork | kConcurrentSession | kNewDevice).kind == ad::IncidentKind::kTakeover);
    CHECK(single(kFastTravel | kConcurrentSession).kind == ad::IncidentKind::kTravel);
    CHECK(single(kOffHours | kConcurrentSession).kind == ad::IncidentKind::kConcurrentSession);

    // A brute force: failures in a burst, then a success; the score grows as it does.
    ad::IncidentGrouper g;
    double prev = 0;
    for (int i = 0; i < 20; ++i) {
      const ad::Incident* inc = g.add(ev(kT0 + i * 5000, "alice", "203.0.113.5", true,
                                         kNewNetwork | (i >= 5 ? kUserBurst : 0u), false));
      CHECK(inc->score >= prev);
      prev = inc->score;
    }
    const ad::Incident* inc = g.add(ev(kT0 + 21 * 5000, "alice", "203.0.113.5", true, kNewNetwork, true));
    CHECK(inc->kind == ad::IncidentKind::kBruteForce);
    CHECK(inc->success_after_failure);
    CHECK(inc->score >= 80);
    CHECK(inc->score > takeover);
    CHECK(ad::incident_kind_name(inc->kind) == "brute_force");
  }

  TEST_CASE("signal_score is a lone login's incident score; flagged adds it to the anomaly score's test") {
    using namespace ad::signal;
    const std::uint32_t replay = kNewNetwork | kUnusedNetwork | kConcurrentSession;
    CHECK(ad::signal_score(replay) == 55);
    CHECK(ad::signal_score(replay | kNewCountry) == 70);
    CHECK(ad::signal_score(replay | kNewDevice) == 75);
    CHECK(ad::signal_score(replay | kSessionCopy) == 65);  // the user's own client, copied
    CHECK(single(replay | kSessionCopy).kind == ad::IncidentKind::kConcurrentSession);
    CHECK(ad::signal_score(kFastTravel | kConcurrentSession) == 70);
    CHECK(ad::signal_score(kNewNetwork | kNewCountry | kUnusedNetwork | kNewDevice) == 55);  // a trip, new laptop
    CHECK(ad::signal_score(kNewNetwork | kNewCountry) == 25);
    CHECK(ad::signal_score(0) == 0);
    for (std::uint32_t s : {0u, replay, replay | kNewCountry, kUserBurst | kSuccessAfterFailures})
      CHECK(ad::signal_score(s) == single(s).score);
    // Above the threshold always; by signals only at or above a signal threshold above 0.
    CHECK(ad::flagged(0.71, 0.7, 0, 60));
    CHECK_FALSE(ad::flagged(0.7, 0.7, 0, 60));
    CHECK_FALSE(ad::flagged(0.4, 0.7, replay, 60));
    CHECK(ad::flagged(0.4, 0.7, replay | kNewCountry, 60));
    CHECK(ad::flagged(0.4, 0.7, replay, 55));
    CHECK_FALSE(ad::flagged(0.4, 0.7, replay | kNewCountry, 0));  // 0: off
    CHECK_FALSE(ad::flagged(0.4, 0.7, 0, 0));
  }

  TEST_CASE("signal_features name the signals, the ones worth most points first") {
    using ad::Derived;
    ad::LoginContext ctx;
    ctx.values.fill(NAN);
    ctx.prior_logins = 20;
    CHECK(ad::signal_features(ctx).empty());
    auto set = [&](Derived d, double v) { ctx.values[static_cast<std::size_t>(d)] = v; };
    set(Derived::kNewNetwork, 1.0);
    set(Derived::kNewWideNetwork, 1.0);
    set(Derived::kNewUserAgent, 1.0);  // a new user agent on a known device type
    set(Derived::kNewDevice, 0.2);
    ctx.session_from = "10.1.0.0/16";
    ctx.session_minutes = 4;
    ctx.network_users = 0;
    CHECK(ad::signal_features(ctx) ==
          std::vector<Derived>{Derived::kConcurrentSession, Derived::kNetworkUsers, Derived::kNewNetwork});
    CHECK(ad::signal_features(ctx, 5) == std::vector<Derived>{Derived::kConcurrentSession, Derived::kNetworkUsers,
                                                              Derived::kNewNetwork, Derived::kNewUserAgent});
    set(Derived::kNewDevice, 1.0);
    set(Derived::kTravelSpeed, 4000);
    set(Derived::kNewCountry, 1.0);
    CHECK(ad::signal_features(ctx, 6) ==
          std::vector<Derived>{Derived::kTravelSpeed, Derived::kConcurrentSession, Derived::kNewCountry,
                               Derived::kNetworkUsers, Derived::kNewNetwork, Derived::kNewDevice});
  }
  TEST_CASE("signal_features: a night at home is told by its hour, first and once") {
    using ad::Derived;
    ad::LoginContext ctx;
    ctx.values.fill(NAN);
    ctx.prior_logins = 40;
    auto set = [&](Derived d, double v) { ctx.values[static_cast<std::size_t>(d)] = v; };
    for (auto d : {Derived::kNewNetwork, Derived::kNewWideNetwork, Derived::kNewDevice, Derived::kNewUserAgent})
      set(d, 0.05);
    set(Derived::kHourUnusual, 9);
    set(Derived::kTravelSpeed, 0);
    ctx.network_users = 4;
    ctx.local_hour = 2;
    ctx.session_from = "10.1.0.0/16";  // the user's other network, 5 min before: no new wide network
    ctx.session_minutes = 5;
    REQUIRE(ad::login_signals(ctx) == (ad::signal::kOffHours | ad::signal::kNightAtHome));
    CHECK(ad::signal_features(ctx, 5) == std::vector<Derived>{Derived::kHourUnusual});
  }

  TEST_CASE("state is bounded: idle incidents are forgotten, and at most kMaxOpen are kept") {
    ad::IncidentGrouper g;
    for (int i = 0; i < 5000; ++i) g.add(ev(kT0 + i * kMin, "u" + std::to_string(i), "10.0.0.1", false));
    CHECK(g.open_incidents() == 0);
    for (int i = 0; i < 3000; ++i)
      g.add(ev(kT0 + (5000 + i) * kMin, "v" + std::to_string(i), std::to_string(i % 200 + 1) + "." + std::to_string(i) + ".0.1"));
    CHECK(g.opened() > 2000);
    CHECK(g.open_incidents() < 1500);  // 6 h of them, and a sweep every 1024 events
    ad::IncidentGrouper h;
    for (int i = 0; i < 12000; ++i)
      h.add(ev(kT0, "w" + std::to_string(i), std::to_string(i / 250 + 1) + "." + std::to_string(i % 250) + ".9.1"));
    CHECK(h.open_incidents() <= ad::IncidentGrouper::kMaxOpen);
    CHECK(h.keys() <= ad::IncidentGrouper::kMaxKeys);
  }
}
