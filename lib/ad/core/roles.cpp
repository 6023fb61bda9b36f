#include "ad/core/roles.h"

#include <initializer_list>

#include "ad/core/error.h"

namespace ad {

namespace {

constexpr std::array<std::string_view, kRoleCount> kRoleNames = {
    "time", "user", "ip", "country", "city", "latitude", "longitude", "device", "user_agent",
    "outcome", "activity", "id"};

// Common names per role, already normalised, in order of preference.
const std::array<std::initializer_list<std::string_view>, kRoleCount> kCommonNames = {{
    {"timestamp", "time", "logintimestamp", "createddatetime", "eventtime", "datetime", "logintime"},
    {"userid", "user", "username", "userprincipalname", "account"},
    {"ipaddress", "sourceip", "srcip", "ip", "clientip", "remoteaddr"},
    {"location", "country", "countrycode"},
    {"city"},
    {"latitude", "lat"},
    {"longitude", "lon", "lng", "long"},
    {"devicetype", "device", "deviceid"},
    {"useragent", "ua", "httpuseragent"},
    {"status", "result", "success", "loginsuccessful", "outcome", "loginstatus"},
    {"activitytype", "eventtype", "activity", "action"},
    {"eventid", "id"},
}};

std::string lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '_' || c == '-' || c == '.' || c == '@' || c == '\t') continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace

FormatPreset format_preset(std::string_view format) {
  if (format.empty() || format == "ad") return {};
  if (format == "entra")
    return {{{"time", "Date (UTC)"},
             {"user", "Username"},
             {"ip", "IP address"},
             {"country", "Location"},
             {"outcome", "Status"},
             {"user_agent", "User agent"},
             {"device", "Operating System"},
             {"id", "Request ID"}},
            true,
            {"Application", "Client app", "Browser", "Authentication requirement"}};
  if (format == "sshd" || format == "okta" || format == "gworkspace" || format == "cloudtrail")
    throw usage_error("--format " + std::string(format) + ": these logs are not CSV; convert them with 'ad-import --format " +
                      std::string(format) + "' first");
  throw usage_error("unknown --format '" + std::string(format) + "' (ad, entra)");
}

std::string_view role_name(Role role) { return kRoleNames[static_cast<int>(role)]; }

std::optional<Role> role_from_name(std::string_view name) {
  std::string n = lower(name);
  for (int i = 0; i < kRoleCount; ++i)
    if (lower(kRoleNames[i]) == n) return static_cast<Role>(i);
  return std::nullopt;
}


Roles Roles::find(const std::vector<std::string>& header,
                  const std::map<std::string, std::string>& overrides) {
  Roles r;
  r.column_.fill(-1);
  std::vector<bool> taken(header.size(), false);
  for (const auto& [role_text, column] : overrides) {
    auto role = role_from_name(role_text);
    if (!role) {
      std::string known;
      for (auto n : kRoleNames) known += (known.empty() ? "" : ", ") + std::string(n);
      throw usage_error("unknown role '" + role_text + "' in --map (roles: " + known + ")");
    }
    int found = -1;
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == column) found = static_cast<int>(i);
    if (found < 0) throw usage_error("--map " + role_text + "=" + column + ": no such column in the input");
    r.column_[static_cast<int>(*role)] = found;
    taken[found] = true;
  }
  std::vector<std::string> norm;
  for (const auto& h : header) norm.push_back(lower(h));
  for (int role = 0; role < kRoleCount; ++role) {
    if (r.column_[role] >= 0) continue;
    for (auto name : kCommonNames[role]) {
      for (std::size_t i = 0; i < header.size() && r.column_[role] < 0; ++i)
        if (!taken[i] && norm[i] == name) {
          r.column_[role] = static_cast<int>(i);
          taken[i] = true;
        }
      if (r.column_[role] >= 0) break;
    }
  }
  return r;
}

std::optional<Role> Roles::role_of(int column) const {
  for (int i = 0; i < kRoleCount; ++i)
    if (column_[i] == column && column >= 0) return static_cast<Role>(i);
  return std::nullopt;
}

bool is_login_activity(std::string_view value) {
  std::string v = lower(value);
  auto starts = [&](std::string_view p) { return v.compare(0, p.size(), p) == 0; };
  return starts("login") || starts("logon") || starts("signin") || starts("logged") ||
         v == "auth" || v == "authentication";
}

std::optional<bool> parse_outcome(std::string_view value) {
  std::string v = lower(value);
  for (auto s : {"success", "succeeded", "successful", "ok", "true", "1", "yes", "allowed", "pass",
                 "passed", "accepted", "allow"})
    if (v == s) return true;
  for (auto s : {"fail", "failed", "failure", "false", "0", "no", "denied", "blocked", "rejected",
                 "error", "invalid", "deny"})
    if (v == s) return false;
  return std::nullopt;
}

}  // namespace ad
