#include "ad/mail/dedup.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "ad/core/error.h"
#include "testutil.h"

namespace {

using testutil::TempDir;
using testutil::slurp;

}  // namespace

TEST_SUITE("dedup") {
  TEST_CASE("event keys") {
    using ad::mail::key_of_fields;
    CHECK(key_of_fields({"ab", "c"}) != key_of_fields({"a", "bc"}));
    CHECK(key_of_fields({"alice", "1.2.3.4"}) == key_of_fields({"alice", "1.2.3.4"}));
    CHECK(key_of_fields({"e1"}) != ad::mail::key_of_id("e1"));
    CHECK(ad::mail::key_of_id("e1") == ad::mail::key_of_id("e1"));
    CHECK(ad::mail::key_of_id("e1") != ad::mail::key_of_id("e2"));
  }

  TEST_CASE("the state remembers keys across runs, atomically and bounded") {
    TempDir tmp;
    std::string path = tmp.path + "/state";
    {
      ad::mail::AlertState s(path, 3);
      s.lock();
      CHECK(s.size() == 0);  // no file yet
      for (std::uint64_t k = 1; k <= 5; ++k) s.insert(k * 0x1111, 1000 + static_cast<std::int64_t>(k));
      s.commit();
    }
    CHECK(slurp(path) ==
          "# ad-mail state 1\n"
          "0000000000003333 1003\n"
          "0000000000004444 1004\n"
          "0000000000005555 1005\n");
    ad::mail::AlertState s(path, 3);
    s.lock();
    CHECK(s.contains(0x5555));
    CHECK(s.contains(0x3333));
    CHECK_FALSE(s.contains(0x1111));  // the oldest went when the state was full
    s.unlock();
  }

  TEST_CASE("a state holds at most twice its capacity while keys come, and writes the same newest") {
    TempDir tmp;
    std::string path = tmp.path + "/state";
    ad::mail::AlertState s(path, 4);
    s.lock();
    for (std::uint64_t k = 1; k <= 50; ++k) {
      s.insert(k, 2000);  // one batch: all at the same time, so the largest keys stay
      CHECK(s.size() <= 8);
    }
    s.insert(7, 1000);  // an older time never takes the place of a newer key
    s.commit();
    CHECK(slurp(path) ==
          "# ad-mail state 1\n"
          "000000000000002f 2000\n"
          "0000000000000030 2000\n"
          "0000000000000031 2000\n"
          "0000000000000032 2000\n");
  }

  TEST_CASE("a file that is not a state file is refused and left alone") {
    TempDir tmp;
    std::string path = tmp.path + "/scored.csv";
    std::ofstream(path) << "user,anomaly_flag\nalice,1\n";
    ad::mail::AlertState s(path);
    try {
      s.lock();
      FAIL("expected a data error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().line == 1);
    }
    CHECK(slurp(path) == "user,anomaly_flag\nalice,1\n");

    std::string bad = tmp.path + "/state";
    std::ofstream(bad) << "# ad-mail state 1\n0000000000000001 5\nzz 7\n";
    ad::mail::AlertState b(bad);
    try {
      b.lock();
      FAIL("expected a data error");
    } catch (const ad::Error& e) {
      CHECK(e.where().line == 3);
    }
    std::ofstream(tmp.path + "/empty");  // an empty file is an empty state
    ad::mail::AlertState empty(tmp.path + "/empty");
    CHECK_NOTHROW(empty.lock());
  }

  TEST_CASE("the lock excludes a second holder until released") {
    TempDir tmp;
    std::string path = tmp.path + "/state";
    ad::mail::AlertState s(path);
    s.lock();
    int fd = ::open((path + ".lock").c_str(), O_RDWR);
    REQUIRE(fd >= 0);
    CHECK(::flock(fd, LOCK_EX | LOCK_NB) != 0);
    CHECK(errno == EWOULDBLOCK);
    s.insert(42, 1);
    s.commit();  // writes and releases
    CHECK(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    ::close(fd);
  }

  TEST_CASE("alerted incidents keep the highest band and the latest time, bounded by age") {
    using ad::scored::Band;
    ad::mail::AlertedIncidents m(2);
    CHECK(m.find(1) == nullptr);
    m.alerted(1, Band::kHigh, 100);
    m.alerted(1, Band::kMedium, 90);  // a lower band never lowers what was alerted
    REQUIRE(m.find(1) != nullptr);
    CHECK(m.find(1)->band == Band::kHigh);
    CHECK(m.find(1)->seen_s == 100);
    m.seen(1, 300);
    CHECK(m.find(1)->seen_s == 300);
    m.seen(7, 300);  // never alerted: seeing it adds nothing
    CHECK(m.find(7) == nullptr);
    m.alerted(2, Band::kLow, 200);
    m.alerted(3, Band::kCritical, 250);
    m.trim();
    CHECK(m.size() == 2);
    CHECK(m.find(2) == nullptr);  // seen least recently
    CHECK(m.find(1) != nullptr);
    CHECK(m.find(3) != nullptr);
    CHECK(ad::mail::key_of_incident("I-1") != ad::mail::key_of_id("I-1"));
    CHECK(ad::mail::key_of_incident("I-1") == ad::mail::key_of_incident("I-1"));
  }

  TEST_CASE("incidents make a version 2 file, version 1 files still load") {
    using ad::scored::Band;
    TempDir tmp;
    std::string path = tmp.path + "/state";
    std::ofstream(path) << "# ad-mail state 1\n00000000000000aa 5\n";
    {
      ad::mail::AlertState s(path, 10, 2);
      s.lock();
      CHECK(s.contains(0xaa));
      CHECK(s.incidents().size() == 0);
      s.commit();  // no incidents: still version 1, for an older ad-mail
    }
    CHECK(slurp(path) == "# ad-mail state 1\n00000000000000aa 5\n");
    {
      ad::mail::AlertState s(path, 10, 2);
      s.lock();
      s.incidents().alerted(0x10, Band::kMedium, 20);
      s.incidents().alerted(0x20, Band::kCritical, 30);
      s.incidents().alerted(0x30, Band::kHigh, 40);
      s.commit();
    }
    CHECK(slurp(path) ==
          "# ad-mail state 2\n"
          "00000000000000aa 5\n"
          "i 0000000000000020 3 30\n"
          "i 0000000000000030 2 40\n");
    ad::mail::AlertState s(path, 10, 2);
    s.lock();
    CHECK(s.contains(0xaa));
    REQUIRE(s.incidents().find(0x20) != nullptr);
    CHECK(s.incidents().find(0x20)->band == Band::kCritical);
    CHECK(s.incidents().find(0x10) == nullptr);
    s.unlock();

    // An incident line in a version 1 file, or a bad band, is malformed.
    for (const char* bad : {"# ad-mail state 1\ni 0000000000000020 3 30\n",
                            "# ad-mail state 2\ni 0000000000000020 4 30\n",
                            "# ad-mail state 2\ni 0000000000000020 3\n"}) {
      CAPTURE(bad);
      std::ofstream(path) << bad;
      ad::mail::AlertState b(path);
      try {
        b.lock();
        FAIL("expected a data error");
      } catch (const ad::Error& e) {
        CHECK(e.status() == ad::Status::kData);
        CHECK(e.where().line == 2);
      }
    }
  }
}
