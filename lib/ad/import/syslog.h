// syslog.h: syslog lines, as /var/log/auth.log and `journalctl -o short*` write them,
// and the year that traditional syslog times leave out.
//
// Two forms are read:
//   traditional (RFC 3164)  "May  1 08:30:00 host sshd[1234]: message"
//                           (also "May 01 08:30:00.123456", journalctl -o short-precise)
//   ISO 8601 (RFC 5424 style, rsyslog's high-precision and journalctl -o short-iso)
//                           "2024-05-01T08:30:00.123456+02:00 host sshd[1234]: message"
// A traditional time has neither year nor zone. The zone is the tool's --assume-tz.
// The year (YearGuess) is --year if given, else the one that puts the first line at or
// before a reference time (the file's modification time, or now for standard input):
// the year of the reference, or the year before if the first line's month and day are
// later in the year than the reference's. After that, the year goes up by one whenever
// a line's month is more than six months before the previous line's (December, then
// January): the turn of the year. Smaller steps back (out-of-order lines) are not a new
// year.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ad::import {

struct SyslogLine {
  std::optional<std::int64_t> time_ms;  // set for the ISO form
  int month = 0, day = 0, hour = 0, minute = 0, second = 0, millisecond = 0;  // traditional form
  std::string_view host;
  std::string_view program;  // "" when the line has no "tag:" (e.g. "last message repeated")
  std::string_view pid;
  std::string_view message;
};

// Parses one line in either form; nullopt if it is in neither.
std::optional<SyslogLine> parse_syslog_line(std::string_view line, int assume_tz_s = 0);

class YearGuess {
 public:
  // year: from --year, or 0 to infer it from reference_ms. assume_tz_s: the zone of the
  // traditional times (seconds east of UTC).
  YearGuess(int year, std::int64_t reference_ms, int assume_tz_s);
  // The epoch milliseconds of line (its time_ms for the ISO form).
  std::int64_t resolve(const SyslogLine& line);
  int year() const { return year_; }

 private:
  int fixed_;
  std::int64_t reference_ms_;
  int assume_tz_s_;
  int year_ = 0;
  int previous_month_ = 0;
};

}  // namespace ad::import
