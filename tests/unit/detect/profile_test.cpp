// Tests for profile.h: per-user value counts, the bounded set of profiles, usual hours.
#include "ad/detect/profile.h"

#include <doctest/doctest.h>

#include <string>

#include "ad/detect/forest.h"  // Rng

namespace {

std::string name(const char* prefix, int i) { return prefix + std::to_string(i); }

}  // namespace

TEST_SUITE("profile") {
  TEST_CASE("ValueCounts counts values and remembers when each was last seen") {
    ad::ValueCounts v;
    CHECK(v.top().empty());  // nothing seen yet
    CHECK(v.count("a") == 0);

    v.add("a", 10);
    v.add("b", 20);
    v.add("a", 30);
    v.add("a", 5);  // an older event keeps the newest time
    CHECK(v.count("a") == 3);
    CHECK(v.count("b") == 1);
    CHECK(v.count("c") == 0);
    CHECK(v.top() == "a");
    REQUIRE(v.entries().size() == 2);
    CHECK(v.entries()[0].value == "a");
    CHECK(v.entries()[0].last_ms == 30);
    CHECK(v.entries()[1].last_ms == 20);
  }

  TEST_CASE("ValueCounts::top breaks a tie by the smaller value") {
    ad::ValueCounts v;
    v.add("zeta", 1);
    v.add("alpha", 2);
    CHECK(v.top() == "alpha");
    v.add("zeta", 3);  // zeta 2, alpha 1
    CHECK(v.top() == "zeta");
  }

  TEST_CASE("ValueCounts keeps 8 values: the least counted, then least recent, gives way") {
    ad::ValueCounts v;
    // v0 is counted twice but is the least recent (last seen at 1); v1..v7 once each at
    // 10, 20, ..., 70. Full: 8 values.
    v.add("v0", 0);
    v.add("v0", 1);
    for (int i = 1; i <= 7; ++i) v.add(name("v", i), i * 10);
    REQUIRE(v.entries().size() == ad::ValueCounts::kMaxValues);

    // A ninth value: the victim is among the count-1 entries (not the older v0), and of
    // those the least recent: v1 (10).
    v.add("new", 100);
    CHECK(v.entries().size() == 8);
    CHECK(v.count("v1") == 0);
    CHECK(v.count("v0") == 2);
    CHECK(v.count("v2") == 1);
    CHECK(v.count("new") == 1);

    // A tenth: v2 (20) is now the least recent count-1 entry; "new" (100) stays.
    v.add("newer", 200);
    CHECK(v.entries().size() == 8);
    CHECK(v.count("v2") == 0);
    CHECK(v.count("new") == 1);
    CHECK(v.count("newer") == 1);

    // Seeing v3 again makes it count 2; the next victim is v4 (40), not v3 (30).
    v.add("v3", 210);
    v.add("newest", 220);
    CHECK(v.count("v3") == 2);
    CHECK(v.count("v4") == 0);

    // An evicted value comes back from zero.
    v.add("v1", 300);
    CHECK(v.count("v1") == 1);
    CHECK(v.count("v5") == 0);  // v5 (50) gave way to it
    CHECK(v.entries().size() == 8);
  }

  TEST_CASE("Profiles find and get") {
    ad::Profiles p(10);
    CHECK(p.find("alice") == nullptr);
    CHECK(p.size() == 0);
    CHECK(p.max_users() == 10);

    ad::UserProfile& a = p.get("alice", 1000);
    CHECK(a.last_seen_ms == 1000);
    CHECK(a.logins == 0);
    a.logins = 3;
    CHECK(p.size() == 1);
    REQUIRE(p.find("alice") != nullptr);
    CHECK(p.find("alice") == &a);
    CHECK(p.find("alice")->logins == 3);
    CHECK(&p.get("alice", 2000) == &a);  // an existing user is not recreated
    CHECK(p.get("alice", 2000).logins == 3);
    CHECK(p.size() == 1);
    CHECK(p.find("Alice") == nullptr);  // names are exact
  }

  TEST_CASE("Profiles drop the least recently seen tenth when full") {
    ad::Profiles p(10);
    // u0..u9 last seen at 0, 100, ..., 900; then u0 is seen again at 1000.
    for (int i = 0; i < 10; ++i) p.get(name("u", i), i * 100);
    p.get("u0", 0).last_seen_ms = 1000;
    REQUIRE(p.size() == 10);

    // An 11th user: 10 / 10 = 1 victim, the least recently seen: u1 (100).
    p.get("u10", 2000);
    CHECK(p.size() == 10);
    CHECK(p.find("u1") == nullptr);
    CHECK(p.find("u0") != nullptr);
    CHECK(p.find("u2") != nullptr);
    CHECK(p.find("u10") != nullptr);

    // Next victim: u2 (200).
    p.get("u11", 2100);
    CHECK(p.find("u2") == nullptr);
    CHECK(p.find("u3") != nullptr);
    CHECK(p.size() == 10);
  }

  TEST_CASE("Profiles evict a tenth at a time, ties by name") {
    ad::Profiles p(20);
    // 20 users; b00 and a00 share the oldest time, c00 is next, the rest later.
    p.get("b00", 5);
    p.get("a00", 5);
    p.get("c00", 6);
    for (int i = 3; i < 20; ++i) p.get(name("z", i), 100 + i);
    REQUIRE(p.size() == 20);

    // 20 / 10 = 2 victims: the two seen at 5 (a00, b00). c00 stays.
    p.get("new", 1000);
    CHECK(p.size() == 19);
    CHECK(p.find("a00") == nullptr);
    CHECK(p.find("b00") == nullptr);
    CHECK(p.find("c00") != nullptr);

    // Not full any more: the next user evicts nobody.
    p.get("new2", 1001);
    CHECK(p.size() == 20);
    CHECK(p.find("c00") != nullptr);

    // A small bound: 3 / 10 rounds to 0, but at least one user goes; x and y tie at 7.
    ad::Profiles q(3);
    q.get("y", 7);
    q.get("x", 7);
    q.get("w", 9);
    q.get("v", 10);  // evicts x: the oldest, before y by name
    CHECK(q.size() == 3);
    CHECK(q.find("x") == nullptr);
    CHECK(q.find("y") != nullptr);
  }

  TEST_CASE("Profiles::sorted lists users by name") {
    ad::Profiles p;
    p.get("carol", 1);
    p.get("alice", 2).logins = 7;
    p.get("bob", 3);
    auto s = p.sorted();
    REQUIRE(s.size() == 3);
    CHECK(*s[0].first == "alice");
    CHECK(*s[1].first == "bob");
    CHECK(*s[2].first == "carol");
    CHECK(s[0].second == p.find("alice"));
    CHECK(s[0].second->logins == 7);
    CHECK(ad::Profiles().sorted().empty());
  }

  TEST_CASE("usual_hours gives the first smallest run, as trying every run in turn does") {
    ad::Rng rng(5);
    for (int k = 0; k < 20000; ++k) {
      ad::Hours hours{};
      const std::uint64_t spread = 1 + rng.below(24), busy = 1 + rng.below(40);
      for (std::uint64_t i = 0; i < spread; ++i) hours[static_cast<std::size_t>(rng.below(24))] += static_cast<std::uint32_t>(rng.below(busy));
      hours[static_cast<std::size_t>(rng.below(24))] += 1;  // never all zero
      std::uint32_t total = 0;
      for (auto h : hours) total += h;
      const std::uint32_t need = (total * 9 + 9) / 10;
      std::pair<int, int> expected{0, 23};
      bool found = false;
      for (int len = 1; len <= 24 && !found; ++len)
        for (int start = 0; start < 24 && !found; ++start) {
          std::uint32_t sum = 0;
          for (int i = 0; i < len; ++i) sum += hours[static_cast<std::size_t>((start + i) % 24)];
          if (sum >= need) {
            expected = {start, (start + len - 1) % 24};
            found = true;
          }
        }
      CAPTURE(k);
      REQUIRE(ad::usual_hours(hours) == expected);
    }
  }

  TEST_CASE("usual_hours: the smallest run of hours holding 90% of logins") {
    ad::UserProfile u;
    SUBCASE("office hours") {
      // 10 logins at each hour 9..16, one at 8 and one at 17: 82 in all, 90% = 73.8, so
      // 74 needed. 7 hours hold at most 70; hours 9..16 hold 80.
      for (int h = 9; h <= 16; ++h) u.hours[h] = 10;
      u.hours[8] = 1;
      u.hours[17] = 1;
      u.logins = 82;
      CHECK(ad::usual_hours(u.hours) == std::make_pair(9, 16));
    }
    SUBCASE("the ends of the day matter when they hold more than a tenth") {
      // 2 at 08, 6 at 12, 2 at 17: 10 logins, 9 needed; 08..16 and 09..17 hold 8 each.
      u.hours[8] = 2;
      u.hours[12] = 6;
      u.hours[17] = 2;
      u.logins = 10;
      CHECK(ad::usual_hours(u.hours) == std::make_pair(8, 17));
    }
    SUBCASE("a night shift wraps midnight") {
      // 10 logins at each hour 22, 23, 0, ..., 5, and one at noon: 81 in all, 73 needed
      // (72.9 rounded up). 22..05 holds 80; no run of 7 hours holds more than 70.
      for (int h : {22, 23, 0, 1, 2, 3, 4, 5}) u.hours[h] = 10;
      u.hours[12] = 1;
      u.logins = 81;
      CHECK(ad::usual_hours(u.hours) == std::make_pair(22, 5));
    }
    SUBCASE("one hour") {
      u.hours[3] = 5;
      u.logins = 5;
      CHECK(ad::usual_hours(u.hours) == std::make_pair(3, 3));
    }
    SUBCASE("exactly 90% is enough") {
      // 9 of 10 at 08: 9 needed.
      u.hours[8] = 9;
      u.hours[20] = 1;
      u.logins = 10;
      CHECK(ad::usual_hours(u.hours) == std::make_pair(8, 8));
    }
    SUBCASE("spread over the whole day") {
      // One login an hour: 24, 22 needed (21.6 rounded up): 22 hours from 00 to 21.
      for (auto& h : u.hours) h = 1;
      u.logins = 24;
      CHECK(ad::usual_hours(u.hours) == std::make_pair(0, 21));
    }
  }

  TEST_CASE("traits are addressed by Trait") {
    ad::UserProfile u;
    u.trait(ad::Trait::kCountry).add("NO", 1);
    CHECK(u.traits[2].count("NO") == 1);
    CHECK(u.trait(ad::Trait::kIp).count("NO") == 0);
    const ad::UserProfile& c = u;
    CHECK(c.trait(ad::Trait::kCountry).top() == "NO");
  }
}
