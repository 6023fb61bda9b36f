// svg.h: small, static charts as inline SVG, for reports that must work offline.
//
// A chart here is a plain description (a struct of numbers and labels) that render()
// turns into one self-contained <svg> element: no script, no style sheet of its own,
// no external reference. Geometry is computed in C++ and written with at most one
// decimal, so that the same data always gives the same bytes (the unit tests compare
// coordinates exactly).
//
// The building blocks are public because they are useful on their own:
//   - every value from data, tooltips and labels included, goes through
//     text::html_escape (text.h), which also neutralises bidi and format controls;
//   - nice_ticks(): Heckbert's "nice numbers" for axis ticks (1, 2, 2.5, 5 x 10^k);
//   - LinearScale / LogScale: domain to pixel maps;
//   - colour palettes that stay readable for colour-blind readers: Okabe-Ito for
//     categories, an ordered yellow-orange-red ramp (ColorBrewer YlOrRd) for ranked
//     severities, and viridis for heat maps.
//
// Every chart is accessible: the <svg> carries role="img" and aria-labelledby pointing
// at its <title> and <desc>; callers put a data table beside it as the full text
// alternative. The <svg> has the chart's id, and its other element ids start with it;
// the caller keeps it unique in the page. Styling hooks are CSS classes (axis, grid, tick, label, legend, bar, cell,
// marker) that the surrounding page may style; presentation attributes give sensible
// defaults without any style sheet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ad::svg {

// ---------------------------------------------------------------------------------
// Text.

// A coordinate: rounded to one decimal, without a trailing ".0", never "-0".
std::string num(double v);

// A count with thousands separators: 1234567 -> "1,234,567".
std::string format_count(std::uint64_t n);

// ---------------------------------------------------------------------------------
// Axes.

struct Ticks {
  double lo = 0, hi = 1;  // the nice domain that covers the data: lo <= min, hi >= max
  double step = 1;
  std::vector<double> values;  // lo, lo + step, ..., hi
};

// Ticks for a linear axis over [lo, hi], about target of them (Heckbert 1990: steps of
// 1, 2, 5 x 10^k, and 2.5 x 10^k when it fits better). With integer, the step is at least 1
// (for counts). lo == hi gives a domain around the value ([0, 1] for a count of 0 or 1).
// REQUIRES: lo <= hi, both finite, target >= 2.
Ticks nice_ticks(double lo, double hi, int target = 5, bool integer = false);

// Ticks for a log10 axis from 1 to at least hi: 1, 10, 100, ... (every power of ten,
// or every other one past six decades). REQUIRES: hi >= 1.
Ticks log_ticks(double hi);

// A tick label: a value with as many decimals as the step needs; large round values
// are shortened with k and M ("2,500" -> "2.5k", "3000000" -> "3M").
std::string tick_label(double value, double step);

class LinearScale {
 public:
  LinearScale(double d0, double d1, double r0, double r1) : d0_(d0), d1_(d1), r0_(r0), r1_(r1) {}
  double operator()(double v) const {
    return d1_ == d0_ ? r0_ : r0_ + (v - d0_) * (r1_ - r0_) / (d1_ - d0_);
  }

 private:
  double d0_, d1_, r0_, r1_;
};

// log10 scale; values below d0 map to r0. REQUIRES: 0 < d0 < d1.
class LogScale {
 public:
  LogScale(double d0, double d1, double r0, double r1);
  double operator()(double v) const;

 private:
  double l0_, l1_, r0_, r1_;
};

// ---------------------------------------------------------------------------------
// Colours.

namespace palette {
// Okabe & Ito (2008), "Color Universal Design".
inline constexpr const char* kBlack = "#000000";
inline constexpr const char* kOrange = "#E69F00";
inline constexpr const char* kSkyBlue = "#56B4E9";
inline constexpr const char* kGreen = "#009E73";
inline constexpr const char* kYellow = "#F0E442";
inline constexpr const char* kBlue = "#0072B2";
inline constexpr const char* kVermillion = "#D55E00";
inline constexpr const char* kPurple = "#CC79A7";
inline constexpr const char* kGrey = "#999999";
// An ordered ramp for ranked classes, lightest (least) to darkest (most):
// ColorBrewer YlOrRd, 5 classes without the palest one.
inline constexpr const char* kRamp[4] = {"#FECC5C", "#FD8D3C", "#F03B20", "#BD0026"};
}  // namespace palette

// viridis at t in [0, 1] (clamped), as "#rrggbb", interpolated between 9 stops.
std::string viridis(double t);
// Black or white, whichever reads better on the colour "#rrggbb".
const char* text_colour_on(const std::string& fill);

// ---------------------------------------------------------------------------------
// Charts. Sizes are in SVG user units (CSS pixels at scale 1).

struct Margins {
  double left = 56, right = 16, top = 28, bottom = 44;
};

struct Series {
  std::string name;
  std::string colour;
};

// Vertical bars over categories (time buckets, say), stacked by series, in one or more
// panels that share the x axis and stand one above the other.
struct BarPanel {
  std::string y_label;                      // e.g. "logins"
  double height = 140;                      // plot area height
  std::vector<Series> series;               // stacked bottom to top
  std::vector<std::vector<double>> values;  // [category][series], each >= 0
};

struct BarChart {
  std::string id;     // prefix of element ids, unique in the page
  std::string title;  // the <title>
  std::string desc;   // the <desc>: a sentence or two that summarise the data
  double width = 960;
  Margins margins{56, 28, 28, 58};
  double panel_gap = 34;
  std::vector<BarPanel> panels;
  std::size_t categories = 0;
  // Labelled categories: index and text; a "\n" starts a second line.
  std::vector<std::pair<std::size_t, std::string>> x_labels;
  std::vector<std::string> category_titles;  // tooltip per category; may be empty
  std::string x_label;
};

// A histogram of counts over [lo, hi] in equal bins: a total per bin, and a highlighted
// part of it drawn over the total (flagged rows, say). Optionally a vertical marker.
struct Histogram {
  std::string id, title, desc;
  double width = 470, height = 200;  // plot area
  Margins margins;
  double lo = 0, hi = 1;
  std::vector<double> total;      // per bin, >= 0
  std::vector<double> highlight;  // per bin, 0 <= highlight <= total
  Series total_series, highlight_series;
  bool log_y = false;
  std::optional<double> marker;   // x value
  std::string marker_label;
  std::vector<std::string> bin_titles;  // tooltip per bin; may be empty
  std::string x_label, y_label;
};

// Horizontal bars, one per labelled row, largest first as given.
struct HBarChart {
  std::string id, title, desc;
  double width = 300;         // whole chart
  double label_width = 120;   // room for the row labels
  double row_height = 20;
  Margins margins{8, 40, 8, 36};
  std::vector<std::string> labels;  // shown cut to fit; full text in the tooltip
  std::vector<double> values;
  std::string colour = palette::kBlue;
  std::string x_label;
};

// A grid of cells coloured by value with viridis (zero cells are pale grey), with the
// value written in each non-zero cell and a colour legend.
struct HeatMap {
  std::string id, title, desc;
  Margins margins{44, 16, 12, 56};
  double cell_width = 30, cell_height = 24;
  std::vector<std::string> row_labels;               // left of the rows
  std::vector<std::string> column_labels;            // under the columns; "" = none
  std::vector<std::vector<double>> values;           // [row][column], >= 0
  std::vector<std::vector<std::string>> cell_titles;  // tooltips; may be empty
  std::string legend_label;
  std::string x_label;
};

// Each returns one <svg> element. Throws nothing for any input that meets the REQUIRES
// of the structs above (empty charts draw their axes and a "no data" note).
std::string render(const BarChart& chart);
std::string render(const Histogram& chart);
std::string render(const HBarChart& chart);
std::string render(const HeatMap& chart);

}  // namespace ad::svg
