// export.h: ad-store reading the history back, as CSV.
//
// export_csv() writes stored rows back as scored CSV, with the columns of the input they
// came from, in event_time order (then storage order); summary_csv() writes counts by day
// (UTC) and user. export_incidents_csv() and summary_incidents_csv() do the same for the
// incident table (store/incident.h). Each runs in one read-only repeatable-read transaction, retried by the
// Session (store/retry.h) until it has written its first line.
#pragma once

#include "ad/core/io.h"
#include "ad/store/retry.h"
#include "ad/store/schema.h"

namespace ad::store {

// Writes the rows of table that match filter as scored CSV to out (header first).
// Throws ad::Error(kData) if the table does not exist, kUnavailable as write() does.
void export_csv(const SessionOptions& session, const std::string& table, const Filter& filter,
                Output& out, const Session::Notify& warn, const Session::Notify& note);

// Writes "day,user_id,rows,flagged,max_severity" for the rows that match filter, one line
// per UTC day and user, in that order; day is empty for rows without a time.
void summary_csv(const SessionOptions& session, const std::string& table, const Filter& filter,
                 Output& out, const Session::Notify& warn, const Session::Notify& note);
// The query behind summary_csv.
std::string summary_sql(const std::string& table, const Filter& filter);

// Writes one row per stored incident that filter selects (kIncidentExportHeader; see
// incidents_export_sql), in order of first event.
void export_incidents_csv(const SessionOptions& session, const std::string& table,
                          const Filter& filter, Output& out, const Session::Notify& warn,
                          const Session::Notify& note);
// Writes the incident counts by day and kind (kIncidentSummaryHeader).
void summary_incidents_csv(const SessionOptions& session, const std::string& table,
                           const Filter& filter, Output& out, const Session::Notify& warn,
                           const Session::Notify& note);

}  // namespace ad::store
