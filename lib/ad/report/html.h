// html.h: the report's HTML document, from what an aggregator holds (see report.h).
#pragma once

#include <string>
#include <vector>

#include "ad/core/io.h"
#include "ad/report/aggregate.h"
#include "ad/report/incidents.h"
#include "ad/report/report.h"

namespace ad::report {

// Writes the HTML document for what aggregator holds. sources are the input names,
// shown in the page. Throws what Output::write throws.
// With incidents.present(), the incidents come first (incident_view.h).
void write_html(const aggregate::Aggregator& aggregator, const aggregate::IncidentBook& incidents,
                const std::vector<std::string>& sources, const Options& options, Output& out);

}  // namespace ad::report
