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
// The sample keeps a row as its fields joined by NUL, which csv::Reader never lets
// through. A batch keeps a row's bytes as read when it can (a plain row: its fields
// joined by ','), with the end of each field, so that neither thread scans a row again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ad/core/csv.h"
#include "ad/detect/incident.h"
#include "ad/detect/login.h"

namespace ad {

// Sets row's fields to views into joined (fields joined by NUL) and its line to line.
void split_fields(std::string_view joined, std::uint64_t line, csv::Row& row);

// Rows read and checked, on their way to the thread that counts and keeps them.
struct RowBatch {
  static constexpr std::size_t kNotKept = static_cast<std::size_t>(-1);
  // A batch is handed over at this many rows or bytes of fields, whichever comes first.
  static constexpr std::size_t kMaxRows = 4096;
  static constexpr std::size_t kMaxBytes = std::size_t{16} << 20;

  // Adds row, read at position `position` among the rows used. slot is its place in the
  // sample, or kNotKept; a kept row also keeps its login features and, when
  // `with_event`, its event for the incident grouper (a login of ctx by `user`).
  void add(const csv::Row& row, std::uint64_t position, std::size_t slot, const LoginContext& ctx,
           bool with_event, std::string_view user);
  std::size_t size() const { return lines.size(); }
  bool full() const { return size() >= kMaxRows || arena.size() >= kMaxBytes; }
  // Row i's bytes: its fields, each but the last followed by one separator byte.
  std::string_view bytes(std::size_t i) const {
    std::size_t begin = i ? ends[i - 1] : 0;
    return std::string_view(arena).substr(begin, ends[i] - begin);
  }
  // Sets row to row i of the batch (views into the batch).
  void row(std::size_t i, csv::Row& row) const;
  // Row i's fields joined by NUL, into out (replacing its content).
  void joined(std::size_t i, std::string& out) const;
  void clear();

  std::string arena;                   // every row's bytes, one after another
  std::vector<std::size_t> ends;       // end of each row in arena
  std::vector<std::uint32_t> bounds;   // per field, its end, from its row's start
  std::vector<std::size_t> first;      // per row, its first field in bounds
  std::vector<std::uint64_t> lines;   // the line each row starts on
  std::vector<std::uint64_t> positions;
  std::vector<std::size_t> slots;
  std::vector<double> derived;        // kDerivedCount values per row (kept rows' only are meaningful)
  std::vector<IncidentEvent> events;  // per row, when added with_event (kept rows' only are filled)
};

// The sample: row i of it is a row of the input, with what the reading pass learned
// about it.
struct Sample {
  std::vector<std::string> rows;      // fields joined by NUL
  std::vector<std::uint64_t> lines;
  std::vector<double> derived;        // kDerivedCount values per row
  std::vector<std::uint64_t> order;   // the row's position among the rows used
  std::vector<IncidentEvent> events;  // with login features: the row as the incident grouper sees it
  std::size_t bytes = 0;              // of rows

  // Puts row i of batch at its slot (which must not be kNotKept), replacing the row
  // there, if any. Slots are filled in order: a new slot is the next one.
  void put(RowBatch& batch, std::size_t i);
  std::size_t size() const { return rows.size(); }
  // Sets row to sample row i (views into the sample).
  void get(std::size_t i, csv::Row& row) const { split_fields(rows[i], lines[i], row); }
};

}  // namespace ad
