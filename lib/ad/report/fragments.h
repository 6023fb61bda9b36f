// fragments.h: small pieces of the report's HTML that its sections share.
//
// Every value from the data that goes through these is escaped (text::html_escape);
// names and headings given by the caller are escaped too, so any string is safe here.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ad/core/scored.h"
#include "ad/report/aggregate.h"

namespace ad::report {

// "1 login", "2,345 logins".
std::string count_of(std::uint64_t n, std::string_view one, std::string_view many);
// "12.5%", "0.25%", "<0.01%"; "0%" of nothing.
std::string pct(std::uint64_t part, std::uint64_t whole);
// "3 critical, 1 low": the non-zero counts, most severe band first.
std::string bands_text(const std::array<std::uint64_t, scored::kBandCount>& counts);
// The colour of a band in charts (svg::palette::kRamp) and its badge: <span class="band b3">critical</span>.
std::string bar_colour(scored::Band band);
std::string band_badge(scored::Band band);
// A data table inside <details>: the text alternative of a chart. The first column is
// text, the others numbers (right-aligned); no rows gives one "none" row.
std::string data_table(const std::vector<std::string>& heads, const std::vector<std::vector<std::string>>& rows,
                       std::string_view summary = "Data table");

// The cells (<td>...</td>) of one anomaly: time, user, IP, place, device, score,
// severity with its band, and reasons one per line. Sortable cells carry data-v.
std::string anomaly_cells(const aggregate::Anomaly& a);
// Reasons ("a; b; c") one per line: "a<br>b<br>c", escaped.
std::string reason_lines(std::string_view reasons);

}  // namespace ad::report
