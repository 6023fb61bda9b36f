#include "ad/report/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "ad/core/text.h"

namespace ad::svg {

// ---------------------------------------------------------------------------------
// Text.

using ad::text::append_html_escaped;
using ad::text::html_escape;

std::string num(double v) {
  double r = std::round(v * 10) / 10;
  if (r == 0) return "0";
  std::string s = fmt::format("{:.1f}", r);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

std::string format_count(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// ---------------------------------------------------------------------------------
// Axes.

namespace {
// Rounds away the noise of i * step (0.30000000000000004 -> 0.3).
double clean(double v) {
  if (v == 0) return 0;
  double mag = std::pow(10.0, 12 - std::ceil(std::log10(std::fabs(v))));
  return std::round(v * mag) / mag;
}
}  // namespace

Ticks nice_ticks(double lo, double hi, int target, bool integer) {
  if (target < 2) target = 2;
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {
    if (lo == 0) {
      hi = 1;
    } else {
      double pad = std::fabs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
  }
  double range = hi - lo;
  int k = static_cast<int>(std::floor(std::log10(range / target))) - 1;
  static const double kMantissas[] = {1, 2, 2.5, 5};
  Ticks t;
  for (;; ++k) {
    double base = std::pow(10.0, k);
    bool found = false;
    for (double m : kMantissas) {
      double step = clean(m * base);
      if (integer && (step < 1 || step != std::floor(step))) continue;
      double first = std::floor(lo / step + 1e-9);
      double last = std::ceil(hi / step - 1e-9);
      if (last - first <= target) {
        t.step = step;
        t.lo = clean(first * step);
        t.hi = clean(last * step);
        for (double i = first; i <= last + 0.5; ++i) t.values.push_back(clean(i * step));
        found = true;
        break;
      }
    }
    if (found) break;
  }
  return t;
}

Ticks log_ticks(double hi) {
  Ticks t;
  int decades = std::max(1, static_cast<int>(std::ceil(std::log10(std::max(hi, 1.0)) - 1e-9)));
  int every = decades > 6 ? 2 : 1;
  decades = (decades + every - 1) / every * every;
  t.lo = 1;
  t.hi = std::pow(10.0, decades);
  t.step = 10;
  for (int d = 0; d <= decades; d += every) t.values.push_back(std::pow(10.0, d));
  return t;
}

std::string tick_label(double value, double step) {
  if (value == 0) return "0";
  std::string suffix;
  double scale = 1;
  if (step >= 1e6) {
    scale = 1e6;
    suffix = "M";
  } else if (step >= 1e3) {
    scale = 1e3;
    suffix = "k";
  }
  double v = value / scale, s = step / scale;
  int decimals = 0;
  while (decimals < 6 && std::fabs(s * std::pow(10.0, decimals) -
                                   std::round(s * std::pow(10.0, decimals))) > 1e-6)
    ++decimals;
  std::string text = fmt::format("{:.{}f}", v, decimals);
  if (decimals == 0 && suffix.empty() && std::fabs(v) >= 1000 && std::fabs(v) < 1e15)
    text = (v < 0 ? "-" : "") + format_count(static_cast<std::uint64_t>(std::llround(std::fabs(v))));
  return text + suffix;
}

LogScale::LogScale(double d0, double d1, double r0, double r1)
    : l0_(std::log10(d0)), l1_(std::log10(d1)), r0_(r0), r1_(r1) {}

double LogScale::operator()(double v) const {
  if (!(v > 0)) return r0_;
  double l = std::log10(v);
  if (l <= l0_) return r0_;
  return r0_ + (l - l0_) * (r1_ - r0_) / (l1_ - l0_);
}

// ---------------------------------------------------------------------------------
// Colours.

std::string viridis(double t) {
  static const unsigned kStops[9] = {0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C,
                                     0x28AE80, 0x5EC962, 0xADDC30, 0xFDE725};
  if (!(t > 0)) t = 0;
  if (t > 1) t = 1;
  double pos = t * 8;
  int i = std::min(7, static_cast<int>(pos));
  double f = pos - i;
  unsigned a = kStops[i], b = kStops[i + 1];
  auto mix = [&](int shift) {
    double ca = (a >> shift) & 0xFF, cb = (b >> shift) & 0xFF;
    return static_cast<unsigned>(std::lround(ca + (cb - ca) * f));
  };
  return fmt::format("#{:02X}{:02X}{:02X}", mix(16), mix(8), mix(0));
}

const char* text_colour_on(const std::string& fill) {
  if (fill.size() != 7 || fill[0] != '#') return "#000000";
  unsigned rgb = static_cast<unsigned>(std::stoul(fill.substr(1), nullptr, 16));
  auto lin = [](unsigned c) {
    double v = c / 255.0;
    return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  double l = 0.2126 * lin((rgb >> 16) & 0xFF) + 0.7152 * lin((rgb >> 8) & 0xFF) +
             0.0722 * lin(rgb & 0xFF);
  return l > 0.179 ? "#000000" : "#FFFFFF";
}

// ---------------------------------------------------------------------------------
// Charts.

namespace {

constexpr double kCharWidth = 7;  // rough width of a 12px sans-serif character

void open_svg(std::string& o, const std::string& id, const std::string& title,
              const std::string& desc, double w, double h) {
  o += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{2}\" class=\"chart\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-labelledby=\"{2}-t {2}-d\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n",
      num(w), num(h), html_escape(id));
  o += "<title id=\"" + html_escape(id) + "-t\">" + html_escape(title) + "</title>\n";
  o += "<desc id=\"" + html_escape(id) + "-d\">" + html_escape(desc) + "</desc>\n";
}

void text(std::string& o, double x, double y, std::string_view anchor, std::string_view cls,
          std::string_view content, std::string_view extra = {}) {
  o += fmt::format("<text class=\"{}\" x=\"{}\" y=\"{}\"", cls, num(x), num(y));
  if (anchor != "start") o += fmt::format(" text-anchor=\"{}\"", anchor);
  if (!extra.empty()) o += fmt::format(" {}", extra);
  o += '>';
  append_html_escaped(o, content);
  o += "</text>\n";
}

void line(std::string& o, std::string_view cls, double x1, double y1, double x2, double y2,
          std::string_view stroke, std::string_view extra = {}) {
  o += fmt::format("<line class=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"",
                   cls, num(x1), num(y1), num(x2), num(y2), stroke);
  if (!extra.empty()) o += fmt::format(" {}", extra);
  o += "/>\n";
}

void rect(std::string& o, std::string_view cls, double x, double y, double w, double h,
          std::string_view fill) {
  o += fmt::format("<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
                   cls, num(x), num(y), num(w), num(h), fill);
}

// A legend of swatches, right-aligned so that it ends at x_right, on baseline y.
void legend(std::string& o, const std::vector<Series>& series, double x_right, double y) {
  double width = 0;
  for (const auto& s : series) width += 14 + s.name.size() * kCharWidth + 14;
  double x = x_right - width + 14;
  o += "<g class=\"legend\">\n";
  for (const auto& s : series) {
    rect(o, "swatch", x, y - 9, 10, 10, html_escape(s.colour));
    o += '\n';
    text(o, x + 14, y, "start", "label", s.name);
    x += 14 + s.name.size() * kCharWidth + 14;
  }
  o += "</g>\n";
}

void y_axis(std::string& o, const std::vector<double>& ys, double x0,
            double x1, const std::vector<std::string>& labels) {
  for (std::size_t i = 0; i < ys.size(); ++i) {
    line(o, "grid", x0, ys[i], x1, ys[i], "#DDDDDD");
    text(o, x0 - 6, ys[i], "end", "tick", labels[i], "dy=\"0.32em\"");
  }
}

void no_data(std::string& o, double cx, double cy, std::string_view what) {
  text(o, cx, cy, "middle", "label", what, "fill=\"#555555\"");
}

// The labels under the categories of a bar chart: a tick and one or two lines each.
void x_labels(std::string& o, const std::vector<std::pair<std::size_t, std::string>>& labels, std::size_t n,
              double left, double step, double base) {
  for (const auto& [i, label] : labels) {
    if (i >= n) continue;
    double x = left + (i + 0.5) * step;
    line(o, "axis", x, base, x, base + 5, "#333333");
    std::string_view first = label, second;
    if (auto nl = label.find('\n'); nl != std::string::npos) {
      first = std::string_view(label).substr(0, nl);
      second = std::string_view(label).substr(nl + 1);
    }
    o += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">", num(x),
                     num(base + 18));
    append_html_escaped(o, first);
    if (!second.empty()) {
      o += fmt::format("<tspan x=\"{}\" dy=\"1.2em\">", num(x));
      append_html_escaped(o, second);
      o += "</tspan>";
    }
    o += "</text>\n";
  }
}

}  // namespace

std::string render(const BarChart& c) {
  std::string o;
  const auto& m = c.margins;
  double pw = c.width - m.left - m.right;
  double h = m.top + m.bottom;
  for (std::size_t p = 0; p < c.panels.size(); ++p)
    h += c.panels[p].height + (p > 0 ? c.panel_gap : 0);
  open_svg(o, c.id, c.title, c.desc, c.width, h);
  std::size_t n = c.categories;
  double step = n ? pw / n : pw;
  double bw = std::min(step * 0.8, 48.0);
  if (step - bw < 1) bw = step;
  double top = m.top;
  for (const auto& panel : c.panels) {
    double bottom = top + panel.height;
    double max_total = 0;
    for (std::size_t i = 0; i < n && i < panel.values.size(); ++i) {
      double sum = 0;
      for (double v : panel.values[i]) sum += v;
      max_total = std::max(max_total, sum);
    }
    Ticks ticks = nice_ticks(0, max_total, 4, true);
    LinearScale y(0, ticks.hi, bottom, top);
    std::vector<double> ys;
    std::vector<std::string> labels;
    for (double v : ticks.values) {
      ys.push_back(y(v));
      labels.push_back(tick_label(v, ticks.step));
    }
    o += "<g class=\"panel\">\n";
    text(o, m.left - 6, top - 10, "start", "label axis-label", panel.y_label,
         "font-weight=\"bold\"");
    if (panel.series.size() > 1) legend(o, panel.series, m.left + pw, top - 10);
    y_axis(o, ys, m.left, m.left + pw, labels);
    for (std::size_t i = 0; i < n && i < panel.values.size(); ++i) {
      double x = m.left + i * step + (step - bw) / 2;
      bool titled = i < c.category_titles.size() && !c.category_titles[i].empty();
      std::string bars;
      double cum = 0;
      for (std::size_t s = 0; s < panel.values[i].size() && s < panel.series.size(); ++s) {
        double v = panel.values[i][s];
        if (!(v > 0)) continue;
        double y1 = y(cum), y2 = y(cum + v);
        rect(bars, "bar", x, y2, bw, y1 - y2, html_escape(panel.series[s].colour));
        cum += v;
      }
      if (bars.empty()) continue;
      if (titled) {
        o += "<g><title>" + html_escape(c.category_titles[i]) + "</title>" + bars + "</g>\n";
      } else {
        o += bars + "\n";
      }
    }
    line(o, "axis", m.left, bottom, m.left + pw, bottom, "#333333");
    if (n == 0) no_data(o, m.left + pw / 2, (top + bottom) / 2, "no data");
    o += "</g>\n";
    top = bottom + c.panel_gap;
  }
  x_labels(o, c.x_labels, n, m.left, step, top - c.panel_gap);
  if (!c.x_label.empty())
    text(o, m.left + pw, h - 4, "end", "label axis-label", c.x_label, "fill=\"#555555\"");
  o += "</svg>\n";
  return o;
}

std::string render(const Histogram& c) {
  std::string o;
  const auto& m = c.margins;
  double w = m.left + c.width + m.right, h = m.top + c.height + m.bottom;
  double x0 = m.left, y0 = m.top, x1 = m.left + c.width, y1 = m.top + c.height;
  open_svg(o, c.id, c.title, c.desc, w, h);
  std::size_t n = c.total.size();
  double max_total = 0;
  for (double v : c.total) max_total = std::max(max_total, v);

  Ticks yt = c.log_y ? log_ticks(max_total) : nice_ticks(0, max_total, 4, true);
  std::vector<double> ys;
  std::vector<std::string> labels;
  LogScale ylog(0.5, yt.hi, y1, y0);
  LinearScale ylin(0, yt.hi, y1, y0);
  auto y = [&](double v) { return c.log_y ? ylog(v) : ylin(v); };
  for (double v : yt.values) {
    ys.push_back(y(v));
    labels.push_back(tick_label(v, c.log_y ? std::max(1.0, v) : yt.step));
  }
  text(o, x0 - 6, y0 - 12, "start", "label axis-label", c.y_label, "font-weight=\"bold\"");
  legend(o, {c.total_series, c.highlight_series}, x1, y0 - 12);
  y_axis(o, ys, x0, x1, labels);

  LinearScale x(c.lo, c.hi, x0, x1);
  double bin = n ? c.width / n : c.width;
  double gap = bin > 3 ? 1 : 0;
  for (std::size_t i = 0; i < n; ++i) {
    double t = c.total[i];
    if (!(t > 0)) continue;
    double hl = i < c.highlight.size() ? c.highlight[i] : 0;
    double bx = x0 + i * bin;
    std::string bars;
    rect(bars, "bar", bx, y(t), bin - gap, y1 - y(t), html_escape(c.total_series.colour));
    if (hl > 0)
      rect(bars, "bar", bx, y(hl), bin - gap, y1 - y(hl), html_escape(c.highlight_series.colour));
    if (i < c.bin_titles.size() && !c.bin_titles[i].empty())
      o += "<g><title>" + html_escape(c.bin_titles[i]) + "</title>" + bars + "</g>\n";
    else
      o += bars + "\n";
  }
  line(o, "axis", x0, y1, x1, y1, "#333333");
  Ticks xt = nice_ticks(c.lo, c.hi, std::max(2, static_cast<int>(c.width / 70)));
  for (double v : xt.values) {
    if (v < c.lo - 1e-9 || v > c.hi + 1e-9) continue;
    line(o, "axis", x(v), y1, x(v), y1 + 5, "#333333");
    text(o, x(v), y1 + 18, "middle", "tick", tick_label(v, xt.step));
  }
  if (!c.x_label.empty()) text(o, x1, h - 4, "end", "label axis-label", c.x_label, "fill=\"#555555\"");
  if (n == 0 || max_total == 0) no_data(o, (x0 + x1) / 2, (y0 + y1) / 2, "no data");
  if (c.marker) {
    double mx = x(*c.marker);
    line(o, "marker", mx, y0 - 2, mx, y1, "#000000", "stroke-width=\"1.5\" stroke-dasharray=\"5 3\"");
    bool right = mx > x0 + c.width * 0.6;
    double tw = static_cast<double>(c.marker_label.size()) * 6.5 + 6;
    o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"#FFFFFF\" "
                     "fill-opacity=\"0.85\"/>\n",
                     num(right ? mx - 2 - tw : mx + 2), num(y0 - 1), num(tw));
    text(o, right ? mx - 5 : mx + 5, y0 + 11, right ? "end" : "start", "label marker-label",
         c.marker_label);
  }
  o += "</svg>\n";
  return o;
}

std::string render(const HBarChart& c) {
  std::string o;
  const auto& m = c.margins;
  std::size_t n = c.labels.size();
  double rows = std::max<std::size_t>(n, 1);
  double x0 = m.left + c.label_width, x1 = c.width - m.right;
  double y0 = m.top, y1 = m.top + rows * c.row_height;
  double h = y1 + m.bottom;
  open_svg(o, c.id, c.title, c.desc, c.width, h);
  double max_v = 0;
  for (double v : c.values) max_v = std::max(max_v, v);
  Ticks xt = nice_ticks(0, max_v, std::max(2, static_cast<int>((x1 - x0) / 50)), true);
  LinearScale x(0, xt.hi, x0, x1);
  for (double v : xt.values) {
    line(o, "grid", x(v), y0, x(v), y1, "#DDDDDD");
    text(o, x(v), y1 + 16, "middle", "tick", tick_label(v, xt.step));
  }
  std::size_t max_chars =
      std::max<std::size_t>(4, static_cast<std::size_t>((c.label_width - 8) / kCharWidth));
  for (std::size_t i = 0; i < n; ++i) {
    double v = i < c.values.size() ? c.values[i] : 0;
    double cy = y0 + (i + 0.5) * c.row_height;
    double bh = c.row_height * 0.7;
    o += "<g><title>" + html_escape(c.labels[i]) + ": " +
         html_escape(format_count(static_cast<std::uint64_t>(std::llround(v)))) + "</title>\n";
    text(o, x0 - 6, cy, "end", "tick", ad::text::truncate(c.labels[i], max_chars), "dy=\"0.32em\"");
    rect(o, "bar", x0, cy - bh / 2, x(v) - x0, bh, html_escape(c.colour));
    o += '\n';
    text(o, x(v) + 4, cy, "start", "value", format_count(static_cast<std::uint64_t>(std::llround(v))),
         "dy=\"0.32em\" font-size=\"11\"");
    o += "</g>\n";
  }
  line(o, "axis", x0, y0, x0, y1, "#333333");
  if (n == 0) no_data(o, (x0 + x1) / 2, (y0 + y1) / 2, "none");
  if (!c.x_label.empty()) text(o, x1, h - 4, "end", "label axis-label", c.x_label, "fill=\"#555555\"");
  o += "</svg>\n";
  return o;
}

std::string render(const HeatMap& c) {
  std::string o;
  const auto& m = c.margins;
  std::size_t rows = c.values.size();
  std::size_t cols = 0;
  for (const auto& r : c.values) cols = std::max(cols, r.size());
  double x0 = m.left, y0 = m.top;
  double x1 = x0 + cols * c.cell_width, y1 = y0 + rows * c.cell_height;
  double w = x1 + m.right, h = y1 + m.bottom;
  open_svg(o, c.id, c.title, c.desc, w, h);
  double max_v = 0;
  for (const auto& r : c.values)
    for (double v : r) max_v = std::max(max_v, v);
  for (std::size_t r = 0; r < rows; ++r) {
    double cy = y0 + (r + 0.5) * c.cell_height;
    if (r < c.row_labels.size()) text(o, x0 - 6, cy, "end", "tick", c.row_labels[r], "dy=\"0.32em\"");
    for (std::size_t col = 0; col < c.values[r].size(); ++col) {
      double v = c.values[r][col];
      std::string fill = v > 0 ? viridis(1 - v / max_v) : "#EEEEEE";
      double cx = x0 + col * c.cell_width;
      bool titled = r < c.cell_titles.size() && col < c.cell_titles[r].size();
      o += "<g>";
      if (titled) o += "<title>" + html_escape(c.cell_titles[r][col]) + "</title>";
      rect(o, "cell", cx, y0 + r * c.cell_height, c.cell_width - 1, c.cell_height - 1, fill);
      if (v > 0)
        o += fmt::format(
            "<text class=\"value\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" dy=\"0.32em\" "
            "font-size=\"10\" fill=\"{}\">{}</text>",
            num(cx + (c.cell_width - 1) / 2), num(cy - 0.5), text_colour_on(fill),
            tick_label(v, 1));
      o += "</g>\n";
    }
  }
  for (std::size_t col = 0; col < cols && col < c.column_labels.size(); ++col) {
    if (c.column_labels[col].empty()) continue;
    text(o, x0 + (col + 0.5) * c.cell_width, y1 + 14, "middle", "tick", c.column_labels[col]);
  }
  if (!c.x_label.empty()) text(o, x1, y1 + 30, "end", "label axis-label", c.x_label, "fill=\"#555555\"");
  // Legend: pale grey for none, then the ramp from 1 to the maximum.
  double ly = y1 + 38;
  o += "<g class=\"legend\">\n";
  text(o, x0, ly + 10, "start", "label", c.legend_label);
  double lx = x0 + c.legend_label.size() * kCharWidth + 8;
  rect(o, "swatch", lx, ly, 14, 14, "#EEEEEE");
  text(o, lx + 18, ly + 11, "start", "tick", "0");
  lx += 34;
  if (max_v > 1) {
    text(o, lx, ly + 11, "start", "tick", "1");
    lx += 12;
    for (int i = 0; i < 5; ++i) rect(o, "swatch", lx + i * 14, ly, 14, 14, viridis(1 - (0.2 + 0.2 * i)));
    o += '\n';
    text(o, lx + 74, ly + 11, "start", "tick", tick_label(max_v, 1));
  } else if (max_v > 0) {
    rect(o, "swatch", lx, ly, 14, 14, viridis(0));
    text(o, lx + 18, ly + 11, "start", "tick", tick_label(max_v, 1));
  }
  o += "</g>\n";
  if (max_v == 0) no_data(o, (x0 + x1) / 2, (y0 + y1) / 2, "no anomalies");
  o += "</svg>\n";
  return o;
}

}  // namespace ad::svg
