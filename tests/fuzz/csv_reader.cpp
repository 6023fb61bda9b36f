// The CSV reader: a file source (fast-cpp-csv-parser) and a pipe source (read(2)) give
// the same records and the same errors, and what the writer writes reads back the same.
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "ad/core/csv.h"
#include "fuzz_util.h"

namespace {

struct Result {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> errors;  // bad records skipped, then a fatal error if any
};

// open() makes the line source: a file source reads its first block at once, so it
// may throw too.
template <typename Open>
Result read_all(Open open) {
  Result r;
  try {
    ad::csv::Reader reader(open(), "in.csv");
    r.header = reader.header();
    ad::csv::SkipPolicy policy;
    policy.on_skip = [&r](const ad::Error& e) { r.errors.push_back(e.what()); };
    reader.skip_bad_records(policy);
    ad::csv::Row row;
    while (reader.next(row)) r.records.emplace_back(row.fields.begin(), row.fields.end());
  } catch (const ad::Error& e) {
    r.errors.push_back(std::string("fatal: ") + e.what());
  }
  return r;
}

Result read_pipe(const std::string& data) {
  int p[2];
  if (::pipe(p) != 0) fuzz::fail("pipe");
  std::thread writer([&] {
    for (std::size_t at = 0; at < data.size();) {
      ssize_t n = ::write(p[1], data.data() + at, data.size() - at);
      if (n <= 0) break;
      at += static_cast<std::size_t>(n);
    }
    ::close(p[1]);
  });
  Result r = read_all([&] { return ad::csv::fd_lines(p[0], "in.csv"); });
  // Drain what the reader left (after a fatal error) so that the writer ends.
  char buf[4096];
  while (::read(p[0], buf, sizeof buf) > 0) {
  }
  writer.join();
  ::close(p[0]);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string data(reinterpret_cast<const char*>(bytes), size);
  Result file = read_all([&] { return ad::csv::string_lines("in.csv", data); });
  Result pipe = read_pipe(data);
  // A NUL byte is fatal from a file and a bad record from a pipe (csv.h); else the
  // two sources must agree on everything.
  if (data.find('\0') == std::string::npos) {
    FUZZ_CHECK(file.header == pipe.header, "file and pipe headers differ");
    FUZZ_CHECK(file.records == pipe.records, "file and pipe records differ");
    FUZZ_CHECK(file.errors == pipe.errors,
               "file and pipe errors differ: " + (file.errors.empty() ? "" : file.errors[0]) +
                   " | " + (pipe.errors.empty() ? "" : pipe.errors[0]));
  }
  if (file.header.empty()) return 0;

  // Round trip: write the header and records, read them back.
  fuzz::MemFile mem;
  {
    ad::Output out(mem.fd, "mem");
    ad::csv::Writer w(out);
    w.row(file.header);
    for (const auto& rec : file.records) w.row(rec);
    out.flush();
  }
  std::string written = mem.read_all();
  Result back = read_all([&] { return ad::csv::string_lines("back.csv", written); });
  FUZZ_CHECK(back.errors.empty(), "the writer's output does not read back: " + back.errors[0]);
  FUZZ_CHECK(back.header == file.header, "header changed in the round trip");
  FUZZ_CHECK(back.records == file.records, "records changed in the round trip");
  return 0;
}
