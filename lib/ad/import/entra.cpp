#include "ad/import/entra.h"

#include <cctype>

#include "ad/core/error.h"
#include "ad/import/json_field.h"

namespace ad::import {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string error_code_status(const std::string& code) {
  if (code.empty()) return "";
  return code == "0" ? "success" : "failure";
}

constexpr const char* kCsvNames[] = {"date (utc)", "request id", "user agent", "correlation id", "username",
                                     "user",       "ip address", "location",   "status",         "sign-in error code",
                                     "failure reason", "client app", "browser", "operating system", "application"};

}  // namespace

const std::vector<std::string>& entra_extras() {
  static const std::vector<std::string> extras = {"application",    "client_app", "browser",
                                                  "operating_system", "error_code", "failure_reason",
                                                  "state",          "correlation_id"};
  return extras;
}

void map_entra(const nlohmann::json& record, std::vector<Login>& out) {
  const nlohmann::json* p = &record;
  if (auto props = record.find("properties"); props != record.end() && props->is_object()) p = &*props;
  const auto& s = *p;
  Login l;
  l[kTimestamp] = normalise_time(first_text(s, {{"createdDateTime"}, {"time"}}), "createdDateTime");
  l[kUser] = required(field_text(s, {"userPrincipalName"}), "userPrincipalName");
  l[kIp] = required(field_text(s, {"ipAddress"}), "ipAddress");
  l[kCountry] = field_text(s, {"location", "countryOrRegion"});
  l[kCity] = field_text(s, {"location", "city"});
  l[kLatitude] = field_text(s, {"location", "geoCoordinates", "latitude"});
  l[kLongitude] = field_text(s, {"location", "geoCoordinates", "longitude"});
  l[kDeviceType] = field_text(s, {"deviceDetail", "operatingSystem"});
  l[kUserAgent] = first_text(s, {{"userAgent"}, {"deviceDetail", "browser"}});
  std::string code = field_text(s, {"status", "errorCode"});
  l[kStatus] = error_code_status(code);
  l[kActivity] = "login";
  l[kEventId] = field_text(s, {"id"});
  l.extra = {field_text(s, {"appDisplayName"}), field_text(s, {"clientAppUsed"}),
             field_text(s, {"deviceDetail", "browser"}), field_text(s, {"deviceDetail", "operatingSystem"}),
             code, field_text(s, {"status", "failureReason"}), field_text(s, {"location", "state"}),
             field_text(s, {"correlationId"})};
  out.push_back(std::move(l));
}

void split_entra_location(std::string_view location, std::string& city, std::string& state, std::string& country) {
  std::vector<std::string_view> parts;
  while (true) {
    auto c = location.find(',');
    parts.push_back(trim(location.substr(0, c)));
    if (c == std::string_view::npos) break;
    location.remove_prefix(c + 1);
  }
  city.clear(), state.clear(), country.clear();
  if (parts.size() == 1 && parts[0].empty()) return;
  country = std::string(parts.back());
  if (parts.size() >= 2) city = std::string(parts[0]);
  if (parts.size() >= 3) state = std::string(parts[1]);
}

EntraCsvColumns::EntraCsvColumns(const std::vector<std::string>& header) {
  for (int c = 0; c < cColCount; ++c) {
    index_[c] = -1;
    for (std::size_t i = 0; i < header.size(); ++i)
      if (lower(trim(header[i])) == kCsvNames[c]) index_[c] = static_cast<int>(i);
  }
  if (index_[cDate] < 0)
    for (std::size_t i = 0; i < header.size(); ++i)
      if (lower(trim(header[i])) == "date") index_[cDate] = static_cast<int>(i);
  if (index_[cDate] < 0) throw data_error("no 'Date (UTC)' column: not an Entra sign-in CSV download");
  if (index_[cUsername] < 0 && index_[cUser] < 0) throw data_error("no 'Username' or 'User' column");
  if (index_[cIpAddress] < 0) throw data_error("no 'IP address' column");
}

std::string_view EntraCsvColumns::get(const std::vector<std::string_view>& row, Col c) const {
  int i = index_[c];
  return i >= 0 && static_cast<std::size_t>(i) < row.size() ? trim(row[static_cast<std::size_t>(i)]) : "";
}

Login EntraCsvColumns::map(const std::vector<std::string_view>& row) const {
  Login l;
  l[kTimestamp] = normalise_time(get(row, cDate), "Date (UTC)");
  std::string_view user = get(row, cUsername);
  l[kUser] = required(std::string(user.empty() ? get(row, cUser) : user), "Username");
  l[kIp] = required(std::string(get(row, cIpAddress)), "IP address");
  std::string state;
  split_entra_location(get(row, cLocation), l[kCity], state, l[kCountry]);
  l[kDeviceType] = std::string(get(row, cOs));
  std::string_view ua = get(row, cUserAgent);
  l[kUserAgent] = std::string(ua.empty() ? get(row, cBrowser) : ua);
  l[kStatus] = normalise_status(get(row, cStatusCol));
  l[kActivity] = "login";
  l[kEventId] = std::string(get(row, cRequestId));
  l.extra = {std::string(get(row, cApplication)), std::string(get(row, cClientApp)), std::string(get(row, cBrowser)),
             std::string(get(row, cOs)),          std::string(get(row, cErrorCode)), std::string(get(row, cFailure)),
             state,                               std::string(get(row, cCorrelation))};
  return l;
}

}  // namespace ad::import
