#include "ad/import/json_field.h"

namespace ad::import {

std::string field_text(const nlohmann::json& record, std::initializer_list<const char*> path) {
  const nlohmann::json* v = &record;
  for (const char* key : path) {
    if (!v->is_object()) return "";
    auto it = v->find(key);
    if (it == v->end()) return "";
    v = &*it;
  }
  if (v->is_null()) return "";
  if (v->is_string()) return v->get<std::string>();
  return v->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string first_text(const nlohmann::json& record,
                       std::initializer_list<std::initializer_list<const char*>> paths) {
  for (auto p : paths) {
    std::string s = field_text(record, p);
    if (!s.empty()) return s;
  }
  return "";
}

}  // namespace ad::import
