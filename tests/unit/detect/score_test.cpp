// Tests for score.h: scored CSV keeps the input and appends (or replaces) the four
// scored columns; activity filtering; bad-row policies; empty inputs.
#include "ad/detect/score.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <regex>

#include "ad/core/csv.h"
#include "ad/core/error.h"
#include "ad/core/roles.h"
#include "ad/core/scored.h"
#include "ad/detect/train.h"

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Training data: timestamp, activity, two numeric columns and a categorical one.
// Every third row is not a login.
std::string history(std::size_t rows, std::uint64_t seed) {
  static const char* kKinds[] = {"login", "chat", "login", "upload", "login", "download"};
  static const char* kMethods[] = {"AES", "AES", "RSA"};
  ad::Rng rng(seed);
  std::string s = "timestamp,activity_type,data_size_kb,latency_ms,encryption_method\n";
  char buf[160];
  for (std::size_t i = 0; i < rows; ++i) {
    std::snprintf(buf, sizeof buf, "2025-01-01 %02d:%02d:00,%s,%.1f,%.2f,%s\n", static_cast<int>(i / 60 % 24),
                  static_cast<int>(i % 60), kKinds[i % 6], 100 + rng.uniform() * 50, 20 + rng.uniform() * 5,
                  kMethods[rng.below(3)]);
    s += buf;
  }
  return s;
}

const ad::Model& model() {
  static const ad::Model m = [] {
    ad::TrainOptions opt;
    opt.forest.trees = 50;
    opt.forest.sample_size = 128;
    opt.forest.seed = 7;
    opt.forest.threads = 1;
    opt.contamination = 0.05;
    ad::csv::Reader in(ad::csv::string_lines("history.csv", history(1500, 1)), "history.csv");
    ad::TrainReport report;
    return ad::train(in, opt, report, [](const std::string&) {});
  }();
  return m;
}

struct Scored {
  std::string text;
  ad::ScoreReport report;
  std::vector<std::string> warnings;
};

// Scores csv into a string (through a temporary file).
Scored score_csv(const std::string& csv, ad::ScoreOptions opt = {}, const ad::Model& m = model()) {
  if (opt.threads == 0) opt.threads = 1;
  Scored s;
  char path[] = "/tmp/ad_score_test.XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::unlink(path);
  try {
    ad::Output out(fd, "out.csv");
    ad::csv::Reader in(ad::csv::string_lines("in.csv", csv), "in.csv");
    ad::score(m, in, out, opt, s.report, [&](const std::string& w) { s.warnings.push_back(w); });
    out.flush();
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::lseek(fd, 0, SEEK_SET);
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return s;
}

ad::Error score_error(const std::string& csv, ad::ScoreOptions opt = {}) {
  try {
    score_csv(csv, opt);
  } catch (const ad::Error& e) {
    return e;
  }
  FAIL("expected ad::Error");
  return ad::Error(ad::Status::kOk, "unreachable");
}

// Parses CSV text into records of strings (header first).
std::vector<std::vector<std::string>> parse(const std::string& text) {
  ad::csv::Reader in(ad::csv::string_lines("parsed.csv", text), "parsed.csv");
  std::vector<std::vector<std::string>> out;
  out.push_back(in.header());
  ad::csv::Row row;
  while (in.next(row)) out.emplace_back(row.fields.begin(), row.fields.end());
  return out;
}

std::vector<std::string> with_scored(std::vector<std::string> header) {
  for (auto c : ad::scored::kAppended) header.emplace_back(c);
  return header;
}

}  // namespace

TEST_SUITE("score") {
  TEST_CASE("every input column is kept unchanged and in order, then the seven scored columns") {
    std::string input =
        "timestamp,activity_type,data_size_kb,latency_ms,encryption_method,note\n"
        "2025-01-02 10:00:00,login,120.5,21.00,AES,\"plain, with comma\"\n"
        "2025-01-02 10:01:00,login,130.0,22.50,RSA,\"two\nlines and \"\"quotes\"\"\"\n"
        "2025-01-02 10:02:00,login,99999,500,AES,  spaces kept  \n";
    Scored s = score_csv(input);
    auto in = parse(input);
    auto out = parse(s.text);
    REQUIRE(out.size() == in.size());
    CHECK(out[0] == with_scored(in[0]));
    CHECK(s.text.substr(0, s.text.find('\n')) ==
          "timestamp,activity_type,data_size_kb,latency_ms,encryption_method,note,"
          "anomaly_score,anomaly_flag,severity,anomaly_reasons,incident_id,incident_score,incident_kind");
    CHECK(s.text.find('\r') == std::string::npos);  // LF line ends
    std::regex score_re("(0|1)\\.[0-9]{6}"), severity_re("[0-9]{1,3}\\.[0-9]");
    for (std::size_t r = 1; r < out.size(); ++r) {
      CAPTURE(r);
      REQUIRE(out[r].size() == in[r].size() + 7);
      // No user and time roles here: no incidents (incident.h).
      CHECK(out[r][in[r].size() + 4].empty());
      CHECK(out[r][in[r].size() + 6].empty());
      CHECK(std::vector<std::string>(out[r].begin(), out[r].begin() + in[r].size()) == in[r]);
      const std::string& score = out[r][in[r].size()];
      const std::string& flag = out[r][in[r].size() + 1];
      const std::string& severity = out[r][in[r].size() + 2];
      const std::string& reasons = out[r][in[r].size() + 3];
      CHECK(std::regex_match(score, score_re));
      double sv = std::atof(score.c_str()), sev = std::atof(severity.c_str());
      CHECK(sv > 0.0);
      CHECK(sv <= 1.0);
      CHECK((flag == "0" || flag == "1"));
      CHECK(std::regex_match(severity, severity_re));
      CHECK(sev >= 0.0);
      CHECK(sev <= 100.0);
      CHECK(flag == (sv > model().threshold ? "1" : "0"));
      CHECK(reasons.empty() == (flag == "0"));
    }
    // The planted outlier is flagged, most severe, and its reasons name what is odd.
    CHECK(out[3][7] == "1");
    CHECK(std::atof(out[3][6].c_str()) > std::atof(out[1][6].c_str()));
    CHECK(std::atof(out[3][8].c_str()) >= 95.0);
    CHECK((contains(out[3][9], "data_size_kb 99999 above the usual") ||
           contains(out[3][9], "latency_ms 500 above the usual")));
    CHECK(s.report.rows_read == 3);
    CHECK(s.report.scored == 3);
    CHECK(s.report.flagged >= 1);
  }

  TEST_CASE("a scored file scored again gets its columns replaced in place") {
    std::string input = history(300, 2);
    Scored once = score_csv(input);
    Scored twice = score_csv(once.text);
    CHECK(twice.text == once.text);

    // Scored columns elsewhere in the header are replaced where they are.
    std::string moved = "severity,timestamp,activity_type,data_size_kb,latency_ms,encryption_method\n"
                        "old,2025-01-02 10:00:00,login,120.5,21.00,AES\n";
    auto out = parse(score_csv(moved).text);
    REQUIRE(out[0].size() == 12);
    CHECK(out[0][0] == "severity");
    CHECK(out[0][6] == "anomaly_score");
    CHECK(out[0][8] == "anomaly_reasons");
    CHECK(out[0][11] == "incident_kind");
    CHECK(out[1][0] != "old");
    CHECK(std::regex_match(out[1][0], std::regex("[0-9]+\\.[0-9]")));
    CHECK(out[1][1] == "2025-01-02 10:00:00");
  }

  TEST_CASE("only logins are scored, other rows pass through or are dropped") {
    std::string input = history(60, 3);
    Scored s = score_csv(input);
    auto in = parse(input);
    auto out = parse(s.text);
    REQUIRE(out.size() == in.size());
    std::size_t logins = 0;
    for (std::size_t r = 1; r < out.size(); ++r) {
      bool login = in[r][1] == "login";
      logins += login;
      for (std::size_t k = 0; k < 3; ++k) CHECK(out[r][in[r].size() + k].empty() == !login);
      if (!login) CHECK(out[r][in[r].size() + 3].empty());
    }
    CHECK(s.report.scored == logins);
    CHECK(s.report.not_logins == 60 - logins);

    ad::ScoreOptions opt;
    opt.logins_only = true;
    Scored only = score_csv(input, opt);
    auto rows = parse(only.text);
    CHECK(rows.size() == logins + 1);
    for (std::size_t r = 1; r < rows.size(); ++r) CHECK(rows[r][1] == "login");
    CHECK(only.report.not_logins == 60 - logins);
    CHECK(only.report.scored == logins);
  }

  TEST_CASE("every row ad-score writes reads back through scored.h") {
    // Logins, non-logins passed through, a bad row skipped, and an input that has a
    // trailing column after the scored ones (as a later version's output would).
    std::string input = history(300, 5) + "2025-01-02 10:01:00,login,12O.5,21.00,AES\n";
    ad::ScoreOptions opt;
    opt.on_error = ad::OnError::kSkip;
    for (const std::string& text : {input, score_csv(input, opt).text}) {
      std::string with_extra;
      for (std::size_t at = 0, line = 0; at < text.size(); ++line) {
        std::size_t end = text.find('\n', at);
        with_extra += text.substr(at, end - at) + (line == 0 ? ",incident_id" : ",") + "\n";
        at = end + 1;
      }
      Scored s = score_csv(with_extra, opt);
      REQUIRE(s.report.skipped == 1);
      ad::csv::Reader in(ad::csv::string_lines("out.csv", s.text), "out.csv");
      auto columns = ad::scored::Columns::find(in.header());
      CHECK(columns.complete());
      int activity = 1;
      std::size_t scored = 0, flagged = 0;
      ad::csv::Row row;
      while (in.next(row)) {
        CAPTURE(row.line);
        auto parsed = ad::scored::parse(columns, row, in.name());  // throws on a bad row
        bool login = row.fields[activity] == "login" && row.fields[2] != "12O.5";
        REQUIRE(parsed.has_value() == login);
        if (!parsed) continue;
        ++scored;
        flagged += parsed->flag;
        CHECK(parsed->reasons.empty() == !parsed->flag);
      }
      CHECK(scored == s.report.scored);
      CHECK(flagged == s.report.flagged);
      CHECK(flagged > 0);
    }
  }

  TEST_CASE("bad rows: an error at the field, or skipped and counted") {
    std::string head = "timestamp,activity_type,data_size_kb,latency_ms,encryption_method\n"
                       "2025-01-02 10:00:00,login,120.5,21.00,AES\n";
    std::string tail = "2025-01-02 10:05:00,login,130,22,RSA\n";
    std::string ragged = head + "2025-01-02 10:01:00,login,120.5\n" + tail;
    std::string bad_number = head + "2025-01-02 10:01:00,login,12O.5,21.00,AES\n" + tail;
    std::string bad_time = head + "2025-13-45 10:01:00,login,120.5,21.00,AES\n" + tail;
    {
      ad::Error e = score_error(ragged);
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().file == "in.csv");
      CHECK(e.where().line == 3);
      CHECK(contains(e.message(), "ragged"));
    }
    {
      ad::Error e = score_error(bad_number);
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().line == 3);
      CHECK(e.where().column == 3);
      CHECK(e.where().column_name == "data_size_kb");
      CHECK(contains(e.message(), "12O.5"));
    }
    {
      ad::Error e = score_error(bad_time);
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().line == 3);
      CHECK(e.where().column == 1);
      CHECK(contains(e.message(), "timestamp"));
    }

    ad::ScoreOptions skip;
    skip.on_error = ad::OnError::kSkip;
    {
      // A ragged row cannot be passed through aligned: it is dropped.
      Scored s = score_csv(ragged, skip);
      auto out = parse(s.text);
      REQUIRE(out.size() == 3);
      CHECK(out[1][0] == "2025-01-02 10:00:00");
      CHECK(out[2][0] == "2025-01-02 10:05:00");
      CHECK(s.report.skipped == 1);
      CHECK(s.report.rows_read == 3);
      CHECK(s.report.scored == 2);
      REQUIRE(s.warnings.size() == 2);  // the row, then the count
      CHECK(contains(s.warnings[0], "in.csv:3"));
      CHECK(s.warnings[1] == "1 row with bad data skipped");
    }
    for (const std::string* input : {&bad_number, &bad_time}) {
      // A row with a bad value is kept, unscored.
      Scored s = score_csv(*input, skip);
      auto in = parse(*input);
      auto out = parse(s.text);
      REQUIRE(out.size() == 4);
      CHECK(std::vector<std::string>(out[2].begin(), out[2].begin() + 5) == in[2]);
      for (std::size_t k = 5; k < 9; ++k) CHECK(out[2][k].empty());
      CHECK_FALSE(out[1][5].empty());
      CHECK_FALSE(out[3][5].empty());
      CHECK(s.report.skipped == 1);
      CHECK(s.report.scored == 2);
      CHECK(s.warnings.size() == 2);  // the row, then the count
    }
  }

  TEST_CASE("a header-only input is an error unless allow_empty") {
    std::string header = "timestamp,activity_type,data_size_kb,latency_ms,encryption_method\n";
    ad::Error e = score_error(header);
    CHECK(e.status() == ad::Status::kData);
    CHECK(e.where().file == "in.csv");
    CHECK(contains(e.message(), "only a header"));
    CHECK(contains(e.message(), "--allow-empty"));

    ad::ScoreOptions opt;
    opt.allow_empty = true;
    Scored s = score_csv(header, opt);
    CHECK(s.text == "timestamp,activity_type,data_size_kb,latency_ms,encryption_method,"
                    "anomaly_score,anomaly_flag,severity,anomaly_reasons,incident_id,incident_score,incident_kind\n");
    CHECK(s.report.rows_read == 0);

    CHECK(contains(score_error("").message(), "empty"));
  }

  TEST_CASE("a column the model needs that the input lacks is named") {
    ad::Error e = score_error("timestamp,activity_type,data_size_kb,encryption_method\n"
                              "2025-01-02 10:00:00,login,120.5,AES\n");
    CHECK(e.status() == ad::Status::kData);
    CHECK(contains(e.message(), "'latency_ms'"));
    CHECK(e.where().file == "in.csv");

    // --map cannot rename a generic column, but columns may come in any order and
    // extra columns are passed through.
    std::string reordered = "extra,encryption_method,latency_ms,data_size_kb,activity_type,timestamp\n"
                            "x,AES,21.00,120.5,login,2025-01-02 10:00:00\n";
    auto out = parse(score_csv(reordered).text);
    REQUIRE(out.size() == 2);
    CHECK(out[1][0] == "x");
    CHECK_FALSE(out[1][6].empty());
  }

  TEST_CASE("the output does not depend on the thread count or the batch size") {
    std::string input = history(9000, 4);  // more than two batches
    ad::ScoreOptions one, two;
    one.threads = 1;
    two.threads = 2;
    Scored a = score_csv(input, one);
    Scored b = score_csv(input, two);
    CHECK(a.text == b.text);
    CHECK(a.report.scored == b.report.scored);
    CHECK(a.report.flagged == b.report.flagged);
    CHECK(a.report.rows_read == 9000);
    // A batch boundary changes nothing: the last row scores as it does alone.
    auto rows = parse(a.text);
    std::string header = input.substr(0, input.find('\n') + 1);
    std::size_t last_start = input.rfind('\n', input.size() - 2) + 1;
    auto alone = parse(score_csv(header + input.substr(last_start)).text);
    CHECK(alone[1] == rows.back());
  }

  TEST_CASE("a login whose signals alone reach the signal threshold is flagged, with the signals as reasons") {
    // Ten users log in daily at 09:00 from their own address for 30 days; then user1
    // logs in at home, and 5 minutes later from another country, on a network nobody
    // here uses: impossible travel (between country centroids) during a concurrent
    // session from a new network: 35 + 25 + 10 (two aspects) = 70 points (not a copied
    // session: without a device or user agent column nothing says the client is hers).
    std::string train = "timestamp,user,ip,country\n";
    char buf[128];
    for (int day = 1; day <= 30; ++day)
      for (int u = 0; u < 10; ++u) {
        std::snprintf(buf, sizeof buf, "2025-01-%02dT09:%02d:00Z,user%d,10.0.%d.1,NO\n", day, u, u, u);
        train += buf;
      }
    ad::TrainOptions opt;
    opt.forest.trees = 20;
    opt.forest.seed = 3;
    opt.forest.threads = 1;
    opt.budget = 3;
    ad::csv::Reader in(ad::csv::string_lines("train.csv", train), "train.csv");
    ad::TrainReport report;
    ad::Model m = ad::train(in, opt, report, [](const std::string&) {});
    REQUIRE(m.signal_threshold == ad::kDefaultSignalThreshold);
    m.threshold = 1.0;  // no score is above it: only signals flag
    const std::string logins = "timestamp,user,ip,country\n"
                               "2025-02-01T09:00:00Z,user1,10.0.1.1,NO\n"
                               "2025-02-01T09:05:00Z,user1,198.51.100.7,US\n";
    auto rows = parse(score_csv(logins, {}, m).text);
    REQUIRE(rows.size() == 3);
    const std::size_t flag = 5, reasons = 7;
    REQUIRE(rows[0][flag] == "anomaly_flag");
    CHECK(rows[1][flag] == "0");
    CHECK(rows[2][flag] == "1");
    // The three signals worth most points, in that order.
    CHECK(rows[2][reasons] ==
          "travel ~7187 km in 5 min since NO (country centroids); 2 sessions 5 min apart from different networks: "
          "10.0.0.0/16, then 198.51.0.0/16 (new for user, unused here); new country for user: US (usual: NO)");
    CHECK_FALSE(rows[2][8].empty());  // it has an incident
    m.signal_threshold = 70;
    CHECK(parse(score_csv(logins, {}, m).text)[2][flag] == "1");
    m.signal_threshold = 71;
    CHECK(parse(score_csv(logins, {}, m).text)[2][flag] == "0");
    m.signal_threshold = 0;
    CHECK(parse(score_csv(logins, {}, m).text)[2][flag] == "0");
  }
}
