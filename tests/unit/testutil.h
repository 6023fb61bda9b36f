// testutil.h: small helpers shared by the unit tests (not a library concept).
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ad/core/csv.h"

namespace testutil {

// A fresh temporary directory, removed with everything in it at the end of the test.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/ad_unit_test.XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path + "/" + name; }
  // Entries in the directory (a failed write must leave no temporary file behind).
  std::size_t entries() const {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(path)) (void)e, ++n;
    return n;
  }
};

// The bytes of a file ("" if it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The file descriptors this process has open (a refused input must not leak one).
inline std::size_t open_fds() {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) (void)e, ++n;
  return n;
}

// A csv::Row over fields, starting at line. Its views stay valid until the next call.
inline ad::csv::Row make_row(const std::vector<std::string>& fields, std::uint64_t line = 2) {
  static std::vector<std::string> keep;
  keep = fields;
  ad::csv::Row r;
  for (const auto& f : keep) r.fields.emplace_back(f);
  r.line = line;
  return r;
}

}  // namespace testutil
