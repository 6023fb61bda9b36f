// incidents.h: what a report keeps of the incidents in a stream of scored events.
//
// ad-score gives every flagged login the incident it belongs to (incident_id, with the
// incident's score and kind as of that row; scored.h, detect/incident.h). A report
// shows incidents, not rows: an IncidentBook takes the flagged events one at a time,
// groups them by incident_id and keeps, per incident, only what the page shows:
//   - its summary (core/incident_summary.h, which owns the rules): id, kind, score and
//     band, the first and last local time, the number of events, the highest severity,
//     the reasons of its highest-scoring event, and its users and source IPs (the first
//     IncidentSummary::kNamesKept distinct ones, and how many, exact up to
//     IncidentSummary::kDistinctCap, then "at least");
//   - its kEventsKept most severe events (severity, then score, then input order),
//     shown in input order.
// The summary's order is the input position of the incident's first event.
//
// Bounded memory. An incident is open while rows may still join it: ad-score closes an
// incident 24 hours after its first event, so once the input's time has passed an
// incident's first event by kSettleMs (25 h), it is settled: it is counted (in total,
// by band and by kind, and through the on_settle callback, by the time it was opened)
// and then either kept, if it ranks among the top `top` so far (a bounded heap), or
// dropped. At most kMaxOpen incidents are open at once; beyond that the one idle the
// longest (in input order) is settled early, as are all at finish(). So memory is
// O(kMaxOpen + top) incidents of bounded size, whatever the number of rows.
// Input is expected in time order, as ad-score writes it; an incident whose rows are
// more than a day apart in the input (files given out of order) is counted once per
// part.
//
// Ranking: ranks_before (core/incident_summary.h): incident score, then the highest
// severity among its events, then the incident seen first (the earlier first time, then
// the earlier first event in the input).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ad/core/incident_summary.h"
#include "ad/core/scored.h"
#include "ad/report/aggregate.h"

namespace ad::aggregate {

// One incident, as the page shows it: its summary and its most severe events.
struct Incident : IncidentSummary {
  std::vector<Anomaly> shown;  // its kEventsKept most severe events, in input order once settled
};

class IncidentBook {
 public:
  static constexpr std::size_t kEventsKept = 20;
  static constexpr std::size_t kMaxOpen = 2000;
  static constexpr std::size_t kMaxKinds = 16;  // distinct kind names counted; others under "other"
  static constexpr std::int64_t kSettleMs = 25 * 60 * 60 * 1000;

  // Called once per incident as it settles (first_ms and band are final).
  using OnSettle = std::function<void(const Incident&)>;

  // Keeps the top incidents in full (0: none, but all are counted).
  explicit IncidentBook(std::size_t top, OnSettle on_settle = {});
  IncidentBook(const IncidentBook&) = delete;
  IncidentBook& operator=(const IncidentBook&) = delete;

  // The input has the incident columns (scored::Columns::has_incidents()).
  void set_present() { present_ = true; }
  bool present() const { return present_; }

  // One flagged event at local time local (nullopt if untimed), at input position
  // sequence. Its incident is e.incident_id; a flagged event without one is counted
  // (unassigned()) and left out. Unflagged events are ignored.
  void add(const Event& e, std::optional<std::int64_t> local, std::uint64_t sequence);
  // Settles every open incident. Call once, after the last add().
  void finish();

  std::uint64_t total() const { return total_; }  // settled incidents
  std::uint64_t in_band(Band b) const { return bands_[static_cast<int>(b)]; }
  // Incidents per kind, most first, ties by name; kinds past kMaxKinds count as "other".
  std::vector<Count> kinds() const;
  std::uint64_t unassigned() const { return unassigned_; }
  std::size_t open() const { return open_.size(); }
  // The kept incidents, best first.
  std::vector<Incident> top() const;
  std::size_t top_limit() const { return top_; }

 private:
  struct Open {
    Incident s;
    std::uint64_t last_sequence = 0;  // input position of its latest event
  };
  void join(Open& o, const Event& e, std::optional<std::int64_t> local, std::uint64_t sequence);
  void settle(std::unordered_map<std::string, Open>::iterator it);
  void sweep(std::int64_t now);

  std::size_t top_;
  OnSettle on_settle_;
  bool present_ = false;
  std::unordered_map<std::string, Open> open_;
  std::vector<Incident> heap_;  // the worst kept at front
  std::uint64_t total_ = 0, unassigned_ = 0, adds_ = 0;
  std::array<std::uint64_t, scored::kBandCount> bands_{};
  std::unordered_map<std::string, std::uint64_t> kinds_;
  std::optional<std::int64_t> now_;  // the latest local time seen
};

}  // namespace ad::aggregate
