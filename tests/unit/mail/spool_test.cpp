#include "ad/mail/spool.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "ad/core/error.h"
#include "testutil.h"

namespace {

using testutil::TempDir;
using testutil::slurp;

mode_t mode_of(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

const std::string kMessage = "Subject: one\r\n\r\nbody\r\n";

}  // namespace

TEST_SUITE("spool") {
  TEST_CASE("a spooled message keeps its envelope and reads back exactly") {
    TempDir tmp;
    ad::mail::Spool spool(tmp.path + "/a/b/spool");
    CHECK(spool.list().empty());  // a missing directory is an empty spool
    std::string path = spool.put({"ad@example.com", {"x@example.com", "y@example.com"}}, kMessage);
    CHECK(mode_of(tmp.path + "/a/b/spool") == 0700);
    CHECK(mode_of(path) == 0600);
    CHECK(path.substr(path.size() - 4) == ".eml");
    CHECK(slurp(path) ==
          "X-Ad-Envelope-From: <ad@example.com>\r\n"
          "X-Ad-Envelope-To: <x@example.com>, <y@example.com>\r\n" + kMessage);
    auto m = spool.load(path);
    CHECK(m.envelope.from == "ad@example.com");
    CHECK(m.envelope.to == std::vector<std::string>{"x@example.com", "y@example.com"});
    CHECK(m.message == kMessage);
    CHECK(spool.list() == std::vector<std::string>{path});
  }

  TEST_CASE("flush sends oldest first, removes what was sent, keeps what failed") {
    TempDir tmp;
    ad::mail::Spool spool(tmp.path);
    std::string p1 = spool.put({"a@x.org", {"b@x.org"}}, "Subject: 1\r\n\r\n");
    std::string p2 = spool.put({"a@x.org", {"b@x.org"}}, "Subject: 2\r\n\r\n");
    std::string p3 = spool.put({"a@x.org", {"b@x.org"}}, "Subject: 3\r\n\r\n");
    std::vector<std::string> seen;
    auto result = spool.flush(
        [&](const ad::mail::SpooledMessage& m) {
          seen.push_back(m.message.substr(9, 1));
          if (m.message.find("Subject: 2") == 0)
            throw ad::Error(ad::Status::kUnavailable, "refused");
        },
        [](const std::exception&) { return false; });
    CHECK(seen == std::vector<std::string>{"1", "2", "3"});
    CHECK(result.sent == 2);
    CHECK(result.failed == 1);
    CHECK(result.first_error == "refused");
    CHECK(spool.list() == std::vector<std::string>{p2});

    // stop_after ends the flush at the first failure; the rest stays and counts.
    spool.put({"a@x.org", {"b@x.org"}}, "Subject: 4\r\n\r\n");
    int calls = 0;
    result = spool.flush(
        [&](const ad::mail::SpooledMessage&) {
          ++calls;
          throw ad::Error(ad::Status::kUnavailable, "down");
        },
        [](const std::exception&) { return true; });
    CHECK(calls == 1);
    CHECK(result.failed == 2);
    CHECK(spool.list().size() == 2);
  }

  TEST_CASE("a file without an envelope is refused, left alone and counted") {
    TempDir tmp;
    ad::mail::Spool spool(tmp.path);
    std::string bad = tmp.path + "/0000-bad.eml";
    std::ofstream(bad) << "Subject: no envelope\r\n\r\n";
    CHECK_THROWS_AS(spool.load(bad), ad::Error);
    std::ofstream(tmp.path + "/0001-bad.eml")
        << "X-Ad-Envelope-From: <a@x.org>\r\nX-Ad-Envelope-To: <b@x.org>\r\nBcc: x\r\n"
        << "X-Ad-Envelope-To: <evil@x.org\r\n";  // the envelope is the first two lines only
    CHECK(spool.load(tmp.path + "/0001-bad.eml").envelope.to == std::vector<std::string>{"b@x.org"});
    std::ofstream(tmp.path + "/0002-bad.eml")
        << "X-Ad-Envelope-From: <a@x.org>\r\nX-Ad-Envelope-To: <b@x.org> c@\r\n\r\n";
    try {
      spool.load(tmp.path + "/0002-bad.eml");
      FAIL("expected a data error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().line == 2);
    }
    auto result = spool.flush([](const ad::mail::SpooledMessage&) {},
                              [](const std::exception&) { return false; });
    CHECK(result.sent == 1);
    CHECK(result.failed == 2);
    CHECK(::access(bad.c_str(), F_OK) == 0);
  }

  TEST_CASE("the default directory follows XDG_STATE_HOME, then HOME") {
    std::string old_home = std::getenv("HOME") ? std::getenv("HOME") : "";
    ::setenv("XDG_STATE_HOME", "/var/tmp/xdg", 1);
    CHECK(ad::mail::Spool::default_dir() == "/var/tmp/xdg/ad/spool");
    ::unsetenv("XDG_STATE_HOME");
    ::setenv("HOME", "/home/u", 1);
    CHECK(ad::mail::Spool::default_dir() == "/home/u/.local/state/ad/spool");
    ::unsetenv("HOME");
    CHECK_THROWS_AS(ad::mail::Spool::default_dir(), ad::Error);
    if (!old_home.empty()) ::setenv("HOME", old_home.c_str(), 1);
  }
}
