#include "ad/report/incidents.h"

#include <algorithm>

namespace ad::aggregate {

bool ranks_before(const IncidentSummary& a, const IncidentSummary& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.max_severity != b.max_severity) return a.max_severity > b.max_severity;
  return a.first_sequence < b.first_sequence;
}

namespace {

// Adds value to the first kNamesKept names and the distinct set (up to kDistinctCap).
void note_name(std::string_view value, std::vector<std::string>& names, std::uint64_t& count, bool& capped,
               std::unordered_set<std::string>& seen) {
  if (value.empty() || capped) return;
  std::string v(value);
  if (seen.count(v)) return;
  if (seen.size() == IncidentBook::kDistinctCap) {
    capped = true;
    return;
  }
  if (names.size() < IncidentBook::kNamesKept) names.push_back(v);
  seen.insert(std::move(v));
  count = seen.size();
}

bool event_first(const Anomaly& a, const Anomaly& b) { return more_severe(a, b); }

}  // namespace

IncidentBook::IncidentBook(std::size_t top, OnSettle on_settle) : top_(top), on_settle_(std::move(on_settle)) {}

void IncidentBook::add(const Event& e, std::optional<std::int64_t> local, std::uint64_t sequence) {
  if (!e.flagged) return;
  if (e.incident_id.empty()) {
    ++unassigned_;
    return;
  }
  if (local && (!now_ || *local > *now_)) now_ = local;
  auto it = open_.find(std::string(e.incident_id));
  if (it == open_.end()) {
    if (open_.size() >= kMaxOpen) {  // settle the one idle the longest
      auto idle = std::min_element(open_.begin(), open_.end(), [](const auto& a, const auto& b) {
        return a.second.s.last_sequence < b.second.s.last_sequence;
      });
      settle(idle);
    }
    it = open_.emplace(std::string(e.incident_id), Open{}).first;
    it->second.s.id = e.incident_id;
    it->second.s.first_sequence = sequence;
  }
  join(it->second, e, local, sequence);
  if (++adds_ % 256 == 0 && now_) sweep(*now_);
}

void IncidentBook::join(Open& o, const Event& e, std::optional<std::int64_t> local, std::uint64_t sequence) {
  IncidentSummary& s = o.s;
  ++s.events;
  s.last_sequence = sequence;
  if (local) {
    if (!s.first_ms || *local < *s.first_ms) s.first_ms = local;
    if (!s.last_ms || *local > *s.last_ms) s.last_ms = local;
  }
  double score = std::clamp(e.incident_score.value_or(0.0), 0.0, 100.0);
  if (s.kind.empty() || (e.incident_score && score >= s.score)) {
    if (!e.incident_kind.empty() || s.kind.empty()) s.kind = e.incident_kind;
  }
  s.score = std::max(s.score, score);
  s.max_severity = std::max(s.max_severity, e.severity);
  if (e.score > s.top_event_score || (e.score == s.top_event_score && e.severity > s.top_event_severity)) {
    s.top_event_score = e.score;
    s.top_event_severity = e.severity;
    s.reasons = e.reasons;
  }
  note_name(e.user, s.users, s.user_count, s.users_capped, o.users);
  note_name(e.ip, s.ips, s.ip_count, s.ips_capped, o.ips);
  if (s.shown.size() < kEventsKept) {
    s.shown.push_back(make_anomaly(e, local, sequence));
    std::push_heap(s.shown.begin(), s.shown.end(), event_first);
  } else {
    Anomaly a = make_anomaly(e, local, sequence);
    if (more_severe(a, s.shown.front())) {
      std::pop_heap(s.shown.begin(), s.shown.end(), event_first);
      s.shown.back() = std::move(a);
      std::push_heap(s.shown.begin(), s.shown.end(), event_first);
    }
  }
}

void IncidentBook::sweep(std::int64_t now) {
  for (auto it = open_.begin(); it != open_.end();) {
    auto next = std::next(it);
    const auto& first = it->second.s.first_ms;
    if (first && now - *first > kSettleMs) settle(it);
    it = next;
  }
}

void IncidentBook::settle(std::unordered_map<std::string, Open>::iterator it) {
  IncidentSummary s = std::move(it->second.s);
  open_.erase(it);
  std::sort(s.shown.begin(), s.shown.end(),
            [](const Anomaly& a, const Anomaly& b) { return a.sequence < b.sequence; });
  ++total_;
  ++bands_[static_cast<int>(s.band())];
  auto kind = kinds_.find(s.kind);
  if (kind != kinds_.end())
    ++kind->second;
  else if (kinds_.size() < kMaxKinds)
    kinds_.emplace(s.kind, 1);
  else
    ++kinds_["other"];
  if (on_settle_) on_settle_(s);
  if (top_ == 0) return;
  if (heap_.size() < top_) {
    heap_.push_back(std::move(s));
  } else if (ranks_before(s, heap_.front())) {
    std::pop_heap(heap_.begin(), heap_.end(), ranks_before);
    heap_.back() = std::move(s);
  } else {
    return;
  }
  std::push_heap(heap_.begin(), heap_.end(), ranks_before);
}

void IncidentBook::finish() {
  while (!open_.empty()) settle(open_.begin());
}

std::vector<Count> IncidentBook::kinds() const {
  std::vector<Count> out;
  for (const auto& [kind, n] : kinds_) out.push_back({kind, n});
  std::sort(out.begin(), out.end(),
            [](const Count& a, const Count& b) { return a.count != b.count ? a.count > b.count : a.value < b.value; });
  return out;
}

std::vector<IncidentSummary> IncidentBook::top() const {
  std::vector<IncidentSummary> out = heap_;
  std::sort(out.begin(), out.end(), ranks_before);
  return out;
}

}  // namespace ad::aggregate
