// json_field.h: reading a source's fields out of a JSON record as CSV text.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

namespace ad::import {

// The value at path (member names, outer first) as text: a string as it is, a number
// or a boolean as JSON writes it ("42", "12.5", "true"), an object or array as compact
// JSON. "" when a member is missing, null, or a step on the way is not an object.
std::string field_text(const nlohmann::json& record, std::initializer_list<const char*> path);

// The first of several paths that has a non-empty value, or "".
std::string first_text(const nlohmann::json& record,
                       std::initializer_list<std::initializer_list<const char*>> paths);

}  // namespace ad::import
