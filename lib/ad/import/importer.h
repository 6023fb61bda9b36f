// importer.h: ad-import's work: one source format in, ad's login CSV out.
//
// The input is read as lines (csv::open_lines), so a regular file is read fast and a
// pipe record by record: the output is flushed whenever the input would block, and a
// login reaches the next tool as soon as its line or record is complete. What the input
// is, is seen from its first non-blank character: '{' or '[' is JSON (json_reader.h),
// anything else is syslog text (sshd) or CSV (entra). Okta, Google Workspace and
// CloudTrail input must be JSON.
//
// The output is the canonical columns (record.h) then the format's extras, one record
// per login, in input order. Records that are not logins (other programs' lines, other
// event types) are passed over and counted. A record that cannot be read is an
// ad::Error(kData) naming the file and line; with skip_bad it is counted instead and
// reading goes on. A bad CSV header or a JSON source given text is always an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ad/core/io.h"

namespace ad::import {

enum class Format { kSshd, kEntra, kOkta, kGworkspace, kCloudtrail };

// "sshd", "entra", "okta", "gworkspace", "cloudtrail".
std::optional<Format> parse_format(std::string_view name);

struct ImportOptions {
  Format format = Format::kSshd;
  std::string path;            // "" or "-" for standard input
  bool skip_bad = false;       // --on-error skip
  int year = 0;                // --year; 0 infers it (syslog.h)
  int assume_tz_s = 0;            // --assume-tz: zone of times written without one
  std::optional<std::int64_t> reference_ms;  // for the year; default the file's mtime, or now
};

struct ImportSummary {
  std::uint64_t records = 0;  // lines (syslog), JSON records or CSV rows read
  std::uint64_t logins = 0;   // rows written
  std::uint64_t passed = 0;   // records that held no login
  std::uint64_t skipped = 0;  // bad records skipped (skip_bad)
  std::optional<std::string> first_skipped;  // "file:line: message" of the first
};

// Converts the input at options.path to login CSV on out. Throws ad::Error.
ImportSummary run_import(const ImportOptions& options, Output& out);

}  // namespace ad::import
