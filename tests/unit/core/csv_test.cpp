#include "ad/core/csv.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

using ad::csv::Reader;
using ad::csv::Row;

namespace {

std::vector<std::vector<std::string>> read_all(Reader& r) {
  std::vector<std::vector<std::string>> out;
  Row row;
  while (r.next(row)) out.emplace_back(row.fields.begin(), row.fields.end());
  return out;
}

Reader from(const std::string& text) { return Reader(ad::csv::string_lines("t.csv", text), "t.csv"); }

std::string capture_write(const std::function<void(ad::csv::Writer&)>& f,
                          ad::csv::WriterOptions opt = {}) {
  int p[2];
  REQUIRE(::pipe(p) == 0);
  {
    ad::Output out(p[1], "pipe");
    ad::csv::Writer w(out, opt);
    f(w);
    out.flush();
  }
  ::close(p[1]);
  std::string s;
  char buf[4096];
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) s.append(buf, n);
  ::close(p[0]);
  return s;
}

}  // namespace

TEST_SUITE("csv") {
  TEST_CASE("plain, quoted, doubled quotes, CRLF and BOM") {
    auto r = from("\xEF\xBB\xBFuser,city\r\nann,\"Oslo, NO\"\r\n\"b\"\"ob\",\"\"\r\n");
    CHECK(r.header() == std::vector<std::string>{"user", "city"});
    auto rows = read_all(r);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0] == std::vector<std::string>{"ann", "Oslo, NO"});
    CHECK(rows[1] == std::vector<std::string>{"b\"ob", ""});
  }

  TEST_CASE("a quoted field may hold line breaks; lines are counted") {
    auto r = from("a,b\n\"x\ny\",2\n3,4\n");
    Row row;
    REQUIRE(r.next(row));
    CHECK(row.line == 2);
    CHECK(row.fields[0] == "x\ny");
    REQUIRE(r.next(row));
    CHECK(row.line == 4);
    CHECK(row.fields[1] == "4");
    CHECK_FALSE(r.next(row));
  }

  TEST_CASE("a last line without newline and blank lines") {
    auto r = from("a,b\n\n1,2\n\n3,4");
    auto rows = read_all(r);
    REQUIRE(rows.size() == 2);
    CHECK(rows[1][1] == "4");
  }

  TEST_CASE("empty input and empty header are data errors") {
    CHECK_THROWS_WITH_AS(from(""), "t.csv: empty input: no header line", ad::Error);
    CHECK_THROWS_AS(from("\n"), ad::Error);
  }

  TEST_CASE("a ragged row names its line, and the reader goes on") {
    auto r = from("a,b\n1,2\n3\n5,6\n");
    Row row;
    REQUIRE(r.next(row));
    try {
      r.next(row);
      FAIL("expected a ragged-row error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kData);
      CHECK(std::string(e.what()) == "t.csv:3: ragged row: expected 2 fields as in the header, found 1");
    }
    REQUIRE(r.next(row));
    CHECK(row.fields[0] == "5");
  }

  TEST_CASE("invalid UTF-8 names line, column and column name") {
    auto r = from("user,city\nann,Oslo\nbob,Z\xC3\x28rich\n");
    Row row;
    REQUIRE(r.next(row));
    CHECK_THROWS_WITH(r.next(row), "t.csv:3:2: invalid UTF-8 (byte 2 of the field) (column 'city')");
  }

  TEST_CASE("unterminated quote and junk after a closing quote") {
    auto r = from("a,b\n1,\"open\n2,3\n");
    Row row;
    CHECK_THROWS_WITH(r.next(row), doctest::Contains("unterminated quoted field (it starts on line 2)"));
    auto r2 = from("a,b\n\"x\"y,2\n");
    CHECK_THROWS_WITH(r2.next(row), "t.csv:2:1: unexpected character after a closing quote");
  }


  TEST_CASE("a regular file goes through fast-cpp-csv-parser; NUL bytes are refused") {
    char path[] = "/tmp/ad_csv_test_XXXXXX";
    int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    std::string text = "a,b\n1,2\n3,\"x\ny\"\n";
    REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fd);
    {
      Reader r(path);
      CHECK_FALSE(r.live());
      auto rows = read_all(r);
      REQUIRE(rows.size() == 2);
      CHECK(rows[1][1] == "x\ny");
    }
    fd = ::open(path, O_WRONLY | O_TRUNC);
    std::string bad("a,b\n1,2\n3,4\0\n", 14);
    REQUIRE(::write(fd, bad.data(), bad.size()) == static_cast<ssize_t>(bad.size()));
    ::close(fd);
    CHECK_THROWS_WITH(
        [&] {
          Reader r(path);
          read_all(r);
        }(),
        doctest::Contains(":3: NUL byte in input"));
    ::unlink(path);
  }

  TEST_CASE("a pipe hands each line over as soon as it arrives") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    // The writer keeps the pipe open: the reader must not wait for more input or EOF.
    REQUIRE(::write(p[1], "a,b\n1,2\n", 8) == 8);
    Reader r(ad::csv::fd_lines(p[0], "pipe"), "pipe");
    Row row;
    int idle_calls = 0;
    r.set_idle_hook([&] { ++idle_calls; });
    REQUIRE(r.next(row));
    CHECK(row.fields[1] == "2");
    CHECK(r.live());
    CHECK(idle_calls == 0);
    REQUIRE(::write(p[1], "3,4", 3) == 3);
    ::close(p[1]);
    REQUIRE(r.next(row));
    CHECK(row.fields[0] == "3");
    CHECK(idle_calls >= 1);
    CHECK_FALSE(r.next(row));
    ::close(p[0]);
  }

  TEST_CASE("a NUL byte from a pipe is refused with its line") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    std::string bad("a,b\n1,2\n3,\0\n", 12);
    REQUIRE(::write(p[1], bad.data(), bad.size()) == static_cast<ssize_t>(bad.size()));
    ::close(p[1]);
    Reader r(ad::csv::fd_lines(p[0], "pipe"), "pipe");
    Row row;
    REQUIRE(r.next(row));
    CHECK_THROWS_WITH(r.next(row), "pipe:3:2: NUL byte in input (column 'b')");
    ::close(p[0]);
  }

  TEST_CASE("the writer quotes only when needed") {
    auto s = capture_write([](ad::csv::Writer& w) {
      w.row(std::vector<std::string>{"plain", "a,b", "say \"hi\"", "two\nlines", ""});
    });
    CHECK(s == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\n");
  }

  TEST_CASE("formula neutralising leaves numbers alone") {
    CHECK(ad::csv::looks_like_formula("=cmd|' /C calc'!A0"));
    CHECK(ad::csv::looks_like_formula("@SUM(A1)"));
    CHECK(ad::csv::looks_like_formula("+1+1"));
    CHECK_FALSE(ad::csv::looks_like_formula("-3.5"));
    CHECK_FALSE(ad::csv::looks_like_formula("user=x"));
    auto s = capture_write([](ad::csv::Writer& w) { w.row(std::vector<std::string>{"=1+2", "-4"}); },
                           {true});
    CHECK(s == "\"'=1+2\",-4\n");
  }

  TEST_CASE("round trip: what the writer writes, the reader reads back") {
    std::vector<std::string> values{"x", "a,\"b\"", "line\nbreak", "  spaced ", "Zürich", ""};
    std::string text = capture_write([&](ad::csv::Writer& w) {
      w.row(std::vector<std::string>{"c1", "c2", "c3", "c4", "c5", "c6"});
      w.row(values);
    });
    auto r = from(text);
    auto rows = read_all(r);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0] == values);
  }
}
