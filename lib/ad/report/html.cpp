// ad-report's output side: the HTML document, its style sheet and its script.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "ad/report/html.h"
#include "ad/core/scored.h"
#include "ad/core/text.h"
#include "ad/report/assets.h"
#include "ad/report/csp.h"
#include "ad/report/fragments.h"
#include "ad/report/incident_view.h"
#include "ad/report/svg.h"

namespace ad::report {

namespace {

using aggregate::Aggregator;
using aggregate::Band;
using aggregate::kBandCount;
using text::html_escape;
using svg::format_count;

// "1,234", or "at least 100,000" for a count that stopped (aggregate::kMaxDistinct).
std::string at_least(std::uint64_t n, bool capped) { return (capped ? "at least " : "") + format_count(n); }

class Page {
 public:
  Page(const Aggregator& agg, const aggregate::IncidentBook& book, const std::vector<std::string>& sources,
       const Options& options)
      : a_(agg), b_(book), sources_(sources), o_(options), tz_(aggregate::format_offset(options.utc_offset_s)),
        top_(book.top()) {}

  std::string build() {
    head();
    h_ += "<body>\n";
    header();
    h_ += "<main>\n";
    summary();
    if (b_.present()) {
      h_ += incidents_section(b_, top_, tz_);
      h_ += incidents_over_time(a_, b_, tz_);
    }
    over_time();
    h_ += "<div class=\"grid\">\n";
    scores();
    heat();
    h_ += "</div>\n";
    tops();
    table();
    h_ += "</main>\n";
    footer();
    h_ += "<script>";
    h_ += page_script();
    h_ += "</script>\n</body>\n</html>\n";
    return std::move(h_);
  }

 private:
  void head() {
    h_ += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    h_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    h_ += fmt::format(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src {}; script-src {}; img-src 'none'; base-uri 'none'; form-action 'none'\">\n",
        csp_hash(page_style()), csp_hash(page_script()));
    if (!o_.generator.empty()) h_ += "<meta name=\"generator\" content=\"" + html_escape(o_.generator) + "\">\n";
    h_ += "<title>" + html_escape(o_.title) + "</title>\n<style>";
    h_ += page_style();
    h_ += "</style>\n</head>\n";
  }

  void header() {
    h_ += "<header>\n<h1>" + html_escape(o_.title) + "</h1>\n<p class=\"meta\">";
    if (a_.first()) {
      h_ += html_escape(aggregate::format_local(*a_.first())) + " to " +
            html_escape(aggregate::format_local(*a_.last())) + " " + html_escape(tz_);
    } else {
      h_ += "No valid times";
    }
    h_ += " &middot; from ";
    std::size_t shown = std::min<std::size_t>(sources_.size(), 6);
    for (std::size_t i = 0; i < shown; ++i) {
      if (i) h_ += ", ";
      h_ += "<span class=\"mono\">" + html_escape(sources_[i]) + "</span>";
    }
    if (sources_.size() > shown) h_ += fmt::format(" and {} more", sources_.size() - shown);
    h_ += "</p>\n</header>\n";
  }

  void kpi(std::string_view name, const std::string& value_html, const std::string& small = {}) {
    h_ += "<div><dt>";
    h_ += name;
    h_ += "</dt><dd>" + value_html;
    if (!small.empty()) h_ += " <small>" + small + "</small>";
    h_ += "</dd></div>\n";
  }

  void summary() {
    h_ += "<section aria-labelledby=\"h-summary\">\n<h2 id=\"h-summary\">Summary</h2>\n";
    if (b_.present()) h_ += incident_kpis(b_);
    h_ += b_.present() ? "<dl class=\"kpis minor\" aria-label=\"Events\">\n" : "<dl class=\"kpis\">\n";
    kpi("Events", format_count(a_.events()));
    kpi("Logins scored", format_count(a_.scored()));
    kpi("Flagged", format_count(a_.flagged()), html_escape(pct(a_.flagged(), a_.scored())));
    kpi("Users affected", at_least(a_.users_affected(), a_.users_capped()));
    kpi("Span", a_.first() ? html_escape(aggregate::format_duration(*a_.last() - *a_.first())) : "&ndash;");
    h_ += "</dl>\n";
    std::array<std::uint64_t, kBandCount> bands{};
    for (int b = 0; b < kBandCount; ++b) bands[b] = a_.flagged_in(static_cast<Band>(b));
    h_ += "<p>";
    if (a_.flagged()) {
      h_ += "By severity: " + html_escape(bands_text(bands)) + ". ";
      h_ += fmt::format("Threshold {:.6f}: the lowest score among the flagged logins.", *a_.threshold());
      if (a_.max_unflagged() && *a_.max_unflagged() > *a_.threshold())
        h_ += fmt::format(
            " Some logins that were not flagged scored higher (up to {:.6f}): the input holds "
            "scores from more than one model or threshold.",
            *a_.max_unflagged());
    } else if (a_.scored()) {
      h_ += "No login was flagged.";
    } else {
      h_ += "No row of the input was scored.";
    }
    h_ += "</p>\n<p class=\"note\">Severity is the score&rsquo;s percentile among the training "
          "scores; bands: ";
    for (int b = kBandCount - 1; b >= 0; --b) {
      auto band = static_cast<Band>(b);
      h_ += fmt::format("<span class=\"band b{}\">{}</span> {}{}", b, scored::band_name(band),
                        html_escape(scored::band_range(band)), b ? ", " : ".");
    }
    if (a_.untimed())
      h_ += fmt::format(" {} no valid time; left out of the plots over time and by hour.",
                        count_of(a_.untimed(), "row had", "rows had"));
    h_ += "</p>\n</section>\n";
  }

  void data_table(const std::vector<std::string>& heads, const std::vector<std::vector<std::string>>& rows) {
    h_ += report::data_table(heads, rows);
  }

  void over_time() {
    h_ += "<section aria-labelledby=\"h-time\">\n<h2 id=\"h-time\">Logins and anomalies over time</h2>\n";
    aggregate::TimeSeries ts = a_.time_series(60);
    if (ts.starts.empty()) {
      h_ += "<p class=\"note\">No row had a valid time, so there is no plot over time.</p>\n</section>\n";
      return;
    }
    std::string per = aggregate::describe(ts.bucketing);
    std::size_t n = ts.starts.size();
    svg::BarChart c;
    c.id = "c-time";
    c.title = "Logins and anomalies per " + per;
    c.categories = n;
    c.width = 1140;
    svg::BarPanel logins{"Logins per " + per, 150, {{"logins", svg::palette::kBlue}}, {}};
    svg::BarPanel anomalies{"Anomalies per " + per + ", by severity", 110, {}, {}};
    for (int b = 0; b < kBandCount; ++b)
      anomalies.series.push_back({std::string(scored::band_name(static_cast<Band>(b))), bar_colour(static_cast<Band>(b))});
    std::vector<std::vector<std::string>> rows;
    std::uint64_t max_l = 0, max_a = 0, total_a = 0;
    std::size_t at_l = 0, at_a = 0;
    for (std::size_t i = 0; i < n; ++i) {
      logins.values.push_back({static_cast<double>(ts.logins[i])});
      std::vector<double> v;
      std::uint64_t an = 0;
      for (int b = 0; b < kBandCount; ++b) {
        v.push_back(static_cast<double>(ts.anomalies[i][b]));
        an += ts.anomalies[i][b];
      }
      anomalies.values.push_back(std::move(v));
      total_a += an;
      if (ts.logins[i] > max_l) max_l = ts.logins[i], at_l = i;
      if (an > max_a) max_a = an, at_a = i;
      std::string when = aggregate::describe_bucket(ts.starts[i], ts.bucketing);
      std::string tip = when + ": " + count_of(ts.logins[i], "login", "logins");
      if (an) tip += fmt::format("; {} ({})", count_of(an, "anomaly", "anomalies"), bands_text(ts.anomalies[i]));
      c.category_titles.push_back(tip);
      if (ts.logins[i] || an) {
        std::vector<std::string> r{when, format_count(ts.logins[i])};
        for (int b = kBandCount - 1; b >= 0; --b) r.push_back(format_count(ts.anomalies[i][b]));
        rows.push_back(std::move(r));
      }
    }
    c.panels = {logins, anomalies};
    c.x_labels = aggregate::time_labels(ts.starts, ts.bucketing, 12);
    c.x_label = "time (" + tz_ + "), one bar per " + per;
    std::string desc = fmt::format(
        "{} from {} to {} {}, in {} of one {}; at most {} in one {} ({}).",
        count_of(a_.scored(), "login", "logins"), aggregate::format_local(*a_.first()),
        aggregate::format_local(*a_.last()), tz_, count_of(n, "bar", "bars"), per, format_count(max_l), per,
        aggregate::describe_bucket(ts.starts[at_l], ts.bucketing));
    if (total_a)
      desc += fmt::format(" {}; at most {} in one {} ({}).", count_of(total_a, "anomaly", "anomalies"),
                          format_count(max_a), per, aggregate::describe_bucket(ts.starts[at_a], ts.bucketing));
    else
      desc += " No anomalies.";
    c.desc = desc;
    h_ += "<figure>\n" + svg::render(c) + "<figcaption>" + html_escape(desc) + "\n";
    data_table({"Period (" + tz_ + ")", "Logins", "Critical", "High", "Medium", "Low"}, rows);
    h_ += "</figcaption>\n</figure>\n</section>\n";
  }

  void scores() {
    h_ += "<section aria-labelledby=\"h-scores\">\n<h2 id=\"h-scores\">Score distribution</h2>\n";
    aggregate::ScoreHistogram hist = a_.histogram(40);
    svg::Histogram c;
    c.id = "c-scores";
    c.title = "Anomaly scores of the logins";
    c.lo = hist.lo;
    c.hi = hist.hi;
    c.log_y = true;
    c.width = 470;
    c.height = 200;
    c.total_series = {"all logins", svg::palette::kSkyBlue};
    c.highlight_series = {"flagged", svg::palette::kVermillion};
    c.x_label = "anomaly score (higher = more anomalous)";
    c.y_label = "Logins (log scale)";
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < hist.all.size(); ++i) {
      c.total.push_back(static_cast<double>(hist.all[i]));
      c.highlight.push_back(static_cast<double>(hist.flagged[i]));
      std::string range = fmt::format("{:.3f} to {:.3f}", hist.lo + i * hist.step, hist.lo + (i + 1) * hist.step);
      c.bin_titles.push_back(fmt::format("score {}: {}, {} flagged", range, count_of(hist.all[i], "login", "logins"),
                                         format_count(hist.flagged[i])));
      if (hist.all[i]) rows.push_back({range, format_count(hist.all[i]), format_count(hist.flagged[i])});
    }
    std::string desc;
    if (a_.scored()) {
      desc = fmt::format("Scores of {}, in bins of {}.", count_of(a_.scored(), "login", "logins"), hist.step);
      if (a_.threshold()) {
        c.marker = *a_.threshold();
        c.marker_label = fmt::format("threshold {:.3f}", *a_.threshold());
        desc += fmt::format(" {} flagged, at or above the threshold {:.6f}.", format_count(a_.flagged()),
                            *a_.threshold());
      } else {
        desc += " None flagged.";
      }
    } else {
      desc = "No scored logins.";
    }
    c.desc = desc;
    h_ += "<figure>\n" + svg::render(c) + "<figcaption>" + html_escape(desc) + "\n";
    data_table({"Score", "Logins", "Flagged"}, rows);
    h_ += "</figcaption>\n</figure>\n</section>\n";
  }

  void heat() {
    h_ += "<section aria-labelledby=\"h-heat\">\n<h2 id=\"h-heat\">Anomalies by weekday and hour</h2>\n";
    svg::HeatMap c;
    c.id = "c-heat";
    c.title = "Anomalies by weekday and hour of day (" + tz_ + ")";
    c.cell_width = 20;
    c.cell_height = 24;
    c.legend_label = "anomalies:";
    c.x_label = "hour of day (" + tz_ + ")";
    const auto& heat = a_.heat();
    std::vector<std::pair<std::uint64_t, std::string>> cells;
    std::uint64_t best = 0;
    int best_d = 0, best_h = 0;
    for (int d = 0; d < 7; ++d) {
      c.row_labels.emplace_back(aggregate::weekday_name(d));
      c.values.emplace_back();
      c.cell_titles.emplace_back();
      for (int hr = 0; hr < 24; ++hr) {
        std::uint64_t v = heat[d][hr];
        c.values.back().push_back(static_cast<double>(v));
        std::string when = fmt::format("{} {:02}:00 to {:02}:00", aggregate::weekday_name(d), hr, (hr + 1) % 24);
        c.cell_titles.back().push_back(when + ": " + count_of(v, "anomaly", "anomalies"));
        if (v) cells.emplace_back(v, when);
        if (v > best) best = v, best_d = d, best_h = hr;
      }
    }
    for (int hr = 0; hr < 24; ++hr) c.column_labels.push_back(std::to_string(hr));
    std::stable_sort(cells.begin(), cells.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    std::vector<std::vector<std::string>> rows;
    for (const auto& [v, when] : cells) rows.push_back({when, format_count(v)});
    std::string desc =
        best ? fmt::format("Flagged logins by local weekday and hour ({}); the most, {}, on {} from {:02}:00.",
                           tz_, format_count(best), aggregate::weekday_name(best_d), best_h)
             : std::string("No flagged login with a valid time.");
    c.desc = desc;
    h_ += "<figure>\n" + svg::render(c) + "<figcaption>" + html_escape(desc) + "\n";
    data_table({"Weekday and hour", "Anomalies"}, rows);
    h_ += "</figcaption>\n</figure>\n</section>\n";
  }

  void top_chart(const std::string& id, const std::string& heading, const std::string& what,
                 const std::vector<aggregate::Count>& top, const std::string& distinct, const char* colour) {
    svg::HBarChart c;
    c.id = id;
    c.title = "Top " + what + " among the anomalies";
    c.width = 360;
    c.label_width = 140;
    c.colour = colour;
    c.x_label = "anomalies";
    std::vector<std::vector<std::string>> rows;
    std::string list;
    for (const auto& t : top) {
      c.labels.push_back(t.value);
      c.values.push_back(static_cast<double>(t.count));
      rows.push_back({t.value, format_count(t.count)});
      if (!list.empty()) list += ", ";
      list += t.value + " (" + format_count(t.count) + ")";
    }
    std::string desc = top.empty() ? "None." : fmt::format("{} of {}: {}.", top.size(), distinct, list);
    c.desc = desc;
    h_ += "<figure>\n<h3>" + html_escape(heading) + "</h3>\n";
    h_ += svg::render(c);
    h_ += fmt::format("<figcaption>{} distinct; the top {} shown.\n", distinct, top.size());
    data_table({heading, "Anomalies"}, rows);
    h_ += "</figcaption>\n</figure>\n";
  }

  void tops() {
    h_ += "<section aria-labelledby=\"h-top\">\n<h2 id=\"h-top\">Who and where</h2>\n<div class=\"grid3\">\n";
    std::size_t n = o_.top_values;
    top_chart("c-users", "Users", "users", a_.top_users(n), at_least(a_.users_affected(), a_.users_capped()),
              svg::palette::kBlue);
    top_chart("c-ips", "Source IPs", "source IPs", a_.top_ips(n), at_least(a_.distinct_ips(), a_.ips_capped()),
              svg::palette::kGreen);
    top_chart("c-countries", "Countries", "countries", a_.top_countries(n),
              at_least(a_.distinct_countries(), a_.countries_capped()), svg::palette::kPurple);
    h_ += "</div>\n</section>\n";
  }

  void table() {
    bool incidents = b_.present();
    std::unordered_map<std::string, std::size_t> anchors;  // incident id -> rank in the incidents table
    for (std::size_t i = 0; i < top_.size(); ++i) anchors.emplace(top_[i].id, i);
    h_ += "<section aria-labelledby=\"h-anomalies\">\n<h2 id=\"h-anomalies\">Anomalies</h2>\n";
    auto list = a_.anomalies();
    if (a_.flagged() == 0) {
      h_ += "<p>No login was flagged.</p>\n</section>\n";
      return;
    }
    if (list.empty()) {
      h_ += fmt::format("<p>{} flagged; the table is left out (<code>--top 0</code>).</p>\n</section>\n",
                        count_of(a_.flagged(), "login was", "logins were"));
      return;
    }
    if (list.size() < a_.flagged())
      h_ += fmt::format(
          "<p>The <strong>{} most severe</strong> of {} flagged logins, by severity and then score "
          "(the table is capped at {} rows; change it with <code>--top</code>).</p>\n",
          format_count(list.size()), format_count(a_.flagged()), format_count(o_.top));
    else
      h_ += list.size() == 1 ? std::string("<p>The one flagged login.</p>\n")
                             : fmt::format("<p>All {} flagged logins, by severity and then score.</p>\n",
                                           format_count(list.size()));
    h_ += "<div id=\"table-tools\" hidden></div>\n<div class=\"table-wrap\">\n<table id=\"anomaly-table\">\n";
    h_ += fmt::format(
        "<thead><tr><th scope=\"col\">Time ({})</th><th scope=\"col\">User</th><th scope=\"col\">IP</th>"
        "<th scope=\"col\">Place</th><th scope=\"col\">Device</th><th scope=\"col\" class=\"num\">Score</th>"
        "<th scope=\"col\" class=\"num\" aria-sort=\"descending\">Severity</th><th scope=\"col\">Reasons</th>{}"
        "</tr></thead>\n<tbody>\n",
        html_escape(tz_), incidents ? "<th scope=\"col\">Incident</th>" : "");
    for (const auto& x : list) {
      int band = static_cast<int>(scored::band_of(x.severity));
      h_ += fmt::format("<tr class=\"s{}\">", band);
      h_ += anomaly_cells(x);
      if (incidents) {
        auto at = anchors.find(x.incident);
        if (at != anchors.end())
          h_ += fmt::format("<td class=\"mono\"><a href=\"#{}\">{}</a>", incident_anchor(at->second),
                            html_escape(x.incident));
        else
          h_ += "<td class=\"mono\">" + html_escape(x.incident);
        h_ += "</td>";
      }
      h_ += "</tr>\n";
    }
    h_ += "</tbody>\n</table>\n</div>\n</section>\n";
  }

  void footer() {
    h_ += "<footer>\n<p>";
    if (!o_.generator.empty()) h_ += "Made by " + html_escape(o_.generator);
    if (o_.generated_ms)
      h_ += (o_.generator.empty() ? "Made " : ", ") +
            html_escape(aggregate::format_local(*o_.generated_ms, true)) + " UTC";
    if (!o_.generator.empty() || o_.generated_ms) h_ += ". ";
    h_ += "Times are shown in " + html_escape(tz_) +
          ". This page loads nothing from the network and works without JavaScript; with it, the "
          "anomalies table can be sorted and filtered.</p>\n</footer>\n";
  }

  const Aggregator& a_;
  const aggregate::IncidentBook& b_;
  const std::vector<std::string>& sources_;
  const Options& o_;
  std::string tz_;
  std::vector<aggregate::Incident> top_;
  std::string h_;
};

}  // namespace

void write_html(const Aggregator& aggregator, const aggregate::IncidentBook& incidents,
                const std::vector<std::string>& sources, const Options& options, Output& out) {
  out.write(Page(aggregator, incidents, sources, options).build());
}

}  // namespace ad::report
