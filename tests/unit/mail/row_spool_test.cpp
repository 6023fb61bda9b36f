#include "ad/mail/row_spool.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "ad/core/error.h"
#include "ad/mail/alert.h"

namespace {

ad::mail::Anomaly row(int i) {
  ad::mail::Anomaly a;
  a.fields = {"e" + std::to_string(i), std::string(static_cast<std::size_t>(i % 7) * 1000, 'x'), ""};
  a.slim = i % 2 == 1;
  a.line = static_cast<std::uint64_t>(i) + 2;
  a.score = 0.5 + i / 1e6;
  a.severity = 99.5;
  a.key = 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(i);
  if (i % 3) a.time_ms = -1000 * i;
  if (i % 5) a.incident_score = i % 100;
  a.incident_id = i % 4 ? "I-" + std::to_string(i / 10) : "";
  a.incident_kind = "spray";
  return a;
}

void check_same(const ad::mail::Anomaly& x, const ad::mail::Anomaly& y) {
  CHECK(x.fields == y.fields);
  CHECK(x.slim == y.slim);
  CHECK(x.line == y.line);
  CHECK(x.score == y.score);
  CHECK(x.severity == y.severity);
  CHECK(x.key == y.key);
  CHECK(x.time_ms == y.time_ms);
  CHECK(x.incident_score == y.incident_score);
  CHECK(x.incident_id == y.incident_id);
  CHECK(x.incident_kind == y.incident_kind);
}

}  // namespace

TEST_SUITE("row_spool") {
  TEST_CASE("rows come back as they went in, in order, across many buffers") {
    ad::mail::RowSpool spool;
    CHECK(spool.size() == 0);
    int seen = 0;
    spool.for_each([&](ad::mail::Anomaly&) { ++seen; });
    CHECK(seen == 0);
    for (int i = 0; i < 500; ++i) spool.append(row(i));
    CHECK(spool.size() == 500);
    for (int pass = 0; pass < 2; ++pass) {  // read twice: the file stays
      int i = 0;
      spool.for_each([&](ad::mail::Anomaly& a) { check_same(a, row(i++)); });
      CHECK(i == 500);
    }
    ad::mail::RowSpool moved = std::move(spool);
    CHECK(moved.size() == 500);
    int i = 0;
    moved.for_each([&](ad::mail::Anomaly&) { ++i; });
    CHECK(i == 500);
  }

  TEST_CASE("a directory that cannot hold the file is an I/O error that names it") {
    const char* old = std::getenv("TMPDIR");
    std::string saved = old ? old : "";
    ::setenv("TMPDIR", "/nonexistent-ad-dir", 1);
    ad::mail::RowSpool spool;
    try {
      spool.append(row(1));
      FAIL("expected an I/O error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kIo);
      CHECK(std::string(e.what()).find("/nonexistent-ad-dir") != std::string::npos);
    }
    if (old) ::setenv("TMPDIR", saved.c_str(), 1);
    else ::unsetenv("TMPDIR");
  }
}
