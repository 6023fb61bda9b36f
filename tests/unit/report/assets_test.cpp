#include "ad/report/assets.h"

#include <doctest/doctest.h>

#include <string>

TEST_SUITE("assets") {
  TEST_CASE("the style sheet loads nothing and hides the controls in print") {
    std::string css(ad::report::page_style());
    for (const char* fetch : {"url(", "@import", "@font-face"}) CHECK(css.find(fetch) == std::string::npos);
    auto print = css.find("@media print");
    REQUIRE(print != std::string::npos);
    CHECK(css.find("details", print) != std::string::npos);
  }

  TEST_CASE("the script works on the anomalies table and says when it ran") {
    std::string js(ad::report::page_script());
    CHECK(js.find("\"use strict\"") != std::string::npos);
    CHECK(js.find("getElementById(\"anomaly-table\")") != std::string::npos);
    CHECK(js.find("setAttribute(\"data-script\", \"ready\")") != std::string::npos);
    for (const char* never : {"fetch(", "XMLHttpRequest", "eval(", "innerHTML"}) CHECK(js.find(never) == std::string::npos);
  }
}
