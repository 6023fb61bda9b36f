// json_reader.h: JSON records from a file or a live pipe, one at a time.
//
// Accepts what the vendors' tools write:
//   - JSON Lines (journalctl -o json, Okta and CloudTrail exports, jq -c),
//   - a JSON array of records (Okta's API, `jq -s`, an Entra export), pretty or not,
//   - concatenated or pretty-printed objects (journalctl -o json-pretty), commas
//     between them read as separators (an array whose brackets were cut off),
//   - a wrapper object whose "value" (Microsoft Graph), "items" (Google Reports API)
//     or "Records" (CloudTrail log files) member is the array of records.
//
// nlohmann::json parses every record. A small scanner in front of it only finds where
// each top-level value (or each element of a top-level array) starts and ends, by
// counting brackets outside strings, so that an array is read element by element:
// memory holds one record, not the input, and on a live pipe each record is handed
// over as soon as it is complete. A wrapper object is parsed whole. No single value may
// exceed kMaxValueBytes.
//
// Errors are ad::Error(kData) naming the file and the line. A record that is not valid
// JSON, or a ']' that closes no array, is an error on its own: next() can be called
// again and goes on after it (every call reads past what it reports). A value still
// open when a line starts with '{' that cannot continue it (the line before did not end
// in '[', ':' or ',') was cut short, as a truncated JSON Line is: it ends there, as an
// error, and the new line starts the next record.
#pragma once

#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <string>

#include "ad/core/csv.h"
#include "ad/core/error.h"

namespace ad::import {

inline constexpr std::size_t kMaxValueBytes = std::size_t{64} << 20;

struct JsonRecord {
  nlohmann::json value;
  std::uint64_t line = 0;  // where the record (or its wrapper) starts
};

class JsonReader {
 public:
  // Does not take ownership of lines; name is used in messages.
  JsonReader(csv::LineSource& lines, std::string name);

  // Sets record to the next record. Returns false at the end of the input. Throws
  // ad::Error(kData) for a malformed record, after which reading may go on.
  bool next(JsonRecord& record);
  Location at(std::uint64_t line) const { return Location{name_, line}; }

 private:
  bool next_text(std::string& text, std::uint64_t& start);
  bool scan_line(std::string& text, std::uint64_t& start);
  void begin_value(char c);
  void push_elements(nlohmann::json& wrapper, std::uint64_t line);

  csv::LineSource& lines_;
  std::string name_;
  std::uint64_t line_ = 0;
  std::string_view rest_;      // unread part of the current line
  bool have_line_ = false;
  bool in_array_ = false;      // inside a top-level array
  int depth_ = 0;              // bracket depth within the current value
  bool in_value_ = false, in_string_ = false, escape_ = false, scalar_ = false;
  bool overflow_ = false;
  char last_ = 0;              // the last character outside strings, but spaces
  std::string buffer_;
  std::uint64_t start_ = 0;
  std::deque<JsonRecord> pending_;  // elements of a wrapper object
};

}  // namespace ad::import
