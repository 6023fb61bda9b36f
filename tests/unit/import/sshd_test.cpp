#include "ad/import/sshd.h"

#include <doctest/doctest.h>

#include "ad/core/error.h"
#include "ad/core/timestamp.h"

using namespace ad::import;

TEST_CASE("sshd's accepted and failed tries") {
  auto a = parse_sshd_message("Accepted publickey for alice from 198.51.100.7 port 41822 ssh2: ED25519 SHA256:x");
  REQUIRE(a);
  CHECK(a->success);
  CHECK(a->method == "publickey");
  CHECK(a->user == "alice");
  CHECK(a->ip == "198.51.100.7");
  CHECK(a->port == "41822");
  CHECK(a->count == 1);
  auto f = parse_sshd_message("Failed password for invalid user bob from 2001:db8::1 port 22 ssh2");
  REQUIRE(f);
  CHECK_FALSE(f->success);
  CHECK(f->invalid_user);
  CHECK(f->user == "bob");
  CHECK(f->ip == "2001:db8::1");
  auto k = parse_sshd_message("Accepted keyboard-interactive/pam for carol from 192.0.2.1 port 5 ssh2");
  REQUIRE(k);
  CHECK(k->method == "keyboard-interactive/pam");
}

TEST_CASE("message repeated N times is N tries") {
  auto r = parse_sshd_message("message repeated 3 times: [ Failed password for root from 1.2.3.4 port 22 ssh2]");
  REQUIRE(r);
  CHECK(r->count == 3);
  CHECK(r->user == "root");
  CHECK(r->port == "22");
  CHECK_FALSE(parse_sshd_message("message repeated 2 times: [ pam_unix(sshd:auth): authentication failure;]"));
}

TEST_CASE("a repeat count above kMaxRepeat counts kMaxRepeat tries, however large") {
  for (const char* n : {"1001", "2000000000", "99999999999999999999"}) {
    auto r = parse_sshd_message("message repeated " + std::string(n) +
                                " times: [ Failed password for root from 1.2.3.4 port 22 ssh2]");
    REQUIRE_MESSAGE(r, n);
    CHECK(r->count == ad::import::kMaxRepeat);
  }
  CHECK(parse_sshd_message("message repeated 1000 times: [ Failed password for root from 1.2.3.4 port 22 ssh2]")->count == 1000);
  CHECK_FALSE(parse_sshd_message("message repeated -99999999999999999999 times: [ Failed password for root from 1.2.3.4 port 22 ssh2]"));
}

TEST_CASE("ids of one second are told apart among its first kMaxIdsPerSecond distinct lines") {
  SshdConverter c(2024, 0, 0);
  std::vector<Login> out;
  const std::string prefix = "May  1 08:00:00 h sshd[1]: Failed password for u";
  for (std::size_t i = 0; i < ad::import::kMaxIdsPerSecond + 1; ++i)
    c.syslog_line(prefix + std::to_string(i) + " from 1.2.3.4 port 22 ssh2", out);
  out.clear();
  c.syslog_line(prefix + "0 from 1.2.3.4 port 22 ssh2", out);  // among the first: told apart
  const std::string last = prefix + std::to_string(ad::import::kMaxIdsPerSecond) + " from 1.2.3.4 port 22 ssh2";
  c.syslog_line(last, out);  // past them: shares its id
  REQUIRE(out.size() == 2);
  CHECK(out[0][kEventId].substr(16) == "-2");
  CHECK(out[1][kEventId] == short_hash(last));
}

TEST_CASE("lines that repeat a try, or are none, are not tries") {
  for (const char* m : {"Invalid user admin from 1.2.3.4 port 50112",
                        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4",
                        "PAM 2 more authentication failures; logname= uid=0 rhost=1.2.3.4  user=root",
                        "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
                        "Failed none for invalid user test from 1.2.3.4 port 6 ssh2",
                        "Connection closed by authenticating user root 1.2.3.4 port 22 [preauth]",
                        "error: maximum authentication attempts exceeded for root from 1.2.3.4 port 22 ssh2 [preauth]",
                        "Failed password for"})
    CHECK_MESSAGE(!parse_sshd_message(m), m);
}

TEST_CASE("SshdConverter: ids, repeats, other programs, bad lines") {
  SshdConverter c(2024, 0, 0);
  std::vector<Login> out;
  const char* fail = "May  1 08:00:00 h sshd[1]: Failed password for root from 1.2.3.4 port 22 ssh2";
  c.syslog_line(fail, out);
  c.syslog_line(fail, out);  // the same line again within the second
  c.syslog_line("May  1 08:00:01 h sshd[1]: message repeated 2 times: [ Failed password for root from 1.2.3.4 port 22 ssh2]", out);
  c.syslog_line("May  1 08:00:02 h CRON[9]: Accepted password for x from 1.1.1.1 port 1 ssh2", out);
  REQUIRE(out.size() == 4);
  CHECK(out[0][kEventId] == short_hash(fail));
  CHECK(out[1][kEventId] == short_hash(fail) + "-2");
  CHECK(out[2][kEventId].substr(16) == "-1");
  CHECK(out[3][kEventId].substr(16) == "-2");
  CHECK(out[0][kTimestamp] == "2024-05-01T08:00:00Z");
  CHECK(out[0][kStatus] == "failure");
  CHECK(out[0][kActivity] == "login");
  CHECK(out[0].extra == std::vector<std::string>{"h", "password", "false"});
  CHECK_THROWS_WITH_AS(c.syslog_line("garbage", out), "not a syslog line: 'garbage'", ad::Error);
}

TEST_CASE("SshdConverter: journal entries") {
  SshdConverter c(0, 0, 0);
  std::vector<Login> out;
  c.journal_entry(nlohmann::json::parse(R"({"__REALTIME_TIMESTAMP":"1714552201123456","_HOSTNAME":"b",
    "SYSLOG_IDENTIFIER":"sshd","__CURSOR":"s=1","MESSAGE":"Accepted password for al from 10.0.0.1 port 2 ssh2"})"), out);
  c.journal_entry(nlohmann::json::parse(R"({"__REALTIME_TIMESTAMP":"1714552201123456","SYSLOG_IDENTIFIER":"sudo",
    "MESSAGE":"Accepted password for al from 10.0.0.1 port 2 ssh2"})"), out);
  REQUIRE(out.size() == 1);
  CHECK(out[0][kTimestamp] == "2024-05-01T08:30:01.123Z");
  CHECK(out[0][kUser] == "al");
  CHECK(out[0][kEventId] == short_hash("s=1"));
  CHECK(out[0].extra[0] == "b");
  CHECK_THROWS_WITH_AS(c.journal_entry(nlohmann::json::parse(R"({"MESSAGE":"x","__REALTIME_TIMESTAMP":"soon"})"), out),
                       "journal entry without a valid __REALTIME_TIMESTAMP: 'soon'", ad::Error);
  CHECK_THROWS_WITH_AS(c.journal_entry(nlohmann::json::parse(R"({"__REALTIME_TIMESTAMP":"1"})"), out),
                       "journal entry without MESSAGE", ad::Error);
}
