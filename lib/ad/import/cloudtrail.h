// cloudtrail.h: AWS CloudTrail ConsoleLogin events as logins.
//
// Reads the events of CloudTrail log files ({"Records": [...]}), of `aws cloudtrail
// lookup-events` (the CloudTrailEvent strings parsed, e.g. with jq) or of JSON Lines
// exports. A login is an event whose eventName is "ConsoleLogin"; other events are
// passed over. Fields: eventTime, userIdentity{userName, arn, type, accountId},
// sourceIPAddress, userAgent, responseElements.ConsoleLogin ("Success" or "Failure"),
// errorMessage, additionalEventData.MFAUsed, awsRegion, recipientAccountId, eventID.
// The user is userIdentity.userName, else its arn (a root login has no userName).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ad/import/record.h"

namespace ad::import {

// account_id, identity_type, mfa_used, aws_region, error_message.
const std::vector<std::string>& cloudtrail_extras();

// Appends the login event is, if it is one. Throws ad::Error(kData) for a login
// without a time, user or source IP address.
void map_cloudtrail(const nlohmann::json& event, std::vector<Login>& out);

}  // namespace ad::import
