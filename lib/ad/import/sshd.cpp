#include "ad/import/sshd.h"

#include <algorithm>
#include <charconv>

#include "ad/core/error.h"
#include "ad/core/timestamp.h"
#include "ad/import/json_field.h"

namespace ad::import {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "message repeated 3 times: [ inner]" -> inner, with count 3.
std::optional<std::string_view> unrepeat(std::string_view m, int& count) {
  constexpr std::string_view kPrefix = "message repeated ";
  if (!starts_with(m, kPrefix)) return std::nullopt;
  m.remove_prefix(kPrefix.size());
  auto sp = m.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  auto r = std::from_chars(m.data(), m.data() + sp, count);
  if (r.ec == std::errc::result_out_of_range && r.ptr == m.data() + sp && m[0] != '-') count = kMaxRepeat;
  else if (r.ec != std::errc() || r.ptr != m.data() + sp || count < 1) return std::nullopt;
  count = std::min(count, kMaxRepeat);
  m.remove_prefix(sp);
  if (!starts_with(m, " times: [")) return std::nullopt;
  m.remove_prefix(9);
  while (!m.empty() && m.front() == ' ') m.remove_prefix(1);
  if (!m.empty() && m.back() == ']') m.remove_suffix(1);
  return m;
}

}  // namespace

std::optional<SshdAttempt> parse_sshd_message(std::string_view m) {
  SshdAttempt a;
  if (auto inner = unrepeat(m, a.count)) m = *inner;
  if (starts_with(m, "Accepted ")) {
    a.success = true;
    m.remove_prefix(9);
  } else if (starts_with(m, "Failed ")) {
    m.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  auto sp = m.find(" for ");
  if (sp == std::string_view::npos || sp == 0) return std::nullopt;
  a.method = std::string(m.substr(0, sp));
  if (a.method == "none") return std::nullopt;
  m.remove_prefix(sp + 5);
  if (starts_with(m, "invalid user ")) {
    a.invalid_user = true;
    m.remove_prefix(13);
  }
  auto from = m.rfind(" from ");
  if (from == std::string_view::npos) return std::nullopt;
  a.user = std::string(m.substr(0, from));
  m.remove_prefix(from + 6);
  sp = m.find(' ');
  a.ip = std::string(m.substr(0, sp));
  if (a.ip.empty()) return std::nullopt;
  if (sp != std::string_view::npos && starts_with(m.substr(sp), " port ")) {
    m.remove_prefix(sp + 6);
    a.port = std::string(m.substr(0, m.find(' ')));
  }
  return a;
}

bool is_sshd_program(std::string_view p) { return p == "sshd" || p == "sshd-session" || p == "sshd-auth"; }

const std::vector<std::string>& sshd_extras() {
  static const std::vector<std::string> extras = {"host", "auth_method", "invalid_user"};
  return extras;
}

SshdConverter::SshdConverter(int year, std::int64_t reference_ms, int assume_tz_s)
    : year_(year, reference_ms, assume_tz_s), assume_tz_s_(assume_tz_s) {}

void SshdConverter::syslog_line(std::string_view line, std::vector<Login>& out) {
  auto l = parse_syslog_line(line, assume_tz_s_);
  if (!l) throw data_error("not a syslog line: '" + std::string(line.substr(0, 60)) + "'");
  std::int64_t t = year_.resolve(*l);
  if (!is_sshd_program(l->program)) return;
  auto a = parse_sshd_message(l->message);
  if (a) add(*a, t, l->host, short_hash(line), out);
}

void SshdConverter::journal_entry(const nlohmann::json& e, std::vector<Login>& out) {
  std::string program = first_text(e, {{"SYSLOG_IDENTIFIER"}, {"_COMM"}});
  if (!program.empty() && !is_sshd_program(program)) return;
  auto it = e.find("MESSAGE");
  if (it == e.end()) throw data_error("journal entry without MESSAGE");
  std::string message;
  if (it->is_string()) {
    message = it->get<std::string>();
  } else if (it->is_array()) {  // journalctl writes a non-UTF-8 message as an array of bytes
    for (const auto& b : *it)
      if (b.is_number_unsigned()) message += static_cast<char>(b.get<unsigned>());
  } else {
    throw data_error("journal entry whose MESSAGE is not text");
  }
  std::string usec = field_text(e, {"__REALTIME_TIMESTAMP"});
  std::int64_t us = 0;
  auto r = std::from_chars(usec.data(), usec.data() + usec.size(), us);
  if (usec.empty() || r.ec != std::errc() || r.ptr != usec.data() + usec.size())
    throw data_error("journal entry without a valid __REALTIME_TIMESTAMP: '" + usec + "'");
  auto a = parse_sshd_message(message);
  if (!a) return;
  std::string cursor = field_text(e, {"__CURSOR"});
  std::string host = field_text(e, {"_HOSTNAME"});
  add(*a, us / 1000, host, short_hash(cursor.empty() ? usec + host + message : cursor), out);
}

std::string SshdConverter::unique_id(std::string id, std::int64_t time_ms) {
  std::int64_t second = time_ms / 1000;
  if (second != seen_second_) {
    seen_.clear();
    seen_second_ = second;
  }
  auto it = seen_.find(id);
  if (it == seen_.end()) {
    if (seen_.size() < kMaxIdsPerSecond) seen_.emplace(id, 1);
    return id;
  }
  return id + "-" + std::to_string(++it->second);
}

void SshdConverter::add(const SshdAttempt& a, std::int64_t time_ms, std::string_view host, const std::string& id,
                        std::vector<Login>& out) {
  for (int k = 1; k <= a.count; ++k) {
    Login l;
    l[kTimestamp] = format_time_iso(time_ms);
    l[kUser] = a.user;
    l[kIp] = a.ip;
    l[kStatus] = a.success ? "success" : "failure";
    l[kActivity] = "login";
    l[kEventId] = unique_id(a.count > 1 ? id + "-" + std::to_string(k) : id, time_ms);
    l.extra = {std::string(host), a.method, a.invalid_user ? "true" : "false"};
    out.push_back(std::move(l));
  }
}

}  // namespace ad::import
