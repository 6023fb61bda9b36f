// incidents.h: an alert about incidents, not rows (ad-score's incident columns).
//
// When the scored CSV has the incident columns (scored::Columns::has_incidents()),
// ad-mail groups the flagged rows of a batch by incident_id (group_incidents) and
// keeps, per incident, only what the mail shows: its summary (core/incident_summary.h,
// which owns the rules): the number of events, the first and last time, the first
// IncidentSummary::kNamesKept distinct users and source IPs with their totals (exact up
// to IncidentSummary::kDistinctCap, then "at least"), the kind, the highest
// incident_score and severity, and the reasons of its highest-scoring event. (The
// batch still holds every flagged row, for the attachment.) A flagged row without an
// incident_id is an incident of its own. The summary's order is the incident's first
// appearance in the batch.
//
// Ranking: ranks_before (core/incident_summary.h): by incident_score, highest first;
// ties by the highest severity, then by first seen (the earlier first time, then input
// order).
//
// Re-alerting (select_incidents): an incident is alerted once. Its later events do
// not alert again unless its band (scored::incident_band_of of its highest
// incident_score) rises above the highest band alerted for it (dedup.h's
// AlertedIncidents: in memory across the windows of a stream, and across runs with
// --state). The rows of incidents that are held back this way are left out of the
// alert (and of its attachment) and counted in a note; a batch with nothing else
// sends no mail. Id-less incidents always alert (their events are deduplicated by
// event key).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ad/core/incident_summary.h"
#include "ad/core/scored.h"
#include "ad/mail/alert.h"
#include "ad/mail/dedup.h"

namespace ad::mail {

// One incident of a batch: its summary, and what re-alerting says about it.
struct Incident : IncidentSummary {
  // Set by select_incidents: the band alerted before, for a re-alert after a rise.
  std::optional<scored::Band> alerted_before;
};

// The incidents an alert summarises at most; the rows of further incidents in the same
// batch are counted (IncidentSelection::unsummarised_rows), alerted and attached.
inline constexpr std::size_t kMaxIncidents = 10000;
// The event keys of held rows kept for the alert state: as many as it keeps (dedup.h).
inline constexpr std::size_t kMaxHeldKeys = AlertState::kDefaultCapacity;

// The incidents of flagged rows, in order of first appearance (at most kMaxIncidents).
std::vector<Incident> group_incidents(const Columns& c, const std::vector<Anomaly>& rows);

// What an alert about incidents holds.
struct IncidentSelection {
  std::vector<Incident> alerted;  // new, or risen (alerted_before set); ranked
  std::uint64_t held_incidents = 0;      // alerted before, band not risen
  std::uint64_t held_rows = 0;           // their flagged rows
  std::vector<std::uint64_t> held_keys;  // their keys (key_of_incident)
  std::vector<std::uint64_t> held_event_keys;  // their rows' event keys (select_batch),
                                               // the largest kMaxHeldKeys
  std::uint64_t unsummarised_rows = 0;  // flagged rows of incidents past kMaxIncidents
};

// Splits incidents by what memory says was alerted (see the top of this file).
IncidentSelection select_incidents(std::vector<Incident> incidents,
                                   const AlertedIncidents& memory);

// Groups the flagged rows of batch, selects against memory, and leaves in the batch
// only the rows of the incidents not held back (the event keys of the others go to
// held_event_keys, so that --state knows them as handled).
IncidentSelection select_batch(const Columns& c, Batch& batch, const AlertedIncidents& memory);

// After an alert went out (or into the spool): its incidents are remembered at their
// band, and the held ones as seen; then memory is trimmed.
void remember_incidents(const IncidentSelection& s, AlertedIncidents& memory, std::int64_t now_s);

// The alert's subject after the prefix: "3 incidents (1 critical): spray, brute_force,
// takeover": how many, how many of them in the highest band, and their kinds
// (subject_kind, distinct, in rank order, at most kSubjectKinds, then "...").
// REQUIRES: !s.alerted.empty().
inline constexpr std::size_t kSubjectKinds = 5;
std::string incident_subject(const IncidentSelection& s);

// The bodies' section about the top `top` incidents of s.alerted, as plain text and
// as HTML: for each, kind, incident score and band, highest severity, id, users and
// sources (named up to IncidentSummary::kNamesKept, with totals), time span, events
// and reasons, and for a re-alert the band it rose from; then the incidents by band. Data is sanitised with
// display_text (and escaped, in HTML).
std::string incidents_text(const IncidentSelection& s, std::size_t top);
std::string incidents_html(const IncidentSelection& s, std::size_t top);

// An incident kind as the subject may show it: a word of lower-case letters, digits
// and '_' of at most 20 characters (as ad-score writes them), else "other", so that
// no other data reaches a header.
std::string_view subject_kind(std::string_view kind);

}  // namespace ad::mail
