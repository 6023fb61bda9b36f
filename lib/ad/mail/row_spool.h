// row_spool.h: the flagged rows of a batch, kept in a temporary file.
//
// A batch (alert.h) may collect any number of flagged rows: a whole file, or a window
// of a stream that a long outage or the hourly cap held open. RowSpool keeps them out
// of memory: append() writes a row to an anonymous temporary file (O_TMPFILE in
// $TMPDIR, else /tmp; it has no name and vanishes with the process), and for_each()
// reads them back in order, one at a time. Memory is one buffer of 64 KiB each way,
// whatever the number of rows. A whole row (kept for the attachment) is on disk with
// all its columns; a slim row (past the attachment's bound) with only the columns the
// bodies read, so that the file holds at most --max-attachment bytes of whole rows.
//
// Errors: ad::Error(kIo) naming the directory, when the file cannot be created,
// written or read back (a full disk, say).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace ad::mail {

struct Anomaly;  // alert.h

class RowSpool {
 public:
  RowSpool() = default;
  RowSpool(RowSpool&& other) noexcept;
  RowSpool& operator=(RowSpool&& other) noexcept;
  RowSpool(const RowSpool&) = delete;
  RowSpool& operator=(const RowSpool&) = delete;
  ~RowSpool();

  // Appends a copy of a. The file is created on the first call.
  void append(const Anomaly& a);
  // Calls f with each row appended, in order (a row is valid during its call).
  void for_each(const std::function<void(Anomaly&)>& f) const;
  std::uint64_t size() const { return rows_; }

 private:
  void flush() const;

  int fd_ = -1;
  std::uint64_t rows_ = 0;
  mutable std::string pending_;  // appended, not yet written
};

}  // namespace ad::mail
