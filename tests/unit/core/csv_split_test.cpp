// Tests for csv_split.h: the one-scan split of a line without quotes.
#include "ad/core/csv_split.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

namespace {

// The split as the reader did it before the scan: find() for each thing, one by one.
struct Expected {
  bool quote = false, cr = false, suspect = false;
  std::size_t found = 0;
  std::vector<std::string_view> fields;
};

Expected reference(std::string_view line, std::size_t limit) {
  Expected e;
  e.quote = line.find('"') != std::string_view::npos;
  if (e.quote) return e;
  e.cr = line.find('\r') != std::string_view::npos;
  for (unsigned char c : line) e.suspect |= c == 0 || c >= 0x80;
  std::size_t pos = 0;
  for (;;) {
    std::size_t comma = line.find(',', pos);
    if (comma == std::string_view::npos || e.fields.size() + 1 == limit) {
      e.fields.push_back(line.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
      std::size_t rest = 0;
      for (std::size_t i = pos; i < line.size(); ++i) rest += line[i] == ',';
      e.found = e.fields.size() + rest;
      return e;
    }
    e.fields.push_back(line.substr(pos, comma - pos));
    pos = comma + 1;
  }
}

void check_same(const std::string& line, std::size_t limit) {
  CAPTURE(line);
  CAPTURE(limit);
  const Expected e = reference(line, limit);
  std::vector<std::string_view> fields;
  const ad::csv::LineScan s = ad::csv::split_unquoted(line, limit, fields);
  REQUIRE(s.quote == e.quote);
  if (e.quote) return;
  CHECK(s.cr == e.cr);
  CHECK(s.suspect == e.suspect);
  CHECK(s.found == e.found);
  CHECK(fields == e.fields);
}

}  // namespace

TEST_SUITE("csv_split") {
  TEST_CASE("a line is split at its commas, on both sides of 16 bytes") {
    std::vector<std::string_view> fields;
    const std::string line = "alice,2025-01-01T00:00:00Z,10.0.0.1,,Zürich";
    auto s = ad::csv::split_unquoted(line, 100, fields);
    CHECK_FALSE(s.quote);
    CHECK_FALSE(s.cr);
    CHECK(s.suspect);  // the ü
    CHECK(s.found == 5);
    CHECK(fields == std::vector<std::string_view>{"alice", "2025-01-01T00:00:00Z", "10.0.0.1", "", "Zürich"});
    fields.clear();
    s = ad::csv::split_unquoted("", 100, fields);
    CHECK(s.found == 1);
    CHECK(fields == std::vector<std::string_view>{""});
  }

  TEST_CASE("a quote stops the scan; a CR, a NUL and a high byte are reported wherever they are") {
    for (std::size_t at : {0, 5, 15, 16, 17, 31, 32, 40}) {
      CAPTURE(at);
      std::string base(41, 'x');
      for (char c : {'"', '\r', '\0', '\xC3'}) {
        std::string line = base;
        line[at] = c;
        std::vector<std::string_view> fields;
        auto s = ad::csv::split_unquoted(line, 10, fields);
        CHECK(s.quote == (c == '"'));
        CHECK(s.cr == (c == '\r'));
        CHECK(s.suspect == (c == '\0' || c == '\xC3'));
      }
    }
  }

  TEST_CASE("past the limit, fields are counted and not kept") {
    std::vector<std::string_view> fields;
    auto s = ad::csv::split_unquoted("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", 3, fields);
    CHECK(fields == std::vector<std::string_view>{"a", "b", "c"});
    CHECK(s.found == 17);
    fields.clear();
    s = ad::csv::split_unquoted("a,b", 1, fields);
    CHECK(fields == std::vector<std::string_view>{"a"});
    CHECK(s.found == 2);
  }

  TEST_CASE("random lines split as find() splits them") {
    std::mt19937 rng(7);
    const std::string alphabet = ",,,,,abcXYZ019 .:-\r\"\x80\xC3\xA9";
    for (int k = 0; k < 20000; ++k) {
      std::string line(rng() % 70, 'a');
      for (char& c : line) {
        c = alphabet[rng() % alphabet.size()];
        if (c == '"' && rng() % 4) c = 'q';  // most lines without a quote
        if ((c == '\r' || c < 0) && rng() % 3) c = 'r';
      }
      if (rng() % 50 == 0) line[rng() % (line.size() + 1) % std::max<std::size_t>(line.size(), 1)] = '\0';
      check_same(line, 1 + rng() % 40);
    }
  }
}
