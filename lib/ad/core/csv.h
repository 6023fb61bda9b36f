// csv.h: RFC 4180 reading and writing, for files and for live pipes.
//
// Reading is two layers. A LineSource hands over physical lines; Reader assembles
// them into records (quoted fields, doubled quotes, commas and line breaks inside
// quotes, CRLF, a UTF-8 BOM) and checks every record against the header.
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
//   - The first record is the header; an input with no header is a data error.
//   - Every record must have as many fields as the header ("ragged row" otherwise).
//   - Fields must be valid UTF-8 and hold no NUL byte.
//   - Blank lines are skipped (unless the header has a single column).
//   - A line break inside a quoted field is returned as "\n", whatever it was.
//   Errors are ad::Error(kData) naming the file, line and column. A record-level error
//   leaves the reader at the next record, so a caller may skip the row and go on.
//
// Writer writes RFC 4180 fields, quoting only fields that hold a comma, a quote, CR
// or LF, and ends records with LF (the one deviation from RFC 4180's CRLF, as is usual
// for Unix tools; CRLF input is accepted).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
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

 protected:
  std::function<void()> idle_;
};

// Opens "-" or "" as standard input, otherwise the file at path. Regular files get the
// fast-cpp-csv-parser source, everything else the live one. Throws ad::Error(kIo).
std::unique_ptr<LineSource> open_lines(const std::string& path);
// The live (read(2)) source over an open descriptor; it does not close fd.
std::unique_ptr<LineSource> fd_lines(int fd, const std::string& name);
// The fast-cpp-csv-parser source over bytes in memory (for tests and small inputs).
std::unique_ptr<LineSource> string_lines(const std::string& name, std::string content);

// The display name of a path: "<stdin>" for "" and "-".
std::string display_name(const std::string& path);

struct Row {
  std::vector<std::string_view> fields;  // valid until the next Reader::next()
  std::uint64_t line = 0;                // physical line where the record starts
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

  // Reads the next record. Returns false at the end of the input.
  bool next(Row& row);
  // The number of records read so far, header excluded.
  std::uint64_t records() const { return records_; }
  // The location of field `column` (0-based) of the record that starts at `line`.
  Location where(std::uint64_t line, std::size_t column) const;

 private:
  bool read_record(std::vector<std::string_view>& fields, std::uint64_t& start_line);
  void check_utf8(const std::vector<std::string_view>& fields, std::uint64_t line) const;

  std::unique_ptr<LineSource> lines_;
  std::string name_;
  std::vector<std::string> header_;
  std::uint64_t line_ = 0;
  std::uint64_t records_ = 0;
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
  void field(std::string_view value);
  void end_row() {
    out_.put('\n');
    first_ = true;
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
};

// True if a spreadsheet would read value as a formula (see WriterOptions).
bool looks_like_formula(std::string_view value);

}  // namespace ad::csv
