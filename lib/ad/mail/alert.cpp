// The content of an alert: summary, top anomalies, attachment. See ad/alert.h.
#include "ad/mail/alert.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <numeric>

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


// Every column of rows, as a CSV file, with formulas neutralised. csv::Writer writes to
// a descriptor, so it writes to an anonymous in-memory file that is read back.
// The header and the rows, in order, up to the first slim one or the first that would
// take the attachment past max_bytes (the header is always there). Sets rows.
std::string attachment_csv(const Columns& columns, const std::vector<Anomaly>& anomalies,
                           std::size_t max_bytes, std::uint64_t& rows) {
  int fd = ::memfd_create("ad-mail-attachment", MFD_CLOEXEC);
  if (fd < 0) throw errno_error("cannot create the attachment in memory", errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  {
    Output out(fd, "the attachment");
    csv::Writer writer(out, csv::WriterOptions{true});
    writer.row(columns.header);
    out.flush();
    rows = 0;
    off_t size = ::lseek(fd, 0, SEEK_CUR);
    for (const Anomaly& a : anomalies) {
      if (a.slim) break;
      writer.row(a.fields);
      out.flush();
      off_t now = ::lseek(fd, 0, SEEK_CUR);
      if (now < 0 || size < 0) throw errno_error("cannot size the attachment", errno);
      if (static_cast<std::size_t>(now) > max_bytes) {  // cut before this row
        if (::ftruncate(fd, size) != 0) throw errno_error("cannot cut the attachment", errno);
        break;
      }
      size = now;
      ++rows;
    }
  }
  std::string data;
  char buf[65536];
  for (off_t at = 0;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw errno_error("cannot read the attachment back", errno);
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    at += n;
  }
  return data;
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
  anomalies.push_back(std::move(a));
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

std::vector<UserLine> users_of(const Columns& c, const std::vector<Anomaly>& an, std::size_t n) {
  if (!c.roles.has(Role::kUser) || n == 0) return {};
  std::map<std::string, UserLine> by_user;
  for (const Anomaly& a : an) {
    UserLine& u = by_user[field(c, a, Role::kUser)];
    ++u.count;
    u.top_score = std::max(u.top_score, a.score);
  }
  std::vector<UserLine> out;
  for (auto& [name, u] : by_user) {
    u.user = name.empty() ? "-" : display_text(name);
    out.push_back(u);
  }
  std::stable_sort(out.begin(), out.end(), [](const UserLine& x, const UserLine& y) {
    if (x.count != y.count) return x.count > y.count;
    return x.top_score > y.top_score;
  });
  if (out.size() > n) out.resize(n);
  return out;
}

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

}  // namespace

AlertContent render_alert(const Columns& c, const Batch& b, const AlertOptions& o,
                          const IncidentSelection* incidents) {
  AlertContent a;
  View v;
  const auto& an = b.anomalies;
  double highest = 0;
  for (const Anomaly& x : an) {
    ++a.bands[static_cast<int>(scored::band_of(x.severity))];
    highest = std::max(highest, x.severity);
  }
  v.bands = a.bands;
  v.flagged = an.size();
  std::vector<std::size_t> order(an.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
    if (an[i].score != an[j].score) return an[i].score > an[j].score;
    return an[i].severity > an[j].severity;
  });
  if (order.size() > o.top) order.resize(o.top);
  bool about_incidents = incidents && !incidents->alerted.empty() && !an.empty();
  if (!about_incidents) {
    for (std::size_t i : order) v.top.push_back(line_of(c, an[i]));
    v.users = users_of(c, an, o.top);
  }

  std::string logins = b.scored == 1 ? "login" : "logins";
  std::string prefix = o.subject_prefix + (o.subject_prefix.empty() ? "" : " ") +
                       (b.held_windows > 0 ? "digest: " : "");
  if (an.empty()) {
    a.subject = prefix + "no anomalies in " + std::to_string(b.scored) + " " + logins;
    v.headline = "No anomalies: none of the " + std::to_string(b.scored) + " " + logins +
                 " scored was flagged.";
    v.highest = "-";
  } else if (about_incidents) {
    v.highest = fixed(highest, 1) + " (" + std::string(scored::band_name(scored::band_of(highest))) + ")";
    a.subject = prefix + incident_subject(*incidents);
    v.headline = "Login incidents: " +
                 text::plural(static_cast<std::int64_t>(incidents->alerted.size()), "incident", "incidents") +
                 "; " + std::to_string(an.size()) + " of " + std::to_string(b.scored) + " " + logins +
                 " scored " + (an.size() == 1 ? "was" : "were") + " flagged.";
    v.incidents_text = incidents_text(*incidents, o.top);
    v.incidents_html = incidents_html(*incidents, o.top);
  } else {
    v.highest = fixed(highest, 1) + " (" + std::string(scored::band_name(scored::band_of(highest))) + ")";
    a.subject = prefix + std::to_string(an.size()) + " of " + std::to_string(b.scored) + " " +
                logins + " anomalous, highest severity " + v.highest;
    v.headline = "Login anomalies: " + std::to_string(an.size()) + " of " +
                 std::to_string(b.scored) + " " + logins + " scored " +
                 (an.size() == 1 ? "was" : "were") + " flagged.";
  }
  v.span = b.first_ms ? format_time_iso(*b.first_ms) + " to " + format_time_iso(*b.last_ms)
                      : std::string("unknown (no readable time column)");
  v.input = display_text(o.input_name, 100);
  v.notes = notes_of(b, o, incidents);
  if (!an.empty()) {
    std::string stamp;
    for (char ch : format_time_iso(o.now_ms - o.now_ms % 1000))
      if (ch != '-' && ch != ':') stamp += ch;
    a.csv_name = "ad-anomalies-" + stamp + ".csv";
    a.csv = attachment_csv(c, an, o.max_attachment, a.attached);
    a.left_out = an.size() - a.attached;
    if (a.left_out == 0) {
      v.attached = "All " + text::plural(an.size(), "flagged row is", "flagged rows are") +
                   " attached as " + a.csv_name + ".";
    } else {
      std::optional<std::int64_t> first;
      for (const Anomaly& x : an)
        if (x.time_ms && (!first || *x.time_ms < *first)) first = x.time_ms;
      v.attached = "The first " + std::to_string(a.attached) + " of " +
std::to_string(an.size()) + " flagged rows are attached as " + a.csv_name + "; " +
                   text::plural(a.left_out, "row was", "rows were") +
                   " left out to keep the attachment within " + std::to_string(o.max_attachment) +
                   " bytes (--max-attachment). Where ad-store keeps the scored rows, "
                   "'ad-store --export" +
                   (first ? " --since " + format_time_iso(*first) : std::string()) +
                   "' writes them all.";
    }
  }
  a.text = render_text(v);
  a.html = render_html(v, a.subject);
  return a;
}

}  // namespace ad::mail
