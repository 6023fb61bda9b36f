// Tests for train.h: learning a model from CSV in one pass.
#include "ad/detect/train.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ad/core/csv.h"
#include "ad/core/error.h"
#include "ad/core/io.h"
#include "ad/detect/login.h"
#include "ad/detect/score.h"
#include "ad/detect/train_sample.h"
#include "ad/core/timestamp.h"

namespace {

struct Trained {
  ad::Model model;
  ad::TrainReport report;
  std::vector<std::string> warnings;
};

ad::TrainOptions small_options(std::uint64_t seed = 1) {
  ad::TrainOptions opt;
  opt.forest.trees = 20;
  opt.forest.sample_size = 64;
  opt.forest.seed = seed;
  opt.forest.threads = 1;
  return opt;
}

Trained train_csv(const std::string& csv, const ad::TrainOptions& opt = small_options()) {
  Trained t;
  ad::csv::Reader in(ad::csv::string_lines("train.csv", csv), "train.csv");
  t.model = ad::train(in, opt, t.report, [&](const std::string& w) { t.warnings.push_back(w); });
  return t;
}

// Runs train_csv and returns the error it throws; fails the test if it does not throw.
ad::Error train_error(const std::string& csv, const ad::TrainOptions& opt = small_options()) {
  try {
    train_csv(csv, opt);
  } catch (const ad::Error& e) {
    return e;
  }
  FAIL("expected ad::Error");
  return ad::Error(ad::Status::kOk, "unreachable");
}

const ad::Feature* find_feature(const ad::Model& m, const std::string& column) {
  for (const auto& f : m.features)
    if (f.column == column) return &f;
  return nullptr;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

bool any_contains(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return contains(l, part); });
}

// A generic table: a numeric column, a categorical one, an identifier, an empty
// column and a constant one. No login roles.
std::string generic_csv(std::size_t rows) {
  static const char* kColors[] = {"red", "green", "blue"};
  ad::Rng rng(5);
  std::string s = "amount,color,token,blank,constant\n";
  for (std::size_t i = 0; i < rows; ++i)
    s += std::to_string(10 + rng.below(90)) + "." + std::to_string(rng.below(10)) + "," + kColors[i % 3] +
         ",tok" + std::to_string(i * 7919) + ",,same\n";
  return s;
}

// n rows of continuous numbers in two columns.
std::string numeric_csv(std::size_t rows, std::uint64_t seed) {
  ad::Rng rng(seed);
  std::string s = "a,b\n";
  char buf[64];
  for (std::size_t i = 0; i < rows; ++i) {
    std::snprintf(buf, sizeof buf, "%.6f,%.6f\n", rng.uniform() * 10, rng.uniform() * 10);
    s += buf;
  }
  return s;
}

// Scores csv with model into a string (through a temporary file).
std::string score_to_string(const ad::Model& model, const std::string& csv, ad::ScoreReport& report) {
  char path[] = "/tmp/ad_train_test.XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  {
    ad::Output out(fd, path);
    ad::csv::Reader in(ad::csv::string_lines("score.csv", csv), "score.csv");
    ad::ScoreOptions opt;
    opt.threads = 1;
    ad::score(model, in, out, opt, report, [](const std::string&) {});
    out.flush();
  }
  std::string text;
  ::lseek(fd, 0, SEEK_SET);
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  ::unlink(path);
  return text;
}


// n logins, 7 minutes apart from 2025-01-06T00:00Z: user, IP, country and outcome.
// The first `noisy` rows come from many users, networks and countries, at random;
// the rest from 20 regular users, mostly from NO, each in a few networks.
std::string logins_csv(std::size_t rows, std::size_t noisy = 0, std::uint64_t seed = 3) {
  static const char* kCountries[] = {"NO", "NO", "NO", "NO", "SE", "DK"};
  static const char* kFar[] = {"RO", "BR", "CN", "US", "NG", "IN", "AU", "RU"};
  ad::Rng rng(seed);
  const std::int64_t t0 = *ad::parse_time_ms("2025-01-06T00:00:00Z");
  std::string s = "timestamp,user_id,ip_address,country,status\n";
  for (std::size_t i = 0; i < rows; ++i) {
    std::string time = ad::format_time_iso(t0 + static_cast<std::int64_t>(i) * 7 * 60000);
    if (i < noisy) {
      s += time + ",n" + std::to_string(rng.below(400)) + ",45." + std::to_string(rng.below(200)) + ".1." +
           std::to_string(rng.below(250)) + "," + kFar[rng.below(8)] + "," + (rng.below(3) ? "success" : "failure") +
           "\n";
    } else {
      std::uint64_t u = rng.below(20);
      s += time + ",u" + std::to_string(u) + ",10." + std::to_string(u) + "." + std::to_string(rng.below(2)) + "." +
           std::to_string(rng.below(250)) + "," + kCountries[rng.below(6)] + "," +
           (rng.below(20) ? "success" : "failure") + "\n";
    }
  }
  return s;
}

// The feature rows ad-train learned csv from, rebuilt as it builds them (every row in
// order, when the sample holds the whole input): column features by the model's
// extractor, login features from a LoginTracker replaying the input.
ad::Matrix training_matrix(const ad::Model& m, const std::string& csv) {
  ad::csv::Reader in(ad::csv::string_lines("train.csv", csv), "train.csv");
  const auto& header = in.header();
  ad::Roles roles = ad::Roles::find(header);
  ad::LoginColumns columns = ad::LoginColumns::bind({}, header, roles, in.name(), false);
  ad::Profiles profiles;
  ad::LoginTracker tracker(profiles);
  ad::LoginContext ctx;
  ad::FeatureExtractor extractor(m.features, m.tables, header, roles, in.name());
  ad::Matrix data;
  data.cols = m.features.size();
  ad::csv::Row row;
  while (in.next(row)) {
    if (columns.has(ad::Role::kUser) && columns.has(ad::Role::kTime)) {
      auto ms = ad::parse_time_ms(row.fields[static_cast<std::size_t>(columns[ad::Role::kTime])]);
      REQUIRE(ms);
      tracker.observe(ad::read_event(columns, row, *ms), ctx);
    }
    data.values.resize((data.rows + 1) * data.cols);
    double* out = data.row(data.rows);
    extractor.extract(in, row, out);
    for (std::size_t j = 0; j < data.cols; ++j)
      if (ad::is_derived(m.features[j].kind))
        out[j] = ctx.values[static_cast<std::size_t>(static_cast<int>(m.features[j].kind) - ad::kDerivedKindBase)];
    ++data.rows;
  }
  return data;
}

// The threshold ad-train would set from these scores.
double threshold_of(std::vector<double> scores, double contamination) {
  std::sort(scores.begin(), scores.end());
  return ad::percentile(scores, 100.0 * (1.0 - contamination));
}

std::vector<double> tail_from(const std::vector<double>& v, std::size_t from) {
  return std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(from), v.end());
}

// True if every inner node of forest splits on a feature of aspect a.
bool splits_only_on(const ad::Forest& forest, const ad::Model& m, ad::Aspect a) {
  for (const auto& n : forest.node_array())
    if (!(n.bits & ad::Forest::kLeaf) && ad::aspect_of(m.features[n.bits & ad::Forest::kFeatureMask]) != a)
      return false;
  return true;
}

}  // namespace

TEST_SUITE("train") {
  TEST_CASE("percentile interpolates linearly, as numpy does") {
    std::vector<double> v = {1, 2, 3, 4};
    CHECK(ad::percentile(v, 0) == 1);
    CHECK(ad::percentile(v, 100) == 4);
    CHECK(ad::percentile(v, 50) == doctest::Approx(2.5));
    CHECK(ad::percentile(v, 25) == doctest::Approx(1.75));
    CHECK(ad::percentile({7}, 99) == 7);
    CHECK(std::isnan(ad::percentile({}, 50)));
  }

  TEST_CASE("quantiles_of: 1001 percentiles 0, 0.1, ..., 100 of unsorted values") {
    std::vector<double> v;
    for (int i = 2000; i >= 0; --i) v.push_back(i * 0.5);  // 0 .. 1000, descending
    auto q = ad::quantiles_of(v);
    REQUIRE(q.size() == 1001);
    CHECK(q.front() == 0);
    CHECK(q[1] == doctest::Approx(1.0));
    CHECK(q[500] == doctest::Approx(500.0));
    CHECK(q[999] == doctest::Approx(999.0));
    CHECK(q.back() == 1000);
  }

  TEST_CASE("quantiles_of_sorted gives quantiles_of's values for the sorted values") {
    std::vector<double> v;
    ad::Rng rng(5);
    for (int i = 0; i < 777; ++i) v.push_back(rng.uniform() * 3 - 1);
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    CHECK(ad::quantiles_of_sorted(sorted) == ad::quantiles_of(v));
  }

  TEST_CASE("generic columns: numeric, categorical, identifiers, empty and constant columns left out") {
    Trained t = train_csv(generic_csv(200));
    const ad::Feature* amount = find_feature(t.model, "amount");
    const ad::Feature* color = find_feature(t.model, "color");
    REQUIRE(amount != nullptr);
    REQUIRE(color != nullptr);
    CHECK(amount->kind == ad::FeatureKind::kNumeric);
    CHECK(amount->role == -1);
    CHECK(amount->low <= amount->median);
    CHECK(amount->median <= amount->high);
    CHECK(amount->low >= 10.0);
    CHECK(amount->high < 100.0);
    CHECK(color->kind == ad::FeatureKind::kCategorical);
    REQUIRE(color->table >= 0);
    REQUIRE(static_cast<std::size_t>(color->table) < t.model.tables.size());
    CHECK(t.model.tables[static_cast<std::size_t>(color->table)].distinct() == 3);
    CHECK(find_feature(t.model, "token") == nullptr);
    CHECK(find_feature(t.model, "blank") == nullptr);
    CHECK(find_feature(t.model, "constant") == nullptr);
    CHECK(any_contains(t.report.notes, "'token' looks like an identifier"));
    CHECK(any_contains(t.report.notes, "'blank' is empty"));
    CHECK(any_contains(t.report.notes, "'constant' has a single value"));
    CHECK(t.report.rows_read == 200);
    CHECK(t.model.info.rows_used == 200);
    CHECK(t.model.info.sample_rows == 200);
    CHECK_FALSE(t.model.logins_only);
  }

  TEST_CASE("a mostly numeric column with one bad value is an error at that value") {
    std::string csv = "amount,color\n";
    for (int i = 0; i < 100; ++i) csv += std::to_string(i) + (i % 2 ? ",a\n" : ",b\n");
    csv += "12kb,a\n";  // line 102, column 1
    for (int i = 0; i < 20; ++i) csv += std::to_string(i) + ",b\n";
    ad::Error e = train_error(csv);
    CHECK(e.status() == ad::Status::kData);
    CHECK(e.where().file == "train.csv");
    CHECK(e.where().line == 102);
    CHECK(e.where().column == 1);
    CHECK(e.where().column_name == "amount");
    CHECK(contains(e.message(), "12kb"));

    // With --on-error skip the column stays numeric and the bad value counts as missing.
    ad::TrainOptions opt = small_options();
    opt.on_error = ad::OnError::kSkip;
    Trained t = train_csv(csv, opt);
    const ad::Feature* amount = find_feature(t.model, "amount");
    REQUIRE(amount != nullptr);
    CHECK(amount->kind == ad::FeatureKind::kNumeric);
    CHECK(any_contains(t.report.notes, "treated as missing"));
    CHECK(t.model.info.rows_used == 121);
  }

  TEST_CASE("a sample past sample_bytes_limit is an error at the row that took it there") {
    std::string csv = "amount,note\n";
    for (int i = 0; i < 100; ++i) csv += std::to_string(i) + "," + std::string(100, 'n') + "\n";
    ad::TrainOptions opt = small_options();
    opt.sample_bytes_limit = 104 * 50;  // 50 rows of "NN\0" and 100 bytes, about
    ad::Error e = train_error(csv, opt);
    CHECK(e.status() == ad::Status::kData);
    CHECK(e.where().line > 40);
    CHECK(e.where().line < 60);
    CHECK(contains(e.message(), "lower --sample-rows"));
    opt.forest.threads = 2;  // found by the second thread of the pass: the same error
    ad::Error e2 = train_error(csv, opt);
    CHECK(e2.where().line == e.where().line);
    CHECK(std::string(e2.what()) == e.what());
    opt.sample_limit = 20;  // a smaller sample fits: the same input trains
    CHECK(train_csv(csv, opt).model.info.rows_used == 100);
  }

  TEST_CASE("a column with much text is categorical, not an error") {
    std::string csv = "level,size\n";
    for (int i = 0; i < 100; ++i) csv += (i % 3 ? std::to_string(i % 4) : std::string("high")) + "," + std::to_string(i) + "\n";
    Trained t = train_csv(csv);
    const ad::Feature* level = find_feature(t.model, "level");
    REQUIRE(level != nullptr);
    CHECK(level->kind == ad::FeatureKind::kCategorical);
  }

  TEST_CASE("only login rows are learned from when there is an activity column") {
    std::string csv = "timestamp,activity_type,data_size_kb\n";
    int logins = 0, others = 0;
    for (int i = 0; i < 300; ++i) {
      const char* act = i % 3 == 0 ? "login" : (i % 3 == 1 ? "chat" : "upload");
      (i % 3 == 0 ? logins : others)++;
      csv += "2025-01-01 04:" + std::to_string(10 + i % 50) + ":00," + act + "," + std::to_string(100 + i) + "\n";
    }
    Trained t = train_csv(csv);
    CHECK(t.model.logins_only);
    CHECK(t.report.rows_read == 300);
    CHECK(t.report.not_logins == static_cast<std::uint64_t>(others));
    CHECK(t.model.info.rows_used == static_cast<std::uint64_t>(logins));
    CHECK(t.model.role_columns[static_cast<int>(ad::Role::kActivity)] == "activity_type");
    CHECK(t.model.role_columns[static_cast<int>(ad::Role::kTime)] == "timestamp");
    CHECK(find_feature(t.model, "activity_type") == nullptr);  // a role, not a feature

    // No login rows at all: a data error that says so.
    std::string none = "timestamp,activity_type,data_size_kb\n2025-01-01 04:00:00,chat,1\n2025-01-01 04:01:00,chat,2\n";
    ad::Error e = train_error(none);
    CHECK(e.status() == ad::Status::kData);
    CHECK(contains(e.message(), "no login rows"));
  }

  TEST_CASE("contamination sets the share of training rows above the threshold") {
    std::string csv = numeric_csv(2000, 3);
    for (double c : {0.01, 0.05, 0.2}) {
      CAPTURE(c);
      ad::TrainOptions opt = small_options();
      opt.contamination = c;
      opt.forest.trees = 50;
      Trained t = train_csv(csv, opt);
      CHECK(t.model.info.contamination == c);
      ad::ScoreReport report;
      score_to_string(t.model, csv, report);
      REQUIRE(report.scored == 2000);
      double share = static_cast<double>(report.flagged) / 2000.0;
      CHECK(share == doctest::Approx(c).epsilon(0.25));
    }
  }

  TEST_CASE("the same seed gives the same model bytes with 1 and 2 threads") {
    std::string csv = generic_csv(500);
    ad::TrainOptions one = small_options(42), two = small_options(42), other = small_options(43);
    two.forest.threads = 2;
    other.forest.threads = 2;
    std::string a = train_csv(csv, one).model.serialize();
    std::string b = train_csv(csv, two).model.serialize();
    std::string c = train_csv(csv, other).model.serialize();
    CHECK(a == b);
    CHECK(a != c);
  }

  TEST_CASE("logins over many batches, sampled: the same model bytes with 1 and 2 threads") {
    // More rows than three batches (train_sample.h) and than the sample, so that rows
    // are replaced in the sample while later batches are being read.
    std::string csv = logins_csv(3 * ad::RowBatch::kMaxRows + 500, 200);
    ad::TrainOptions one = small_options(5), two = small_options(5);
    one.sample_limit = two.sample_limit = 3000;
    two.forest.threads = 2;
    Trained a = train_csv(csv, one), b = train_csv(csv, two);
    CHECK(a.model.info.sample_rows == 3000);
    CHECK(a.model.info.rows_used == 3 * ad::RowBatch::kMaxRows + 500);
    CHECK(a.model.serialize() == b.model.serialize());
  }

  TEST_CASE("a sample smaller than the input still sees the whole input's types") {
    ad::TrainOptions opt = small_options();
    opt.sample_limit = 50;
    Trained t = train_csv(generic_csv(400), opt);
    CHECK(t.report.rows_read == 400);
    CHECK(t.model.info.rows_used == 400);
    CHECK(t.model.info.sample_rows == 50);
    REQUIRE(find_feature(t.model, "amount") != nullptr);
    // The same seed picks the same sample.
    CHECK(train_csv(generic_csv(400), opt).model.serialize() == t.model.serialize());
  }

  TEST_CASE("bad rows: an error with its location, or skipped and counted") {
    std::string csv = "timestamp,amount,color\n";
    for (int i = 0; i < 60; ++i) csv += "2024-05-01T10:00:" + std::to_string(10 + i % 40) + "Z," + std::to_string(i) + ",x" + std::to_string(i % 4) + "\n";
    std::string ragged = csv + "2024-05-01T10:00:00Z,1\n";                 // line 62
    std::string bad_time = csv + "yesterday,1,x1\n";                      // line 62
    std::string bad_utf8 = csv + "2024-05-01T10:00:00Z,1,x\xff\n";         // line 62
    {
      ad::Error e = train_error(ragged);
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().line == 62);
      CHECK(contains(e.message(), "ragged"));
    }
    {
      ad::Error e = train_error(bad_time);
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().line == 62);
      CHECK(e.where().column == 1);
      CHECK(e.where().column_name == "timestamp");
      CHECK(contains(e.message(), "yesterday"));
    }
    {
      ad::Error e = train_error(bad_utf8);
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().line == 62);
      CHECK(e.where().column == 3);
      CHECK(contains(e.message(), "UTF-8"));
    }
    ad::TrainOptions skip = small_options();
    skip.on_error = ad::OnError::kSkip;
    for (const std::string* input : {&ragged, &bad_time, &bad_utf8}) {
      Trained t = train_csv(*input + "2024-05-01T11:00:00Z,5,x2\n", skip);
      CHECK(t.report.rows_read == 62);
      CHECK(t.report.skipped == 1);
      CHECK(t.model.info.rows_used == 61);
      REQUIRE(t.warnings.size() == 2);  // the row, then the count
      CHECK(contains(t.warnings[0], "train.csv:62"));
      CHECK(t.warnings[1] == "1 row with bad data skipped");
    }
  }

  TEST_CASE("empty and header-only inputs are data errors") {
    {
      ad::Error e = train_error("amount,color\n");
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().file == "train.csv");
      CHECK(contains(e.message(), "only a header"));
    }
    {
      ad::Error e = train_error("");
      CHECK(e.status() == ad::Status::kData);
      CHECK(contains(e.message(), "empty"));
    }
  }

  TEST_CASE("bad options and unknown columns are usage errors") {
    ad::TrainOptions opt = small_options();
    opt.ignore = {"nope"};
    CHECK(train_error(generic_csv(10), opt).status() == ad::Status::kUsage);
    opt = small_options();
    opt.map = {{"user", "nope"}};
    CHECK(train_error(generic_csv(10), opt).status() == ad::Status::kUsage);
    opt = small_options();
    opt.contamination = 0.9;
    CHECK(train_error(generic_csv(10), opt).status() == ad::Status::kUsage);
    opt = small_options();
    opt.forest.sample_size = 1;
    CHECK(train_error(generic_csv(10), opt).status() == ad::Status::kUsage);
  }

  TEST_CASE("--ignore leaves a column out, scored columns are never features") {
    ad::TrainOptions opt = small_options();
    opt.ignore = {"color"};
    Trained t = train_csv(generic_csv(100), opt);
    CHECK(find_feature(t.model, "color") == nullptr);
    CHECK(find_feature(t.model, "amount") != nullptr);

    std::string scored = "amount,anomaly_score,anomaly_flag,severity,anomaly_reasons\n";
    for (int i = 0; i < 100; ++i) scored += std::to_string(i) + ",0.5" + std::to_string(i) + ",0,12.5,\n";
    Trained s = train_csv(scored);
    REQUIRE(s.model.features.size() == 1);
    CHECK(s.model.features[0].column == "amount");
    CHECK(any_contains(s.report.notes, "'anomaly_score' is ad-score output"));
  }

  TEST_CASE("login roles become rarity and failure features") {
    std::string csv = "timestamp,user_id,ip_address,country,status\n";
    static const char* kCountries[] = {"NO", "NO", "SE"};
    for (int i = 0; i < 120; ++i)
      csv += "2024-05-01T10:" + std::to_string(10 + i % 50) + ":00Z,u" + std::to_string(i % 5) + ",10.0." +
             std::to_string(i % 3) + "." + std::to_string(i) + "," + kCountries[i % 3] + "," +
             (i % 7 ? "success" : "failure") + "\n";
    Trained t = train_csv(csv);
    const ad::Feature* country = find_feature(t.model, "country");
    const ad::Feature* ip = find_feature(t.model, "ip_address");
    const ad::Feature* status = find_feature(t.model, "status");
    REQUIRE(country != nullptr);
    REQUIRE(ip != nullptr);
    REQUIRE(status != nullptr);
    CHECK(country->kind == ad::FeatureKind::kRarity);
    CHECK(country->role == static_cast<int>(ad::Role::kCountry));
    CHECK(ip->kind == ad::FeatureKind::kRarity);
    // The IP is judged by its network: three /24s, not 120 addresses.
    CHECK(t.model.tables[static_cast<std::size_t>(ip->table)].distinct() == 3);
    CHECK(status->kind == ad::FeatureKind::kFailure);
    CHECK(t.model.role_columns[static_cast<int>(ad::Role::kUser)] == "user_id");
  }

  TEST_CASE("login data: time and network aspect forests by default, and the aspects TrainOptions asks for") {
    const std::string csv = logins_csv(600);
    {
      Trained t = train_csv(csv);
      REQUIRE(t.model.aspects.size() == 2);
      CHECK(t.model.aspects[1].aspect == ad::Aspect::kNetwork);
      CHECK(splits_only_on(t.model.aspects[1].forest, t.model, ad::Aspect::kNetwork));
      const ad::AspectForest& a = t.model.aspects[0];
      CHECK(a.aspect == ad::Aspect::kTime);
      CHECK(a.forest.trees() == 20);
      CHECK(a.forest.features() == t.model.features.size());
      CHECK(splits_only_on(a.forest, t.model, ad::Aspect::kTime));
      CHECK_FALSE(splits_only_on(t.model.forest, t.model, ad::Aspect::kTime));
      CHECK(a.quantiles.size() == ad::Model::kQuantiles);
      CHECK(t.model.whole_quantiles.size() == ad::Model::kQuantiles);
      CHECK(std::is_sorted(a.quantiles.begin(), a.quantiles.end()));
      CHECK(any_contains(t.report.notes, "aspect time: a forest of its own over hour_unusual, weekday_unusual"));
      // The model file keeps it.
      ad::Model p = ad::Model::parse(t.model.serialize(), "m");
      REQUIRE(p.aspects.size() == 2);
      CHECK(p.aspects[0].aspect == ad::Aspect::kTime);
    }
    {
      ad::TrainOptions opt = small_options();
      opt.aspects = {};
      Trained t = train_csv(csv, opt);
      CHECK(t.model.aspects.empty());
      CHECK(t.model.whole_quantiles.empty());
      CHECK_FALSE(any_contains(t.report.notes, "aspect"));
    }
    {
      ad::TrainOptions opt = small_options();
      opt.aspects = {ad::Aspect::kPlace, ad::Aspect::kTime};
      Trained t = train_csv(csv, opt);
      REQUIRE(t.model.aspects.size() == 2);
      CHECK(t.model.aspects[0].aspect == ad::Aspect::kPlace);
      CHECK(t.model.aspects[1].aspect == ad::Aspect::kTime);
      CHECK(splits_only_on(t.model.aspects[0].forest, t.model, ad::Aspect::kPlace));
      CHECK(splits_only_on(t.model.aspects[1].forest, t.model, ad::Aspect::kTime));
      CHECK(any_contains(t.report.notes,
                         "aspect place: a forest of its own over country, network, new_ip, new_network, "
                         "new_country, travel_speed"));
      // The time forest is the same as when it is the only aspect: each aspect has its own seed.
      Trained alone = train_csv(csv);
      CHECK(t.model.aspects[1].forest.node_array().size() == alone.model.aspects[0].forest.node_array().size());
      CHECK(t.model.aspects[1].quantiles == alone.model.aspects[0].quantiles);
      CHECK(t.model.whole_quantiles == alone.model.whole_quantiles);
    }
    {
      ad::TrainOptions opt = small_options();
      opt.aspects = {ad::Aspect::kAttempts, ad::Aspect::kDevice, ad::Aspect::kTime};
      Trained t = train_csv(csv, opt);
      // No device or user agent column: no device features, so no device forest.
      REQUIRE(t.model.aspects.size() == 2);
      CHECK(t.model.aspects[0].aspect == ad::Aspect::kAttempts);
      CHECK(t.model.aspects[1].aspect == ad::Aspect::kTime);
      CHECK(splits_only_on(t.model.aspects[0].forest, t.model, ad::Aspect::kAttempts));
    }
    {
      ad::TrainOptions opt = small_options();
      opt.aspects = {ad::Aspect::kDevice};
      Trained t = train_csv(csv, opt);
      CHECK(t.model.aspects.empty());
      CHECK(t.model.whole_quantiles.empty());
    }
  }

  TEST_CASE("the numbers the reading pass keeps make the model that parsing the sample again makes") {
    // Numbers with empty values, stray text values (--on-error skip: missing; "inf"
    // reads as infinity, which is not a number here), exponents, a categorical column of
    // numbers and words, and a column named twice.
    ad::Rng rng(9);
    std::string mixed = "x,y,kind,x2,x\n";
    for (int i = 0; i < 3000; ++i) {
      mixed += (i % 97 == 0 ? std::string() : std::to_string(rng.uniform() * 100)) + "," +
               (i == 1234 ? std::string("n/a") : i == 2000 ? std::string("inf") : std::to_string(rng.below(1000)) + "e-3") + "," +
               (i % 3 ? std::to_string(rng.below(5)) : std::string("other")) + "," + std::to_string(rng.below(50)) + "," +
               std::to_string(rng.uniform()) + "\n";
    }
    struct Case {
      std::string csv;
      ad::OnError on_error;
      std::size_t sample_limit;
    };
    const std::vector<Case> cases = {
        {mixed, ad::OnError::kSkip, 100000}, {mixed, ad::OnError::kSkip, 700},  // rows replaced in the sample
        {generic_csv(2000), ad::OnError::kFail, 500}, {numeric_csv(5000, 4), ad::OnError::kFail, 1200},
        {logins_csv(3000, 100), ad::OnError::kFail, 1000},
    };
    for (const Case& c : cases) {
      ad::TrainOptions opt = small_options();
      opt.on_error = c.on_error;
      opt.sample_limit = c.sample_limit;
      const std::string kept = train_csv(c.csv, opt).model.serialize();
      opt.numbers_bytes_limit = 0;  // parsed again
      CHECK(train_csv(c.csv, opt).model.serialize() == kept);
      opt.numbers_bytes_limit = 4096;  // dropped during the pass
      CHECK(train_csv(c.csv, opt).model.serialize() == kept);
      opt.forest.threads = 2;
      opt.numbers_bytes_limit = std::size_t{64} << 20;
      CHECK(train_csv(c.csv, opt).model.serialize() == kept);
    }
  }

  TEST_CASE("a contamination threshold from more rows than calibration_limit: evenly spaced rows set it") {
    const std::string csv = numeric_csv(40000, 6);
    ad::TrainOptions opt = small_options();
    Trained t = train_csv(csv, opt);
    ad::Matrix data = training_matrix(t.model, csv);
    REQUIRE(data.rows == 40000);
    std::vector<double> scores, picked;
    t.model.forest.score(data, scores, 1);
    std::vector<std::size_t> all(data.rows);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    for (std::size_t i : ad::evenly_spaced(all, 32768)) picked.push_back(scores[i]);
    CHECK(t.model.threshold == threshold_of(picked, 0.01));
    CHECK(t.model.quantiles == ad::quantiles_of(picked));
    CHECK(t.model.quantiles != ad::quantiles_of(scores));  // not those of all rows
    // A smaller contamination needs more rows than the sample has: all of them.
    opt.contamination = 0.005;
    t = train_csv(csv, opt);
    t.model.forest.score(data, scores, 1);
    CHECK(t.model.threshold == threshold_of(scores, 0.005));
    CHECK(t.model.quantiles == ad::quantiles_of(scores));
  }

  TEST_CASE("generic data: no aspects, and the threshold is set on the whole forest's scores of all rows") {
    const std::string csv = numeric_csv(1500, 8);
    ad::TrainOptions opt = small_options();
    opt.contamination = 0.05;
    Trained t = train_csv(csv, opt);  // the default asks for a time aspect
    CHECK(t.model.aspects.empty());
    CHECK(t.model.whole_quantiles.empty());
    ad::Matrix data = training_matrix(t.model, csv);
    REQUIRE(data.rows == 1500);
    std::vector<double> scores;
    t.model.forest.score(data, scores, 1);
    CHECK(t.model.threshold == threshold_of(scores, 0.05));
    CHECK(t.model.quantiles == ad::quantiles_of(scores));
    // Not the later half only.
    CHECK(t.model.threshold != threshold_of(tail_from(scores, 750), 0.05));

    // A time column without a user column has no login features: the same.
    std::string timed = "timestamp,amount\n";
    const std::int64_t t0 = *ad::parse_time_ms("2025-01-06T00:00:00Z");
    ad::Rng rng(4);
    for (int i = 0; i < 1500; ++i)
      timed += ad::format_time_iso(t0 + i * 60000LL) + "," + std::to_string(rng.below(100000)) + "\n";
    Trained u = train_csv(timed, opt);
    CHECK(u.model.aspects.empty());
    ad::Matrix udata = training_matrix(u.model, timed);
    u.model.forest.score(udata, scores, 1);
    CHECK(u.model.threshold == threshold_of(scores, 0.05));
    CHECK(u.model.threshold != threshold_of(tail_from(scores, 750), 0.05));
  }

  TEST_CASE("login data: the threshold is set on the later half of the training logins") {
    // The first half is noise from many strangers; the second half, regular users.
    const std::string csv = logins_csv(2400, 1200);
    Trained t = train_csv(csv);
    REQUIRE(t.model.aspects.size() == 2);
    ad::Matrix data = training_matrix(t.model, csv);
    REQUIRE(data.rows == 2400);
    std::vector<double> scores, whole, part;
    t.model.score(data, scores, 1);
    t.model.forest.score(data, whole, 1);
    t.model.aspects[0].forest.score(data, part, 1);
    CHECK(t.model.threshold == threshold_of(tail_from(scores, 1200), 0.01));
    CHECK(t.model.quantiles == ad::quantiles_of(tail_from(scores, 1200)));
    CHECK(t.model.whole_quantiles == ad::quantiles_of(tail_from(whole, 1200)));
    CHECK(t.model.aspects[0].quantiles == ad::quantiles_of(tail_from(part, 1200)));
    // Every row would have set another threshold and other quantiles.
    CHECK(threshold_of(scores, 0.01) != t.model.threshold);
    CHECK(ad::quantiles_of(scores) != t.model.quantiles);
    // The share of the later half's logins flagged is the contamination.
    std::size_t flagged = 0;
    for (std::size_t i = 1200; i < 2400; ++i) flagged += scores[i] >= t.model.threshold;
    CHECK(flagged >= 10);
    CHECK(flagged <= 14);
  }

  TEST_CASE("login data: with fewer than 1000 logins in the later half, calibration uses all of them") {
    // 1999 logins: the later half is logins 999 .. 1998, 1000 of them: enough.
    {
      const std::string csv = logins_csv(1999, 1000);
      Trained t = train_csv(csv);
      ad::Matrix data = training_matrix(t.model, csv);
      std::vector<double> scores;
      t.model.score(data, scores, 1);
      CHECK(t.model.quantiles == ad::quantiles_of(tail_from(scores, 999)));
      CHECK(t.model.threshold == threshold_of(tail_from(scores, 999), 0.01));
    }
    // 1998 logins: 999 in the later half, too few: every login.
    {
      const std::string csv = logins_csv(1998, 1000);
      Trained t = train_csv(csv);
      ad::Matrix data = training_matrix(t.model, csv);
      std::vector<double> scores, whole;
      t.model.score(data, scores, 1);
      t.model.forest.score(data, whole, 1);
      CHECK(t.model.quantiles == ad::quantiles_of(scores));
      CHECK(t.model.threshold == threshold_of(scores, 0.01));
      CHECK(t.model.whole_quantiles == ad::quantiles_of(whole));
      CHECK(t.model.threshold != threshold_of(tail_from(scores, 999), 0.01));
    }
  }
}
