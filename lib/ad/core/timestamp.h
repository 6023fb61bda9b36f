// timestamp.h: the login times ad accepts, and how it writes them.
//
// Accepted (see ad(7)):
//   - ISO 8601 date and time, with 'T' or a space between them, optional seconds,
//     optional fractional seconds, and an optional zone: Z, +HH:MM, +HHMM or +HH.
//     "2024-05-01T08:30:00Z", "2024-05-01 08:30:00.123+02:00", "2024-05-01T08:30".
//   - A date alone, "2024-05-01", as midnight.
//   - Epoch time as digits with an optional fraction: up to 11 integer digits are
//     seconds, 12 or more are milliseconds ("1714552200", "1714552200123").
// A time without a zone is taken to be at default_offset (UTC unless a tool's
// --assume-tz says otherwise). Times are kept as epoch milliseconds, UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ad {

// Returns epoch milliseconds, or nullopt if text is not a time in a form above or is
// outside the years 0001 to 9999 in UTC (which format_time_iso could not write back).
std::optional<std::int64_t> parse_time_ms(std::string_view text, int assume_tz_s = 0);

// Parses a UTC offset for --assume-tz: "Z", "UTC", "+02:00", "-0530", "+05".
// Returns seconds east of UTC, or nullopt.
std::optional<int> parse_utc_offset(std::string_view text);

// "2024-05-01T08:30:00Z" (with ".123" when the milliseconds are not zero).
std::string format_time_iso(std::int64_t epoch_ms);

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
std::int64_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d);

}  // namespace ad
