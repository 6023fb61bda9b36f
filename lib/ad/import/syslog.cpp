#include "ad/import/syslog.h"

#include <array>
#include <cstring>

#include "ad/core/timestamp.h"

namespace ad::import {
namespace {

constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool digit(char c) { return c >= '0' && c <= '9'; }

// Reads n digits at s[i..] into v.
bool digits(std::string_view s, std::size_t i, std::size_t n, int& v) {
  if (i + n > s.size()) return false;
  v = 0;
  for (std::size_t k = i; k < i + n; ++k) {
    if (!digit(s[k])) return false;
    v = v * 10 + (s[k] - '0');
  }
  return true;
}

// "May  1 08:30:00[.frac] ": fills the traditional fields; returns the length, or 0.
std::size_t parse_traditional(std::string_view s, SyslogLine& l) {
  if (s.size() < 16 || s[3] != ' ') return 0;
  for (int m = 0; m < 12; ++m)
    if (s.compare(0, 3, kMonths[m]) == 0) l.month = m + 1;
  if (!l.month) return 0;
  std::size_t i = 4;
  if (s[i] == ' ') ++i;
  int day = 0;
  if (digits(s, i, 2, day)) i += 2;
  else if (digits(s, i, 1, day)) i += 1;
  else return 0;
  if (i >= s.size() || s[i] != ' ') return 0;
  ++i;
  if (!digits(s, i, 2, l.hour) || s.size() < i + 8 || s[i + 2] != ':' || !digits(s, i + 3, 2, l.minute) ||
      s[i + 5] != ':' || !digits(s, i + 6, 2, l.second))
    return 0;
  i += 8;
  if (i < s.size() && s[i] == '.') {
    std::size_t k = i + 1;
    int scale = 100;
    while (k < s.size() && digit(s[k])) {
      l.millisecond += (s[k] - '0') * scale;
      scale /= 10;
      ++k;
    }
    i = k;
  }
  l.day = day;
  if (day < 1 || day > 31 || l.hour > 23 || l.minute > 59 || l.second > 60) return 0;
  return i;
}

}  // namespace

std::optional<SyslogLine> parse_syslog_line(std::string_view line, int assume_tz_s) {
  SyslogLine l;
  std::size_t i = parse_traditional(line, l);
  if (!i) {
    auto sp = line.find(' ');
    if (sp == std::string_view::npos || sp < 10 || !digit(line[0])) return std::nullopt;
    l.time_ms = parse_time_ms(line.substr(0, sp), assume_tz_s);
    if (!l.time_ms) return std::nullopt;
    i = sp;
  }
  if (i >= line.size() || line[i] != ' ') return std::nullopt;
  std::string_view rest = line.substr(i + 1);
  auto sp = rest.find(' ');
  if (sp == std::string_view::npos || sp == 0) return std::nullopt;
  l.host = rest.substr(0, sp);
  rest = rest.substr(sp + 1);
  // "tag[pid]: message" or "tag: message"; a tag holds no space.
  auto colon = rest.find(": ");
  auto space = rest.find(' ');
  if (colon != std::string_view::npos && colon < space) {
    std::string_view tag = rest.substr(0, colon);
    l.message = rest.substr(colon + 2);
    auto br = tag.find('[');
    if (br != std::string_view::npos && tag.back() == ']') {
      l.program = tag.substr(0, br);
      l.pid = tag.substr(br + 1, tag.size() - br - 2);
    } else {
      l.program = tag;
    }
  } else {
    l.message = rest;
  }
  return l;
}

YearGuess::YearGuess(int year, std::int64_t reference_ms, int assume_tz_s)
    : fixed_(year), reference_ms_(reference_ms), assume_tz_s_(assume_tz_s) {}

std::int64_t YearGuess::resolve(const SyslogLine& l) {
  if (l.time_ms) return *l.time_ms;
  if (!year_) {
    if (fixed_) {
      year_ = fixed_;
    } else {
      std::int64_t local_s = reference_ms_ / 1000 + assume_tz_s_;
      std::int64_t days = local_s >= 0 ? local_s / 86400 : (local_s - 86399) / 86400;
      int y;
      unsigned m, d;
      civil_from_days(days, y, m, d);
      bool later = l.month > static_cast<int>(m) || (l.month == static_cast<int>(m) && l.day > static_cast<int>(d));
      year_ = later ? y - 1 : y;
    }
  } else if (l.month + 6 < previous_month_) {
    ++year_;
  }
  previous_month_ = l.month;
  std::int64_t days = days_from_civil(year_, static_cast<unsigned>(l.month), static_cast<unsigned>(l.day));
  std::int64_t s = days * 86400 + l.hour * 3600 + l.minute * 60 + l.second - assume_tz_s_;
  return s * 1000 + l.millisecond;
}

}  // namespace ad::import
