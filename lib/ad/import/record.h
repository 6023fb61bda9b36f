// record.h: one login as ad-import writes it, in ad's canonical login CSV.
//
// Every format writes the same twelve canonical columns first, named as ad's roles
// know them (roles.h), then the extra columns of its source. A Login holds the
// canonical values by Field and the extras in the order of its format's extra columns.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ad/core/csv.h"

namespace ad::import {

enum Field : int {
  kTimestamp = 0,
  kUser,
  kIp,
  kCountry,
  kCity,
  kLatitude,
  kLongitude,
  kDeviceType,
  kUserAgent,
  kStatus,
  kActivity,
  kEventId,
};
inline constexpr int kFieldCount = 12;

// "timestamp", "user_id", "ip_address", "country", "city", "latitude", "longitude",
// "device_type", "user_agent", "status", "activity_type", "event_id".
inline constexpr std::array<std::string_view, kFieldCount> kCanonicalColumns = {
    "timestamp",  "user_id",     "ip_address", "country", "city",          "latitude",
    "longitude",  "device_type", "user_agent", "status",  "activity_type", "event_id"};

struct Login {
  std::array<std::string, kFieldCount> field;
  std::vector<std::string> extra;  // as many as the format has extra columns
  std::string& operator[](Field f) { return field[f]; }
  const std::string& operator[](Field f) const { return field[f]; }
};

// Writes the canonical columns, then extras, as one header record.
void write_header(csv::Writer& out, const std::vector<std::string>& extras);
// Writes login as one record; its extras are padded or cut to extra_count. Bytes that
// are not UTF-8 (a syslog line in Latin-1) and NUL bytes are written as U+FFFD, so the
// tools downstream can read every row.
void write_login(csv::Writer& out, const Login& login, std::size_t extra_count);

// text with every byte that does not belong to valid UTF-8, and every NUL, replaced by
// U+FFFD.
std::string valid_utf8(std::string_view text);

// value, unless it is empty: then throws ad::Error(kData) "no <what>".
const std::string& required(const std::string& value, std::string_view what);

// A time in any form timestamp.h accepts, as "2024-05-01T08:30:00Z". Throws
// ad::Error(kData) naming what (the source's field name) when text is not a time.
std::string normalise_time(std::string_view text, std::string_view what, int assume_tz_s = 0);

// "success" or "failure" for the spellings of an outcome that roles.h's parse_outcome
// knows; anything else lower-cased as it is.
std::string normalise_status(std::string_view value);

// The first 16 hex digits of the SHA-256 of text: a stable event id for sources
// that have none.
std::string short_hash(std::string_view text);

}  // namespace ad::import
