// Tests for window.h: failures, users per IP and logins over recent time windows.
#include "ad/detect/window.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr std::int64_t kSec = 1000;
constexpr std::int64_t kMin = 60 * kSec;
constexpr std::int64_t kHour = 60 * kMin;

}  // namespace

TEST_SUITE("window") {
  TEST_CASE("the window sizes and bounds are as documented") {
    CHECK(ad::Windows::kShortMs == 10 * kMin);
    CHECK(ad::Windows::kLongMs == kHour);
    CHECK(ad::Windows::kMaxEventsPerKey == 1000);
    CHECK(ad::Windows::kMaxUsersPerIp == 1000);
  }

  TEST_CASE("nothing seen: zero counts, and the current user counts as one user of the IP") {
    ad::Windows w;
    auto c = w.counts("alice", "10.0.0.1", kT0);
    CHECK(c.user_failures_short == 0);
    CHECK(c.user_failures_long == 0);
    CHECK(c.ip_failures_short == 0);
    CHECK(c.ip_users_long == 1);
    CHECK(c.user_logins_long == 0);
    CHECK(w.keys() == 0);  // counting keys nothing
  }

  TEST_CASE("failures per user inside and outside 10 minutes") {
    ad::Windows w;
    w.add("alice", "10.0.0.1", kT0, true);
    w.add("alice", "10.0.0.1", kT0 + 5 * kMin, true);
    w.add("alice", "10.0.0.1", kT0 + 6 * kMin, false);  // a success is no failure

    // At +9 min both failures are within 10 min; all three events are logins.
    auto c = w.counts("alice", "10.0.0.1", kT0 + 9 * kMin);
    CHECK(c.user_failures_short == 2);
    CHECK(c.user_failures_long == 2);
    CHECK(c.ip_failures_short == 2);
    CHECK(c.user_logins_long == 3);

    // At +10 min the window [T0, +10 min] still holds the first failure (inclusive).
    CHECK(w.counts("alice", "10.0.0.1", kT0 + 10 * kMin).user_failures_short == 2);
    // 1 ms later it does not: 1 failure in 10 min, still 2 in the hour.
    c = w.counts("alice", "10.0.0.1", kT0 + 10 * kMin + 1);
    CHECK(c.user_failures_short == 1);
    CHECK(c.user_failures_long == 2);
    CHECK(c.ip_failures_short == 1);

    // At +16 min: none in 10 min (the last failure was at +5), 2 in the hour.
    c = w.counts("alice", "10.0.0.1", kT0 + 16 * kMin);
    CHECK(c.user_failures_short == 0);
    CHECK(c.user_failures_long == 2);

    // Another user has none of alice's failures.
    c = w.counts("bob", "10.9.9.9", kT0 + 9 * kMin);
    CHECK(c.user_failures_short == 0);
    CHECK(c.ip_failures_short == 0);
    CHECK(c.user_logins_long == 0);
  }

  TEST_CASE("failures per IP add up across users") {
    ad::Windows w;
    // Spraying: 5 users fail from one IP, 30 s apart (0 .. 2 min).
    for (int i = 0; i < 5; ++i) w.add("u" + std::to_string(i), "45.3.2.1", kT0 + i * 30 * kSec, true);
    auto c = w.counts("victim", "45.3.2.1", kT0 + 3 * kMin);
    CHECK(c.ip_failures_short == 5);
    CHECK(c.user_failures_short == 0);  // the victim has none of its own
    CHECK(c.ip_users_long == 6);        // 5 tried before, plus the victim
    // Each of u0..u4 had one failure.
    CHECK(w.counts("u3", "45.3.2.1", kT0 + 3 * kMin).user_failures_short == 1);
    // At +11.5 min only the failures at +1.5 and +2 min are within 10 min.
    CHECK(w.counts("victim", "45.3.2.1", kT0 + 11 * kMin + 30 * kSec).ip_failures_short == 2);
    // Another IP is not touched.
    CHECK(w.counts("victim", "45.3.2.2", kT0 + 3 * kMin).ip_failures_short == 0);
  }

  TEST_CASE("distinct users per IP in an hour, the current user counted once") {
    ad::Windows w;
    w.add("alice", "10.0.0.1", kT0, false);
    w.add("alice", "10.0.0.1", kT0 + 1 * kMin, true);
    w.add("alice", "10.0.0.1", kT0 + 2 * kMin, false);
    w.add("bob", "10.0.0.1", kT0 + 3 * kMin, false);
    w.add("carol", "10.0.0.1", kT0 + 20 * kMin, false);

    // alice, bob and carol tried; alice is counted once however often she came.
    CHECK(w.counts("alice", "10.0.0.1", kT0 + 30 * kMin).ip_users_long == 3);
    CHECK(w.counts("bob", "10.0.0.1", kT0 + 30 * kMin).ip_users_long == 3);
    CHECK(w.counts("dave", "10.0.0.1", kT0 + 30 * kMin).ip_users_long == 4);

    // At +62.5 min, alice (last at +2) is out of the hour; bob (+3) and carol (+20) are
    // in. alice asking is counted again, as the current user.
    CHECK(w.counts("dave", "10.0.0.1", kT0 + 62 * kMin + 30 * kSec).ip_users_long == 3);
    CHECK(w.counts("alice", "10.0.0.1", kT0 + 62 * kMin + 30 * kSec).ip_users_long == 3);
    // The hour is inclusive: at exactly +63 min bob (+3) still counts; 1 ms later not.
    CHECK(w.counts("carol", "10.0.0.1", kT0 + 63 * kMin).ip_users_long == 2);
    CHECK(w.counts("carol", "10.0.0.1", kT0 + 63 * kMin + 1).ip_users_long == 1);
    // At +81 min everyone is gone but the user asking.
    CHECK(w.counts("dave", "10.0.0.1", kT0 + 81 * kMin).ip_users_long == 1);
  }

  TEST_CASE("logins per user in an hour") {
    ad::Windows w;
    w.add("alice", "10.0.0.1", kT0, false);
    w.add("alice", "10.0.0.2", kT0 + 30 * kMin, true);  // failures are logins too
    w.add("alice", "", kT0 + 59 * kMin, false);
    CHECK(w.counts("alice", "", kT0 + 59 * kMin).user_logins_long == 3);
    CHECK(w.counts("alice", "", kT0 + 60 * kMin).user_logins_long == 3);      // T0 on the edge
    CHECK(w.counts("alice", "", kT0 + 60 * kMin + 1).user_logins_long == 2);  // T0 gone
    CHECK(w.counts("alice", "", kT0 + 90 * kMin).user_logins_long == 2);      // +30 on the edge
    CHECK(w.counts("alice", "", kT0 + 90 * kMin + 1).user_logins_long == 1);  // only +59 left
    CHECK(w.counts("alice", "", kT0 + 2 * kHour).user_logins_long == 0);
    // Eviction is for good: asking about an earlier time later does not bring them back.
    CHECK(w.counts("alice", "", kT0 + 59 * kMin).user_logins_long == 0);
  }

  TEST_CASE("idle keys are swept every 4096 events") {
    ad::Windows w;
    // "old" fails at T0: 4 keys (user failures, IP failures, user logins, users of the IP).
    w.add("old", "10.0.0.1", kT0, true);
    CHECK(w.keys() == 4);
    // "recent" succeeds at +90 min from another IP: 2 keys (user logins, users of the IP).
    w.add("recent", "10.0.0.2", kT0 + 90 * kMin, false);
    CHECK(w.keys() == 6);
    // Events without user and IP key nothing, but do count towards the sweep: the 4096th
    // event, at +2 h, drops the keys idle for an hour ("old") and keeps "recent".
    for (int i = 3; i < 4096; ++i) w.add("", "", kT0 + 2 * kHour, false);
    CHECK(w.keys() == 6);
    w.add("", "", kT0 + 2 * kHour, false);
    CHECK(w.keys() == 2);
    auto c = w.counts("recent", "10.0.0.2", kT0 + 2 * kHour);
    CHECK(c.user_logins_long == 1);
    CHECK(c.ip_users_long == 1);
    c = w.counts("old", "10.0.0.1", kT0 + 2 * kHour);
    CHECK(c.user_failures_long == 0);
    CHECK(c.user_logins_long == 0);
    CHECK(c.ip_users_long == 1);
  }

  TEST_CASE("at most 1000 events per key, the oldest go first") {
    ad::Windows w;
    // 1005 failures of alice from one IP, 1 ms apart, all within 10 minutes.
    for (int i = 0; i < 1005; ++i) w.add("alice", "45.3.2.1", kT0 + i, true);
    auto c = w.counts("alice", "45.3.2.1", kT0 + 2000);
    CHECK(c.user_failures_short == 1000);
    CHECK(c.user_failures_long == 1000);
    CHECK(c.ip_failures_short == 1000);
    CHECK(c.user_logins_long == 1000);
    // The 5 dropped were the oldest (T0 .. T0+4): from T0+5 on, all 1000 are still there.
    CHECK(w.counts("alice", "45.3.2.1", kT0 + 5 + 10 * kMin).user_failures_short == 1000);
    CHECK(w.counts("alice", "45.3.2.1", kT0 + 6 + 10 * kMin).user_failures_short == 999);
  }

  TEST_CASE("at most 1000 users per IP, the least recent go first") {
    ad::Windows w;
    // u0..u1004 from one IP, 1 ms apart: u0..u4 give way to u1000..u1004.
    for (int i = 0; i < 1005; ++i) w.add("u" + std::to_string(i), "45.3.2.1", kT0 + i, false);
    CHECK(w.counts("u1004", "45.3.2.1", kT0 + 2000).ip_users_long == 1000);
    CHECK(w.counts("u5", "45.3.2.1", kT0 + 2000).ip_users_long == 1000);
    CHECK(w.counts("u4", "45.3.2.1", kT0 + 2000).ip_users_long == 1001);  // u4 was dropped
    CHECK(w.counts("u0", "45.3.2.1", kT0 + 2000).ip_users_long == 1001);

    // A user seen again is refreshed, not added twice, so it survives the next eviction:
    // u5 comes back, then u1005 arrives and the least recent, u6, goes.
    w.add("u5", "45.3.2.1", kT0 + 3000, false);
    w.add("u1005", "45.3.2.1", kT0 + 3001, false);
    CHECK(w.counts("u5", "45.3.2.1", kT0 + 4000).ip_users_long == 1000);
    CHECK(w.counts("u6", "45.3.2.1", kT0 + 4000).ip_users_long == 1001);
  }

  TEST_CASE("out-of-order events are counted at their own time") {
    ad::Windows w;
    w.add("alice", "10.0.0.1", kT0 + 8 * kMin, true);
    w.add("alice", "10.0.0.1", kT0 + 1 * kMin, true);  // arrives late
    // At +10.5 min the window starts at +0.5 min: both are in.
    CHECK(w.counts("alice", "10.0.0.1", kT0 + 10 * kMin + 30 * kSec).user_failures_short == 2);
    // At +11 min + 1 ms it starts after +1 min: only the one at +8 min.
    auto c = w.counts("alice", "10.0.0.1", kT0 + 11 * kMin + 1);
    CHECK(c.user_failures_short == 1);
    CHECK(c.ip_failures_short == 1);
    CHECK(c.user_failures_long == 2);

    // A late event more than an hour older than the newest is gone at once.
    ad::Windows v;
    v.add("bob", "10.0.0.1", kT0 + 2 * kHour, false);
    v.add("bob", "10.0.0.1", kT0, false);
    CHECK(v.counts("bob", "10.0.0.1", kT0 + 2 * kHour).user_logins_long == 1);

    // A late event does not make a user of an IP look older than it is: carol was last
    // seen at +30 min, and her late event at T0 leaves that so.
    ad::Windows u;
    u.add("carol", "10.0.0.1", kT0 + 30 * kMin, false);
    u.add("carol", "10.0.0.1", kT0, false);
    CHECK(u.counts("dave", "10.0.0.1", kT0 + 80 * kMin).ip_users_long == 2);
    CHECK(u.counts("dave", "10.0.0.1", kT0 + 91 * kMin).ip_users_long == 1);
  }

  TEST_CASE("an empty user or IP is not keyed") {
    ad::Windows w;
    // A failure with an IP but no user: counts for the IP only, adds no user to it.
    w.add("", "1.2.3.4", kT0, true);
    CHECK(w.keys() == 1);  // IP failures only
    auto c = w.counts("alice", "1.2.3.4", kT0 + kMin);
    CHECK(c.ip_failures_short == 1);
    CHECK(c.ip_users_long == 1);  // alice alone
    CHECK(c.user_failures_short == 0);
    // Asking without a user: nobody is counted as the current user.
    CHECK(w.counts("", "1.2.3.4", kT0 + kMin).ip_users_long == 0);

    // A failure with a user but no IP: counts for the user only.
    w.add("bob", "", kT0, true);
    CHECK(w.keys() == 3);  // + user failures, user logins
    c = w.counts("bob", "", kT0 + kMin);
    CHECK(c.user_failures_short == 1);
    CHECK(c.user_logins_long == 1);
    CHECK(c.ip_failures_short == 0);
    CHECK(c.ip_users_long == 0);  // no IP, no users of it

    // Neither: nothing at all.
    w.add("", "", kT0, true);
    CHECK(w.keys() == 3);
    c = w.counts("", "", kT0 + kMin);
    CHECK(c.user_failures_short == 0);
    CHECK(c.ip_failures_short == 0);
    CHECK(c.ip_users_long == 0);
    CHECK(c.user_logins_long == 0);
  }
}
