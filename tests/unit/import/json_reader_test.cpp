#include "ad/import/json_reader.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using ad::import::JsonReader;
using ad::import::JsonRecord;

namespace {

// Reads every record; a malformed one becomes "error@<line>: <message>".
std::vector<std::string> read_all(const std::string& text) {
  auto lines = ad::csv::string_lines("t.json", text);
  JsonReader reader(*lines, "t.json");
  std::vector<std::string> out;
  for (;;) {
    // Every call reads on: with --on-error skip, a call that failed at the same place
    // again would never end.
    REQUIRE(out.size() < 100);
    JsonRecord r;
    try {
      if (!reader.next(r)) break;
      out.push_back(std::to_string(r.line) + ":" + r.value.dump());
    } catch (const ad::Error& e) {
      out.push_back("error@" + std::to_string(e.where().line) + ": " + e.message());
    }
  }
  return out;
}

}  // namespace

TEST_CASE("JSON Lines, one record per line") {
  CHECK(read_all("{\"a\":1}\n\n{\"a\":2}\n") == std::vector<std::string>{"1:{\"a\":1}", "3:{\"a\":2}"});
}

TEST_CASE("a pretty-printed array is read element by element, with their lines") {
  auto r = read_all("[\n  {\n    \"a\": \"x]}\\\"\"\n  },\n  {\"a\": [1, {\"b\": 2}]}\n]\n");
  CHECK(r == std::vector<std::string>{"2:{\"a\":\"x]}\\\"\"}", "5:{\"a\":[1,{\"b\":2}]}"});
}

TEST_CASE("concatenated objects and a compact array on one line") {
  CHECK(read_all("{\"a\":1}{\"a\":2}") == std::vector<std::string>{"1:{\"a\":1}", "1:{\"a\":2}"});
  CHECK(read_all("[{\"a\":1},{\"a\":2}]") == std::vector<std::string>{"1:{\"a\":1}", "1:{\"a\":2}"});
}

TEST_CASE("commas between records separate them; a stray closing bracket is an error of its own") {
  // fuzz finding: with --on-error skip, ad-import looped for ever on a ',' or ']'
  // between records, each read an empty value at the same place.
  CHECK(read_all("{\"a\":1},{\"a\":2},\n{\"a\":3}\n") ==
        std::vector<std::string>{"1:{\"a\":1}", "1:{\"a\":2}", "2:{\"a\":3}"});
  CHECK(read_all("{\"a\":1}\n]\n[{\"a\":2}]]") ==
        std::vector<std::string>{"1:{\"a\":1}", "error@2: a ']' that closes no array", "3:{\"a\":2}",
                                 "error@3: a ']' that closes no array"});
  CHECK(read_all(",]") == std::vector<std::string>{"error@1: a ']' that closes no array"});
}

TEST_CASE("wrapper objects: Graph's value, Google's items, CloudTrail's Records") {
  CHECK(read_all("{\"@odata.context\":\"x\",\"value\":[{\"a\":1},{\"a\":2}]}") ==
        std::vector<std::string>{"1:{\"a\":1}", "1:{\"a\":2}"});
  CHECK(read_all("{\"kind\":\"k\",\"items\":[{\"a\":1}]}\n") == std::vector<std::string>{"1:{\"a\":1}"});
  CHECK(read_all("{\"Records\":[]}\n{\"a\":3}\n") == std::vector<std::string>{"2:{\"a\":3}"});
}

TEST_CASE("a malformed line is an error on its own line and reading goes on") {
  auto r = read_all("{\"a\":1}\n{\"a\":,}\n{\"a\":3}\n");
  REQUIRE(r.size() == 3);
  CHECK(r[1].rfind("error@2: bad JSON: ", 0) == 0);
  CHECK(r[2] == "3:{\"a\":3}");
}

TEST_CASE("a truncated JSON line ends where the next record starts") {
  auto r = read_all("{\"a\":1\n{\"a\":2}\n");
  REQUIRE(r.size() == 2);
  CHECK(r[0] == "error@1: truncated JSON value: a new record starts on line 2");
  CHECK(r[1] == "2:{\"a\":2}");
}

TEST_CASE("objects that open a line inside a value are not taken for a new record") {
  // Python's json.dumps(indent=0) puts nested objects at the start of a line.
  auto r = read_all("{\n\"p\": [\n{\n\"n\": 1\n},\n{\n\"n\": 2\n}\n],\n\"q\":\n{}\n}\n");
  CHECK(r == std::vector<std::string>{"1:{\"p\":[{\"n\":1},{\"n\":2}],\"q\":{}}"});
}

TEST_CASE("end of input inside a value, and records that are not objects") {
  CHECK(read_all("[{\"a\":1},\n{\"a\":") ==
        std::vector<std::string>{"1:{\"a\":1}", "error@2: unexpected end of input inside a JSON value"});
  CHECK(read_all("[1, \"s\"]") == std::vector<std::string>{"error@1: a record is a JSON number, not an object",
                                                           "error@1: a record is a JSON string, not an object"});
}

TEST_CASE("a line of 16 MiB or more is a bad record of its own, and reading goes on") {
  const std::string big = "{\"a\":\"" + std::string(ad::csv::kMaxLineBytes, 'x') + "\"}";
  // A JSON Line: the line is named, not "end of input inside a value".
  CHECK(read_all("{\"a\":1}\n" + big + "\n{\"a\":3}\n") ==
        std::vector<std::string>{"1:{\"a\":1}", "error@2: line of 16 MiB or more", "3:{\"a\":3}"});
  // Inside a value that started on an earlier line: the error is at the value's start.
  CHECK(read_all("{\"a\":\n" + big + "\n{\"b\":2}\n") ==
        std::vector<std::string>{"error@1: line 2 of 16 MiB or more inside the JSON value that starts here",
                                 "3:{\"b\":2}"});
}

TEST_CASE("invalid UTF-8 in a string is the JSON library's error") {
  auto r = read_all("{\"a\":\"\xff\"}\n");
  REQUIRE(r.size() == 1);
  CHECK(r[0].rfind("error@1: bad JSON: ", 0) == 0);
}
