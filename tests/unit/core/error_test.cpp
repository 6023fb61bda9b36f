#include "ad/core/error.h"

#include <doctest/doctest.h>

#include "ad/core/cli.h"

TEST_SUITE("error") {
  TEST_CASE("messages carry as much location as is known") {
    CHECK(ad::format_message({}, "boom") == "boom");
    CHECK(ad::format_message({"f.csv"}, "boom") == "f.csv: boom");
    CHECK(ad::format_message({"f.csv", 7}, "boom") == "f.csv:7: boom");
    CHECK(ad::format_message({"f.csv", 7, 3, "city"}, "boom") == "f.csv:7:3: boom (column 'city')");
    ad::Error e = ad::data_error("bad", {"x", 1, 2});
    CHECK(e.status() == ad::Status::kData);
    CHECK(e.message() == "bad");
    CHECK(std::string(e.what()) == "x:1:2: bad");
  }

  TEST_CASE("no control character, line break or bidi control in a message reaches stderr") {
    ad::Error e = ad::data_error("bad value '\x1b[31mx\ny\u202e'", {"in\x1b]0;t\x07.csv", 2, 3, "ti\nme"});
    CHECK(e.message() == "bad value '\\x1b[31mx\\x0ay\\u202e'");
    CHECK(e.where().file == "in\\x1b]0;t\\x07.csv");
    CHECK(e.where().column_name == "ti\\x0ame");
    CHECK(std::string(e.what()) ==
          "in\\x1b]0;t\\x07.csv:2:3: bad value '\\x1b[31mx\\x0ay\\u202e' (column 'ti\\x0ame')");
    CHECK(std::string(ad::usage_error("\r").what()) == "\\x0d");
  }

  TEST_CASE("exit statuses are an API and never change") {
    CHECK(static_cast<int>(ad::Status::kOk) == 0);
    CHECK(static_cast<int>(ad::Status::kData) == 1);
    CHECK(static_cast<int>(ad::Status::kUsage) == 2);
    CHECK(static_cast<int>(ad::Status::kIo) == 3);
    CHECK(static_cast<int>(ad::Status::kInternal) == 70);
    CHECK(static_cast<int>(ad::Status::kUnavailable) == 75);
  }

}
