// Tests for explain.h: which features drove a score, and reasons in words.
#include "ad/detect/explain.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ad/core/csv.h"
#include "ad/core/text.h"
#include "ad/detect/train.h"

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A forest over four numeric columns, each uniform in [0, 10).
const ad::Model& numeric_model() {
  static const ad::Model m = [] {
    ad::Rng rng(3);
    std::string csv = "a,b,c,d\n";
    char buf[128];
    for (int i = 0; i < 1000; ++i) {
      std::snprintf(buf, sizeof buf, "%.4f,%.4f,%.4f,%.4f\n", rng.uniform() * 10, rng.uniform() * 10,
                    rng.uniform() * 10, rng.uniform() * 10);
      csv += buf;
    }
    ad::TrainOptions opt;
    opt.forest.trees = 100;
    opt.forest.seed = 11;
    opt.forest.threads = 1;
    ad::csv::Reader in(ad::csv::string_lines("n.csv", csv), "n.csv");
    ad::TrainReport report;
    return ad::train(in, opt, report, [](const std::string&) {});
  }();
  return m;
}

std::size_t index_of(const ad::Model& m, const std::string& column) {
  for (std::size_t i = 0; i < m.features.size(); ++i)
    if (m.features[i].column == column) return i;
  FAIL("no feature " << column);
  return 0;
}

std::vector<double> medians(const ad::Model& m) {
  std::vector<double> x;
  for (const auto& f : m.features) x.push_back(f.median);
  return x;
}

ad::Feature feature(ad::FeatureKind kind, std::string column, int role = -1, int table = -1) {
  ad::Feature f;
  f.kind = kind;
  f.column = std::move(column);
  f.role = role;
  f.table = table;
  f.low = 1;
  f.median = 5;
  f.high = 9;
  return f;
}

// A model with one feature of each kind and hand-made tables; describe() needs no forest.
ad::Model described_model() {
  ad::Model m;
  m.features = {
      feature(ad::FeatureKind::kNumeric, "size"),
      feature(ad::FeatureKind::kCategorical, "color", -1, 0),
      feature(ad::FeatureKind::kRarity, "location", static_cast<int>(ad::Role::kCountry), 1),
      feature(ad::FeatureKind::kRarity, "ip_address", static_cast<int>(ad::Role::kIp), 2),
      feature(ad::FeatureKind::kRarity, "ua", static_cast<int>(ad::Role::kUserAgent), 3),
      feature(ad::FeatureKind::kFailure, "status", static_cast<int>(ad::Role::kOutcome)),
  };
  m.tables.resize(4);
  m.tables[0].set("red", 9);
  m.tables[0].set("blue", 1);
  m.tables[0].set_total(10);
  m.tables[1].set("NO", 9999);
  m.tables[1].set("SE", 1);
  m.tables[1].set_total(10000);
  m.tables[2].set("10.1.2.0/24", 5);
  m.tables[2].set_total(5);
  m.tables[3].set("curl/8", 1);
  m.tables[3].set("Firefox", 3);
  m.tables[3].set_total(4);
  return m;
}

}  // namespace

TEST_SUITE("explain") {
  TEST_CASE("explain() picks the feature that was made extreme") {
    const ad::Model& m = numeric_model();
    REQUIRE(m.features.size() == 4);
    for (const char* col : {"a", "b", "c", "d"}) {
      CAPTURE(col);
      std::vector<double> x = medians(m);
      std::size_t k = index_of(m, col);
      x[k] = 1000;
      auto why = ad::explain(m, x.data());
      REQUIRE_FALSE(why.empty());
      CHECK(why[0] == k);
      CHECK(why.size() <= 3);
    }
  }

  TEST_CASE("explain() finds two odd features together, and respects max_reasons") {
    const ad::Model& m = numeric_model();
    std::vector<double> x = medians(m);
    std::size_t b = index_of(m, "b"), d = index_of(m, "d");
    x[b] = -500;
    x[d] = 900;
    auto why = ad::explain(m, x.data());
    REQUIRE(why.size() >= 1);
    std::vector<std::size_t> top(why.begin(), why.begin() + std::min<std::size_t>(2, why.size()));
    CHECK(std::find(top.begin(), top.end(), b) != top.end());
    if (m.forest.score(x.data()) > m.threshold) {
      // Repairing one feature alone keeps the row odd, so both are named.
      CHECK(why.size() >= 2);
      CHECK(std::find(top.begin(), top.end(), d) != top.end());
    }
    CHECK(ad::explain(m, x.data(), 1).size() == 1);
    CHECK(ad::explain(m, x.data(), 0).empty());
  }

  TEST_CASE("explain_rows() gives each row what explain() gives it alone, from the scores it is given") {
    const ad::Model& m = numeric_model();
    std::vector<std::vector<double>> xs(4, medians(m));
    xs[0][index_of(m, "b")] = -500;
    xs[0][index_of(m, "d")] = 900;
    xs[1][index_of(m, "a")] = 1000;  // xs[2] stays typical
    xs[3][index_of(m, "c")] = -700;
    xs[3][index_of(m, "a")] = 800;
    ad::Matrix rows;
    rows.cols = m.features.size();
    rows.rows = xs.size();
    std::vector<double> scores;
    for (const auto& x : xs) {
      rows.values.insert(rows.values.end(), x.begin(), x.end());
      scores.push_back(m.score(x.data()));
    }
    for (int threads : {1, 2}) {
      CAPTURE(threads);
      auto why = ad::explain_rows(m, rows, scores, 3, threads);
      REQUIRE(why.size() == xs.size());
      for (std::size_t r = 0; r < xs.size(); ++r) CHECK(why[r] == ad::explain(m, xs[r].data()));
      CHECK_FALSE(why[3].empty());
      CHECK(why[2].empty());
    }
    CHECK(ad::explain_rows(m, rows, scores, 1)[3].size() == 1);
    // A score below a typical row's: no repair lowers it, so there is nothing to say.
    scores[3] = m.score(medians(m).data()) - 1.0;
    CHECK(ad::explain_rows(m, rows, scores)[3].empty());
  }

  TEST_CASE("a typical row has nothing to explain") {
    const ad::Model& m = numeric_model();
    std::vector<double> x = medians(m);
    CHECK(ad::explain(m, x.data()).empty());
  }

  TEST_CASE("describe() puts each kind of feature in words") {
    ad::Model m = described_model();
    // numeric
    CHECK(ad::describe(m, 0, "12", 12) == "size 12 above the usual 1 to 9");
    CHECK(ad::describe(m, 0, "-3.5", -3.5) == "size -3.5 below the usual 1 to 9");
    CHECK(ad::describe(m, 0, "4", 4) == "size 4 unusual with the other values (typical 5)");
    CHECK(ad::describe(m, 0, "", NAN) == "size missing");
    // categorical: generic columns count rows unless logins were filtered
    CHECK(ad::describe(m, 1, "green", 3.5) == "color never seen in training: green");
    CHECK(ad::describe(m, 1, "blue", 2.5) == "rare color: blue (10.0% of training rows)");
    m.logins_only = true;
    CHECK(ad::describe(m, 1, "blue", 2.5) == "rare color: blue (10.0% of training logins)");
    // rarity roles are named by their role
    CHECK(ad::describe(m, 2, "SE", 13) == "rare country: SE (0.01% of training logins)");
    CHECK(ad::describe(m, 2, "RO", 13.3) == "country never seen in training: RO");
    CHECK(ad::describe(m, 3, "10.1.2.99", 0.2) == "rare network: 10.1.2.0/24 (100.0% of training logins)");
    CHECK(ad::describe(m, 3, "10.9.9.9", 2.6) == "network never seen in training: 10.9.9.0/24");
    CHECK(ad::describe(m, 4, "curl/8", 1.3) == "rare user agent: curl/8 (25.0% of training logins)");
    // failure
    CHECK(ad::describe(m, 5, "failure", 1) == "failed login");
    CHECK(ad::describe(m, 5, "success", 0) == "successful login");
    CHECK(ad::describe(m, 5, "maybe", NAN) == "unknown outcome: maybe");
  }

  TEST_CASE("describe() keeps raw values on one line, free of ',', and short") {
    ad::Model m = described_model();
    std::string r = ad::describe(m, 1, "evil;value\nwith\tcontrols\r", 3);
    CHECK(r.find(';') == std::string::npos);
    CHECK(std::none_of(r.begin(), r.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
    CHECK(contains(r, "evil"));
    std::string long_value(500, 'x');
    std::string d = ad::describe(m, 1, long_value, 3);
    CHECK(d.size() < 120);
    CHECK(contains(d, "..."));
  }

  TEST_CASE("reason_value cuts long values between characters") {
    for (std::string unit : {"\xC3\xA9", "\xE6\x9D\xB1", "\xF0\x9F\x99\x82"}) {  // é 東 🙂: 2, 3, 4 bytes
      for (std::size_t lead = 0; lead < 4; ++lead) {
        std::string raw = std::string(lead, 'a');
        for (int i = 0; i < 80; ++i) raw += unit;
        std::string v = ad::reason_value(raw);
        CAPTURE(raw);
        CHECK(ad::text::find_invalid_utf8(v) == std::string::npos);
        CHECK(contains(v, "..."));
        CHECK(raw.compare(0, v.size() - 3, v, 0, v.size() - 3) == 0);  // a prefix of raw, then "..."
      }
    }
    CHECK(ad::reason_value("Αθήνα") == "Αθήνα");
    CHECK(ad::reason_value("a;b\nc") == "a,b c");
  }

  TEST_CASE("join_reasons joins with ', '") {
    CHECK(ad::join_reasons({}) == "");
    CHECK(ad::join_reasons({"one"}) == "one");
    CHECK(ad::join_reasons({"rare country: RO (0.1% of training logins)", "failed login"}) ==
          "rare country: RO (0.1% of training logins); failed login");
  }
}
