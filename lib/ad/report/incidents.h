// incidents.h: what a report keeps of the incidents in a stream of scored events.
//
// ad-score gives every flagged login the incident it belongs to (incident_id, with the
// incident's score and kind as of that row; scored.h, detect/incident.h). A report
// shows incidents, not rows: an IncidentBook takes the flagged events one at a time,
// groups them by incident_id and keeps, per incident, only what the page shows:
//   - its kind and score: the highest incident_score of its rows (the score only grows
//     as the incident does), and the kind on the row that carried it (a later row
//     wins a tie: it knows more); its band is scored::incident_band_of(score);
//   - the first and last local time, the span, the number of events, the highest
//     severity, and the reasons of its highest-scoring event (by anomaly score, then
//     severity, then input order);
//   - its users and source IPs: the first kNamesKept distinct ones, in input order, and
//     how many distinct ones there are, exact up to kDistinctCap (then "at least");
//   - its kEventsKept most severe events (severity, then score, then input order),
//     shown in input order.
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
// Ranking: incident score, then the highest severity among its events, then the
// incident seen first in the input.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ad/core/scored.h"
#include "ad/report/aggregate.h"

namespace ad::aggregate {

// One incident, as the page shows it.
struct IncidentSummary {
  std::string id, kind;
  double score = 0;         // the highest incident_score of its rows, [0, 100]
  double max_severity = 0;  // of its events
  std::optional<std::int64_t> first_ms, last_ms;  // local times of its timed events
  std::uint64_t first_sequence = 0;  // input position of its first event
  std::uint64_t last_sequence = 0;   // and of its latest one
  std::uint64_t events = 0;
  std::vector<std::string> users, ips;  // the first kNamesKept distinct, in input order
  std::uint64_t user_count = 0, ip_count = 0;  // distinct, exact up to kDistinctCap
  bool users_capped = false, ips_capped = false;  // counts are lower bounds
  std::string reasons;  // of its highest-scoring event
  double top_event_score = -1, top_event_severity = -1;
  std::vector<Anomaly> shown;  // its kEventsKept most severe events, in input order once settled

  Band band() const { return scored::incident_band_of(score); }
};

// True if a ranks before b: higher incident score, then higher severity, then seen first.
bool ranks_before(const IncidentSummary& a, const IncidentSummary& b);

class IncidentBook {
 public:
  static constexpr std::size_t kNamesKept = 5;
  static constexpr std::size_t kDistinctCap = 256;
  static constexpr std::size_t kEventsKept = 20;
  static constexpr std::size_t kMaxOpen = 2000;
  static constexpr std::size_t kMaxKinds = 16;  // distinct kind names counted; others under "other"
  static constexpr std::int64_t kSettleMs = 25 * 60 * 60 * 1000;

  // Called once per incident as it settles (first_ms and band are final).
  using OnSettle = std::function<void(const IncidentSummary&)>;

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
  std::vector<IncidentSummary> top() const;
  std::size_t top_limit() const { return top_; }

 private:
  struct Open {
    IncidentSummary s;
    std::unordered_set<std::string> users, ips;
  };
  void join(Open& o, const Event& e, std::optional<std::int64_t> local, std::uint64_t sequence);
  void settle(std::unordered_map<std::string, Open>::iterator it);
  void sweep(std::int64_t now);

  std::size_t top_;
  OnSettle on_settle_;
  bool present_ = false;
  std::unordered_map<std::string, Open> open_;
  std::vector<IncidentSummary> heap_;  // the worst kept at front
  std::uint64_t total_ = 0, unassigned_ = 0, adds_ = 0;
  std::array<std::uint64_t, scored::kBandCount> bands_{};
  std::unordered_map<std::string, std::uint64_t> kinds_;
  std::optional<std::int64_t> now_;  // the latest local time seen
};

}  // namespace ad::aggregate
