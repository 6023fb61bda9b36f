// The content of an alert: summary, top anomalies, attachment. See ad/alert.h.
#include "ad/mail/alert.h"

#include <algorithm>
#include <cmath>

#include "ad/mail/attachment.h"
#include "ad/mail/dedup.h"
#include "ad/mail/incidents.h"
#include "ad/core/error.h"
#include "ad/core/io.h"
#include "ad/core/text.h"
#include "ad/mail/mime.h"
#include "ad/core/timestamp.h"
#include "ad/version.h"

namespace ad::mail {

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string field(const Columns& c, const Anomaly& a, Role role) {
  int i = c.roles[role];
  return i >= 0 ? std::string(value_of(c, a, static_cast<std::size_t>(i))) : std::string();
}

std::string place_of(const Columns& c, const Anomaly& a) {
  std::string city = field(c, a, Role::kCity), country = field(c, a, Role::kCountry);
  if (!city.empty() && !country.empty()) return city + ", " + country;
  if (!city.empty() || !country.empty()) return city + country;
  std::string lat = field(c, a, Role::kLatitude), lon = field(c, a, Role::kLongitude);
  if (!lat.empty() && !lon.empty()) return lat + ", " + lon;
  return {};
}

struct Line {  // one anomaly as the bodies show it
  std::string severity, score, user, time, place, ip, reasons;
};

Line line_of(const Columns& c, const Anomaly& a) {
  auto shown = [](const std::string& v) { return v.empty() ? std::string("-") : display_text(v); };
  Line l;
  l.severity = fixed(a.severity, 1);
  l.score = fixed(a.score, 3);
  l.user = shown(field(c, a, Role::kUser));
  l.time = shown(field(c, a, Role::kTime));
  l.place = shown(place_of(c, a));
  l.ip = shown(field(c, a, Role::kIp));
  std::string reasons(value_of(c, a, static_cast<std::size_t>(c.scored[scored::Field::kReasons])));
  l.reasons = reasons.empty() ? "-" : display_text(reasons, 500);
  return l;
}

std::vector<std::string> notes_of(const Batch& b, const AlertOptions& o,
                                  const IncidentSelection* incidents) {
  std::vector<std::string> notes;
  if (b.held_windows > 0)
    notes.push_back("This is a digest: the hourly cap (--max-per-hour " +
                    std::to_string(o.max_per_hour) + ") held back " +
                    text::plural(b.held_windows, "alert window", "alert windows") +
                    (b.held_since_ms ? " since " + format_time_iso(*b.held_since_ms) : "") +
                    "; every anomaly they held is in this message.");
  if (b.duplicates > 0)
    notes.push_back(text::plural(b.duplicates, "flagged row was", "flagged rows were") +
                    " alerted before and left out (--state).");
  if (incidents && incidents->held_rows > 0)
    notes.push_back(text::plural(incidents->held_rows, "flagged row", "flagged rows") + " of " +
                    text::plural(incidents->held_incidents, "incident", "incidents") +
                    " alerted before, whose band did not rise, " +
                    (incidents->held_rows == 1 ? "was" : "were") + " left out.");
  if (incidents && incidents->unsummarised_rows > 0)
    notes.push_back(text::plural(incidents->unsummarised_rows, "flagged row", "flagged rows") +
                    " of incidents past the first " + std::to_string(kMaxIncidents) +
                    " of this alert are attached and counted, but not listed as incidents.");
  if (b.skipped > 0)
    notes.push_back(text::plural(b.skipped, "malformed row was", "malformed rows were") +
                    " skipped; ad-mail's warnings name each one.");
  return notes;
}

}  // namespace

Columns Columns::find(const std::vector<std::string>& header,
                      const std::map<std::string, std::string>& overrides,
                      const std::string& file) {
  Columns c;
  c.header = header;
  c.roles = Roles::find(header, overrides);
  c.scored = scored::Columns::find(header);
  c.scored.require(file);
  c.slim_at.assign(header.size(), -1);
  auto keep = [&c](int column) {
    if (column >= 0 && c.slim_at[static_cast<std::size_t>(column)] < 0)
      c.slim_at[static_cast<std::size_t>(column)] = static_cast<int>(c.slim_count++);
  };
  for (std::size_t i = 0; i < header.size(); ++i)
    if (c.roles.role_of(static_cast<int>(i))) keep(static_cast<int>(i));
  keep(c.scored[scored::Field::kReasons]);
  return c;
}

std::string_view value_of(const Columns& c, const Anomaly& a, std::size_t column) {
  if (!a.slim) return a.fields[column];
  int at = c.slim_at[column];
  return at >= 0 ? std::string_view(a.fields[static_cast<std::size_t>(at)]) : std::string_view();
}

std::size_t attachment_bytes(const Anomaly& a) {
  std::size_t n = a.fields.size();  // commas and the newline
  for (const std::string& f : a.fields) n += f.size();
  return n;
}

void make_slim(const Columns& c, Anomaly& a) {
  if (a.slim) return;
  std::vector<std::string> kept(c.slim_count);
  for (std::size_t i = 0; i < a.fields.size() && i < c.slim_at.size(); ++i)
    if (c.slim_at[i] >= 0) kept[static_cast<std::size_t>(c.slim_at[i])] = std::move(a.fields[i]);
  a.fields = std::move(kept);
  a.slim = true;
}

void Batch::add_anomaly(const Columns& c, Anomaly&& a, std::size_t max_attachment) {
  std::size_t bytes = attachment_bytes(a);
  if (full_bytes + bytes > max_attachment) make_slim(c, a);
  else full_bytes += bytes;
  push(std::move(a));
}

void Batch::push(Anomaly&& a) {
  memory_bytes += attachment_bytes(a);
  anomalies.push_back(std::move(a));
  if (anomalies.size() < kRowsInMemory && memory_bytes < kBytesInMemory) return;
  for (const Anomaly& kept : anomalies) spooled.append(kept);
  anomalies.clear();
  memory_bytes = 0;
}

void Batch::for_each(const std::function<void(const Anomaly&)>& f) const {
  spooled.for_each([&f](Anomaly& a) { f(a); });
  for (const Anomaly& a : anomalies) f(a);
}

void Batch::filter(const std::function<bool(Anomaly&)>& keep) {
  RowSpool old = std::move(spooled);
  std::vector<Anomaly> recent = std::move(anomalies);
  spooled = RowSpool();
  anomalies.clear();
  memory_bytes = 0;
  auto pass = [&](Anomaly& a) {
    if (keep(a)) push(std::move(a));
  };
  old.for_each(pass);
  for (Anomaly& a : recent) pass(a);
}

RowKind read_row(const Columns& c, const csv::Reader& reader, const csv::Row& row, int assume_tz_s,
                 std::optional<std::int64_t>& time_ms, Anomaly* anomaly) {
  const auto& f = row.fields;
  auto parsed = scored::parse(c.scored, row, reader.name());
  if (!parsed) return RowKind::kUnscored;
  time_ms.reset();
  if (c.roles.has(Role::kTime))
    time_ms = parse_time_ms(f[static_cast<std::size_t>(c.roles[Role::kTime])], assume_tz_s);
  if (!parsed->flag) return RowKind::kNormal;
  if (anomaly) {
    anomaly->fields.assign(f.begin(), f.end());
    anomaly->line = row.line;
    anomaly->score = parsed->score;
    anomaly->severity = parsed->severity;
    anomaly->time_ms = time_ms;
    anomaly->incident_id = parsed->incident_id;
    anomaly->incident_kind = parsed->incident_kind;
    anomaly->incident_score = parsed->incident_score;
    std::string_view id = c.roles.has(Role::kId) ? f[static_cast<std::size_t>(c.roles[Role::kId])]
                                                 : std::string_view();
    if (!id.empty()) {
      anomaly->key = key_of_id(id);
    } else {
      std::vector<std::string_view> input;
      for (std::size_t i = 0; i < f.size(); ++i)
        if (!scored::is_column(c.header[i])) input.push_back(f[i]);
      anomaly->key = key_of_fields(input);
    }
  }
  return RowKind::kFlagged;
}

void Batch::add_time(std::optional<std::int64_t> time_ms) {
  if (!time_ms) return;
  if (!first_ms || *time_ms < *first_ms) first_ms = time_ms;
  if (!last_ms || *time_ms > *last_ms) last_ms = time_ms;
}

std::string display_text(std::string_view value, std::size_t max_chars) {
  return text::truncate(mime::strip_controls(value), max_chars, "...");
}

namespace {

struct UserLine {  // a user with anomalies
  std::string user;
  std::size_t count = 0;
  double top_score = 0;
};

// Everything the two bodies show, already sanitised (not yet HTML-escaped).
struct View {
  std::string headline, input, span, highest, attached;
  std::array<std::uint64_t, kBandCount> bands{};
  std::size_t flagged = 0;
  std::vector<Line> top;
  std::vector<UserLine> users;
  std::vector<std::string> notes;
  std::string incidents_text, incidents_html;  // the incidents section, when there is one
};

// Distinct users counted for "Users with the most anomalies"; rows of further users
// are counted apart (Tally::uncounted).
constexpr std::size_t kMaxUsersCounted = 10000;

struct Ranked {  // an anomaly in the top list
  double score = 0, severity = 0;
  std::uint64_t sequence = 0;  // input order
  Line line;
};

// True if x ranks before y: by score, then severity, then input order.
bool ranks_first(const Ranked& x, const Ranked& y) {
  if (x.score != y.score) return x.score > y.score;
  if (x.severity != y.severity) return x.severity > y.severity;
  return x.sequence < y.sequence;
}

// What one pass over a batch's flagged rows gathers for the bodies, in bounded memory:
// counts by band, the highest severity and earliest time, the top `top` rows (a heap,
// the last-ranked at its front) and counts per user, for at most kMaxUsersCounted users.
struct Tally {
  std::size_t top = 0;
  bool rank = false;  // gather the top rows and the users
  std::array<std::uint64_t, kBandCount> bands{};
  double highest = 0;
  std::optional<std::int64_t> first_ms;
  std::vector<Ranked> heap;
  std::map<std::string, UserLine> users;
  std::uint64_t uncounted = 0, rows = 0;

  void add(const Columns& c, const Anomaly& a) {
    ++bands[static_cast<int>(scored::band_of(a.severity))];
    highest = std::max(highest, a.severity);
    if (a.time_ms && (!first_ms || *a.time_ms < *first_ms)) first_ms = a.time_ms;
    std::uint64_t sequence = rows++;
    if (!rank || top == 0) return;
    Ranked r{a.score, a.severity, sequence, {}};
    if (heap.size() < top || ranks_first(r, heap.front())) {
      r.line = line_of(c, a);
      if (heap.size() == top) {
        std::pop_heap(heap.begin(), heap.end(), ranks_first);
        heap.pop_back();
      }
      heap.push_back(std::move(r));
      std::push_heap(heap.begin(), heap.end(), ranks_first);
    }
    if (!c.roles.has(Role::kUser)) return;
    std::string user = field(c, a, Role::kUser);
    auto it = users.find(user);
    if (it == users.end() && users.size() == kMaxUsersCounted) {
      ++uncounted;
      return;
    }
    UserLine& u = it != users.end() ? it->second : users[user];
    ++u.count;
    u.top_score = std::max(u.top_score, a.score);
  }

  std::vector<Line> top_lines() {
    std::sort_heap(heap.begin(), heap.end(), ranks_first);
    std::vector<Line> out;
    for (Ranked& r : heap) out.push_back(std::move(r.line));
    return out;
  }

  // The users with the most anomalies, at most `top`: by count, then highest score.
  std::vector<UserLine> top_users() {
    std::vector<UserLine> out;
    for (auto& [name, u] : users) {
      u.user = name.empty() ? "-" : display_text(name);
      out.push_back(u);
    }
    std::stable_sort(out.begin(), out.end(), [](const UserLine& x, const UserLine& y) {
      if (x.count != y.count) return x.count > y.count;
      return x.top_score > y.top_score;
    });
    if (out.size() > top) out.resize(top);
    return out;
  }
};

std::string render_text(const View& v) {
  std::string t = v.headline + "\n\n";
  t += "Input:             " + v.input + "\n";
  t += "Time span:         " + v.span + "\n";
  t += "Highest severity:  " + v.highest + "\n\n";
  if (!v.incidents_text.empty()) t += v.incidents_text + "\n";
  t += "Flagged by severity\n";
  for (int k = kBandCount - 1; k >= 0; --k) {
    auto band = static_cast<scored::Band>(k);
    std::string label =
        std::string(scored::band_name(band)) + " (" + std::string(scored::band_range(band)) + ")";
    label.resize(24, ' ');
    t += "  " + label + std::to_string(v.bands[k]) + "\n";
  }
  if (!v.top.empty()) {
    t += "\nTop " + std::to_string(v.top.size()) + " of " + std::to_string(v.flagged) +
         " anomalies, by score\n";
    for (std::size_t i = 0; i < v.top.size(); ++i) {
      const Line& l = v.top[i];
      t += "\n" + std::to_string(i + 1) + ". severity " + l.severity + ", score " + l.score + "\n";
      t += "   user:    " + l.user + "\n";
      t += "   time:    " + l.time + "\n";
      t += "   place:   " + l.place + "\n";
      t += "   IP:      " + l.ip + "\n";
      t += "   reasons: " + l.reasons + "\n";
    }
  }
  if (!v.users.empty()) {
    t += "\nUsers with the most anomalies\n";
    for (const UserLine& u : v.users)
      t += "  " + std::to_string(u.count) + " (highest score " + fixed(u.top_score, 3) + ")  " +
           u.user + "\n";
  }
  if (!v.attached.empty()) t += "\n" + v.attached + "\n";
  if (!v.notes.empty()) {
    t += "\nNotes\n";
    for (const std::string& n : v.notes) t += "- " + n + "\n";
  }
  t += "\n-- \nad-mail " + std::string(AD_VERSION) + "\n";
  return t;
}

std::string render_html(const View& v, const std::string& subject) {
  auto e = [](const std::string& s) { return text::html_escape(s); };
  std::string h = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + e(subject) +
                  "</title></head>\n<body style=\"font-family:sans-serif;font-size:14px\">\n";
  h += "<h2>" + e(v.headline) + "</h2>\n<table cellpadding=\"3\">\n";
  h += "<tr><th align=\"left\">Input</th><td>" + e(v.input) + "</td></tr>\n";
  h += "<tr><th align=\"left\">Time span</th><td>" + e(v.span) + "</td></tr>\n";
  h += "<tr><th align=\"left\">Highest severity</th><td>" + e(v.highest) + "</td></tr>\n";
  h += "</table>\n" + v.incidents_html + "<h3>Flagged by severity</h3>\n<table cellpadding=\"3\">\n";
  for (int k = kBandCount - 1; k >= 0; --k)
    h += "<tr><td>" + std::string(scored::band_name(static_cast<scored::Band>(k))) + " (" +
         e(std::string(scored::band_range(static_cast<scored::Band>(k)))) +
         ")</td><td align=\"right\">" + std::to_string(v.bands[k]) + "</td></tr>\n";
  h += "</table>\n";
  if (!v.top.empty()) {
    h += "<h3>Top " + std::to_string(v.top.size()) + " of " + std::to_string(v.flagged) +
         " anomalies, by score</h3>\n"
         "<table border=\"1\" cellpadding=\"4\" style=\"border-collapse:collapse\">\n"
         "<tr><th>#</th><th>Severity</th><th>Score</th><th>User</th><th>Time</th><th>Place</th>"
         "<th>IP</th><th>Reasons</th></tr>\n";
    for (std::size_t i = 0; i < v.top.size(); ++i) {
      const Line& l = v.top[i];
      h += "<tr><td>" + std::to_string(i + 1) + "</td><td>" + e(l.severity) + "</td><td>" +
           e(l.score) + "</td><td>" + e(l.user) + "</td><td>" + e(l.time) + "</td><td>" +
           e(l.place) + "</td><td>" + e(l.ip) + "</td><td>" + e(l.reasons) + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  if (!v.users.empty()) {
    h += "<h3>Users with the most anomalies</h3>\n"
         "<table border=\"1\" cellpadding=\"4\" style=\"border-collapse:collapse\">\n"
         "<tr><th>User</th><th>Anomalies</th><th>Highest score</th></tr>\n";
    for (const UserLine& u : v.users)
      h += "<tr><td>" + e(u.user) + "</td><td align=\"right\">" + std::to_string(u.count) +
           "</td><td>" + fixed(u.top_score, 3) + "</td></tr>\n";
    h += "</table>\n";
  }
  if (!v.attached.empty()) h += "<p>" + e(v.attached) + "</p>\n";
  if (!v.notes.empty()) {
    h += "<h3>Notes</h3>\n<ul>\n";
    for (const std::string& n : v.notes) h += "<li>" + e(n) + "</li>\n";
    h += "</ul>\n";
  }
  h += "<p style=\"color:#666;font-size:12px\">ad-mail " + std::string(AD_VERSION) +
       "</p>\n</body></html>\n";
  return h;
}

// The attachment, and the sentence that says what it holds.
void attach(const Columns& c, const Batch& b, const AlertOptions& o, std::optional<std::int64_t> first,
            AlertContent& a, View& v) {
  std::string stamp;
  for (char ch : format_time_iso(o.now_ms - o.now_ms % 1000))
    if (ch != '-' && ch != ':') stamp += ch;
  a.csv_name = "ad-anomalies-" + stamp + ".csv";
  a.csv = attachment_csv(c, b, o.max_attachment, a.attached);
  const std::uint64_t flagged = b.flagged();
  a.left_out = flagged - a.attached;
  if (a.left_out == 0) {
    v.attached = "All " + text::plural(flagged, "flagged row is", "flagged rows are") + " attached as " +
                 a.csv_name + ".";
    return;
  }
  v.attached = "The first " + std::to_string(a.attached) + " of " + std::to_string(flagged) +
               " flagged rows are attached as " + a.csv_name + "; " +
               text::plural(a.left_out, "row was", "rows were") + " left out to keep the attachment within " +
               std::to_string(o.max_attachment) +
               " bytes (--max-attachment). Where ad-store keeps the scored rows, 'ad-store --export" +
               (first ? " --since " + format_time_iso(*first) : std::string()) + "' writes them all.";
}

}  // namespace

AlertContent render_alert(const Columns& c, const Batch& b, const AlertOptions& o,
                          const IncidentSelection* incidents) {
  AlertContent a;
  View v;
  const std::uint64_t flagged = b.flagged();
  bool about_incidents = incidents && !incidents->alerted.empty() && flagged > 0;
  Tally tally;
  tally.top = o.top;
  tally.rank = !about_incidents;
  b.for_each([&](const Anomaly& x) { tally.add(c, x); });
  a.bands = v.bands = tally.bands;
  v.flagged = flagged;
  if (!about_incidents) {
    v.top = tally.top_lines();
    v.users = tally.top_users();
  }

  std::string logins = b.scored == 1 ? "login" : "logins";
  std::string prefix = o.subject_prefix + (o.subject_prefix.empty() ? "" : " ") +
                       (b.held_windows > 0 ? "digest: " : "");
  std::string were = flagged == 1 ? "was" : "were";
  v.highest = fixed(tally.highest, 1) + " (" + std::string(scored::band_name(scored::band_of(tally.highest))) + ")";
  if (flagged == 0) {
    a.subject = prefix + "no anomalies in " + std::to_string(b.scored) + " " + logins;
    v.headline = "No anomalies: none of the " + std::to_string(b.scored) + " " + logins +
                 " scored was flagged.";
    v.highest = "-";
  } else if (about_incidents) {
    a.subject = prefix + incident_subject(*incidents);
    v.headline = "Login incidents: " +
                 text::plural(static_cast<std::int64_t>(incidents->alerted.size()), "incident", "incidents") +
                 "; " + std::to_string(flagged) + " of " + std::to_string(b.scored) + " " + logins + " scored " +
                 were + " flagged.";
    v.incidents_text = incidents_text(*incidents, o.top);
    v.incidents_html = incidents_html(*incidents, o.top);
  } else {
    a.subject = prefix + std::to_string(flagged) + " of " + std::to_string(b.scored) + " " + logins +
                " anomalous, highest severity " + v.highest;
    v.headline = "Login anomalies: " + std::to_string(flagged) + " of " + std::to_string(b.scored) + " " +
                 logins + " scored " + were + " flagged.";
  }
  v.span = b.first_ms ? format_time_iso(*b.first_ms) + " to " + format_time_iso(*b.last_ms)
                      : std::string("unknown (no readable time column)");
  v.input = display_text(o.input_name, 100);
  v.notes = notes_of(b, o, incidents);
  if (tally.uncounted > 0)
    v.notes.push_back(text::plural(tally.uncounted, "flagged row", "flagged rows") + " of users past the first " +
                      std::to_string(kMaxUsersCounted) + " are not counted under the users with the most anomalies.");
  if (flagged > 0) attach(c, b, o, tally.first_ms, a, v);
  a.text = render_text(v);
  a.html = render_html(v, a.subject);
  return a;
}

}  // namespace ad::mail
