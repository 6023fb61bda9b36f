// incidents.h: an alert about incidents, not rows (ad-score's incident columns).
//
// When the scored CSV has the incident columns (scored::Columns::has_incidents()),
// ad-mail groups the flagged rows of a batch by incident_id (group_incidents) and
// keeps, per incident, only what the mail shows: the number of events, the first and
// last time, the first kShown distinct users and source IPs with their totals, the
// kind, the highest incident_score and severity, and the reasons of its event with the
// highest anomaly_score. (The batch still holds every flagged row, for the
// attachment.) A flagged row without an incident_id is an incident of its own.
//
// Ranking (rank_incidents): by incident_score, highest first; ties by the highest
// severity, then by first seen (the earlier first time, then input order).
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
#include <unordered_set>
#include <vector>

#include "ad/core/scored.h"
#include "ad/mail/alert.h"
#include "ad/mail/dedup.h"

namespace ad::mail {

struct IncidentSummary {
  static constexpr std::size_t kShown = 5;        // users and sources named
  static constexpr std::size_t kCounted = 10000;  // distinct users and sources counted

  std::string id;         // incident_id; "" for a flagged row without one
  std::string kind;       // incident_kind of its row with the highest incident_score
  double score = 0;       // the highest incident_score (0 when none is given)
  double severity = 0;    // the highest severity of its events
  std::uint64_t events = 0;
  std::optional<std::int64_t> first_ms, last_ms;
  std::vector<std::string> users, sources;  // the first kShown distinct, as read
  // Distinct users and source IPs; when it reaches kCounted, at least that many.
  std::uint64_t user_count = 0, source_count = 0;
  std::string reasons;         // anomaly_reasons of its event with the highest anomaly_score
  double top_event_score = -1;
  std::uint64_t order = 0;     // first appearance in the batch
  // Set by select_incidents: the band alerted before, for a re-alert after a rise.
  std::optional<scored::Band> alerted_before;

  scored::Band band() const { return scored::incident_band_of(score); }
  // Adds one flagged row of this incident.
  void add(const Columns& c, const Anomaly& a);

 private:
  std::unordered_set<std::uint64_t> user_keys_, source_keys_;
};

// The incidents of flagged rows, in order of first appearance.
std::vector<IncidentSummary> group_incidents(const Columns& c, const std::vector<Anomaly>& rows);

// Sorts as described above.
void rank_incidents(std::vector<IncidentSummary>& incidents);

// What an alert about incidents holds.
struct IncidentSelection {
  std::vector<IncidentSummary> alerted;  // new, or risen (alerted_before set); ranked
  std::uint64_t held_incidents = 0;      // alerted before, band not risen
  std::uint64_t held_rows = 0;           // their flagged rows
  std::vector<std::uint64_t> held_keys;  // their keys (key_of_incident)
  std::vector<std::uint64_t> held_event_keys;  // their rows' event keys (select_batch)
};

// Splits incidents by what memory says was alerted (see the top of this file).
IncidentSelection select_incidents(std::vector<IncidentSummary> incidents,
                                   const AlertedIncidents& memory);

// Groups the flagged rows of batch, selects against memory, and leaves in
// batch.anomalies only the rows of the alerted incidents (the event keys of the others
// go to held_event_keys, so that --state knows them as handled).
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
// sources (named up to kShown, with totals), time span, events and reasons, and for a
// re-alert the band it rose from; then the incidents by band. Data is sanitised with
// display_text (and escaped, in HTML).
std::string incidents_text(const IncidentSelection& s, std::size_t top);
std::string incidents_html(const IncidentSelection& s, std::size_t top);

// An incident kind as the subject may show it: a word of lower-case letters, digits
// and '_' of at most 20 characters (as ad-score writes them), else "other", so that
// no other data reaches a header.
std::string_view subject_kind(std::string_view kind);

}  // namespace ad::mail
