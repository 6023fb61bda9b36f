#include "ad/import/syslog.h"

#include <doctest/doctest.h>

#include "ad/core/timestamp.h"

using namespace ad::import;

namespace {
std::int64_t ms(const char* iso) { return *ad::parse_time_ms(iso); }
SyslogLine line(const char* text) {
  auto l = parse_syslog_line(text);
  REQUIRE(l);
  return *l;
}
}  // namespace

TEST_CASE("traditional syslog lines") {
  auto l = line("May  1 08:30:05 web1 sshd[4101]: Failed password for root from 1.2.3.4 port 22 ssh2");
  CHECK(l.month == 5);
  CHECK(l.day == 1);
  CHECK(l.hour == 8);
  CHECK(l.second == 5);
  CHECK(l.host == "web1");
  CHECK(l.program == "sshd");
  CHECK(l.pid == "4101");
  CHECK(l.message == "Failed password for root from 1.2.3.4 port 22 ssh2");
  auto p = line("Dec 31 23:59:59.250000 h sshd-session: x: y");
  CHECK(p.millisecond == 250);
  CHECK(p.program == "sshd-session");
  CHECK(p.message == "x: y");
  CHECK(line("May  1 08:30:05 h last message repeated 3 times").program == "");
}

TEST_CASE("ISO syslog lines carry their own time") {
  auto l = line("2024-05-01T10:30:00.123456+02:00 web1 sshd[7]: Accepted password for a from 1.2.3.4 port 1 ssh2");
  REQUIRE(l.time_ms);
  CHECK(*l.time_ms == ms("2024-05-01T08:30:00.123Z"));
  CHECK(l.host == "web1");
}

TEST_CASE("lines that are not syslog") {
  CHECK_FALSE(parse_syslog_line("hello world"));
  CHECK_FALSE(parse_syslog_line("Foo  1 08:30:05 h sshd[1]: x"));
  CHECK_FALSE(parse_syslog_line("May 41 08:30:05 h sshd[1]: x"));
  CHECK_FALSE(parse_syslog_line("May  1 08:30:05"));
}

TEST_CASE("the year: --year, the reference time, the turn of the year") {
  YearGuess fixed(2021, ms("2024-06-01T00:00:00Z"), 0);
  CHECK(fixed.resolve(line("Dec 31 23:59:59 h p: m")) == ms("2021-12-31T23:59:59Z"));
  CHECK(fixed.resolve(line("Jan  1 00:00:01 h p: m")) == ms("2022-01-01T00:00:01Z"));

  YearGuess before(0, ms("2025-01-02T10:00:00Z"), 0);  // a file written on 2 January 2025
  CHECK(before.resolve(line("Dec 30 12:00:00 h p: m")) == ms("2024-12-30T12:00:00Z"));
  CHECK(before.resolve(line("Dec 29 12:00:00 h p: m")) == ms("2024-12-29T12:00:00Z"));  // out of order
  CHECK(before.resolve(line("Jan  2 09:00:00 h p: m")) == ms("2025-01-02T09:00:00Z"));

  YearGuess same(0, ms("2024-05-01T12:00:00Z"), 0);
  CHECK(same.resolve(line("May  1 08:00:00 h p: m")) == ms("2024-05-01T08:00:00Z"));

  YearGuess zoned(2024, 0, 2 * 3600);  // --assume-tz +02:00
  CHECK(zoned.resolve(line("May  1 08:00:00 h p: m")) == ms("2024-05-01T06:00:00Z"));
}
