#include "ad/import/gworkspace.h"

#include "ad/import/json_field.h"

namespace ad::import {

const std::vector<std::string>& gworkspace_extras() {
  static const std::vector<std::string> extras = {"login_type", "is_suspicious", "challenge_method",
                                                  "failure_type", "subdivision"};
  return extras;
}

std::string gworkspace_parameter(const nlohmann::json& event, const std::string& name) {
  auto ps = event.find("parameters");
  if (ps == event.end() || !ps->is_array()) return "";
  for (const auto& p : *ps) {
    if (field_text(p, {"name"}) != name) continue;
    if (auto m = p.find("multiValue"); m != p.end() && m->is_array()) {
      std::string joined;
      for (const auto& v : *m) joined += (joined.empty() ? "" : "|") + (v.is_string() ? v.get<std::string>() : v.dump());
      return joined;
    }
    return first_text(p, {{"value"}, {"boolValue"}, {"intValue"}});
  }
  return "";
}

void map_gworkspace(const nlohmann::json& a, std::vector<Login>& out) {
  std::string app = field_text(a, {"id", "applicationName"});
  auto events = a.find("events");
  if ((!app.empty() && app != "login") || events == a.end() || !events->is_array()) return;
  std::vector<const nlohmann::json*> logins;
  for (const auto& e : *events) {
    std::string name = field_text(e, {"name"});
    if (name == "login_success" || name == "login_failure") logins.push_back(&e);
  }
  std::string id = field_text(a, {"id", "uniqueQualifier"});
  for (std::size_t k = 0; k < logins.size(); ++k) {
    const auto& e = *logins[k];
    Login l;
    l[kTimestamp] = normalise_time(field_text(a, {"id", "time"}), "id.time");
    l[kUser] = required(field_text(a, {"actor", "email"}), "actor.email");
    l[kIp] = required(field_text(a, {"ipAddress"}), "ipAddress");
    l[kCountry] = field_text(a, {"networkInfo", "regionCode"});
    l[kStatus] = field_text(e, {"name"}) == "login_success" ? "success" : "failure";
    l[kActivity] = "login";
    l[kEventId] = logins.size() > 1 ? id + "-" + std::to_string(k + 1) : id;
    l.extra = {gworkspace_parameter(e, "login_type"), gworkspace_parameter(e, "is_suspicious"),
               gworkspace_parameter(e, "login_challenge_method"), gworkspace_parameter(e, "login_failure_type"),
               field_text(a, {"networkInfo", "subdivisionCode"})};
    out.push_back(std::move(l));
  }
}

}  // namespace ad::import
