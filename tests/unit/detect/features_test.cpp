// Tests for features.h: category tables, rarity keys, number parsing, and binding a
// model's features to the columns of an input.
#include "ad/detect/features.h"

#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "ad/core/csv.h"
#include "ad/core/error.h"
#include "ad/core/roles.h"
#include "ad/detect/forest.h"

namespace {

ad::csv::Reader reader(const std::string& name, const std::string& csv) {
  return ad::csv::Reader(ad::csv::string_lines(name, csv), name);
}

bool number(std::string_view text, double& out) { return ad::parse_number(text, out); }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

ad::Feature feature(ad::FeatureKind kind, std::string column, int role = -1, int table = -1) {
  ad::Feature f;
  f.kind = kind;
  f.column = std::move(column);
  f.role = role;
  f.table = table;
  return f;
}

}  // namespace

TEST_SUITE("features") {
  TEST_CASE("a category's rarity is log2((N + 1) / (count + 1))") {
    ad::CategoryTable t;
    for (const char* v : {"NO", "NO", "NO", "SE"}) t.add(v);
    CHECK(t.total() == 4);
    CHECK(t.distinct() == 2);
    CHECK(t.count("NO") == 3);
    CHECK(t.count("SE") == 1);
    CHECK(t.count("RO") == 0);
    CHECK(t.rarity("NO") == doctest::Approx(std::log2(5.0 / 4.0)));
    CHECK(t.rarity("SE") == doctest::Approx(std::log2(5.0 / 2.0)));
    CHECK(t.rarity("RO") == doctest::Approx(std::log2(5.0)));  // never seen: the largest
    CHECK(t.rarity("NO") < t.rarity("SE"));
    CHECK(t.rarity("SE") < t.rarity("RO"));
    // Values are compared exactly: no case folding, and empty is a value of its own.
    CHECK(t.count("no") == 0);
    t.add("");
    CHECK(t.count("") == 1);
    CHECK(t.total() == 5);
  }

  TEST_CASE("sorted() orders by value, prune() keeps the most frequent, ties by value") {
    ad::CategoryTable t;
    for (const char* v : {"c", "b", "a", "b", "c", "d", "c", "a", "e"}) t.add(v);
    auto all = t.sorted();
    REQUIRE(all.size() == 5);
    CHECK(all[0] == std::make_pair(std::string("a"), 2u));
    CHECK(all[1] == std::make_pair(std::string("b"), 2u));
    CHECK(all[2] == std::make_pair(std::string("c"), 3u));
    CHECK(all[4].first == "e");

    t.prune(10);  // under the limit: unchanged
    CHECK(t.distinct() == 5);
    t.prune(2);  // c (3), then a and b tie at 2: a wins by value
    CHECK(t.distinct() == 2);
    CHECK(t.count("c") == 3);
    CHECK(t.count("a") == 2);
    CHECK(t.count("b") == 0);
    // The total stays the sample size, so a pruned value reads as never seen.
    CHECK(t.total() == 9);
    CHECK(t.rarity("b") == doctest::Approx(std::log2(10.0)));
  }

  TEST_CASE("set() and set_total() rebuild a table as a model file stores it") {
    ad::CategoryTable t;
    t.set("x", 7);
    t.set("y", 1);
    t.set_total(8);
    CHECK(t.count("x") == 7);
    CHECK(t.rarity("y") == doctest::Approx(std::log2(9.0 / 2.0)));
    CHECK(t.sorted().front().first == "x");
  }

  TEST_CASE("rarity_key groups an IP address by its network, other roles by value") {
    const int ip = static_cast<int>(ad::Role::kIp);
    const int country = static_cast<int>(ad::Role::kCountry);
    CHECK(ad::rarity_key(ip, "10.1.2.77") == "10.1.2.0/24");
    CHECK(ad::rarity_key(ip, "10.1.2.200") == ad::rarity_key(ip, "10.1.2.3"));
    CHECK(ad::rarity_key(ip, "10.1.3.1") != ad::rarity_key(ip, "10.1.2.1"));
    CHECK(ad::rarity_key(ip, "2001:db8:42:1::5") == "2001:db8:42::/48");
    CHECK(ad::rarity_key(ip, "not-an-ip") == "not-an-ip");
    CHECK(ad::rarity_key(ip, "") == "");
    CHECK(ad::rarity_key(country, "10.1.2.77") == "10.1.2.77");
    CHECK(ad::rarity_key(-1, "10.1.2.77") == "10.1.2.77");
  }

  TEST_CASE("parse_number accepts finite decimal numbers only") {
    double v = 0;
    CHECK(number("42", v));
    CHECK(v == 42);
    CHECK(number("-3.5", v));
    CHECK(v == -3.5);
    CHECK(number("+7", v));
    CHECK(v == 7);
    CHECK(number("  12.25  ", v));  // spaces around are allowed
    CHECK(v == 12.25);
    CHECK(number("1e3", v));
    CHECK(v == 1000);
    CHECK(number(".5", v));
    CHECK(v == 0.5);
    CHECK(number("0", v));
    CHECK(v == 0);

    for (const char* bad : {"", " ", "abc", "12abc", "1,5", "1 2", "inf", "-inf", "nan", "NaN",
                            "Infinity", "1e999", "--1", "0x1A", "+", "-", ".", "+-5", "+ 5"}) {
      CAPTURE(bad);
      CHECK_FALSE(number(bad, v));
    }
  }

  TEST_CASE("parse_number gives std::from_chars' double, bit for bit, for decimals of every length") {
    // Short decimals take a fast path of their own (features.cpp); longer ones and
    // other forms go to from_chars. Both must agree with from_chars everywhere.
    ad::Rng rng(17);
    const char* fixed[] = {"-0", "0.0", "-0.000", "000012.50", "-.5", ".25", "1.", "123456789012345",
                           "1234567890123456", "0.000000000000001", "9.99999999999999", "999999999999999.9",
                           "0.1", "0.2", "0.3", "2.675", "-1.005", "4503599627370497", "1e-7", "17.30e2"};
    auto agree = [](const std::string& t) {
      double a = -1, b = -1;
      bool ok_a = number(t, a);
      // parse_number also takes spaces around the number and a leading '+'.
      std::string_view r = t;
      while (!r.empty() && r.front() == ' ') r.remove_prefix(1);
      while (!r.empty() && r.back() == ' ') r.remove_suffix(1);
      bool plus = !r.empty() && r.front() == '+';
      if (plus) r.remove_prefix(1);
      auto [ptr, ec] = std::from_chars(r.data(), r.data() + r.size(), b);
      bool ok_b = !r.empty() && !(plus && r.front() == '-') && ec == std::errc() && ptr == r.data() + r.size() &&
                  std::isfinite(b);
      CAPTURE(t);
      REQUIRE(ok_a == ok_b);
      if (ok_a) REQUIRE(std::memcmp(&a, &b, sizeof a) == 0);
    };
    for (const char* t : fixed) agree(t);
    for (int i = 0; i < 200000; ++i) {
      std::string t = rng.below(4) == 0 ? "-" : "";
      std::size_t whole = rng.below(12), frac = rng.below(10);
      for (std::size_t d = 0; d < whole; ++d) t += static_cast<char>('0' + rng.below(10));
      if (frac || rng.below(2)) t += '.';
      for (std::size_t d = 0; d < frac; ++d) t += static_cast<char>('0' + rng.below(10));
      agree(t);
    }
    // Digits with other bytes among them: bytes next to '0' and '9', signs, points,
    // exponents, spaces and bytes that are not ASCII.
    const std::string others = "/:.-+e \xFA\xFF\x80\x06";
    for (int i = 0; i < 200000; ++i) {
      std::string t;
      const std::size_t n = 1 + rng.below(18);
      for (std::size_t k = 0; k < n; ++k)
        t += rng.below(6) ? static_cast<char>('0' + rng.below(10)) : others[rng.below(others.size())];
      agree(t);
    }
  }

  TEST_CASE("features bind to columns by training name first, then by role") {
    std::vector<ad::CategoryTable> tables(1);
    tables[0].add("NO");
    std::vector<ad::Feature> fs = {
        feature(ad::FeatureKind::kNumeric, "data_size_kb"),
        feature(ad::FeatureKind::kRarity, "location", static_cast<int>(ad::Role::kCountry), 0),
        feature(ad::FeatureKind::kFailure, "status", static_cast<int>(ad::Role::kOutcome)),
    };
    {
      // Same names as in training, in another order.
      std::vector<std::string> header = {"status", "x", "location", "data_size_kb"};
      ad::FeatureExtractor ex(fs, tables, header, ad::Roles::find(header), "in.csv");
      CHECK(ex.column(0) == 3);
      CHECK(ex.column(1) == 2);
      CHECK(ex.column(2) == 0);
    }
    {
      // The country and outcome columns under other common names: found by role.
      std::vector<std::string> header = {"data_size_kb", "Country", "result"};
      ad::FeatureExtractor ex(fs, tables, header, ad::Roles::find(header), "in.csv");
      CHECK(ex.column(0) == 0);
      CHECK(ex.column(1) == 1);
      CHECK(ex.column(2) == 2);
    }
    {
      // ... or named with --map.
      std::vector<std::string> header = {"data_size_kb", "geo", "ok"};
      auto roles = ad::Roles::find(header, {{"country", "geo"}, {"outcome", "ok"}});
      ad::FeatureExtractor ex(fs, tables, header, roles, "in.csv");
      CHECK(ex.column(1) == 1);
      CHECK(ex.column(2) == 2);
    }
  }

  TEST_CASE("a column the model needs that the input lacks is an error naming it") {
    std::vector<ad::CategoryTable> tables(1);
    std::vector<ad::Feature> fs = {
        feature(ad::FeatureKind::kNumeric, "data_size_kb"),
        feature(ad::FeatureKind::kRarity, "location", static_cast<int>(ad::Role::kCountry), 0),
    };
    {
      std::vector<std::string> header = {"location", "latency_ms"};
      try {
        ad::FeatureExtractor ex(fs, tables, header, ad::Roles::find(header), "in.csv");
        FAIL("expected an error");
      } catch (const ad::Error& e) {
        CHECK(e.status() == ad::Status::kData);
        CHECK(e.where().file == "in.csv");
        CHECK(contains(e.message(), "'data_size_kb'"));
        CHECK(contains(e.message(), "missing"));
      }
    }
    {
      std::vector<std::string> header = {"data_size_kb", "city"};
      try {
        ad::FeatureExtractor ex(fs, tables, header, ad::Roles::find(header), "in.csv");
        FAIL("expected an error");
      } catch (const ad::Error& e) {
        CHECK(contains(e.message(), "'location'"));
        CHECK(contains(e.message(), "country"));  // the role it plays
        CHECK(contains(e.message(), "--map"));
      }
    }
  }

  TEST_CASE("extract() turns a row into feature values") {
    std::vector<ad::CategoryTable> tables(2);
    for (const char* v : {"red", "red", "red", "blue"}) tables[0].add(v);
    for (const char* v : {"10.0.0.0/24", "10.0.0.0/24", "10.9.9.0/24"}) tables[1].add(v);
    std::vector<ad::Feature> fs = {
        feature(ad::FeatureKind::kNumeric, "size"),
        feature(ad::FeatureKind::kCategorical, "color", -1, 0),
        feature(ad::FeatureKind::kRarity, "ip", static_cast<int>(ad::Role::kIp), 1),
        feature(ad::FeatureKind::kFailure, "status", static_cast<int>(ad::Role::kOutcome)),
    };
    auto in = reader("in.csv",
                     "size,color,ip,status\n"
                     "12.5,red,10.0.0.7,success\n"
                     ",blue,10.9.9.9,failure\n"
                     "3,green,192.168.1.1,maybe\n"
                     "oops,red,10.0.0.1,success\n");
    ad::FeatureExtractor ex(fs, tables, in.header(), ad::Roles::find(in.header()), in.name());
    double x[4];
    ad::csv::Row row;

    REQUIRE(in.next(row));
    ex.extract(in, row, x);
    CHECK(x[0] == 12.5);
    CHECK(x[1] == doctest::Approx(tables[0].rarity("red")));
    CHECK(x[2] == doctest::Approx(std::log2(4.0 / 3.0)));  // 10.0.0.0/24 seen twice in 3
    CHECK(x[3] == 0.0);

    REQUIRE(in.next(row));
    ex.extract(in, row, x);
    CHECK(std::isnan(x[0]));  // empty is missing
    CHECK(x[1] == doctest::Approx(std::log2(5.0 / 2.0)));
    CHECK(x[3] == 1.0);

    REQUIRE(in.next(row));
    ex.extract(in, row, x);
    CHECK(x[0] == 3.0);
    CHECK(x[1] == doctest::Approx(std::log2(5.0)));  // never seen
    CHECK(x[2] == doctest::Approx(std::log2(4.0)));
    CHECK(std::isnan(x[3]));  // neither success nor failure

    REQUIRE(in.next(row));
    try {
      ex.extract(in, row, x);
      FAIL("expected an error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().file == "in.csv");
      CHECK(e.where().line == 5);
      CHECK(e.where().column == 1);
      CHECK(e.where().column_name == "size");
      CHECK(contains(e.message(), "oops"));
    }
    // Lenient: the bad number is missing, the rest is filled.
    x[0] = 1;
    x[1] = -1;
    ex.extract(in, row, x, true);
    CHECK(std::isnan(x[0]));
    CHECK(x[1] == doctest::Approx(tables[0].rarity("red")));
    CHECK(x[3] == 0.0);
    // Without numeric features: the number is neither parsed nor an error, its value
    // left as it was; the rest is filled.
    x[0] = 42;
    x[1] = -1;
    x[3] = -1;
    ex.extract(in, row, x, false, false);
    CHECK(x[0] == 42);
    CHECK(x[1] == doctest::Approx(tables[0].rarity("red")));
    CHECK(x[3] == 0.0);
  }

  TEST_CASE("a bad number's location is the physical line, after a quoted line break") {
    std::vector<ad::CategoryTable> tables;
    std::vector<ad::Feature> fs = {feature(ad::FeatureKind::kNumeric, "size")};
    auto in = reader("q.csv", "note,size\n\"two\nlines\",1\nx,2x\n");
    ad::FeatureExtractor ex(fs, tables, in.header(), ad::Roles::find(in.header()), in.name());
    double x[1];
    ad::csv::Row row;
    REQUIRE(in.next(row));
    ex.extract(in, row, x);
    CHECK(x[0] == 1.0);
    REQUIRE(in.next(row));
    try {
      ex.extract(in, row, x);
      FAIL("expected an error");
    } catch (const ad::Error& e) {
      CHECK(e.where().line == 4);
      CHECK(e.where().column == 2);
      CHECK(contains(e.what(), "q.csv:4:2"));
    }
  }

  TEST_CASE("a feature's label is its column, or 'network' for the IP") {
    CHECK(feature(ad::FeatureKind::kNumeric, "size").label() == "size");
    CHECK(feature(ad::FeatureKind::kRarity, "src", static_cast<int>(ad::Role::kIp), 0).label() == "network");
    CHECK(feature(ad::FeatureKind::kRarity, "location", static_cast<int>(ad::Role::kCountry), 0).label() ==
          "location");
  }
}
