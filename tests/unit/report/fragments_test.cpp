#include "ad/report/fragments.h"

#include <doctest/doctest.h>

TEST_SUITE("fragments") {
  TEST_CASE("counts, shares and bands in words") {
    CHECK(ad::report::count_of(1, "login", "logins") == "1 login");
    CHECK(ad::report::count_of(2345, "login", "logins") == "2,345 logins");
    CHECK(ad::report::pct(1, 3) == "33.3%");
    CHECK(ad::report::pct(1, 200000) == "<0.01%");
    CHECK(ad::report::pct(1, 0) == "0%");
    CHECK(ad::report::bands_text({1, 0, 0, 3}) == "3 critical, 1 low");
    CHECK(ad::report::band_badge(ad::scored::Band::kHigh) == "<span class=\"band b2\">high</span>");
    CHECK(ad::report::bar_colour(ad::scored::Band::kCritical) == "#BD0026");
  }

  TEST_CASE("tables and cells escape what they are given") {
    std::string t = ad::report::data_table({"<h>", "n"}, {{"<a>", "1"}}, "<s>");
    CHECK(t.find("<summary>&lt;s&gt;</summary>") != std::string::npos);
    CHECK(t.find("<th scope=\"col\">&lt;h&gt;</th>") != std::string::npos);
    CHECK(t.find("<td>&lt;a&gt;</td><td class=\"num\">1</td>") != std::string::npos);
    CHECK(ad::report::data_table({"a", "b"}, {}).find("<td colspan=\"2\">none</td>") != std::string::npos);
    CHECK(ad::report::reason_lines("<x>; y") == "&lt;x&gt;<br>y");
    ad::aggregate::Anomaly a;
    a.user = "<u>";
    a.severity = 99.95;
    std::string cells = ad::report::anomaly_cells(a);
    CHECK(cells.find("<td>&lt;u&gt;</td>") != std::string::npos);
    CHECK(cells.find("99.9 <span class=\"band b3\">critical</span>") != std::string::npos);
    CHECK(cells.find("data-v=\"-1e300\">&ndash;") != std::string::npos);  // no time
  }
}
