// csv_split.h: one scan of a CSV line without quotes, for csv::Reader's fast path.
//
// Most lines of login CSV have no quote, and their fields are the bytes between commas.
// split_unquoted finds the commas and, in the same pass, whatever sends the line down a
// slower path: a quote (the line needs the quoted reader), a CR (the line cannot pass
// through whole), or a NUL byte or a byte of 0x80 and up (its UTF-8 must be checked).
// Where the processor has SSE2 (every x86-64), it looks at 16 bytes at a time and walks
// only the commas it finds; the bytes after the last whole 16, and every byte where
// SSE2 is missing, are looked at one by one. Both give the same answer.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace ad::csv {

struct LineScan {
  bool quote = false;      // a '"' is on the line: fields is left unfinished
  bool cr = false;         // a CR is on the line
  bool suspect = false;    // a NUL byte or a byte >= 0x80 is on the line
  std::size_t found = 0;   // the line's fields, kept or not (without a quote)
};

// Appends the fields of line, split at every comma, to fields (which should be empty):
// at most `limit` of them (at least 1); those past it are only counted in `found`, as
// csv::Reader keeps a ragged row's first fields. With a quote on the line the scan
// stops there; fields then holds what it had split.
LineScan split_unquoted(std::string_view line, std::size_t limit, std::vector<std::string_view>& fields);

}  // namespace ad::csv
