#include "ad/import/importer.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "ad/core/error.h"
#include "testutil.h"

using namespace ad::import;

namespace {

struct Result {
  std::string csv;
  ImportSummary summary;
};

// Runs run_import over input (written to a file) with o; returns the CSV written.
Result import_text(const std::string& input, ImportOptions o) {
  testutil::TempDir dir;
  o.path = dir.file("in");
  {
    std::ofstream f(o.path, std::ios::binary);
    f << input;
  }
  std::string out_path = dir.file("out.csv");
  int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  Result r;
  {
    ad::Output out(fd, "out.csv");
    try {
      r.summary = run_import(o, out);
    } catch (...) {
      ::close(fd);
      throw;
    }
    out.flush();
  }
  ::close(fd);
  r.csv = testutil::slurp(out_path);
  return r;
}

ImportOptions options(Format f, bool skip = false) {
  ImportOptions o;
  o.format = f;
  o.skip_bad = skip;
  o.year = 2024;
  return o;
}

const char* kHeader = "timestamp,user_id,ip_address,country,city,latitude,longitude,device_type,user_agent,status,"
                      "activity_type,event_id";

}  // namespace

TEST_CASE("format names") {
  CHECK(parse_format("sshd") == Format::kSshd);
  CHECK(parse_format("cloudtrail") == Format::kCloudtrail);
  CHECK_FALSE(parse_format("syslog"));
}

TEST_CASE("sshd: a bad line fails with its file and line, or is skipped and counted") {
  std::string log = "May  1 08:00:00 h sshd[1]: Failed password for root from 1.2.3.4 port 22 ssh2\n"
                    "this is not syslog\n"
                    "May  1 08:00:05 h sshd[1]: Accepted password for root from 1.2.3.4 port 22 ssh2\n";
  try {
    import_text(log, options(Format::kSshd));
    FAIL("no error");
  } catch (const ad::Error& e) {
    CHECK(e.where().line == 2);
    CHECK(e.where().file.find("/in") != std::string::npos);
  }
  Result r = import_text(log, options(Format::kSshd, true));
  CHECK(r.summary.records == 3);
  CHECK(r.summary.logins == 2);
  CHECK(r.summary.skipped == 1);
  REQUIRE(r.summary.first_skipped);
  CHECK(r.summary.first_skipped->find(":2: not a syslog line") != std::string::npos);
  CHECK(r.csv.rfind(std::string(kHeader) + ",host,auth_method,invalid_user\n", 0) == 0);
}

TEST_CASE("an empty input is a header alone") {
  Result r = import_text("", options(Format::kOkta));
  CHECK(r.csv == std::string(kHeader) + ",os,browser,outcome_reason,state,session_id\n");
  CHECK(r.summary.records == 0);
}

TEST_CASE("JSON-only formats refuse text") {
  CHECK_THROWS_WITH_AS(import_text("Date (UTC),User\n", options(Format::kCloudtrail)),
                       doctest::Contains("not JSON"), ad::Error);
}

TEST_CASE("entra: CSV or JSON, seen from the first character") {
  Result csv = import_text("\xEF\xBB\xBF" "Date (UTC),Username,IP address,Status\n2024-05-01T08:00:00Z,a@c,1.2.3.4,Success\n",
                           options(Format::kEntra));
  Result json = import_text("\n  [{\"createdDateTime\":\"2024-05-01T08:00:00Z\",\"userPrincipalName\":\"a@c\","
                            "\"ipAddress\":\"1.2.3.4\",\"status\":{\"errorCode\":0}}]\n",
                            options(Format::kEntra));
  std::string row = "2024-05-01T08:00:00Z,a@c,1.2.3.4,,,,,,,success,login,";
  CHECK(csv.csv.find("\n" + row) != std::string::npos);
  CHECK(json.csv.find("\n" + row) != std::string::npos);
  CHECK_THROWS_WITH_AS(import_text("a,b\n1,2\n", options(Format::kEntra)),
                       doctest::Contains("not an Entra sign-in CSV"), ad::Error);
}

TEST_CASE("a ragged Entra CSV row is skipped like any bad record") {
  Result r = import_text("Date (UTC),Username,IP address\n2024-05-01T08:00:00Z,a,1.2.3.4\nx,y\n"
                         "2024-05-01T09:00:00Z,b,1.2.3.5\n",
                         options(Format::kEntra, true));
  CHECK(r.summary.logins == 2);
  CHECK(r.summary.skipped == 1);
}
