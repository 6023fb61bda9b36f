// incident.h: the incident table of ad-store, <table>_incidents, and the SQL around it.
//
// ad-score gives each flagged login the incident it belongs to (detect/incident.h,
// scored.h): incident_id, incident_score and incident_kind. ad-store keeps them in typed
// columns of the events table (incident_id is indexed), and one row per incident in
// <table>_incidents, derived from the events table and nothing else:
//
//   incident_id     primary key
//   incident_kind   the kind on its highest-scoring event (the latest of those)
//   incident_score  the highest incident_score of its events
//   max_severity    the highest severity
//   first_time, last_time   its first and last event_time
//   events          how many events it has
//   users, sources  distinct user_id and ip_address values; user_ids and source_ips hold
//                   the first kMaxListed of them, in byte (address) order
//   reasons         anomaly_reasons of its highest-scoring event (by anomaly_score; ties
//                   to the earliest, then the row key)
//   updated_at      when the row last changed
//
// Each batch that holds incident ids refreshes the rows of those ids in its own
// transaction, after inserting its events: it takes a transaction-level advisory lock per
// id (in key order, so two writers cannot deadlock), then recomputes the aggregates from
// the events table. Every writer inserts before it locks, so the last writer to take the
// lock sees every event committed before it: the result does not depend on the order
// batches arrive in, on repeats, or on concurrent runs. A row that would not change is not
// written (updated_at stays).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ad/store/schema.h"

namespace ad::store {

inline constexpr std::size_t kMaxListed = 10;

// "<table>_incidents".
std::string incidents_table(const std::string& table);

// The statements that add incidents to a version-2 table (see schema.h): the typed event
// columns, filled from extra for rows stored before, their index, the incident table, and
// its rows for the incidents already stored.
std::vector<std::string> incident_migration(const std::string& table);

// Locks the incident ids that ids_query (a SELECT of one text column) yields.
std::string lock_incidents_sql(const std::string& table, const std::string& ids_query);
// Upserts the incident rows of the ids that ids_query yields, from the events table.
std::string refresh_incidents_sql(const std::string& table, const std::string& ids_query);

// --export --incidents: the CSV header, and the SELECT of one row per incident that
// overlaps [since, until) and, with a user, has an event of that user; by first_time.
extern const std::vector<std::string> kIncidentExportHeader;
std::string incidents_export_sql(const std::string& table, const Filter& filter);
// --summary --incidents: "day,incident_kind,incidents,events,max_incident_score", one
// line per UTC day of the incidents' first events and kind, of the incidents as above.
extern const std::vector<std::string> kIncidentSummaryHeader;
std::string incidents_summary_sql(const std::string& table, const Filter& filter);

}  // namespace ad::store
