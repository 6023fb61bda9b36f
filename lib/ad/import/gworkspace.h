// gworkspace.h: Google Workspace login audit activities (Admin SDK Reports API,
// activities.list for applicationName "login") as logins.
//
// Reads the API's response ({"items": [...]}) or its activities one by one. Each
// activity holds events[]; every event named "login_success" or "login_failure" is one
// login (other events, such as logout or login_challenge, are passed over), so one
// activity may give several. Fields: id{time, uniqueQualifier, applicationName},
// actor.email, ipAddress, networkInfo{regionCode, subdivisionCode}, and the event's
// parameters login_type, is_suspicious, login_challenge_method (values joined with
// '|') and login_failure_type. The event id is id.uniqueQualifier, with "-N" for the
// N-th login of an activity that has several.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ad/import/record.h"

namespace ad::import {

// login_type, is_suspicious, challenge_method, failure_type, subdivision.
const std::vector<std::string>& gworkspace_extras();

// The value of the event's parameter name (value, boolValue, intValue or multiValue
// joined with '|'), or "".
std::string gworkspace_parameter(const nlohmann::json& event, const std::string& name);

// Appends the logins of activity. Throws ad::Error(kData) for a login without a time,
// user or IP address.
void map_gworkspace(const nlohmann::json& activity, std::vector<Login>& out);

}  // namespace ad::import
