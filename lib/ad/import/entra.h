// entra.h: Microsoft Entra ID (Azure AD) sign-ins as logins, from the Graph API's
// JSON or the admin center's CSV download.
//
// JSON: the signIn resource of Microsoft Graph (/auditLogs/signIns; a response page
// {"value": [...]} or its records one by one). Fields: createdDateTime,
// userPrincipalName, ipAddress, location{city, state, countryOrRegion,
// geoCoordinates{latitude, longitude}}, deviceDetail{operatingSystem, browser},
// userAgent (beta API), status{errorCode, failureReason}, appDisplayName, clientAppUsed,
// isInteractive, correlationId, id. A record exported by diagnostic settings (Log
// Analytics, Event Hubs, storage: {"category": "SignInLogs", "properties": {...}}) is
// read from its "properties". status.errorCode 0 is "success", any other "failure".
//
// CSV (Sign-in logs > Download > CSV): columns "Date (UTC)", "Request ID", "User agent",
// "Correlation ID", "Username" (else "User"), "IP address", "Location" ("City, State,
// CC"), "Status" (Success, Failure, Interrupted), "Sign-in error code", "Failure
// reason", "Client app", "Browser", "Operating System", "Application", matched without
// regard to case. "Date (UTC)" needs no zone; the others are optional.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ad/import/record.h"

namespace ad::import {

// application, client_app, browser, operating_system, error_code, failure_reason,
// state, correlation_id.
const std::vector<std::string>& entra_extras();

// Appends the login of one signIn record. Throws ad::Error(kData) for a record
// without a time, user or IP address.
void map_entra(const nlohmann::json& signin, std::vector<Login>& out);

// Splits the CSV "Location" ("Oslo, Oslo, NO"; "Oslo, NO"; "NO") into city, state and
// country.
void split_entra_location(std::string_view location, std::string& city, std::string& state, std::string& country);

// The columns of the CSV download, found in its header.
class EntraCsvColumns {
 public:
  // Throws ad::Error(kData) if the header lacks a date, user or IP address column.
  explicit EntraCsvColumns(const std::vector<std::string>& header);
  // The login of one row.
  Login map(const std::vector<std::string_view>& row) const;

 private:
  enum Col { cDate, cRequestId, cUserAgent, cCorrelation, cUsername, cUser, cIpAddress, cLocation,
             cStatusCol, cErrorCode, cFailure, cClientApp, cBrowser, cOs, cApplication, cColCount };
  int index_[cColCount];
  std::string_view get(const std::vector<std::string_view>& row, Col c) const;
};

}  // namespace ad::import
