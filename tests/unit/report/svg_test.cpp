#include "ad/report/svg.h"

#include <doctest/doctest.h>

#include <string>

namespace {
bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}
int count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (auto p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}
}  // namespace

TEST_SUITE("svg") {
  TEST_CASE("num writes at most one decimal and never -0") {
    CHECK(ad::svg::num(3.0) == "3");
    CHECK(ad::svg::num(1.25) == "1.3");
    CHECK(ad::svg::num(-2.55) == "-2.6");
    CHECK(ad::svg::num(-0.04) == "0");
    CHECK(ad::svg::num(43.333) == "43.3");
    CHECK(ad::svg::num(1140) == "1140");
  }

  TEST_CASE("format_count groups thousands") {
    CHECK(ad::svg::format_count(0) == "0");
    CHECK(ad::svg::format_count(999) == "999");
    CHECK(ad::svg::format_count(1000) == "1,000");
    CHECK(ad::svg::format_count(1234567) == "1,234,567");
  }

  TEST_CASE("nice_ticks picks 1, 2, 2.5 or 5 times a power of ten") {
    auto t = ad::svg::nice_ticks(0, 1234, 5, true);
    CHECK(t.step == 250);
    CHECK(t.lo == 0);
    CHECK(t.hi == 1250);
    CHECK(t.values == std::vector<double>{0, 250, 500, 750, 1000, 1250});

    t = ad::svg::nice_ticks(0, 7, 4, true);
    CHECK(t.step == 2);
    CHECK(t.values == std::vector<double>{0, 2, 4, 6, 8});

    t = ad::svg::nice_ticks(0.4, 0.82, 5);
    CHECK(t.step == doctest::Approx(0.1));
    CHECK(t.values.size() == 6);
    CHECK(t.values.front() == doctest::Approx(0.4));
    CHECK(t.values.back() == doctest::Approx(0.9));
    CHECK(t.values[1] == 0.5);  // no 0.50000000000000001
  }

  TEST_CASE("nice_ticks for counts of zero or one still make an axis") {
    for (double hi : {0.0, 1.0}) {
      auto t = ad::svg::nice_ticks(0, hi, 4, true);
      CHECK(t.lo == 0);
      CHECK(t.hi == 1);
      CHECK(t.step == 1);
      CHECK(t.values == std::vector<double>{0, 1});
    }
    auto t = ad::svg::nice_ticks(5, 5, 4);  // one non-zero value: a domain around it
    CHECK(t.lo <= 5);
    CHECK(t.hi >= 5);
    CHECK(t.hi > t.lo);
  }

  TEST_CASE("log_ticks go by decades, every other one past six") {
    CHECK(ad::svg::log_ticks(1).values == std::vector<double>{1, 10});
    CHECK(ad::svg::log_ticks(12345).values == std::vector<double>{1, 10, 100, 1000, 10000, 100000});
    CHECK(ad::svg::log_ticks(1e8).values == std::vector<double>{1, 100, 1e4, 1e6, 1e8});
  }

  TEST_CASE("tick labels") {
    CHECK(ad::svg::tick_label(0, 250) == "0");
    CHECK(ad::svg::tick_label(1250, 250) == "1,250");
    CHECK(ad::svg::tick_label(2500, 2500) == "2.5k");
    CHECK(ad::svg::tick_label(20000, 5000) == "20k");
    CHECK(ad::svg::tick_label(3e6, 1e6) == "3M");
    CHECK(ad::svg::tick_label(0.25, 0.25) == "0.25");
    CHECK(ad::svg::tick_label(0.5, 0.25) == "0.50");
    CHECK(ad::svg::tick_label(0.6, 0.1) == "0.6");
  }

  TEST_CASE("scales") {
    ad::svg::LinearScale y(0, 4, 100, 20);
    CHECK(y(0) == 100);
    CHECK(y(1) == 80);
    CHECK(y(4) == 20);
    ad::svg::LogScale l(1, 1000, 0, 300);
    CHECK(l(1) == 0);
    CHECK(l(10) == doctest::Approx(100));
    CHECK(l(1000) == doctest::Approx(300));
    CHECK(l(0) == 0);
    CHECK(l(0.5) == 0);
  }

  TEST_CASE("colours") {
    CHECK(ad::svg::viridis(0) == "#440154");
    CHECK(ad::svg::viridis(0.5) == "#21918C");
    CHECK(ad::svg::viridis(1) == "#FDE725");
    CHECK(ad::svg::viridis(-3) == "#440154");
    CHECK(ad::svg::viridis(7) == "#FDE725");
    CHECK(std::string(ad::svg::text_colour_on("#440154")) == "#FFFFFF");
    CHECK(std::string(ad::svg::text_colour_on("#FDE725")) == "#000000");
  }

  TEST_CASE("bar chart geometry") {
    ad::svg::BarChart c;
    c.id = "t";
    c.title = "T";
    c.desc = "D";
    c.width = 200;
    c.margins = {20, 20, 20, 20};
    c.categories = 2;
    c.panels = {{"count", 100, {{"a", "#0072B2"}}, {{1}, {2}}}};
    c.x_labels = {{1, "B\nsecond"}};
    std::string s = ad::svg::render(c);
    // Plot 160 wide: two bands of 80, bars 48 wide (capped), centred.
    // y: 0..2 over 120..20, so 1 is at 70.
    CHECK(has(s, "width=\"200\" height=\"140\" viewBox=\"0 0 200 140\""));
    CHECK(has(s, "<rect class=\"bar\" x=\"36\" y=\"70\" width=\"48\" height=\"50\" fill=\"#0072B2\"/>"));
    CHECK(has(s, "<rect class=\"bar\" x=\"116\" y=\"20\" width=\"48\" height=\"100\" fill=\"#0072B2\"/>"));
    CHECK(has(s, "<line class=\"grid\" x1=\"20\" y1=\"70\" x2=\"180\" y2=\"70\""));
    CHECK(has(s, "<text class=\"tick\" x=\"14\" y=\"70\" text-anchor=\"end\" dy=\"0.32em\">1</text>"));
    CHECK(has(s, "<line class=\"axis\" x1=\"140\" y1=\"120\" x2=\"140\" y2=\"125\""));
    CHECK(has(s, "<text class=\"tick\" x=\"140\" y=\"138\" text-anchor=\"middle\">B<tspan x=\"140\" dy=\"1.2em\">second</tspan></text>"));
    CHECK(has(s, "role=\"img\" aria-labelledby=\"t-t t-d\""));
    CHECK(has(s, "<title id=\"t-t\">T</title>"));
    CHECK(has(s, "<desc id=\"t-d\">D</desc>"));
    CHECK(count(s, "class=\"bar\"") == 2);
  }

  TEST_CASE("stacked bars start where the one below ends") {
    ad::svg::BarChart c;
    c.id = "s";
    c.width = 200;
    c.margins = {20, 20, 20, 20};
    c.categories = 1;
    c.panels = {{"count", 100, {{"a", "#111111"}, {"b", "#222222"}}, {{1, 3}}}};
    std::string s = ad::svg::render(c);
    // A single category is one band of 160; the bar is 48 wide at 20 + 56. y: 0..4 over 120..20.
    CHECK(has(s, "<rect class=\"bar\" x=\"76\" y=\"95\" width=\"48\" height=\"25\" fill=\"#111111\"/>"));
    CHECK(has(s, "<rect class=\"bar\" x=\"76\" y=\"20\" width=\"48\" height=\"75\" fill=\"#222222\"/>"));
    CHECK(has(s, ">a</text>"));  // two series: a legend
  }

  TEST_CASE("histogram geometry with a marker") {
    ad::svg::Histogram h;
    h.id = "h";
    h.width = 100;
    h.height = 50;
    h.margins = {10, 10, 10, 10};
    h.lo = 0;
    h.hi = 1;
    h.total = {1, 3, 0, 2};
    h.highlight = {0, 0, 0, 2};
    h.total_series = {"all", "#56B4E9"};
    h.highlight_series = {"flagged", "#D55E00"};
    h.marker = 0.5;
    h.marker_label = "threshold";
    std::string s = ad::svg::render(h);
    // Bins of 25 with a gap of 1; y: 0..3 over 60..10.
    CHECK(has(s, "<rect class=\"bar\" x=\"10\" y=\"43.3\" width=\"24\" height=\"16.7\" fill=\"#56B4E9\"/>"));
    CHECK(has(s, "<rect class=\"bar\" x=\"35\" y=\"10\" width=\"24\" height=\"50\" fill=\"#56B4E9\"/>"));
    CHECK(has(s, "<rect class=\"bar\" x=\"85\" y=\"26.7\" width=\"24\" height=\"33.3\" fill=\"#D55E00\"/>"));
    CHECK(count(s, "class=\"bar\"") == 4);  // the empty bin draws nothing
    CHECK(has(s, "<line class=\"marker\" x1=\"60\" y1=\"8\" x2=\"60\" y2=\"60\""));
    CHECK(has(s, ">threshold</text>"));
    // x ticks for a 100 wide plot: 0, 0.5, 1.
    CHECK(has(s, "<text class=\"tick\" x=\"60\" y=\"78\" text-anchor=\"middle\">0.5</text>"));
  }

  TEST_CASE("histogram on a log axis") {
    ad::svg::Histogram h;
    h.id = "l";
    h.width = 100;
    h.height = 60;
    h.margins = {10, 10, 10, 10};
    h.total = {1000, 10};
    h.highlight = {0, 10};
    h.log_y = true;
    std::string s = ad::svg::render(h);
    // Ticks 1, 10, 100, 1000; the axis runs from 0.5 (so a count of 1 shows) to 1000.
    CHECK(has(s, ">1</text>"));
    CHECK(has(s, ">1k</text>"));  // 1, 10, 100, 1k
    CHECK(has(s, "<rect class=\"bar\" x=\"10\" y=\"10\" width=\"49\" height=\"60\""));
  }

  TEST_CASE("horizontal bars geometry") {
    ad::svg::HBarChart c;
    c.id = "hb";
    c.width = 300;
    c.label_width = 100;
    c.labels = {"alice", "<script>alert(1)</script>"};
    c.values = {4, 2};
    std::string s = ad::svg::render(c);
    // Plot from 108 to 260, ticks 0, 2, 4; rows of 20 from y = 8, bars 14 high.
    CHECK(has(s, "<rect class=\"bar\" x=\"108\" y=\"11\" width=\"152\" height=\"14\""));
    CHECK(has(s, "<rect class=\"bar\" x=\"108\" y=\"31\" width=\"76\" height=\"14\""));
    CHECK(has(s, "<text class=\"tick\" x=\"184\" y=\"64\" text-anchor=\"middle\">2</text>"));
    CHECK(has(s, "width=\"300\" height=\"84\""));
    CHECK_FALSE(has(s, "<script"));
    CHECK(has(s, "<title>&lt;script&gt;alert(1)&lt;/script&gt;: 2</title>"));
    CHECK(has(s, ">&lt;script&gt;aler…</text>"));  // cut to the 13 characters that fit
  }

  TEST_CASE("heat map cells and colours") {
    ad::svg::HeatMap m;
    m.id = "hm";
    m.margins = {10, 10, 10, 60};
    m.cell_width = 20;
    m.cell_height = 10;
    m.values = {{0, 1}, {2, 4}};
    m.row_labels = {"a", "b"};
    std::string s = ad::svg::render(m);
    CHECK(has(s, "<rect class=\"cell\" x=\"10\" y=\"10\" width=\"19\" height=\"9\" fill=\"#EEEEEE\"/>"));
    CHECK(has(s, "<rect class=\"cell\" x=\"30\" y=\"10\" width=\"19\" height=\"9\" fill=\"#5EC962\"/>"));
    CHECK(has(s, "<rect class=\"cell\" x=\"10\" y=\"20\" width=\"19\" height=\"9\" fill=\"#21918C\"/>"));
    CHECK(has(s, "<rect class=\"cell\" x=\"30\" y=\"20\" width=\"19\" height=\"9\" fill=\"#440154\"/>"));
    CHECK(has(s, "fill=\"#FFFFFF\">4</text>"));  // white on the darkest cell
    CHECK(has(s, "width=\"60\" height=\"90\""));
  }

  TEST_CASE("empty charts say so") {
    ad::svg::BarChart b;
    b.id = "e1";
    b.panels = {{"count", 100, {{"a", "#000000"}}, {}}};
    CHECK(has(ad::svg::render(b), ">no data</text>"));
    ad::svg::HBarChart h;
    h.id = "e2";
    CHECK(has(ad::svg::render(h), ">none</text>"));
    ad::svg::HeatMap m;
    m.id = "e3";
    m.values = {{0, 0}};
    CHECK(has(ad::svg::render(m), ">no anomalies</text>"));
    ad::svg::Histogram g;
    g.id = "e4";
    CHECK(has(ad::svg::render(g), ">no data</text>"));
  }

  TEST_CASE("every text from the data is escaped, titles and legends too") {
    ad::svg::BarChart c;
    c.id = "x\"y";
    c.title = "<b>";
    c.desc = "&";
    c.categories = 1;
    c.panels = {{"<i>", 100, {{"<s1>", "#000000"}, {"<s2>", "#000000"}}, {{1, 1}}}};
    c.category_titles = {"<img src=x onerror=alert(1)>"};
    c.x_labels = {{0, "<u>"}};
    std::string s = ad::svg::render(c);
    CHECK_FALSE(has(s, "<b>"));
    CHECK_FALSE(has(s, "<i>"));
    CHECK_FALSE(has(s, "<s1>"));
    CHECK_FALSE(has(s, "<u>"));
    CHECK_FALSE(has(s, "<img"));
    CHECK(has(s, "id=\"x&quot;y-t\""));
    CHECK(has(s, "&lt;img src=x onerror=alert(1)&gt;"));
  }
}
