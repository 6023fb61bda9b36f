// attachment.h: the CSV attachment of an alert (alert.h).
//
// Every column of a batch's flagged rows, header first, in input order, with cells a
// spreadsheet would run as formulas neutralised (csv::WriterOptions), and at most
// max_bytes bytes: it ends before the first slim row (one past the bound when it was
// read, alert.h) or the first row that would take it past max_bytes, so it is cut at a
// row boundary. The header is always there. Rows come from the batch's temporary file
// one at a time (row_spool.h); only the attachment itself is in memory.
#pragma once

#include <cstdint>
#include <string>

#include "ad/mail/alert.h"

namespace ad::mail {

// The attachment of batch; sets rows to the number of flagged rows it holds.
// Throws ad::Error(kIo) when the in-memory file cannot be made or read.
std::string attachment_csv(const Columns& columns, const Batch& batch, std::size_t max_bytes,
                           std::uint64_t& rows);

}  // namespace ad::mail
