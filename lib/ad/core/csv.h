// csv.h: RFC 4180 reading and writing, for files and for live pipes.
//
// Reading is two layers. A LineSource hands over physical lines (without one leading
// UTF-8 BOM); Reader assembles them into records (quoted fields, doubled quotes, commas
// and line breaks inside quotes, CRLF) and checks every record against the header.
//
// There are two line sources, chosen by what the input is:
//   - A regular file is read with fast-cpp-csv-parser's io::LineReader, which reads
//     ahead in 16 MiB blocks on a second thread. It treats a short read as the end of
//     the input, so it is only right for files whose end is really their end.
//   - Anything else (a pipe, a terminal, a socket, a FIFO) is read with read(2), and
//     each line is handed over as soon as its newline arrives. Before the reader would
//     block it calls an idle hook, which the tools use to flush their output: a login
//     typed into `ad-score` is scored at once, and a fast pipe still writes in blocks.
//
// Reader contracts:
//   - The first record is the header; an input with no header is a data error, and
//     so is a header that holds a CR (CR-only line ends make the whole input one line).
//   - Every record must have as many fields as the header ("ragged row" otherwise).
//   - Fields must be valid UTF-8 and hold no NUL byte.
//   - Blank lines are skipped (unless the header has a single column).
//   - A line break inside a quoted field is returned as "\n", whatever it was: LF,
//     CRLF, or an LF after several CRs (a file converted to CRLF twice). No field holds
//     a CR just before an LF, since Writer could not write one to read back the same.
//   - A line of 16 MiB or more, or a record over 16 MiB, is a bad record; both sources
//     read past it (its bytes are dropped, not kept), so it is reported once.
//   - A header of more than kMaxColumns columns is a data error at the first column
//     too many. A record keeps at most one field more than the header (a ragged row is
//     reported with its real count), so a line of commas costs no memory per field.
//   Errors are ad::Error(kData) naming the file, line and column. A bad record (ragged,
//   invalid UTF-8 or NUL, junk after a closing quote, too long) leaves the reader at the
//   next record. Any other error (I/O, a NUL byte in a file) is fatal.
//
// Bad rows: by default next() throws on a bad record. With skip_bad_records() it counts
// it, keeps the first error, warns about the first few, and reads on; a caller that
// finds a row bad itself (a bad timestamp, say) hands the error to reject(), which
// follows the same policy. This is the one --on-error loop of every tool.
//
// Writer writes RFC 4180 fields, quoting only fields that hold a comma, a quote, CR
// or LF, and ends records with LF (the one deviation from RFC 4180's CRLF, as is usual
// for Unix tools; CRLF input is accepted).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ad/core/error.h"
#include "ad/core/io.h"

namespace ad::csv {

class LineSource {
 public:
  virtual ~LineSource() = default;
  // Sets line to the next physical line without its LF or CRLF. Returns false at the
  // end of the input. line stays valid until the next call.
  virtual bool next(std::string_view& line) = 0;
  // True when data arrives over time (not a regular file).
  virtual bool live() const = 0;
  // Called just before a blocking read, for live sources.
  void set_idle_hook(std::function<void()> hook) { idle_ = std::move(hook); }
  // True when the line just handed over was 16 MiB or longer: the source has read past
  // it and handed over an empty line in its place.
  bool overlong() const { return overlong_; }

 protected:
  std::function<void()> idle_;
  bool overlong_ = false;
};

// The longest line a source hands over: a longer one (16 MiB or more) is dropped,
// and overlong() says so.
constexpr std::size_t kMaxLineBytes = (16u << 20) - 1;
// The most columns a header may have.
constexpr std::size_t kMaxColumns = 4096;

// Opens "-" or "" as standard input, otherwise the file at path. Regular files get the
// fast-cpp-csv-parser source, everything else the live one. Throws ad::Error(kIo).
std::unique_ptr<LineSource> open_lines(const std::string& path);
// The live (read(2)) source over an open descriptor; it does not close fd.
std::unique_ptr<LineSource> fd_lines(int fd, const std::string& name);
// The fast-cpp-csv-parser source over bytes in memory (for tests and small inputs).
std::unique_ptr<LineSource> string_lines(const std::string& name, std::string content);

// The display name of a path: "<stdin>" for "" and "-".
std::string display_name(const std::string& path);

// What Reader does with bad rows under --on-error skip.
struct SkipPolicy {
  std::size_t warn_first = 10;                   // warn about the first N bad rows
  std::function<void(const std::string&)> warn;  // gets "skipped: <file:line:col: message>"
  std::function<void(const Error&)> on_skip;     // called for every bad row, if set
};

struct Row {
  std::vector<std::string_view> fields;  // valid until the next Reader::next()
  std::uint64_t line = 0;                // physical line where the record starts
  // With plain, text is the record's line as read, which is its fields joined by ","
  // exactly as Writer writes them (no quote, no CR): a copy can pass it through whole
  // (Writer::text). The fields are then views into text. Without plain, text means nothing.
  bool plain = false;
  std::string_view text;
};

class Reader {
 public:
  // Opens path (see open_lines) and reads the header.
  explicit Reader(const std::string& path);
  Reader(std::unique_ptr<LineSource> lines, std::string name);

  const std::vector<std::string>& header() const { return header_; }
  const std::string& name() const { return name_; }
  bool live() const { return lines_->live(); }
  void set_idle_hook(std::function<void()> hook) { lines_->set_idle_hook(std::move(hook)); }

  // Reads the next good record. Returns false at the end of the input. A bad record
  // throws, or is skipped under skip_bad_records(). Errors after a fatal one repeat it.
  bool next(Row& row);
  // The number of records read so far, header excluded, bad ones included.
  std::uint64_t records() const { return records_; }

  // Skip bad records from now on (--on-error skip), as SkipPolicy says.
  void skip_bad_records(SkipPolicy policy);
  bool skipping() const { return skipping_; }
  // The caller found the row just read bad (error e, of status kData): throws e unless
  // skipping, else counts it like a bad record. Other errors are rethrown.
  void reject(const Error& e);
  // Bad rows skipped so far, and the first one's error.
  std::uint64_t skipped() const { return skipped_; }
  const std::optional<Error>& first_skipped() const { return first_skipped_; }
  // "1 row with bad data skipped", "3 rows with bad data skipped".
  std::string skipped_summary() const;
  // True once next() or reject() threw for a bad row (not skipping), rather than for
  // a fatal error such as an I/O error.
  bool stopped_on_bad_row() const { return stopped_on_bad_row_; }
  // The location of field `column` (0-based) of the record that starts at `line`.
  Location where(std::uint64_t line, std::size_t column) const;

 private:
  bool read_record(Row& row);
  bool read_quoted(std::string_view line, std::vector<std::string_view>& fields,
                   std::uint64_t start_line);
  // The fields a record may keep: one more than the header (or than kMaxColumns,
  // while the header is read), so that a ragged row is seen without keeping it whole.
  std::size_t field_limit() const { return (header_.empty() ? kMaxColumns : header_.size()) + 1; }
  bool fetch(std::string_view& line);
  void check_utf8(const std::vector<std::string_view>& fields, std::uint64_t line) const;
  void count_skipped(const Error& e);

  std::unique_ptr<LineSource> lines_;
  std::string name_;
  std::vector<std::string> header_;
  std::uint64_t line_ = 0;
  std::uint64_t records_ = 0;
  std::size_t found_ = 0;              // fields of the last record, kept or not
  bool suspect_ = true;                // the last record may hold a NUL byte or bad UTF-8
  bool broken_ = false;                // a fatal error: the input cannot be read on
  bool skipping_ = false;
  bool stopped_on_bad_row_ = false;
  SkipPolicy policy_;
  std::uint64_t skipped_ = 0;
  std::optional<Error> first_skipped_;
  std::string scratch_;                // unescaped quoted records
  std::vector<std::size_t> bounds_;    // field bounds within scratch_
};

struct WriterOptions {
  // Prefix "'" to fields a spreadsheet would run as a formula: those starting with
  // = + - @ TAB or CR, other than plain numbers. For files people open (attachments).
  bool neutralise_formulas = false;
};

class Writer {
 public:
  explicit Writer(Output& out, WriterOptions options = {}) : out_(out), options_(options) {}
  // Quotes a value when it must be quoted to read back the same: one holding , " CR or
  // LF, a neutralised formula, and a first field that starts with U+FEFF (the reader
  // would take it for a byte order mark).
  void field(std::string_view value);
  // A number as ad writes them ([-]digits[.digits]), which field() would write as it
  // is: without looking for characters to quote.
  void number(std::string_view digits) {
    if (!first_) out_.put(',');
    first_ = false;
    at_start_ = false;
    out_.write(digits);
  }
  // Fields already in the form field() gives them, joined by "," (Row::text of a plain
  // row). Not with neutralise_formulas, which may have to change a field.
  void text(std::string_view fields);
  void end_row() {
    out_.put('\n');
    first_ = true;
    at_start_ = false;
  }
  template <typename Range>
  void row(const Range& values) {
    for (const auto& v : values) field(v);
    end_row();
  }
  Output& output() { return out_; }

 private:
  Output& out_;
  WriterOptions options_;
  bool first_ = true;
  bool at_start_ = true;  // nothing written yet
};

// True if a spreadsheet would read value as a formula (see WriterOptions).
bool looks_like_formula(std::string_view value);

}  // namespace ad::csv
