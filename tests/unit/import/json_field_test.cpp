#include "ad/import/json_field.h"

#include <doctest/doctest.h>

using ad::import::field_text;
using ad::import::first_text;

TEST_CASE("field_text follows a path and writes scalars as text") {
  auto j = nlohmann::json::parse(R"({"a":{"s":"x","n":59.9127,"i":0,"b":true,"z":null,"o":{"k":1}},"t":"top"})");
  CHECK(field_text(j, {"a", "s"}) == "x");
  CHECK(field_text(j, {"a", "n"}) == "59.9127");
  CHECK(field_text(j, {"a", "i"}) == "0");
  CHECK(field_text(j, {"a", "b"}) == "true");
  CHECK(field_text(j, {"a", "z"}) == "");
  CHECK(field_text(j, {"a", "o"}) == "{\"k\":1}");
  CHECK(field_text(j, {"a", "missing"}) == "");
  CHECK(field_text(j, {"t", "deeper"}) == "");
  CHECK(first_text(j, {{"nope"}, {"a", "z"}, {"t"}}) == "top");
  CHECK(first_text(j, {{"nope"}}) == "");
}
