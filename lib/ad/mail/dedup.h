// dedup.h: remembering which events were already alerted (ad-mail --state FILE).
//
// Cron jobs often run over files that overlap: the last hour's log, every ten minutes.
// The alert state is a small file of event keys that earlier runs have alerted
// (sent, or spooled for sending), so that an event is alerted once.
//
// An event's key is a 64-bit hash: of its id when the input has an id column (role
// "id", e.g. event_id) and the row has one, otherwise of all its input columns (not the
// scored columns, so scoring the same event again with another model gives the same
// key). Keys are hashed so that the file holds no data from the logs.
//
// It also remembers incidents (ad-score's incident_id, alert.h): an incident is
// alerted once, and again only when its band (scored::incident_band_of of its highest
// incident_score) rises above the highest band alerted for it. An incident's key is a
// 64-bit hash of its id, for the same reason.
//
// File format, text, one entry a line. Version 2:
//   # ad-mail state 2
//   <16 lower-case hex digits> <epoch seconds when alerted>            an event
//   i <16 lower-case hex digits> <band 0-3> <epoch seconds last seen>  an incident
// where band is the highest alerted (0 low, 1 medium, 2 high, 3 critical), and "last
// seen" the last time it was alerted or extended. Version 1 ("# ad-mail state 1") has
// event lines only; it loads as a state without incidents, and a state without
// incidents is written as version 1, so that an older ad-mail still reads it.
// The file is bounded: it keeps the newest `capacity` events and the
// `incident_capacity` incidents seen last (AlertedIncidents). It is rewritten whole
// and atomically (ad::AtomicFile). While a run reads and updates it, it holds an
// exclusive lock (flock) on "<path>.lock", so that runs that overlap in time do not
// alert the same event twice either. An empty or missing file is an empty state; any
// other file that does not start with the header line is refused (a data error), so
// that a mistyped --state never overwrites, say, a CSV file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ad/core/scored.h"

namespace ad::mail {

// The key of an event with the given id (non-empty).
std::uint64_t key_of_id(std::string_view id);
// The key of an event from its input columns.
std::uint64_t key_of_fields(const std::vector<std::string_view>& fields);
// The key of an incident with the given id (non-empty).
std::uint64_t key_of_incident(std::string_view id);

// Incidents already alerted: for each key, the highest band alerted and when it was
// last seen (alerted or extended). Bounded: trim() keeps the `capacity` seen last.
// ad-mail keeps one in memory across the windows of a stream, and AlertState one
// across runs.
class AlertedIncidents {
 public:
  static constexpr std::size_t kDefaultCapacity = 10000;
  struct Entry {
    scored::Band band = scored::Band::kLow;
    std::int64_t seen_s = 0;
  };

  explicit AlertedIncidents(std::size_t capacity = kDefaultCapacity);
  // The entry of key, or nullptr when it was never alerted.
  const Entry* find(std::uint64_t key) const;
  // key was alerted at band: keeps the higher band, and the later time.
  void alerted(std::uint64_t key, scored::Band band, std::int64_t when_s);
  // key (alerted before) had more events, without an alert: refreshes its time.
  void seen(std::uint64_t key, std::int64_t when_s);
  // Forgets all but the `capacity` entries seen last (ties: the larger key stays).
  void trim();
  void clear() { entries_.clear(); }

  std::size_t size() const { return entries_.size(); }
  const std::unordered_map<std::uint64_t, Entry>& entries() const { return entries_; }

 private:
  std::size_t capacity_;
  std::unordered_map<std::uint64_t, Entry> entries_;
};

class AlertState {
 public:
  static constexpr std::size_t kDefaultCapacity = 100000;

  explicit AlertState(std::string path, std::size_t capacity = kDefaultCapacity,
                      std::size_t incident_capacity = AlertedIncidents::kDefaultCapacity);
  AlertState(const AlertState&) = delete;
  AlertState& operator=(const AlertState&) = delete;
  ~AlertState();  // releases the lock, without writing

  // Takes the lock (waiting for another run to release it) and reads the file.
  // Throws ad::Error(kIo) if the lock or the file cannot be opened, and
  // ad::Error(kData) naming the line of a malformed file.
  void lock();
  // REQUIRES: locked.
  bool contains(std::uint64_t key) const { return keys_.count(key) != 0; }
  // REQUIRES: locked.
  void insert(std::uint64_t key, std::int64_t when_s);
  // The incidents alerted so far. REQUIRES: locked.
  AlertedIncidents& incidents() { return incidents_; }
  // Writes the file atomically (newest `capacity` entries) and releases the lock.
  // REQUIRES: locked. Throws ad::Error(kIo).
  void commit();
  // Releases the lock without writing. Harmless when not locked.
  void unlock();

  const std::string& path() const { return path_; }
  std::size_t size() const { return keys_.size(); }

 private:
  void load();
  void load_line(std::string_view line, int version, std::uint64_t line_no);
  // The newest `capacity` keys, as (time, key), oldest first.
  std::vector<std::pair<std::int64_t, std::uint64_t>> newest() const;
  // Keeps only those, so that a batch of many rows does not grow the state past 2 x capacity.
  void trim_keys();

  std::string path_;
  std::size_t capacity_;
  int lock_fd_ = -1;
  std::unordered_map<std::uint64_t, std::int64_t> keys_;
  AlertedIncidents incidents_;
};

}  // namespace ad::mail
