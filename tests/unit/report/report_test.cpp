#include "ad/core/scored.h"
#include "ad/report/csp.h"
#include "ad/report/report.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <fstream>
#include <sstream>

namespace {

const char* kHeader =
    "event_id,timestamp,user_id,ip_address,country,city,device_type,status,"
    "anomaly_score,anomaly_flag,severity,anomaly_reasons\n";

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/ad_report_test_XXXXXX";
    int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    ::close(fd);
    path = name;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

// Runs the report over inputs and returns the HTML.
std::string report(const std::vector<std::string>& contents, ad::report::Options options = {},
                   ad::report::Summary* summary = nullptr) {
  std::vector<std::unique_ptr<TempFile>> files;
  std::vector<std::string> paths;
  for (const auto& c : contents) {
    files.push_back(std::make_unique<TempFile>(c));
    paths.push_back(files.back()->path);
  }
  TempFile out("");
  {
    ad::AtomicFile f(out.path);
    auto s = ad::report::run(paths, options, f.out());
    if (summary) *summary = s;
    f.commit();
  }
  std::ifstream in(out.path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string between(const std::string& s, const std::string& open, const std::string& close) {
  auto a = s.find(open);
  REQUIRE(a != std::string::npos);
  a += open.size();
  auto b = s.find(close, a);
  REQUIRE(b != std::string::npos);
  return s.substr(a, b - a);
}

}  // namespace

TEST_SUITE("report") {
  TEST_CASE("the policy allows exactly the page's own style and script") {
    std::string html = report({std::string(kHeader) +
                               "1,2024-05-01T08:00:00Z,bob,10.0.0.2,NO,Oslo,Web,success,0.7,1,99.5,new IP\n"});
    std::string script = between(html, "<script>", "</script>");
    std::string style = between(html, "<style>", "</style>");
    std::string policy = between(html, "http-equiv=\"Content-Security-Policy\" content=\"", "\"");
    CHECK(has(policy, "default-src 'none'"));
    CHECK(has(policy, "script-src " + ad::report::csp_hash(script) + ";"));
    CHECK(has(policy, "style-src " + ad::report::csp_hash(style) + ";"));
    CHECK_FALSE(has(html, " style=\""));  // inline style attributes would be blocked
    for (const char* fetch : {"href=", "src=", "url(", "@import", "<link", "<img", "<iframe"})
      CHECK_FALSE(has(html, fetch));  // nothing that could load anything
  }

  TEST_CASE("hostile values are escaped everywhere") {
    std::string html = report({std::string(kHeader) +
                               "1,2024-05-01T08:00:00Z,<script>alert(1)</script>,10.0.0.2,\"<b>NO\","
                               "<img src=x onerror=alert(1)>,Web,success,0.9,1,99.9,\"a\"\"b; <i>c</i>\"\n"});
    CHECK_FALSE(has(html, "<script>alert"));
    CHECK_FALSE(has(html, "<img"));
    CHECK_FALSE(has(html, "<b>NO"));
    CHECK_FALSE(has(html, "<i>c"));
    CHECK(has(html, "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
    CHECK(has(html, "<td>&lt;img src=x onerror=alert(1)&gt;, &lt;b&gt;NO</td>"));
    CHECK(has(html, "<td class=\"reasons\">a&quot;b<br>&lt;i&gt;c&lt;/i&gt;</td>"));
    CHECK(std::count(html.begin(), html.end(), '<') > 100);  // a real page was written
  }

  TEST_CASE("headline figures and plots") {
    ad::report::Summary s;
    std::string html = report({std::string(kHeader) +
                                   "1,2024-05-01T08:00:00Z,alice,10.0.0.1,NO,Oslo,Web,success,0.41,0,40,\n"
                                   "2,2024-05-01T09:00:00Z,bob,10.0.0.2,RO,,Web,failure,0.72,1,99.5,x\n"
                                   "3,2024-05-01T10:00:00Z,bob,10.0.0.2,RO,,Web,failure,0.81,1,99.95,y\n"
                                   "4,2024-05-01T11:00:00Z,carol,,,,,,,,,\n",
                               std::string(kHeader) +
                                   "5,not a time,dave,10.0.0.4,SE,,Web,success,0.5,0,60,\n"},
                              {}, &s);
    CHECK(s.events == 5);
    CHECK(s.scored == 4);
    CHECK(s.flagged == 2);
    CHECK(s.untimed == 1);
    REQUIRE(s.first_untimed);
    CHECK(s.first_untimed->line == 2);
    CHECK(s.first_untimed->column == 2);
    CHECK(has(html, "<dt>Events</dt><dd>5</dd>"));
    CHECK(has(html, "<dt>Logins scored</dt><dd>4</dd>"));
    CHECK(has(html, "<dt>Flagged</dt><dd>2 <small>50.0%</small></dd>"));
    CHECK(has(html, "<dt>Users affected</dt><dd>1</dd>"));
    CHECK(has(html, "<dt>Span</dt><dd>3 h</dd>"));
    CHECK(has(html, "Threshold 0.720000"));
    CHECK(has(html, "1 row had no valid time"));
    for (const char* id : {"c-time", "c-scores", "c-heat", "c-users", "c-ips", "c-countries"})
      CHECK(has(html, std::string("aria-labelledby=\"") + id + "-t " + id + "-d\""));
    CHECK(has(html, "All 2 flagged logins"));
    // Most severe first.
    CHECK(html.find("99.9 <span class=\"band b3\">critical</span>") <
          html.find("99.5 <span class=\"band b2\">high</span>"));
  }

  TEST_CASE("a severity's band is scored.h's, as in ad-mail") {
    for (double severity : {97.0, 99.0, 99.2, 99.5, 99.7, 99.9, 100.0}) {
      char row[128];
      std::snprintf(row, sizeof row, "1,2024-05-01T08:00:00Z,bob,10.0.0.2,RO,,Web,failure,0.8,1,%.1f,x\n",
                    severity);
      std::string html = report({std::string(kHeader) + row});
      auto band = ad::scored::band_of(severity);
      char cell[128];
      std::snprintf(cell, sizeof cell, "%.1f <span class=\"band b%d\">%s</span>", severity,
                    static_cast<int>(band), std::string(ad::scored::band_name(band)).c_str());
      CAPTURE(severity);
      CHECK(has(html, cell));
    }
    CHECK(ad::scored::band_name(ad::scored::band_of(99.2)) == "medium");
  }

  TEST_CASE("the table is capped and says so") {
    std::string rows = kHeader;
    for (int i = 0; i < 5; ++i)
      rows += "1,2024-05-01T0" + std::to_string(i) + ":00:00Z,u" + std::to_string(i) + ",10.0.0.1,NO,,Web,ok,0.9,1,9" +
              std::to_string(5 + i) + ",r\n";
    ad::report::Options o;
    o.top = 2;
    std::string html = report({rows}, o);
    CHECK(has(html, "The <strong>2 most severe</strong> of 5 flagged logins"));
    std::string body = between(html, "<tbody>\n<tr class=\"s", "</table>");
    CHECK(has(body, "<td>u4</td>"));
    CHECK(has(body, "<td>u3</td>"));
    CHECK_FALSE(has(body, "<td>u2</td>"));
  }

  TEST_CASE("inputs without the scored columns or with bad fields are data errors") {
    TempFile plain("user_id,timestamp\nbob,2024-05-01T00:00:00Z\n");
    ad::aggregate::Aggregator a;
    ad::report::Summary s;
    try {
      ad::report::read_scored(plain.path, {}, a, s);
      FAIL("no error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kData);
      CHECK(e.where().line == 1);
      CHECK(e.message().find("anomaly_score") != std::string::npos);
    }
    struct Case {
      const char* row;
      std::uint32_t column;
    };
    for (Case c : {Case{"1,2024-05-01T00:00:00Z,bob,1.1.1.1,NO,,Web,ok,1.5,1,99,\n", 9},
                   Case{"1,2024-05-01T00:00:00Z,bob,1.1.1.1,NO,,Web,ok,nan,1,99,\n", 9},
                   Case{"1,2024-05-01T00:00:00Z,bob,1.1.1.1,NO,,Web,ok,0.5,yes,99,\n", 10},
                   Case{"1,2024-05-01T00:00:00Z,bob,1.1.1.1,NO,,Web,ok,0.5,true,99,\n", 10},
                   Case{"1,2024-05-01T00:00:00Z,bob,1.1.1.1,NO,,Web,ok,0.5,,99,\n", 10},
                   Case{"1,2024-05-01T00:00:00Z,bob,1.1.1.1,NO,,Web,ok,0.5,1,,\n", 11},
                   Case{"1,2024-05-01T00:00:00Z,bob,1.1.1.1,NO,,Web,ok,0.5,1,101,\n", 11}}) {
      TempFile bad(std::string(kHeader) + "1,2024-05-01T00:00:00Z,ann,1.1.1.1,NO,,Web,ok,0.5,0,50,\n" + c.row);
      CAPTURE(c.row);
      try {
        ad::report::read_scored(bad.path, {}, a, s);
        FAIL("no error");
      } catch (const ad::Error& e) {
        CHECK(e.status() == ad::Status::kData);
        CHECK(e.where().line == 3);
        CHECK(e.where().column == c.column);
      }
    }
  }

  TEST_CASE("--on-error skip counts bad rows and goes on") {
    ad::report::Options o;
    o.skip_bad_rows = true;
    ad::report::Summary s;
    report({std::string(kHeader) + "1,2024-05-01T00:00:00Z,a,1.1.1.1,NO,,Web,ok,2,1,99,\n" +
            "2,2024-05-01T00:00:00Z,b,1.1.1.1,NO,,Web,ok\n" +
            "3,2024-05-01T00:00:00Z,c,1.1.1.1,NO,,Web,ok,0.9,1,99,\n"},
           o, &s);
    CHECK(s.skipped == 2);
    CHECK(s.events == 1);
    REQUIRE(s.first_skipped);
    CHECK(s.first_skipped->find(":2:9:") != std::string::npos);
  }

  TEST_CASE("standard input can be named only once") {
    ad::Output null(-1, "null");
    CHECK_THROWS_AS(ad::report::run({"-", "-"}, {}, null), ad::Error);
  }

  TEST_CASE("an empty input (header only) still makes a complete page") {
    std::string html = report({kHeader});
    CHECK(has(html, "No row of the input was scored."));
    CHECK(has(html, "No row had a valid time"));
    CHECK(has(html, "</html>\n"));
  }

  TEST_CASE("with the incident columns, incidents come first and the table links to them") {
    std::string header = std::string(kHeader).substr(0, std::string(kHeader).size() - 1) +
                         ",incident_id,incident_score,incident_kind\n";
    std::string rows =
        "1,2024-05-29T03:00:00Z,bob,203.0.113.9,RU,,Web,failure,0.7,1,99.5,burst,I-a,40,novelty\n"
        "2,2024-05-29T03:01:00Z,bob,203.0.113.9,RU,,Web,failure,0.8,1,99.9,burst,I-a,65,brute_force\n"
        "3,2024-05-29T03:02:00Z,alice,10.0.0.1,NO,,Web,success,0.4,0,50,,,,\n"
        "4,2024-05-29T09:00:00Z,carol,10.0.0.3,NO,,Web,success,0.65,1,99.2,odd hour,I-b,10,off_hours\n";
    ad::report::Options o;
    o.top_incidents = 1;
    std::string html = report({header + rows}, o);
    auto at = [&](const char* what) { return html.find(what); };
    REQUIRE(at("id=\"h-incidents\"") != std::string::npos);
    CHECK(at("<dt>Incidents</dt><dd>2</dd>") < at("<dt>Events</dt>"));
    CHECK(at("id=\"h-incidents\"") < at("id=\"c-incidents\""));
    CHECK(at("id=\"c-incidents\"") < at("id=\"c-time\""));
    CHECK(has(html, "By kind: 1 brute_force, 1 off_hours."));
    CHECK(has(html, "The <strong>1 highest-ranked</strong> of 2 incidents"));
    CHECK(has(html, "<td class=\"mono\"><a href=\"#inc-1\">I-a</a></td>"));  // kept: linked
    CHECK(has(html, "<td class=\"mono\">I-b</td>"));                          // not kept: named
    CHECK(has(html, "<th scope=\"col\">Incident</th>"));

    std::string old = report({std::string(kHeader) + "1,2024-05-29T03:00:00Z,bob,1.2.3.4,RU,,Web,failure,0.7,1,99.5,x\n"});
    for (const char* part : {"h-incidents", "c-incidents", "Incident</th>", "<dt>Incidents", "kpis minor"})
      CHECK_FALSE(has(old, part));  // older output: the report as before
  }
}
