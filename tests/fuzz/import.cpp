// ad-import's converters: whatever the input, run_import either writes login CSV that
// ad's reader takes whole (one row per login, every timestamp one ad parses) or throws
// ad::Error(kData); with --on-error skip it still ends in one of those two ways. Either
// way it leaves no file descriptor open.
//
// The first byte picks the format (its low 3 bits, mod 5) and, by its bit 3,
// --on-error skip; the rest is the input file.
#include <dirent.h>

#include <cstdint>
#include <exception>
#include <string>

#include "ad/core/csv.h"
#include "ad/core/io.h"
#include "ad/core/timestamp.h"
#include "ad/import/importer.h"
#include "ad/import/record.h"
#include "fuzz_util.h"

namespace {

constexpr ad::import::Format kFormats[] = {ad::import::Format::kSshd, ad::import::Format::kEntra,
                                           ad::import::Format::kOkta, ad::import::Format::kGworkspace,
                                           ad::import::Format::kCloudtrail};

// The file descriptors open in this process.
std::size_t open_fds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) fuzz::fail("opendir /proc/self/fd");
  std::size_t n = 0;
  while (::readdir(d)) ++n;
  ::closedir(d);
  return n;
}

// Reads the output back as ad's tools would; returns its data rows.
std::uint64_t check_output(const std::string& csv) {
  ad::csv::Reader reader(ad::csv::string_lines("out.csv", csv), "out.csv");
  const auto& header = reader.header();
  FUZZ_CHECK(header.size() >= ad::import::kCanonicalColumns.size(), "header too short");
  for (std::size_t i = 0; i < ad::import::kCanonicalColumns.size(); ++i)
    FUZZ_CHECK(header[i] == ad::import::kCanonicalColumns[i], "canonical column " + std::to_string(i));
  std::uint64_t rows = 0;
  ad::csv::Row row;
  while (reader.next(row)) {  // throws, failing the run, on a row ad's reader refuses
    ++rows;
    std::string_view t = row.fields[ad::import::kTimestamp];
    FUZZ_CHECK(ad::parse_time_ms(t).has_value(), "a timestamp ad cannot read: " + std::string(t));
  }
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size == 0) return 0;
  fuzz::MemFile in, out;
  in.write_all(std::string_view(reinterpret_cast<const char*>(bytes) + 1, size - 1));
  ad::import::ImportOptions opt;
  opt.format = kFormats[(bytes[0] & 7) % 5];
  opt.skip_bad = (bytes[0] & 8) != 0;
  opt.path = in.path();
  opt.reference_ms = 1764547200000;  // 2025-12-01, so that a syslog year is the same every run
  ad::import::ImportSummary summary;
  const std::size_t fds = open_fds();
  try {
    ad::Output output(out.fd, "out.csv");
    summary = ad::import::run_import(opt, output);
    output.flush();
  } catch (const ad::Error& e) {
    FUZZ_CHECK(e.status() == ad::Status::kData, std::string("not a data error: ") + e.what());
    FUZZ_CHECK(open_fds() == fds, "a file descriptor left open after: " + std::string(e.what()));
    return 0;
  } catch (const std::exception& e) {
    fuzz::fail(std::string("not an ad::Error: ") + e.what());
  }
  FUZZ_CHECK(open_fds() == fds, "a file descriptor left open");
  std::uint64_t rows = 0;
  try {
    rows = check_output(out.read_all());
  } catch (const ad::Error& e) {
    fuzz::fail(std::string("the output does not read back: ") + e.what());
  }
  FUZZ_CHECK(rows == summary.logins, "rows written " + std::to_string(rows) + ", logins counted " +
                                         std::to_string(summary.logins));
  return 0;
}
