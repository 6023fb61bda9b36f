#include "ad/core/timestamp.h"

#include <cstdio>

namespace ad {

// Howard Hinnant's civil-date algorithms.
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// Parses a zone at s[pos..]: "Z", "+HH", "+HHMM", "+HH:MM". Sets offset seconds.
bool parse_zone(std::string_view s, std::size_t pos, int& offset) {
  std::string_view z = s.substr(pos);
  if (z == "Z" || z == "z" || z == "UTC" || z == " UTC") {
    offset = 0;
    return true;
  }
  if (!z.empty() && z[0] == ' ') z.remove_prefix(1);
  if (z.empty() || (z[0] != '+' && z[0] != '-')) return false;
  int sign = z[0] == '-' ? -1 : 1, hh = 0, mm = 0;
  if (!digits(z, 1, 2, hh)) return false;
  if (z.size() == 3) {
  } else if (z.size() == 5) {
    if (!digits(z, 3, 2, mm)) return false;
  } else if (z.size() == 6 && z[3] == ':') {
    if (!digits(z, 4, 2, mm)) return false;
  } else {
    return false;
  }
  if (hh > 14 || mm > 59) return false;
  offset = sign * (hh * 3600 + mm * 60);
  return true;
}

std::optional<std::int64_t> parse_epoch(std::string_view s) {
  std::size_t i = 0;
  std::int64_t whole = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (i >= 16) return std::nullopt;
    whole = whole * 10 + (s[i] - '0');
    ++i;
  }
  std::size_t int_digits = i;
  if (int_digits == 0) return std::nullopt;
  double frac = 0, scale = 0.1;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i == s.size()) return std::nullopt;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      frac += (s[i] - '0') * scale;
      scale /= 10;
    }
  }
  if (i != s.size()) return std::nullopt;
  if (int_digits >= 12) return whole + static_cast<std::int64_t>(frac + 0.5);
  return whole * 1000 + static_cast<std::int64_t>(frac * 1000 + 0.5);
}

std::optional<std::int64_t> parse_any(std::string_view s, int assume_tz_s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  if (s.size() < 10 || s[4] != '-') return parse_epoch(s);

  int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d))
    return std::nullopt;
  std::size_t pos = 10;
  int offset = assume_tz_s;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    if (!digits(s, pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, mi))
      return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        std::size_t start = pos;
        int scale = 100;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          ms += (s[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
        if (pos == start) return std::nullopt;
      }
    }
    if (pos < s.size() && !parse_zone(s, pos, offset)) return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap)) return std::nullopt;
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset;
  return secs * 1000 + ms;
}

}  // namespace

// Years 1 to 9999 in UTC: the times format_time_iso writes and this function reads back.
constexpr std::int64_t kFirstMs = -62135596800000;  // 0001-01-01T00:00:00Z
constexpr std::int64_t kLastMs = 253402300799999;   // 9999-12-31T23:59:59.999Z

std::optional<std::int64_t> parse_time_ms(std::string_view s, int assume_tz_s) {
  auto ms = parse_any(s, assume_tz_s);
  if (ms && (*ms < kFirstMs || *ms > kLastMs)) return std::nullopt;
  return ms;
}

std::optional<int> parse_utc_offset(std::string_view text) {
  int offset = 0;
  if (text == "UTC" || text == "utc" || text == "Z") return 0;
  if (!parse_zone(text, 0, offset)) return std::nullopt;
  return offset;
}

std::string format_time_iso(std::int64_t epoch_ms) {
  std::int64_t secs = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
  int ms = static_cast<int>(epoch_ms - secs * 1000);
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int rem = static_cast<int>(secs - days * 86400);
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[40];
  if (ms)
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d, rem / 3600,
                  rem / 60 % 60, rem % 60, ms);
  else
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, rem / 3600,
                  rem / 60 % 60, rem % 60);
  return buf;
}

}  // namespace ad
