// train_sample.h: the rows ad-train keeps to learn from, and the batches that carry
// rows from its reading thread to the thread that keeps them.
//
// ad-train reads its input once. Its reading thread checks each row, follows the
// logins (which must happen in input order) and draws the row's place in the sample:
// a uniform random sample of at most --sample-rows rows (reservoir sampling, Algorithm
// R), a draw that needs only the number of rows used so far. It copies the row into a
// RowBatch; a full batch goes to a second thread (worker.h), which counts the values of
// each column (parsing numbers, the costliest part of a row) and stores the rows drawn
// into the Sample. Batches are handled one at a time in input order, so the sample and
// the counts are those one thread doing it all would get, at any thread count.
//
// A batch keeps a row's bytes as read when it can (a plain row: its fields joined by
// ','), else its fields joined by NUL (which csv::Reader never lets through), with the
// end of each field, so that neither thread scans a row again. The sample keeps the
// rows drawn in the same form, in 1 MiB chunks, each with an eighth more room than it
// needs: a row drawn into a full sample takes the place of the one in its slot when it
// fits there (rows of one file are much alike), else goes at the end and leaves the
// place behind; the places left behind are dropped, by copying the rows together,
// once they are half as many bytes as the rows hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ad/core/csv.h"
#include "ad/detect/incident.h"
#include "ad/detect/login.h"

namespace ad {

// Rows read and checked, on their way to the thread that counts and keeps them.
struct RowBatch {
  static constexpr std::size_t kNotKept = static_cast<std::size_t>(-1);
  // A batch is handed over at this many rows or bytes of fields, whichever comes first.
  static constexpr std::size_t kMaxRows = 4096;
  static constexpr std::size_t kMaxBytes = std::size_t{16} << 20;

  // Adds row, read at position `position` among the rows used. slot is its place in the
  // sample, or kNotKept. With `login` features, a kept row also keeps them and its event
  // for the incident grouper (a login of ctx by `user`).
  void add(const csv::Row& row, std::uint64_t position, std::size_t slot, const LoginContext& ctx, bool login,
           std::string_view user);
  std::size_t size() const { return lines.size(); }
  bool full() const { return size() >= kMaxRows || arena.size() >= kMaxBytes; }
  // Row i's bytes: its fields, each but the last followed by one separator byte.
  std::string_view bytes(std::size_t i) const {
    return std::string_view(arena).substr(row_start(i), ends[i] - row_start(i));
  }
  std::size_t row_start(std::size_t i) const { return i ? ends[i - 1] : 0; }
  // Row i's field count, and its field f (a view into the batch).
  std::size_t width(std::size_t i) const { return (i + 1 < size() ? first[i + 1] : bounds.size()) - first[i]; }
  std::string_view field(std::size_t i, std::size_t f) const {
    const std::size_t begin = f ? bounds[first[i] + f - 1] + 1 : 0;
    return std::string_view(arena).substr(row_start(i) + begin, bounds[first[i] + f] - begin);
  }
  void clear();

  std::string arena;                   // every row's bytes, one after another
  std::vector<std::size_t> ends;       // end of each row in arena
  std::vector<std::uint32_t> bounds;   // per field, its end, from its row's start
  std::vector<std::size_t> first;      // per row, its first field in bounds
  std::vector<std::uint64_t> lines;   // the line each row starts on
  std::vector<std::uint64_t> positions;
  std::vector<std::size_t> slots;
  // Per row, when added with login features (kept rows' only are filled):
  std::vector<double> derived;        // kDerivedCount values
  std::vector<IncidentEvent> events;
};

// The sample: row i of it is a row of the input, with what the reading pass learned
// about it.
class Sample {
 public:
  // Puts row i of batch at its slot (which must not be kNotKept), replacing the row
  // there, if any. Slots are filled in order: a new slot is the next one.
  void put(RowBatch& batch, std::size_t i);
  // Room for `rows` rows (at most kReserveRows) up front, so that the per-row records
  // are not copied as they grow. Only what is used is touched, and a --sample-rows far
  // above the input's rows costs address space only up to the cap.
  static constexpr std::size_t kReserveRows = std::size_t{1} << 20;
  void reserve(std::size_t rows);
  std::size_t size() const { return lines.size(); }
  // Sets row to sample row i (views into the sample, valid until the next put).
  void get(std::size_t i, csv::Row& row) const;
  // The bytes of the rows in the sample now (the replaced ones not counted).
  std::size_t bytes() const { return live_; }

  std::vector<std::uint64_t> lines;
  std::vector<std::uint64_t> order;   // the row's position among the rows used
  // With login features, per row: kDerivedCount values, and the row as the incident
  // grouper sees it.
  std::vector<double> derived;
  std::vector<IncidentEvent> events;

 private:
  // A row's record in the arena: its fields' ends (4 bytes each, from the row's start),
  // then its bytes, in `room` bytes set aside for it.
  struct Place {
    char* at = nullptr;
    std::size_t width = 0, size = 0, room = 0;
  };
  // room bytes in the last chunk, or in a new one.
  char* take(std::size_t room);
  // Writes a row's record at p.at (p's room holds it).
  static void write(const Place& p, const std::uint32_t* bounds, std::string_view bytes);
  // Copies the records of the rows in the sample into new chunks, in slot order.
  void compact();

  static constexpr std::size_t kChunk = std::size_t{1} << 20;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t chunk_size_ = 0;         // bytes of the last chunk
  std::size_t chunk_left_ = 0;         // of them, free at its end
  std::size_t allocated_ = 0;          // bytes of all chunks
  std::vector<Place> places_;          // per slot
  std::size_t live_ = 0;               // bytes of the rows in the sample
  std::size_t held_ = 0;               // room of their records
};

}  // namespace ad
