#include "ad/report/incidents.h"

#include <algorithm>

namespace ad::aggregate {

namespace {

// The scored fields of a flagged event, as IncidentSummary::add() takes them.
scored::Row row_of(const Event& e) {
  scored::Row r;
  r.score = e.score;
  r.flag = e.flagged;
  r.severity = e.severity;
  r.reasons = e.reasons;
  r.incident_id = e.incident_id;
  r.incident_kind = e.incident_kind;
  r.incident_score = e.incident_score;
  return r;
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
        return a.second.last_sequence < b.second.last_sequence;
      });
      settle(idle);
    }
    it = open_.emplace(std::string(e.incident_id), Open{}).first;
    it->second.s.order = sequence;
  }
  join(it->second, e, local, sequence);
  if (++adds_ % 256 == 0 && now_) sweep(*now_);
}

void IncidentBook::join(Open& o, const Event& e, std::optional<std::int64_t> local, std::uint64_t sequence) {
  Incident& s = o.s;
  o.last_sequence = sequence;
  s.add(row_of(e), e.user, e.ip, local);
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
  Incident s = std::move(it->second.s);
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

std::vector<Incident> IncidentBook::top() const {
  std::vector<Incident> out = heap_;
  std::sort(out.begin(), out.end(), ranks_before);
  return out;
}

}  // namespace ad::aggregate
