// okta.h: Okta System Log events (the /api/v1/logs API, or its JSON export) as logins.
//
// A login is an event whose eventType is "user.session.start"; other events are passed
// over. Fields: published, actor.alternateId, client.ipAddress,
// client.geographicalContext{country, city, state, geolocation{lat, lon}}, client.device,
// client.userAgent{rawUserAgent, os, browser}, outcome{result, reason}, uuid,
// authenticationContext.externalSessionId. outcome.result SUCCESS and ALLOW are
// "success", FAILURE and DENY "failure"; other results (CHALLENGE, UNKNOWN) are written
// in lower case.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ad/import/record.h"

namespace ad::import {

// os, browser, outcome_reason, state, session_id.
const std::vector<std::string>& okta_extras();

// Appends the login event is, if it is one. Throws ad::Error(kData) for a login
// without a time, user or IP address.
void map_okta(const nlohmann::json& event, std::vector<Login>& out);

}  // namespace ad::import
