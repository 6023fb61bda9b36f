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
// File format, text, one entry a line:
//   # ad-mail state 1
//   <16 lower-case hex digits> <epoch seconds when alerted>
// The file is bounded: it keeps the newest `capacity` entries. It is rewritten whole
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
#include <vector>

namespace ad::mail {

// The key of an event with the given id (non-empty).
std::uint64_t key_of_id(std::string_view id);
// The key of an event from its input columns.
std::uint64_t key_of_fields(const std::vector<std::string_view>& fields);

class AlertState {
 public:
  static constexpr std::size_t kDefaultCapacity = 100000;

  explicit AlertState(std::string path, std::size_t capacity = kDefaultCapacity);
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
  // Writes the file atomically (newest `capacity` entries) and releases the lock.
  // REQUIRES: locked. Throws ad::Error(kIo).
  void commit();
  // Releases the lock without writing. Harmless when not locked.
  void unlock();

  const std::string& path() const { return path_; }
  std::size_t size() const { return keys_.size(); }

 private:
  void load();

  std::string path_;
  std::size_t capacity_;
  int lock_fd_ = -1;
  std::unordered_map<std::uint64_t, std::int64_t> keys_;
};

}  // namespace ad::mail
