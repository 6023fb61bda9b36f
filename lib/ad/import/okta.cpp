#include "ad/import/okta.h"

#include "ad/import/json_field.h"

namespace ad::import {

const std::vector<std::string>& okta_extras() {
  static const std::vector<std::string> extras = {"os", "browser", "outcome_reason", "state", "session_id"};
  return extras;
}

void map_okta(const nlohmann::json& e, std::vector<Login>& out) {
  if (field_text(e, {"eventType"}) != "user.session.start") return;
  Login l;
  l[kTimestamp] = normalise_time(field_text(e, {"published"}), "published");
  l[kUser] = required(field_text(e, {"actor", "alternateId"}), "actor.alternateId");
  l[kIp] = required(field_text(e, {"client", "ipAddress"}), "client.ipAddress");
  l[kCountry] = field_text(e, {"client", "geographicalContext", "country"});
  l[kCity] = field_text(e, {"client", "geographicalContext", "city"});
  l[kLatitude] = field_text(e, {"client", "geographicalContext", "geolocation", "lat"});
  l[kLongitude] = field_text(e, {"client", "geographicalContext", "geolocation", "lon"});
  l[kDeviceType] = field_text(e, {"client", "device"});
  l[kUserAgent] = field_text(e, {"client", "userAgent", "rawUserAgent"});
  l[kStatus] = normalise_status(field_text(e, {"outcome", "result"}));
  l[kActivity] = "login";
  l[kEventId] = field_text(e, {"uuid"});
  l.extra = {field_text(e, {"client", "userAgent", "os"}), field_text(e, {"client", "userAgent", "browser"}),
             field_text(e, {"outcome", "reason"}), field_text(e, {"client", "geographicalContext", "state"}),
             field_text(e, {"authenticationContext", "externalSessionId"})};
  out.push_back(std::move(l));
}

}  // namespace ad::import
