#include "ad/report/incident_view.h"

#include <fmt/format.h>

#include "ad/core/text.h"
#include "ad/report/fragments.h"
#include "ad/report/svg.h"

namespace ad::report {

namespace {

using aggregate::IncidentBook;
using aggregate::Incident;
using scored::Band;
using scored::kBandCount;
using svg::format_count;
using text::html_escape;

// "alice, bob and 3 more" (the first names kept, and how many others; "at least" past the cap).
std::string names_text(const std::vector<std::string>& names, std::uint64_t count, bool capped) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  if (count > names.size())
    out += fmt::format(" and {}{} more", capped ? "at least " : "", format_count(count - names.size()));
  return out;
}

std::string names_cell(const std::vector<std::string>& names, std::uint64_t count, bool capped,
                       std::string_view one, std::string_view many, bool mono) {
  if (count == 0) return "<td>&ndash;</td>";
  std::string h = mono ? "<td class=\"mono\">" : "<td>";
  h += html_escape(names_text(names, count, capped));
  if (count > 1) h += "<span class=\"sub\">" + html_escape((capped ? "at least " : "") + count_of(count, one, many)) + "</span>";
  return h + "</td>";
}

// First and last time, and the span under them.
std::string when_cell(const Incident& s) {
  if (!s.first_ms) return "<td class=\"when\">&ndash;</td>";
  std::string first = aggregate::format_local(*s.first_ms, true);
  std::string last = aggregate::format_local(*s.last_ms, true);
  if (last.compare(0, 11, first, 0, 11) == 0) last = last.substr(11);  // same day: the time only
  std::string h = fmt::format("<td class=\"when\" data-v=\"{}\">", *s.first_ms);
  h += html_escape(first);
  if (*s.last_ms != *s.first_ms) h += " to " + html_escape(last);
  h += "<span class=\"sub\">" + html_escape(aggregate::format_duration(*s.last_ms - *s.first_ms)) + "</span></td>";
  return h;
}

// The incident's row and, under it, its events in a <details> element.
std::string incident_rows(const Incident& s, std::size_t rank, const std::string& tz) {
  std::string anchor = incident_anchor(rank);
  std::string h = fmt::format("<tr id=\"{}\" class=\"incident\"><td class=\"num\">{}</td>", anchor, rank + 1);
  h += "<td><strong>" + html_escape(s.kind.empty() ? "unknown" : s.kind) + "</strong><span class=\"sub mono\">" +
       html_escape(s.id) + "</span></td>";
  h += fmt::format("<td class=\"num\" data-v=\"{}\">{:.0f} {}</td>", s.score, s.score, band_badge(s.band()));
  h += names_cell(s.users, s.user_count, s.users_capped, "user", "users", false);
  h += names_cell(s.sources, s.source_count, s.sources_capped, "source", "sources", true);
  h += when_cell(s);
  h += "<td class=\"num\">" + format_count(s.events) + "</td>";
  h += "<td class=\"reasons\">" + reason_lines(s.reasons) + "</td></tr>\n";
  h += "<tr class=\"events\"><td></td><td colspan=\"7\"><details id=\"" + anchor + "-events\"><summary>";
  if (s.shown.size() < s.events)
    h += fmt::format("Its {} most severe events, of {}", format_count(s.shown.size()), format_count(s.events));
  else
    h += s.events == 1 ? std::string("Its event") : fmt::format("Its {} events", format_count(s.events));
  h += "</summary>\n<table class=\"incident-events\">\n<thead><tr>";
  const std::vector<std::string> heads = {"Time (" + tz + ")", "User", "IP", "Place", "Device", "Score", "Severity",
                                          "Reasons"};
  for (const auto& head : heads) h += "<th scope=\"col\">" + html_escape(head) + "</th>";
  h += "</tr></thead>\n<tbody>\n";
  for (const auto& a : s.shown) h += "<tr>" + anomaly_cells(a) + "</tr>\n";
  h += "</tbody>\n</table>\n</details></td></tr>\n";
  return h;
}

}  // namespace

std::string incident_anchor(std::size_t rank) { return fmt::format("inc-{}", rank + 1); }

std::string incident_kpis(const IncidentBook& book) {
  std::string h = "<dl class=\"kpis\">\n";
  h += "<div><dt>Incidents</dt><dd>" + format_count(book.total()) + "</dd></div>\n";
  for (int b = kBandCount - 1; b >= 0; --b) {
    auto band = static_cast<Band>(b);
    h += fmt::format("<div><dt>{} {}</dt><dd>{}</dd></div>\n", band_badge(band), "incidents",
                     format_count(book.in_band(band)));
  }
  h += "</dl>\n<p>";
  if (book.total()) {
    std::string kinds;
    for (const auto& k : book.kinds()) {
      if (!kinds.empty()) kinds += ", ";
      kinds += format_count(k.count) + " " + (k.value.empty() ? std::string("unknown") : k.value);
    }
    h += "By kind: " + html_escape(kinds) + ". ";
  } else {
    h += "No incidents. ";
  }
  h += fmt::format("Incident bands by incident score: {} from {:g}, {} from {:g}, {} from {:g}, {} below.",
                   band_badge(Band::kCritical), scored::kIncidentCriticalFrom, band_badge(Band::kHigh),
                   scored::kIncidentHighFrom, band_badge(Band::kMedium), scored::kIncidentMediumFrom,
                   band_badge(Band::kLow));
  if (book.unassigned())
    h += " " + html_escape(count_of(book.unassigned(), "flagged login has", "flagged logins have")) +
         " no incident.";
  h += " Events, below, are the rows behind them.</p>\n";
  return h;
}

std::string incidents_section(const IncidentBook& book, const std::vector<Incident>& top,
                              const std::string& tz) {
  std::string h = "<section aria-labelledby=\"h-incidents\">\n<h2 id=\"h-incidents\">Incidents</h2>\n";
  if (book.total() == 0) return h + "<p>No incidents.</p>\n</section>\n";
  if (top.empty())
    return h + fmt::format("<p>{}; the table is left out (<code>--top-incidents 0</code>).</p>\n</section>\n",
                           count_of(book.total(), "incident", "incidents"));
  std::string order = "by incident score, then the highest severity, then the first seen";
  if (top.size() < book.total())
    h += fmt::format("<p>The <strong>{} highest-ranked</strong> of {} incidents, {} (change how many with "
                     "<code>--top-incidents</code>).",
                     format_count(top.size()), format_count(book.total()), order);
  else
    h += top.size() == 1 ? std::string("<p>The one incident.") : fmt::format("<p>All {} incidents, {}.", top.size(), order);
  h += " Open an incident&rsquo;s events under its row.</p>\n";
  h += "<div class=\"table-wrap\">\n<table id=\"incident-table\">\n<thead><tr><th scope=\"col\" class=\"num\">#</th>"
       "<th scope=\"col\">Kind and id</th><th scope=\"col\" class=\"num\">Score</th><th scope=\"col\">Users</th>"
       "<th scope=\"col\">Sources</th>";
  h += "<th scope=\"col\">First to last (" + html_escape(tz) + ")</th>";
  h += "<th scope=\"col\" class=\"num\">Events</th><th scope=\"col\">Reasons (its top event)</th></tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < top.size(); ++i) h += incident_rows(top[i], i, tz);
  h += "</tbody>\n</table>\n</div>\n</section>\n";
  return h;
}

std::string incidents_over_time(const aggregate::Aggregator& a, const IncidentBook& book, const std::string& tz) {
  std::string h = "<section aria-labelledby=\"h-inc-time\">\n<h2 id=\"h-inc-time\">Incidents over time</h2>\n";
  aggregate::TimeSeries ts = a.time_series(60);
  if (ts.starts.empty())
    return h + "<p class=\"note\">No row had a valid time, so there is no plot over time.</p>\n</section>\n";
  std::string per = aggregate::describe(ts.bucketing);
  svg::BarChart c;
  c.id = "c-incidents";
  c.title = "Incidents opened per " + per + ", by incident band";
  c.categories = ts.starts.size();
  c.width = 1140;
  svg::BarPanel panel{"Incidents opened per " + per + ", by band", 120, {}, {}};
  for (int b = 0; b < kBandCount; ++b)
    panel.series.push_back({std::string(scored::band_name(static_cast<Band>(b))), bar_colour(static_cast<Band>(b))});
  std::vector<std::vector<std::string>> rows;
  std::uint64_t total = 0, most = 0;
  std::size_t at = 0;
  for (std::size_t i = 0; i < ts.starts.size(); ++i) {
    const auto& n = ts.incidents[i];
    std::uint64_t sum = 0;
    std::vector<double> v;
    for (int b = 0; b < kBandCount; ++b) v.push_back(static_cast<double>(n[b])), sum += n[b];
    panel.values.push_back(std::move(v));
    total += sum;
    if (sum > most) most = sum, at = i;
    std::string when = aggregate::describe_bucket(ts.starts[i], ts.bucketing);
    c.category_titles.push_back(when + ": " + count_of(sum, "incident", "incidents") +
                                (sum ? " (" + bands_text(n) + ")" : ""));
    if (sum) rows.push_back({when, format_count(sum), format_count(n[3]), format_count(n[2]), format_count(n[1]),
                             format_count(n[0])});
  }
  c.panels = {panel};
  c.x_labels = aggregate::time_labels(ts.starts, ts.bucketing, 12);
  c.x_label = "time (" + tz + "), one bar per " + per + ", at each incident's first event";
  c.desc = total ? fmt::format("{} opened in {} of one {}; at most {} in one {} ({}).",
                               count_of(total, "incident", "incidents"), count_of(ts.starts.size(), "bar", "bars"),
                               per, format_count(most), per, aggregate::describe_bucket(ts.starts[at], ts.bucketing))
                 : std::string("No incidents with a valid time.");
  if (book.total() > total)
    c.desc += " " + count_of(book.total() - total, "incident has", "incidents have") + " no valid time.";
  h += "<figure>\n" + svg::render(c) + "<figcaption>" + html_escape(c.desc) + "\n";
  h += data_table({"Period (" + tz + ")", "Incidents", "Critical", "High", "Medium", "Low"}, rows);
  h += "</figcaption>\n</figure>\n</section>\n";
  return h;
}

}  // namespace ad::report
