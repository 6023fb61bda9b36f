// Tests for scored.h: the scored columns, found by name; one scored row; severity bands.
#include "ad/core/scored.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ad/core/error.h"
#include "testutil.h"

namespace {

namespace scored = ad::scored;

const std::vector<std::string> kHeader = {"user_id", "anomaly_score", "anomaly_flag", "severity",
                                          "anomaly_reasons"};

ad::Error parse_error(const std::vector<std::string>& fields) {
  auto columns = scored::Columns::find(kHeader);
  try {
    scored::parse(columns, testutil::make_row(fields, 5), "in.csv");
  } catch (const ad::Error& e) {
    return e;
  }
  FAIL("expected ad::Error");
  return ad::Error(ad::Status::kOk, "unreachable");
}

}  // namespace

TEST_SUITE("scored") {
  TEST_CASE("the columns, in the order ad-score appends them") {
    CHECK(scored::kColumns ==
          std::array<std::string_view, 4>{"anomaly_score", "anomaly_flag", "severity", "anomaly_reasons"});
    CHECK(scored::is_column("severity"));
    CHECK_FALSE(scored::is_column("Severity"));
    CHECK_FALSE(scored::is_column("user_id"));
  }

  TEST_CASE("columns are found by name, in any order, with other columns after them") {
    auto c = scored::Columns::find(
        {"severity", "user_id", "anomaly_reasons", "anomaly_flag", "anomaly_score", "incident_id"});
    CHECK(c.complete());
    CHECK_FALSE(c.none());
    CHECK(c[scored::Field::kScore] == 4);
    CHECK(c[scored::Field::kFlag] == 3);
    CHECK(c[scored::Field::kSeverity] == 0);
    CHECK(c[scored::Field::kReasons] == 2);
    c.require("in.csv");  // no error
  }

  TEST_CASE("missing columns are named in one error at line 1") {
    auto none = scored::Columns::find({"user_id", "timestamp"});
    CHECK(none.none());
    CHECK(none.missing().size() == 4);
    auto some = scored::Columns::find({"user_id", "anomaly_score", "anomaly_flag"});
    CHECK_FALSE(some.complete());
    CHECK_FALSE(some.none());
    CHECK(some.missing() == std::vector<std::string_view>{"severity", "anomaly_reasons"});
    try {
      some.require("in.csv");
      FAIL("no error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kData);
      CHECK(std::string(e.what()) ==
            "in.csv:1: not scored CSV: no 'severity' and 'anomaly_reasons' columns (score the "
            "logins with ad-score first)");
    }
  }

  TEST_CASE("a scored row, a normal one, and one that was not scored") {
    auto c = scored::Columns::find(kHeader);
    auto flagged = scored::parse(c, testutil::make_row({"u", "0.912345", "1", "99.5", "new country"}), "f");
    REQUIRE(flagged);
    CHECK(flagged->score == doctest::Approx(0.912345));
    CHECK(flagged->flag);
    CHECK(flagged->severity == doctest::Approx(99.5));
    CHECK(flagged->reasons == "new country");
    auto normal = scored::parse(c, testutil::make_row({"u", " +0.4 ", "0", "0", ""}), "f");
    REQUIRE(normal);
    CHECK_FALSE(normal->flag);
    CHECK(normal->score == doctest::Approx(0.4));
    auto edges = scored::parse(c, testutil::make_row({"u", "1", "1", "100", ""}), "f");
    REQUIRE(edges);
    CHECK(scored::parse(c, testutil::make_row({"u", "", "", "", ""}), "f") == std::nullopt);
  }

  TEST_CASE("anything else is a data error at its file, line and column") {
    struct Case {
      std::vector<std::string> fields;
      std::uint32_t column;
    };
    for (const Case& c : {Case{{"u", "", "1", "99", ""}, 2}, Case{{"u", "1.5", "1", "99", ""}, 2},
                          Case{{"u", "-0.1", "0", "9", ""}, 2}, Case{{"u", "nan", "0", "9", ""}, 2},
                          Case{{"u", "0.5", "", "99", "r"}, 3}, Case{{"u", "0.5", "true", "99", ""}, 3},
                          Case{{"u", "0.5", "01", "99", ""}, 3}, Case{{"u", "", "", "", "r"}, 2},
                          Case{{"u", "0.5", "1", "", ""}, 4}, Case{{"u", "0.5", "1", "100.1", ""}, 4},
                          Case{{"u", "0.5", "1", "inf", ""}, 4}}) {
      CAPTURE(c.column);
      CAPTURE(c.fields[2]);
      ad::Error e = parse_error(c.fields);
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().file == "in.csv");
      CHECK(e.where().line == 5);
      CHECK(e.where().column == c.column);
      CHECK(e.where().column_name == kHeader[c.column - 1]);
    }
    ad::Error e = parse_error({"u", "0.5", "yes\n\x01", "99", ""});
    CHECK(std::string(e.what()).find("anomaly_flag must be 0 or 1") != std::string::npos);
    CHECK(std::string(e.what()).find("not 'yes\\x0a\\x01'") != std::string::npos);
  }

  TEST_CASE("severity bands: one set of edges, one name each") {
    CHECK(scored::band_of(0) == scored::Band::kLow);
    CHECK(scored::band_of(98.99) == scored::Band::kLow);
    CHECK(scored::band_of(99) == scored::Band::kMedium);
    CHECK(scored::band_of(99.2) == scored::Band::kMedium);
    CHECK(scored::band_of(99.49) == scored::Band::kMedium);
    CHECK(scored::band_of(99.5) == scored::Band::kHigh);
    CHECK(scored::band_of(99.89) == scored::Band::kHigh);
    CHECK(scored::band_of(99.9) == scored::Band::kCritical);
    CHECK(scored::band_of(100) == scored::Band::kCritical);
    CHECK(scored::band_name(scored::Band::kLow) == "low");
    CHECK(scored::band_name(scored::Band::kMedium) == "medium");
    CHECK(scored::band_name(scored::Band::kHigh) == "high");
    CHECK(scored::band_name(scored::Band::kCritical) == "critical");
    CHECK(scored::band_range(scored::Band::kLow) == "< 99");
    CHECK(scored::band_range(scored::Band::kCritical) == ">= 99.9");
  }

  TEST_CASE("incident columns are optional, found by name, and parsed when present") {
    const std::vector<std::string> header = {"user_id",     "anomaly_score",  "anomaly_flag",
                                             "severity",    "anomaly_reasons", "incident_id",
                                             "incident_score", "incident_kind"};
    auto c = scored::Columns::find(header);
    CHECK(c.complete());
    CHECK(c.has_incidents());
    CHECK(c[scored::Field::kIncidentId] == 5);
    CHECK(c[scored::Field::kIncidentKind] == 7);
    CHECK(scored::is_column("incident_score"));
    auto r = scored::parse(c, testutil::make_row({"u", "0.7", "1", "99.9", "new device", "I-1", "62.5", "takeover"}),
                           "in.csv");
    REQUIRE(r);
    CHECK(r->incident_id == "I-1");
    CHECK(r->incident_kind == "takeover");
    CHECK(r->incident_score == doctest::Approx(62.5));
    auto normal = scored::parse(c, testutil::make_row({"u", "0.4", "0", "50", "", "", "", ""}), "in.csv");
    REQUIRE(normal);
    CHECK(normal->incident_id.empty());
    CHECK_FALSE(normal->incident_score);
    try {
      scored::parse(c, testutil::make_row({"u", "0.7", "1", "99.9", "", "I-1", "high", "spray"}, 4), "in.csv");
      FAIL("expected ad::Error");
    } catch (const ad::Error& e) {
      CHECK(e.where().line == 4);
      CHECK(e.where().column == 7);
      CHECK(std::string(e.what()).find("incident_score must be empty or a number") != std::string::npos);
    }
    // Without them: an older export still reads, with no incident.
    auto old = scored::Columns::find(kHeader);
    CHECK(old.complete());
    CHECK_FALSE(old.has_incidents());
    auto o = scored::parse(old, testutil::make_row({"u", "0.7", "1", "99.9", "x"}), "in.csv");
    REQUIRE(o);
    CHECK(o->incident_id.empty());
  }

  TEST_CASE("incident_id and incident_kind hold at most kMaxIncidentText bytes") {
    const std::vector<std::string> header = {"user_id",     "anomaly_score",  "anomaly_flag",
                                             "severity",    "anomaly_reasons", "incident_id",
                                             "incident_score", "incident_kind"};
    auto c = scored::Columns::find(header);
    const std::string at_limit(scored::kMaxIncidentText, 'i'), over(scored::kMaxIncidentText + 1, 'i');
    CHECK(scored::parse(c, testutil::make_row({"u", "0.7", "1", "99.9", "", at_limit, "50", at_limit}), "in.csv"));
    struct Case {
      std::string id, kind;
      std::uint32_t column;
      const char* name;
    };
    for (const Case& k : {Case{over, "spray", 6, "incident_id"}, Case{"I-1", over, 8, "incident_kind"}}) {
      try {
        scored::parse(c, testutil::make_row({"u", "0.7", "1", "99.9", "", k.id, "50", k.kind}, 3), "in.csv");
        FAIL("expected ad::Error");
      } catch (const ad::Error& e) {
        CHECK(e.status() == ad::Status::kData);
        CHECK(e.where().line == 3);
        CHECK(e.where().column == k.column);
        CHECK(e.message().rfind(std::string(k.name) + " is longer than 200 bytes: 'iii", 0) == 0);
      }
    }
  }

  TEST_CASE("incident bands by incident_score") {
    CHECK(scored::incident_band_of(0) == scored::Band::kLow);
    CHECK(scored::incident_band_of(39.9) == scored::Band::kLow);
    CHECK(scored::incident_band_of(40) == scored::Band::kMedium);
    CHECK(scored::incident_band_of(60) == scored::Band::kHigh);
    CHECK(scored::incident_band_of(80) == scored::Band::kCritical);
    CHECK(scored::incident_band_of(100) == scored::Band::kCritical);
  }
}
