// assets.h: the report page's only style sheet and only script, as constants.
//
// Both are inlined into the page and allowed by their SHA-256 hashes in its
// Content-Security-Policy (csp.h), so they must be the same bytes every time.
//   - the style sheet loads nothing: no url(), @import or fonts; a print style sheet
//     leaves out the controls and the <details> elements, and keeps plots whole;
//   - the script only adds sorting and filtering to the anomalies table
//     (#anomaly-table, #table-tools) and marks <html data-script="ready"> when it ran;
//     the page is complete without it.
#pragma once

#include <string_view>

namespace ad::report {

std::string_view page_style();
std::string_view page_script();

}  // namespace ad::report
