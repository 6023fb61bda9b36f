// Incidents in an alert: grouping, ranking, re-alerting. See ad/mail/incidents.h.
#include "ad/mail/incidents.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "ad/core/text.h"
#include "ad/core/timestamp.h"

namespace ad::mail {

namespace {

std::string_view field_of(const Columns& c, const Anomaly& a, Role role) {
  int i = c.roles[role];
  return i >= 0 ? value_of(c, a, static_cast<std::size_t>(i)) : std::string_view();
}

// The scored fields of a flagged row, as IncidentSummary::add() takes them.
scored::Row row_of(const Columns& c, const Anomaly& a) {
  scored::Row r;
  r.score = a.score;
  r.flag = true;
  r.severity = a.severity;
  r.reasons = value_of(c, a, static_cast<std::size_t>(c.scored[scored::Field::kReasons]));
  r.incident_id = a.incident_id;
  r.incident_kind = a.incident_kind;
  r.incident_score = a.incident_score;
  return r;
}

// One incident as the bodies show it, sanitised (not yet HTML-escaped).
struct Shown {
  std::string title, id, users, sources, span, events, reasons, rise;
};

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string names(const std::vector<std::string>& shown, std::uint64_t count, bool capped) {
  if (shown.empty()) return "-";
  std::string out;
  for (const std::string& n : shown) out += (out.empty() ? "" : ", ") + display_text(n, 60);
  if (count > shown.size()) {
    out += " and " + std::string(capped ? "at least " : "") + std::to_string(count - shown.size()) +
           " more (" + (capped ? "at least " : "") + std::to_string(count) + " in all)";
  }
  return out;
}

Shown shown_of(const Incident& inc) {
  Shown v;
  v.title = display_text(inc.kind.empty() ? "other" : inc.kind, 40) + ", incident score " +
            number(inc.score) + " (" + std::string(scored::band_name(inc.band())) +
            "), highest severity " + number(inc.max_severity);
  v.id = inc.id.empty() ? "(none)" : display_text(inc.id, 80);
  v.users = names(inc.users, inc.user_count, inc.users_capped);
  v.sources = names(inc.sources, inc.source_count, inc.sources_capped);
  if (!inc.first_ms)
    v.span = "unknown";
  else if (*inc.first_ms == *inc.last_ms)
    v.span = format_time_iso(*inc.first_ms);
  else
    v.span = format_time_iso(*inc.first_ms) + " to " + format_time_iso(*inc.last_ms);
  v.events = std::to_string(inc.events);
  v.reasons = inc.reasons.empty() ? "-" : display_text(inc.reasons, 500);
  if (inc.alerted_before)
    v.rise = "its band rose from " + std::string(scored::band_name(*inc.alerted_before)) + " to " +
             std::string(scored::band_name(inc.band()));
  return v;
}

std::string list_title(const IncidentSelection& s, std::size_t shown) {
  return "Top " + std::to_string(shown) + " of " +
         text::plural(static_cast<std::int64_t>(s.alerted.size()), "incident", "incidents") +
         ", by incident score";
}

std::array<std::uint64_t, scored::kBandCount> bands_of(const IncidentSelection& s) {
  std::array<std::uint64_t, scored::kBandCount> bands{};
  for (const Incident& inc : s.alerted) ++bands[static_cast<int>(inc.band())];
  return bands;
}

}  // namespace

namespace {

// Groups flagged rows, one at a time, into at most kMaxIncidents incidents; the rows of
// incidents past that are only counted.
struct Grouper {
  const Columns& c;
  std::vector<Incident> out;
  std::unordered_map<std::string, std::size_t> index;  // incident_id -> its place in out
  std::uint64_t unsummarised = 0;

  void add(const Anomaly& a) {
    std::size_t at = out.size();
    if (!a.incident_id.empty()) {
      auto it = index.find(a.incident_id);
      if (it != index.end()) at = it->second;
    }
    if (at == out.size()) {
      if (out.size() == kMaxIncidents) {
        ++unsummarised;
        return;
      }
      if (!a.incident_id.empty()) index.emplace(a.incident_id, at);
      out.emplace_back();
      out.back().order = at;
    }
    out[at].add(row_of(c, a), field_of(c, a, Role::kUser), field_of(c, a, Role::kIp), a.time_ms);
  }
};

// Keeps the largest kMaxHeldKeys of keys: all new entries of the state have the same
// time, so these are the ones AlertState keeps (dedup.h).
void trim_keys(std::vector<std::uint64_t>& keys) {
  std::sort(keys.begin(), keys.end(), std::greater<>());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.size() > kMaxHeldKeys) keys.resize(kMaxHeldKeys);
}

}  // namespace

std::vector<Incident> group_incidents(const Columns& c, const std::vector<Anomaly>& rows) {
  Grouper g{c, {}, {}, 0};
  for (const Anomaly& a : rows) g.add(a);
  return std::move(g.out);
}

IncidentSelection select_incidents(std::vector<Incident> incidents,
                                   const AlertedIncidents& memory) {
  IncidentSelection s;
  for (Incident& inc : incidents) {
    if (!inc.id.empty()) {
      std::uint64_t key = key_of_incident(inc.id);
      if (const AlertedIncidents::Entry* before = memory.find(key)) {
        if (inc.band() <= before->band) {
          ++s.held_incidents;
          s.held_rows += inc.events;
          s.held_keys.push_back(key);
          continue;
        }
        inc.alerted_before = before->band;
      }
    }
    s.alerted.push_back(std::move(inc));
  }
  std::sort(s.alerted.begin(), s.alerted.end(), ranks_before);
  return s;
}

IncidentSelection select_batch(const Columns& c, Batch& batch, const AlertedIncidents& memory) {
  Grouper g{c, {}, {}, 0};
  batch.for_each([&g](const Anomaly& a) { g.add(a); });
  IncidentSelection s = select_incidents(std::move(g.out), memory);
  s.unsummarised_rows = g.unsummarised;
  if (s.held_rows == 0) return s;
  std::unordered_set<std::uint64_t> held(s.held_keys.begin(), s.held_keys.end());
  batch.filter([&](Anomaly& a) {
    if (a.incident_id.empty() || !held.count(key_of_incident(a.incident_id))) return true;
    s.held_event_keys.push_back(a.key);
    if (s.held_event_keys.size() >= 2 * kMaxHeldKeys) trim_keys(s.held_event_keys);
    return false;
  });
  trim_keys(s.held_event_keys);
  return s;
}

void remember_incidents(const IncidentSelection& s, AlertedIncidents& memory, std::int64_t now_s) {
  for (const Incident& inc : s.alerted)
    if (!inc.id.empty()) memory.alerted(key_of_incident(inc.id), inc.band(), now_s);
  for (std::uint64_t key : s.held_keys) memory.seen(key, now_s);
  memory.trim();
}

std::string incident_subject(const IncidentSelection& s) {
  auto bands = bands_of(s);
  int top = scored::kBandCount - 1;
  while (top > 0 && bands[top] == 0) --top;
  std::string out = text::plural(static_cast<std::int64_t>(s.alerted.size()), "incident", "incidents") +
                    " (" + std::to_string(bands[top]) + " " +
                    std::string(scored::band_name(static_cast<scored::Band>(top))) + "): ";
  std::vector<std::string_view> kinds;
  for (const Incident& inc : s.alerted) {
    std::string_view k = subject_kind(inc.kind);
    if (std::find(kinds.begin(), kinds.end(), k) == kinds.end()) kinds.push_back(k);
  }
  for (std::size_t i = 0; i < kinds.size() && i < kSubjectKinds; ++i)
    out += (i ? ", " : "") + std::string(kinds[i]);
  if (kinds.size() > kSubjectKinds) out += ", ...";
  return out;
}

std::string incidents_text(const IncidentSelection& s, std::size_t top) {
  std::size_t n = std::min(top, s.alerted.size());
  std::string t;
  if (n > 0) t += list_title(s, n) + "\n";
  for (std::size_t i = 0; i < n; ++i) {
    Shown v = shown_of(s.alerted[i]);
    t += "\n" + std::to_string(i + 1) + ". " + v.title + "\n";
    t += "   incident: " + v.id + "\n";
    t += "   users:    " + v.users + "\n";
    t += "   sources:  " + v.sources + "\n";
    t += "   span:     " + v.span + "\n";
    t += "   events:   " + v.events + "\n";
    t += "   reasons:  " + v.reasons + "\n";
    if (!v.rise.empty()) t += "   re-alert: " + v.rise + "\n";
  }
  auto bands = bands_of(s);
  t += std::string(n > 0 ? "\n" : "") + "Incidents by band (incident score)\n";
  for (int k = scored::kBandCount - 1; k >= 0; --k) {
    std::string label = std::string(scored::band_name(static_cast<scored::Band>(k)));
    label.resize(24, ' ');
    t += "  " + label + std::to_string(bands[k]) + "\n";
  }
  return t;
}

std::string incidents_html(const IncidentSelection& s, std::size_t top) {
  auto e = [](const std::string& v) { return text::html_escape(v); };
  std::size_t n = std::min(top, s.alerted.size());
  std::string h;
  if (n > 0) {
    h += "<h3>" + e(list_title(s, n)) + "</h3>\n"
         "<table border=\"1\" cellpadding=\"4\" style=\"border-collapse:collapse\">\n"
         "<tr><th>#</th><th>Incident</th><th>Users</th><th>Sources</th><th>Span</th>"
         "<th>Events</th><th>Reasons</th></tr>\n";
  }
  for (std::size_t i = 0; i < n; ++i) {
    Shown v = shown_of(s.alerted[i]);
    h += "<tr><td>" + std::to_string(i + 1) + "</td><td><b>" + e(v.title) + "</b><br>" + e(v.id) +
         (v.rise.empty() ? "" : "<br>re-alert: " + e(v.rise)) + "</td><td>" + e(v.users) +
         "</td><td>" + e(v.sources) + "</td><td>" + e(v.span) + "</td><td align=\"right\">" +
         v.events + "</td><td>" + e(v.reasons) + "</td></tr>\n";
  }
  if (n > 0) h += "</table>\n";
  auto bands = bands_of(s);
  h += "<h3>Incidents by band (incident score)</h3>\n<table cellpadding=\"3\">\n";
  for (int k = scored::kBandCount - 1; k >= 0; --k)
    h += "<tr><td>" + std::string(scored::band_name(static_cast<scored::Band>(k))) +
         "</td><td align=\"right\">" + std::to_string(bands[k]) + "</td></tr>\n";
  return h + "</table>\n";
}

std::string_view subject_kind(std::string_view kind) {
  if (kind.empty() || kind.size() > 20) return "other";
  for (char ch : kind)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return "other";
  return kind;
}

}  // namespace ad::mail
