// roles.h: which input column plays which role, found by name.
//
// Login CSV comes from many systems, each with its own column names. ad finds the
// columns it understands by role. Each role has common names, matched after
// normalising (lower case; spaces, underscores, hyphens, dots and '@' removed), and a
// user can always name the column with `--map role=column`. Every column that plays no
// role is a generic feature (see features.h).
//
//   role        common names (normalised match)
//   time        timestamp time @timestamp login_timestamp createdDateTime event_time
//               datetime login_time
//   user        user_id user username userPrincipalName user_name account
//   ip          ip_address source_ip src_ip ip ipAddress client_ip remote_addr
//   country     location country country_code
//   city        city
//   latitude    latitude lat
//   longitude   longitude lon lng long
//   device      device_type device device_id
//   user_agent  user_agent useragent ua http_user_agent
//   outcome     status result success login_successful outcome login_status
//   activity    activity_type event_type activity action
//   id          event_id id
//
// The columns ad-score appends (anomaly_score, ...) are not roles: scored.h owns them.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ad {

enum class Role : int {
  kTime = 0,
  kUser = 1,
  kIp = 2,
  kCountry = 3,
  kCity = 4,
  kLatitude = 5,
  kLongitude = 6,
  kDevice = 7,
  kUserAgent = 8,
  kOutcome = 9,
  kActivity = 10,
  kId = 11,
};
inline constexpr int kRoleCount = 12;

// "time", "user", "ip", "country", "city", "latitude", "longitude", "device",
// "user_agent", "outcome", "activity", "id".
std::string_view role_name(Role role);
std::optional<Role> role_from_name(std::string_view name);


// The columns of a known export, for --format (ad-train, ad-score). "entra" is
// Microsoft Entra ID's sign-in CSV download: roles Date (UTC), Username, IP address,
// Location, Status, User agent, Operating System and Request ID, and as generic features
// only Application, Client app, Browser and Authentication requirement (an export has
// dozens of other columns, most of them per-request ids). "" and "ad" are no preset.
// The other sources ad-import reads (sshd, okta, gworkspace, cloudtrail) are not CSV:
// naming one is ad::Error(kUsage) that says to convert it with ad-import; any other
// name is ad::Error(kUsage) too.
struct FormatPreset {
  std::map<std::string, std::string> roles;  // role -> column, as --map
  bool restrict_features = false;            // learn only from `features` beside the roles
  std::vector<std::string> features;         // those columns (absent ones are left out)
};
FormatPreset format_preset(std::string_view format);

class Roles {
 public:
  // Finds the columns of header by role. overrides maps a role name to an exact column
  // name (from --map). Throws ad::Error(kUsage) for an unknown role or a column that is
  // not in the header.
  static Roles find(const std::vector<std::string>& header,
                    const std::map<std::string, std::string>& overrides = {});

  // The column index of role, or -1.
  int operator[](Role role) const { return column_[static_cast<int>(role)]; }
  bool has(Role role) const { return (*this)[role] >= 0; }
  // The role of column index i, if any.
  std::optional<Role> role_of(int column) const;

 private:
  std::array<int, kRoleCount> column_{};
};

// True for activity values that are logins: after normalising, they start with
// "login", "logon", "signin" or "logged", or equal "auth" or "authentication".
bool is_login_activity(std::string_view value);

// A login outcome: true for success ("success", "succeeded", "ok", "true", "1", "yes",
// "allowed", "pass", "passed", "accepted"), false for failure ("fail", "failed",
// "failure", "false", "0", "no", "denied", "blocked", "rejected", "error", "invalid"),
// nullopt for anything else, including empty.
std::optional<bool> parse_outcome(std::string_view value);

}  // namespace ad
