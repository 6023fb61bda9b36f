// ad-report's output side: the HTML document, its style sheet and its script.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "ad/report/html.h"
#include "ad/core/scored.h"
#include "ad/core/text.h"
#include "ad/report/csp.h"
#include "ad/report/svg.h"

namespace ad::report {

namespace {

using aggregate::Aggregator;
using aggregate::Band;
using aggregate::kBandCount;
using text::html_escape;
using svg::format_count;

// The page's only style sheet. Kept free of url(), @import and fonts: nothing to load.
constexpr std::string_view kStyle = R"CSS(
:root{--fg:#1a1a1a;--muted:#555;--line:#d9d9d9;--accent:#0062a0;--head:#f3f3f3}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:#fff;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
header,main,footer{max-width:1180px;margin:0 auto;padding:0 20px}
header{padding-top:12px}
h1{font-size:1.6em;margin:.4em 0 .1em}
h2{font-size:1.2em;margin:1.6em 0 .6em;padding-bottom:.2em;border-bottom:1px solid var(--line)}
h3{font-size:1em;margin:.2em 0 .4em}
.meta,.note,figcaption{color:var(--muted)}
.meta{margin:0}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:0}
.kpis div{border:1px solid var(--line);border-radius:6px;padding:8px 14px}
.kpis dt{color:var(--muted);font-size:.85em}
.kpis dd{margin:0;font-size:1.55em;font-weight:600;font-variant-numeric:tabular-nums}
.kpis dd small{font-size:.55em;font-weight:400;color:var(--muted)}
figure{margin:0 0 1.2em}
figcaption{font-size:.9em;margin:.3em 0}
svg.chart{display:block;max-width:100%;height:auto}
svg.chart .tick{fill:#333;font-size:11px}
svg.chart .label{fill:#222}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,480px),1fr));gap:8px 28px;align-items:start}
.grid3{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,330px),1fr));gap:8px 20px;align-items:start}
details{font-size:.9em;margin:.2em 0}
summary{cursor:pointer;color:var(--accent)}
details table{width:auto;margin:.4em 0}
table{border-collapse:collapse;width:100%;font-size:.88em}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{background:var(--head);white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.95em}
td.when{white-space:nowrap}
td.reasons{min-width:16em}
.table-wrap{overflow-x:auto}
#anomaly-table thead th{position:sticky;top:0}
th button{font:inherit;font-weight:700;color:inherit;background:none;border:0;padding:0;cursor:pointer}
th[aria-sort=ascending]::after{content:" \25B2";font-size:.8em}
th[aria-sort=descending]::after{content:" \25BC";font-size:.8em}
#table-tools{margin:.4em 0 .6em;display:flex;gap:.6em;align-items:center;flex-wrap:wrap}
#table-tools input{font:inherit;padding:3px 6px;min-width:18em}
.band{display:inline-block;min-width:4.6em;padding:0 5px;border-radius:3px;font-size:.85em;text-align:center;color:#000}
.b0{background:#FECC5C}.b1{background:#FD8D3C}.b2{background:#F03B20}.b3{background:#BD0026;color:#fff}
footer{margin:2em auto 1.5em;font-size:.85em;color:var(--muted)}
@media print{
body{font-size:10pt}
header,main,footer{max-width:none;padding:0}
#table-tools,details{display:none}
.grid,.grid3{display:block}
figure,.kpis,tr{break-inside:avoid}
h2,h3{break-after:avoid}
#anomaly-table thead th{position:static}
.table-wrap{overflow:visible}
.band,.kpis div{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
)CSS";

// Sorting and filtering for the anomalies table. Without it the table is already
// sorted by severity, so the page is complete with JavaScript off.
constexpr std::string_view kScript = R"JS(
(function () {
  "use strict";
  var table = document.getElementById("anomaly-table");
  var tools = document.getElementById("table-tools");
  if (!table || !tools) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  rows.forEach(function (r, i) { r.setAttribute("data-i", i); });
  var label = document.createElement("label");
  label.htmlFor = "filter";
  label.textContent = "Filter rows:";
  var input = document.createElement("input");
  input.type = "search";
  input.id = "filter";
  input.placeholder = "user, IP, place, reason\u2026";
  var count = document.createElement("span");
  count.setAttribute("aria-live", "polite");
  tools.appendChild(label);
  tools.appendChild(input);
  tools.appendChild(count);
  tools.hidden = false;
  function update() {
    var q = input.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var hit = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
      r.hidden = !hit;
      if (hit) shown++;
    });
    count.textContent = shown + " of " + rows.length + " rows shown";
  }
  input.addEventListener("input", update);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  function key(row, col) {
    var cell = row.cells[col], v = cell.getAttribute("data-v");
    return v !== null ? parseFloat(v) : cell.textContent.toLowerCase();
  }
  heads.forEach(function (th, col) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var numeric = rows.length > 0 && rows[0].cells[col].hasAttribute("data-v");
      var now = th.getAttribute("aria-sort");
      var dir = now ? (now === "ascending" ? -1 : 1) : (numeric ? -1 : 1);
      rows.sort(function (a, b) {
        var x = key(a, col), y = key(b, col);
        var c = x < y ? -1 : x > y ? 1 : 0;
        return c * dir || a.getAttribute("data-i") - b.getAttribute("data-i");
      });
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  document.documentElement.setAttribute("data-script", "ready");
  update();
})();
)JS";

// "1 login", "2,345 logins".
std::string count_of(std::uint64_t n, std::string_view one, std::string_view many) {
  return format_count(n) + " " + std::string(n == 1 ? one : many);
}

std::string pct(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "0%";
  double p = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  if (p > 0 && p < 0.01) return "<0.01%";
  return fmt::format("{:.{}f}%", p, p < 10 ? 2 : 1);
}

std::string bands_text(const std::array<std::uint64_t, kBandCount>& a) {
  std::string out;
  for (int b = kBandCount - 1; b >= 0; --b) {
    if (!a[b]) continue;
    if (!out.empty()) out += ", ";
    out += format_count(a[b]) + " " + std::string(scored::band_name(static_cast<Band>(b)));
  }
  return out;
}

std::string bar_colour(int band) { return svg::palette::kRamp[band]; }

class Page {
 public:
  Page(const Aggregator& agg, const std::vector<std::string>& sources, const Options& options)
      : a_(agg), sources_(sources), o_(options), tz_(aggregate::format_offset(options.utc_offset_s)) {}

  std::string build() {
    head();
    h_ += "<body>\n";
    header();
    h_ += "<main>\n";
    summary();
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
    h_ += kScript;
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
        csp_hash(kStyle), csp_hash(kScript));
    if (!o_.generator.empty()) h_ += "<meta name=\"generator\" content=\"" + html_escape(o_.generator) + "\">\n";
    h_ += "<title>" + html_escape(o_.title) + "</title>\n<style>";
    h_ += kStyle;
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
    h_ += "<section aria-labelledby=\"h-summary\">\n<h2 id=\"h-summary\">Summary</h2>\n<dl class=\"kpis\">\n";
    kpi("Events", format_count(a_.events()));
    kpi("Logins scored", format_count(a_.scored()));
    kpi("Flagged", format_count(a_.flagged()), html_escape(pct(a_.flagged(), a_.scored())));
    kpi("Users affected", format_count(a_.users_affected()));
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

  // A data table inside <details>, the text alternative of a chart.
  void data_table(const std::vector<std::string>& heads, const std::vector<std::vector<std::string>>& rows,
                  std::string_view summary = "Data table") {
    h_ += "<details><summary>";
    h_ += summary;
    h_ += "</summary>\n<table>\n<thead><tr>";
    for (std::size_t i = 0; i < heads.size(); ++i)
      h_ += fmt::format("<th scope=\"col\"{}>{}</th>", i ? " class=\"num\"" : "", html_escape(heads[i]));
    h_ += "</tr></thead>\n<tbody>\n";
    for (const auto& r : rows) {
      h_ += "<tr>";
      for (std::size_t i = 0; i < r.size(); ++i)
        h_ += fmt::format("<td{}>{}</td>", i ? " class=\"num\"" : "", html_escape(r[i]));
      h_ += "</tr>\n";
    }
    if (rows.empty()) h_ += fmt::format("<tr><td colspan=\"{}\">none</td></tr>\n", heads.size());
    h_ += "</tbody>\n</table>\n</details>\n";
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
      anomalies.series.push_back({std::string(scored::band_name(static_cast<Band>(b))), bar_colour(b)});
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
                 const std::vector<aggregate::Count>& top, std::uint64_t distinct, const char* colour) {
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
    std::string desc = top.empty() ? "None." : fmt::format("{} of {}: {}.", top.size(), format_count(distinct), list);
    c.desc = desc;
    h_ += "<figure>\n<h3>" + html_escape(heading) + "</h3>\n";
    h_ += svg::render(c);
    h_ += fmt::format("<figcaption>{} distinct; the top {} shown.\n", format_count(distinct), top.size());
    data_table({heading, "Anomalies"}, rows);
    h_ += "</figcaption>\n</figure>\n";
  }

  void tops() {
    h_ += "<section aria-labelledby=\"h-top\">\n<h2 id=\"h-top\">Who and where</h2>\n<div class=\"grid3\">\n";
    std::size_t n = o_.top_values;
    top_chart("c-users", "Users", "users", a_.top_users(n), a_.users_affected(), svg::palette::kBlue);
    top_chart("c-ips", "Source IPs", "source IPs", a_.top_ips(n), a_.distinct_ips(), svg::palette::kGreen);
    top_chart("c-countries", "Countries", "countries", a_.top_countries(n), a_.distinct_countries(),
              svg::palette::kPurple);
    h_ += "</div>\n</section>\n";
  }

  void table() {
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
        "<th scope=\"col\" class=\"num\" aria-sort=\"descending\">Severity</th><th scope=\"col\">Reasons</th>"
        "</tr></thead>\n<tbody>\n",
        html_escape(tz_));
    for (const auto& x : list) {
      int band = static_cast<int>(scored::band_of(x.severity));
      h_ += fmt::format("<tr class=\"s{}\">", band);
      if (x.local_ms)
        h_ += fmt::format("<td class=\"when\" data-v=\"{}\">{}</td>", *x.local_ms,
                          html_escape(aggregate::format_local(*x.local_ms, true)));
      else
        h_ += "<td class=\"when\" data-v=\"-1e300\">&ndash;</td>";
      h_ += "<td>" + html_escape(x.user) + "</td><td class=\"mono\">" + html_escape(x.ip) + "</td><td>" +
            html_escape(x.place) + "</td><td>" + html_escape(x.device) + "</td>";
      h_ += fmt::format("<td class=\"num\" data-v=\"{:.6f}\">{:.6f}</td>", x.score, x.score);
      h_ += fmt::format(
          "<td class=\"num\" data-v=\"{}\">{:.1f} <span class=\"band b{}\">{}</span></td>", x.severity,
          std::floor(x.severity * 10) / 10, band, scored::band_name(static_cast<Band>(band)));
      h_ += "<td class=\"reasons\">";
      std::string_view r = x.reasons;
      bool first = true;
      while (!r.empty()) {
        auto cut = r.find("; ");
        if (!first) h_ += "<br>";
        first = false;
        text::append_html_escaped(h_, r.substr(0, cut));
        r = cut == std::string_view::npos ? std::string_view() : r.substr(cut + 2);
      }
      h_ += "</td></tr>\n";
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
  const std::vector<std::string>& sources_;
  const Options& o_;
  std::string tz_;
  std::string h_;
};

}  // namespace

void write_html(const Aggregator& aggregator, const std::vector<std::string>& sources,
                const Options& options, Output& out) {
  out.write(Page(aggregator, sources, options).build());
}

}  // namespace ad::report
