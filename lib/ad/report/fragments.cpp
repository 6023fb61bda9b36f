#include "ad/report/fragments.h"

#include <fmt/format.h>

#include <cmath>

#include "ad/core/text.h"
#include "ad/report/svg.h"

namespace ad::report {

using scored::Band;
using scored::kBandCount;
using svg::format_count;
using text::html_escape;

std::string count_of(std::uint64_t n, std::string_view one, std::string_view many) {
  return format_count(n) + " " + std::string(n == 1 ? one : many);
}

std::string pct(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "0%";
  double p = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  if (p > 0 && p < 0.01) return "<0.01%";
  return fmt::format("{:.{}f}%", p, p < 10 ? 2 : 1);
}

std::string bands_text(const std::array<std::uint64_t, kBandCount>& counts) {
  std::string out;
  for (int b = kBandCount - 1; b >= 0; --b) {
    if (!counts[b]) continue;
    if (!out.empty()) out += ", ";
    out += format_count(counts[b]) + " " + std::string(scored::band_name(static_cast<Band>(b)));
  }
  return out;
}

std::string bar_colour(Band band) { return svg::palette::kRamp[static_cast<int>(band)]; }

std::string band_badge(Band band) {
  return fmt::format("<span class=\"band b{}\">{}</span>", static_cast<int>(band), scored::band_name(band));
}

std::string data_table(const std::vector<std::string>& heads, const std::vector<std::vector<std::string>>& rows,
                       std::string_view summary) {
  std::string h = "<details><summary>";
  text::append_html_escaped(h, summary);
  h += "</summary>\n<table>\n<thead><tr>";
  for (std::size_t i = 0; i < heads.size(); ++i)
    h += fmt::format("<th scope=\"col\"{}>{}</th>", i ? " class=\"num\"" : "", html_escape(heads[i]));
  h += "</tr></thead>\n<tbody>\n";
  for (const auto& r : rows) {
    h += "<tr>";
    for (std::size_t i = 0; i < r.size(); ++i)
      h += fmt::format("<td{}>{}</td>", i ? " class=\"num\"" : "", html_escape(r[i]));
    h += "</tr>\n";
  }
  if (rows.empty()) h += fmt::format("<tr><td colspan=\"{}\">none</td></tr>\n", heads.size());
  h += "</tbody>\n</table>\n</details>\n";
  return h;
}

std::string reason_lines(std::string_view r) {
  std::string h;
  bool first = true;
  while (!r.empty()) {
    auto cut = r.find("; ");
    if (!first) h += "<br>";
    first = false;
    text::append_html_escaped(h, r.substr(0, cut));
    r = cut == std::string_view::npos ? std::string_view() : r.substr(cut + 2);
  }
  return h;
}

std::string anomaly_cells(const aggregate::Anomaly& x) {
  std::string h;
  if (x.local_ms)
    h += fmt::format("<td class=\"when\" data-v=\"{}\">{}</td>", *x.local_ms,
                     html_escape(aggregate::format_local(*x.local_ms, true)));
  else
    h += "<td class=\"when\" data-v=\"-1e300\">&ndash;</td>";
  h += "<td>" + html_escape(x.user) + "</td><td class=\"mono\">" + html_escape(x.ip) + "</td><td>" +
       html_escape(x.place) + "</td><td>" + html_escape(x.device) + "</td>";
  h += fmt::format("<td class=\"num\" data-v=\"{:.6f}\">{:.6f}</td>", x.score, x.score);
  h += fmt::format("<td class=\"num\" data-v=\"{}\">{:.1f} {}</td>", x.severity, std::floor(x.severity * 10) / 10,
                   band_badge(scored::band_of(x.severity)));
  h += "<td class=\"reasons\">" + reason_lines(x.reasons) + "</td>";
  return h;
}

}  // namespace ad::report
