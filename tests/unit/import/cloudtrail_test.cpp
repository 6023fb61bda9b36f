#include <doctest/doctest.h>

#include "ad/core/error.h"
#include "ad/import/cloudtrail.h"

using namespace ad::import;
using nlohmann::json;

TEST_CASE("cloudtrail: ConsoleLogin events, the root user by its arn") {
  std::vector<Login> out;
  map_cloudtrail(json::parse(R"({"eventName":"ConsoleLogin","eventTime":"2024-05-01T22:15:09Z","eventID":"e1",
    "userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root","accountId":"1"},"sourceIPAddress":"45.1.2.3",
    "userAgent":"UA","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"},"awsRegion":"us-east-1"})"),
                 out);
  map_cloudtrail(json::parse(R"({"eventName":"ConsoleLogin","eventTime":"2024-05-01T22:16:00Z","eventID":"e2",
    "userIdentity":{"type":"IAMUser","userName":"bob"},"sourceIPAddress":"45.1.2.3","errorMessage":"Failed authentication"})"),
                 out);
  map_cloudtrail(json::parse(R"({"eventName":"ListBuckets","eventTime":"2024-05-01T22:15:09Z"})"), out);
  REQUIRE(out.size() == 2);
  CHECK(out[0][kUser] == "arn:aws:iam::1:root");
  CHECK(out[0][kStatus] == "success");
  CHECK(out[0].extra == std::vector<std::string>{"1", "Root", "No", "us-east-1", ""});
  CHECK(out[1][kUser] == "bob");
  CHECK(out[1][kStatus] == "failure");
  CHECK_THROWS_WITH_AS(map_cloudtrail(json::parse(R"({"eventName":"ConsoleLogin","eventTime":"2024-05-01T22:15:09Z",
    "userIdentity":{"userName":"x"}})"), out), "no sourceIPAddress", ad::Error);
}
