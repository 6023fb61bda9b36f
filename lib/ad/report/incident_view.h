// incident_view.h: the report's incidents in HTML (what an IncidentBook holds).
//
// Three parts, each a string of HTML that html.cpp places in the page:
//   - incident_kpis(): the headline figures in incidents: how many, by incident band
//     (scored::incident_band_of) and by kind;
//   - incidents_section(): the kept incidents, best first, one table row each: rank,
//     id, kind, score and band, users and source IPs (the first few, and how many),
//     first and last time, span, events, and the reasons of its highest-scoring event.
//     Under each row, a <details> element holds the incident's kept events (at most
//     IncidentBook::kEventsKept), so they are one click away, with JavaScript or without;
//     the row's id is incident_anchor(rank), which the anomalies table links to;
//   - incidents_over_time(): incidents opened per time bucket, stacked by incident band,
//     as an svg::BarChart with its data table, on the buckets of the logins plot.
// Every value from the data is escaped with text::html_escape.
#pragma once

#include <string>
#include <vector>

#include "ad/report/aggregate.h"
#include "ad/report/incidents.h"

namespace ad::report {

// "inc-1" for the incident ranked first (rank 0), and so on.
std::string incident_anchor(std::size_t rank);

// <dl class="kpis"> with the incident figures, then a paragraph by band and kind.
std::string incident_kpis(const aggregate::IncidentBook& book);

// The <section> of the incidents; top is book.top(), tz the offset's name ("UTC").
std::string incidents_section(const aggregate::IncidentBook& book, const std::vector<aggregate::Incident>& top,
                              const std::string& tz);

// The <section> with the plot of incidents opened over time.
std::string incidents_over_time(const aggregate::Aggregator& aggregator, const aggregate::IncidentBook& book,
                                 const std::string& tz);

}  // namespace ad::report
