#include "ad/import/cloudtrail.h"

#include "ad/import/json_field.h"

namespace ad::import {

const std::vector<std::string>& cloudtrail_extras() {
  static const std::vector<std::string> extras = {"account_id", "identity_type", "mfa_used", "aws_region",
                                                  "error_message"};
  return extras;
}

void map_cloudtrail(const nlohmann::json& e, std::vector<Login>& out) {
  if (field_text(e, {"eventName"}) != "ConsoleLogin") return;
  Login l;
  l[kTimestamp] = normalise_time(field_text(e, {"eventTime"}), "eventTime");
  l[kUser] = required(first_text(e, {{"userIdentity", "userName"}, {"userIdentity", "arn"}}),
                      "userIdentity.userName or userIdentity.arn");
  l[kIp] = required(field_text(e, {"sourceIPAddress"}), "sourceIPAddress");
  l[kUserAgent] = field_text(e, {"userAgent"});
  std::string result = field_text(e, {"responseElements", "ConsoleLogin"});
  std::string error = field_text(e, {"errorMessage"});
  l[kStatus] = result.empty() && !error.empty() ? "failure" : normalise_status(result);
  l[kActivity] = "login";
  l[kEventId] = field_text(e, {"eventID"});
  l.extra = {first_text(e, {{"recipientAccountId"}, {"userIdentity", "accountId"}}),
             field_text(e, {"userIdentity", "type"}), field_text(e, {"additionalEventData", "MFAUsed"}),
             field_text(e, {"awsRegion"}), error};
  out.push_back(std::move(l));
}

}  // namespace ad::import
