// sshd.h: OpenSSH's sshd log, from syslog text or `journalctl -o json`, as logins.
//
// One login is written for each authentication outcome sshd logs:
//   "Accepted <method> for <user> from <ip> port <port> <proto>[: <key>]"   success
//   "Failed <method> for [invalid user ]<user> from <ip> port <port> <proto>" failure
// for every method (password, publickey, keyboard-interactive/pam, hostbased, ...)
// except "none", which is a client asking what it may use, not a try.
// "message repeated N times: [ <message>]" (rsyslog's reduction of N further copies of
// the line before) is N logins. Everything else is not a login and is passed over:
// "Invalid user bob from ..." (its tries follow as "Failed ... invalid user" lines),
// PAM's lines ("pam_unix(sshd:auth): authentication failure", "PAM 2 more
// authentication failures", "session opened"), which repeat what the lines above say,
// and disconnects. So no try is counted twice.
//
// Lines of other programs are passed over; sshd's are those of sshd, sshd-session and
// sshd-auth (OpenSSH 9.8 and later). In the journal, an entry with SYSLOG_IDENTIFIER or
// _COMM names its program; one with neither is taken as sshd's.
//
// The event id is the first 16 hex digits of the SHA-256 of the raw line (of
// __CURSOR for the journal), with "-N" for the N-th login from one line ("message
// repeated") and for the N-th identical line within one second: stable when the same
// log is imported again.
//
// Bounds: a "message repeated N times" line counts at most kMaxRepeat logins, however
// large N; the ids of one second are told apart among its first kMaxIdsPerSecond
// distinct lines (beyond them, identical lines in that second share an id).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ad/import/record.h"
#include "ad/import/syslog.h"

namespace ad::import {

inline constexpr int kMaxRepeat = 1000;                  // logins from one "message repeated" line
inline constexpr std::size_t kMaxIdsPerSecond = 100000;  // distinct lines told apart in one second

struct SshdAttempt {
  bool success = false;
  std::string method;  // "password", "publickey", ...
  std::string user;
  bool invalid_user = false;
  std::string ip;
  std::string port;
  int count = 1;  // > 1 for "message repeated N times"
};

// The attempt a message of sshd reports, or nullopt if it reports none.
std::optional<SshdAttempt> parse_sshd_message(std::string_view message);

// True for sshd's program names: "sshd", "sshd-session", "sshd-auth".
bool is_sshd_program(std::string_view program);

// sshd's extra columns: host, auth_method, invalid_user. (Not the client's port: an
// ephemeral port is a random number, and ad-train would take it for a numeric feature.)
const std::vector<std::string>& sshd_extras();

class SshdConverter {
 public:
  // year, reference_ms and assume_tz_s as for YearGuess.
  SshdConverter(int year, std::int64_t reference_ms, int assume_tz_s);
  // Appends the logins of one syslog line to out. Throws ad::Error(kData) if the line
  // is not a syslog line.
  void syslog_line(std::string_view line, std::vector<Login>& out);
  // Appends the logins of one journal entry (journalctl -o json) to out. Throws
  // ad::Error(kData) for an entry without MESSAGE or __REALTIME_TIMESTAMP.
  void journal_entry(const nlohmann::json& entry, std::vector<Login>& out);

 private:
  void add(const SshdAttempt& a, std::int64_t time_ms, std::string_view host, const std::string& id,
           std::vector<Login>& out);
  std::string unique_id(std::string id, std::int64_t time_ms);

  YearGuess year_;
  int assume_tz_s_;
  std::int64_t seen_second_ = INT64_MIN;
  std::map<std::string, int> seen_;  // ids used within seen_second_
};

}  // namespace ad::import
