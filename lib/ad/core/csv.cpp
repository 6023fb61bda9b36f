// fast-cpp-csv-parser truncates file names to 255 bytes for its own messages; ours keep them.
#if defined(__GNUC__) && !defined(__clang__)  // clang has no such warning group
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
#include "ad/core/csv.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <libfccp/csv.h>

#include "ad/core/csv_split.h"
#include "ad/core/text.h"

namespace ad::csv {

namespace {

constexpr std::size_t kMaxRecordBytes = 16u << 20;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

// ---------------------------------------------------------------------------------
// Live source: read(2) as data comes, one line at a time.

class FdLineSource : public LineSource {
 public:
  FdLineSource(int fd, std::string name, bool owns) : fd_(fd, owns), name_(std::move(name)) {
    buf_.resize(1 << 16);
  }
  bool live() const override { return true; }

  bool next(std::string_view& line) override {
    overlong_ = false;
    for (;;) {
      char* base = buf_.data();
      auto* nl = static_cast<char*>(std::memchr(base + begin_, '\n', end_ - begin_));
      if (nl || eof_) {
        if (!nl && begin_ == end_ && !dropping_) return false;
        std::size_t len = nl ? static_cast<std::size_t>(nl - (base + begin_)) : end_ - begin_;
        line = std::string_view(base + begin_, len);
        begin_ += nl ? len + 1 : len;
        if (dropping_) {  // the rest of a line too long to keep
          dropping_ = false;
          overlong_ = true;
          line = {};
        }
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (first_ && line.substr(0, kBom.size()) == kBom) line.remove_prefix(kBom.size());
        first_ = false;
        return true;
      }
      if (dropping_) begin_ = end_;
      fill();
    }
  }

 private:
  void fill() {
    if (begin_ > 0) {  // compact
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buf_.size()) {
      if (buf_.size() > kMaxLineBytes) {  // drop the line, read on to its end
        dropping_ = true;
        first_ = false;
        begin_ = end_ = 0;
      } else {
        buf_.resize(buf_.size() * 2);
      }
    }
    if (idle_) idle_();
    for (;;) {
      ssize_t n = ::read(fd_.fd, buf_.data() + end_, buf_.size() - end_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw errno_error("cannot read " + name_, errno);
      if (n == 0) eof_ = true;
      end_ += static_cast<std::size_t>(n);
      return;
    }
  }

  FdGuard fd_;
  std::string name_;
  std::vector<char> buf_;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  bool dropping_ = false;  // reading past a line of kMaxLineBytes or more
  bool first_ = true;      // the first line, which may start with a BOM
};

// ---------------------------------------------------------------------------------
// File source: fast-cpp-csv-parser's LineReader, which reads ahead on a thread and
// drops one leading BOM itself. Its lines are NUL-terminated, so a NUL byte in the
// data would silently cut a line, and it throws for ever on a line over 16 MiB. The
// byte source below, between the bytes and LineReader, refuses NUL bytes, naming their
// line, and cuts a line longer than kMaxLineBytes, noting its number (overlong()).

// Numbers of the lines cut, written by the read-ahead thread, taken by the reader.
class CutLines {
 public:
  void add(std::uint64_t line) {
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.push_back(line);
  }
  bool take(std::uint64_t line) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (lines_.empty() || lines_.front() != line) return false;
    lines_.pop_front();
    return true;
  }

 private:
  std::mutex mutex_;
  std::deque<std::uint64_t> lines_;
};

class CheckedByteSource : public io::ByteSourceBase {
 public:
  // raw reads up to n bytes into p; 0 at the end of the input.
  using Raw = std::function<std::size_t(char* p, std::size_t n)>;
  CheckedByteSource(Raw raw, std::string name, std::shared_ptr<CutLines> cut)
      : raw_(std::move(raw)), name_(std::move(name)), cut_(std::move(cut)) {}
  int read(char* buffer, int size) override {
    std::size_t done = 0, want = static_cast<std::size_t>(size);
    while (done < want) {  // LineReader takes a short read for the end
      std::size_t n = raw_(buffer + done, want - done);
      if (n == 0) {
        if (dropping_) cut_->add(lines_ + 1);
        dropping_ = false;
        break;
      }
      check_nul(buffer + done, n);
      done += keep(buffer + done, n);
    }
    return static_cast<int>(done);
  }

 private:
  void check_nul(const char* p, std::size_t n) const {
    const char* nul = static_cast<const char*>(std::memchr(p, '\0', n));
    if (!nul) return;
    std::uint64_t line = lines_ + 1;
    for (const char* q = p; (q = static_cast<const char*>(std::memchr(q, '\n', nul - q))); ++q)
      ++line;
    throw data_error("NUL byte in input", Location{name_, line, 0, {}});
  }
  // Drops, in place, the bytes of a line past kMaxLineBytes; returns how many are kept.
  std::size_t keep(char* p, std::size_t n) {
    if (!dropping_ && length_ + n <= kMaxLineBytes) {  // no line here can be too long: all kept
      const char* last = static_cast<const char*>(memrchr(p, '\n', n));
      if (!last) {
        length_ += n;
        return n;
      }
      lines_ += static_cast<std::uint64_t>(std::count(static_cast<const char*>(p), last + 1, '\n'));
      length_ = static_cast<std::size_t>(p + n - (last + 1));
      return n;
    }
    char* out = p;
    for (const char *in = p, *end = p + n; in < end;) {
      const char* nl = static_cast<const char*>(std::memchr(in, '\n', end - in));
      std::size_t len = static_cast<std::size_t>((nl ? nl : end) - in);
      if (!dropping_) {
        std::size_t room = kMaxLineBytes - length_;
        if (len > room) dropping_ = true;  // LineReader gets the first room bytes
        std::size_t kept = std::min(len, room);
        std::memmove(out, in, kept);
        out += kept;
        length_ += kept;
      }
      if (!nl) break;
      if (dropping_) cut_->add(lines_ + 1);
      dropping_ = false;
      *out++ = '\n';
      ++lines_;
      length_ = 0;
      in = nl + 1;
    }
    return static_cast<std::size_t>(out - p);
  }

  Raw raw_;
  std::string name_;
  std::shared_ptr<CutLines> cut_;
  std::uint64_t lines_ = 0;   // newlines seen
  std::size_t length_ = 0;    // bytes of the current line kept
  bool dropping_ = false;
};

class FccpLineSource : public LineSource {
 public:
  // Reads from fd, which it closes if owns (also when reading the first block fails).
  FccpLineSource(std::string name, int fd, bool owns)
      : name_(std::move(name)),
        fd_(fd, owns),
        reader_(name_, std::make_unique<CheckedByteSource>(
                           [fd, name = name_](char* p, std::size_t n) -> std::size_t {
                             for (;;) {
                               ssize_t got = ::read(fd, p, n);
                               if (got < 0 && errno == EINTR) continue;
                               if (got < 0) throw errno_error("cannot read " + name, errno);
                               return static_cast<std::size_t>(got);
                             }
                           },
                           name_, cut_)) {}
  FccpLineSource(std::string name, std::string content)
      : name_(std::move(name)),
        content_(std::move(content)),
        reader_(name_, std::make_unique<CheckedByteSource>(
                           [this, at = std::size_t{0}](char* p, std::size_t n) mutable {
                             n = std::min(n, content_.size() - at);
                             std::memcpy(p, content_.data() + at, n);
                             at += n;
                             return n;
                           },
                           name_, cut_)) {}
  bool live() const override { return false; }
  bool next(std::string_view& line) override {
    char* p = reader_.next_line();
    if (!p) return false;
    line = std::string_view(p);
    overlong_ = cut_->take(reader_.get_file_line());
    return true;
  }

 private:
  std::string name_;
  std::string content_;
  FdGuard fd_;  // before reader_, whose constructor reads and may throw
  std::shared_ptr<CutLines> cut_ = std::make_shared<CutLines>();
  io::LineReader reader_;
};

}  // namespace

std::string display_name(const std::string& path) {
  return path.empty() || path == "-" ? "<stdin>" : path;
}

std::unique_ptr<LineSource> fd_lines(int fd, const std::string& name) {
  return std::make_unique<FdLineSource>(fd, name, false);
}

std::unique_ptr<LineSource> string_lines(const std::string& name, std::string content) {
  return std::make_unique<FccpLineSource>(name, std::move(content));
}

std::unique_ptr<LineSource> open_lines(const std::string& path) {
  std::string name = display_name(path);
  bool is_stdin = path.empty() || path == "-";
  int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw errno_error("cannot open " + name, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    if (!is_stdin) ::close(fd);
    throw errno_error("cannot read " + name, e);
  }
  if (S_ISDIR(st.st_mode)) {
    if (!is_stdin) ::close(fd);
    throw io_error("cannot read " + name + ": is a directory");
  }
  // From here the source owns fd, and closes it even if its constructor throws.
  if (S_ISREG(st.st_mode)) return std::make_unique<FccpLineSource>(name, fd, !is_stdin);
  return std::make_unique<FdLineSource>(fd, name, !is_stdin);
}

// ---------------------------------------------------------------------------------
// Reader

Reader::Reader(const std::string& path) : Reader(open_lines(path), display_name(path)) {}

Reader::Reader(std::unique_ptr<LineSource> lines, std::string name)
    : lines_(std::move(lines)), name_(std::move(name)) {
  Row head;
  if (!read_record(head)) throw data_error("empty input: no header line", Location{name_});
  if (found_ > kMaxColumns)  // the error is at the first column too many
    throw data_error("the header has " + std::to_string(found_) + " columns, more than " + std::to_string(kMaxColumns),
                     Location{name_, head.line, static_cast<std::uint32_t>(kMaxColumns + 1), {}});
  check_utf8(head.fields, head.line);
  if (head.fields.size() == 1 && head.fields[0].empty())
    throw data_error("the header line is empty", Location{name_, head.line});
  // With CR-only line ends (classic Mac OS) the whole input is one line, which would
  // read as a header without data rows: say what is wrong instead.
  for (std::string_view f : head.fields)
    if (f.find('\r') != std::string_view::npos)
      throw data_error(
          "the header line holds a carriage return (CR): the input seems to end its lines "
          "with CR alone; convert them to LF or CRLF",
          Location{name_, head.line});
  header_.assign(head.fields.begin(), head.fields.end());
  records_ = 0;
}

Location Reader::where(std::uint64_t line, std::size_t column) const {
  Location loc{name_, line, static_cast<std::uint32_t>(column + 1), {}};
  if (column < header_.size()) loc.column_name = header_[column];
  return loc;
}

// The next physical line. An error here is fatal: the source cannot go on.
bool Reader::fetch(std::string_view& line) {
  try {
    if (!lines_->next(line)) return false;
  } catch (...) {
    broken_ = true;
    throw;
  }
  ++line_;
  return true;
}

bool Reader::read_record(Row& row) {
  std::vector<std::string_view>& fields = row.fields;
  fields.clear();
  row.plain = false;  // and text unset
  std::string_view line;
  for (;;) {
    if (!fetch(line)) return false;
    if (!line.empty() || header_.size() == 1 || lines_->overlong()) break;
  }
  row.line = line_;
  ++records_;
  if (lines_->overlong()) throw data_error("line of 16 MiB or more", Location{name_, line_});

  // Fast path: no quote on the line, so fields are views into it (counted past field_limit()).
  const LineScan scan = split_unquoted(line, field_limit(), fields);
  suspect_ = true;
  if (!scan.quote) {
    row.plain = !scan.cr;
    if (row.plain) row.text = line;
    found_ = scan.found;
    suspect_ = scan.suspect;
    return true;
  }
  fields.clear();
  return read_quoted(line, fields, row.line);
}

// Quoted fields: unescapes into scratch_, remembering field bounds. A record over
// kMaxRecordBytes is read to its end but not kept, then reported.
bool Reader::read_quoted(std::string_view line, std::vector<std::string_view>& fields,
                         std::uint64_t start_line) {
  scratch_.clear();
  bounds_.clear();
  bounds_.push_back(0);
  std::size_t i = 0;
  bool at_field_start = true;
  bool in_quotes = false;
  bool after_quote = false;  // just closed a quoted field
  bool too_long = false;
  std::size_t extra = 0;  // fields past field_limit(), counted, not kept
  std::size_t line_start = 0;  // scratch_'s size when this physical line began
  for (;;) {
    if (i == line.size()) {
      if (!in_quotes) break;
      // A line break inside quotes: the record continues on the next line.
      if (!fetch(line))
        throw data_error("unterminated quoted field (it starts on line " +
                             std::to_string(start_line) + ")",
                         Location{name_, line_, static_cast<std::uint32_t>(bounds_.size()), {}});
      if (lines_->overlong()) throw data_error("line of 16 MiB or more", Location{name_, line_});
      // The source took the CR of a CRLF; any CR the quoted field holds at the line's
      // end is part of the line break too ("\r\r\n", from a file converted twice), so
      // that no field holds a CR just before an LF, which Writer could not write to read
      // back the same.
      const std::size_t field_here = std::max(bounds_.back(), line_start);
      while (scratch_.size() > field_here && scratch_.back() == '\r') scratch_.pop_back();
      scratch_.push_back('\n');
      if (scratch_.size() > kMaxRecordBytes) {
        too_long = true;
        scratch_.clear();
      }
      line_start = scratch_.size();
      i = 0;
      continue;
    }
    char c = line[i++];
    if (in_quotes) {
      if (c == '"') {
        if (i < line.size() && line[i] == '"') {
          scratch_.push_back('"');
          ++i;
        } else {
          in_quotes = false;
          after_quote = true;
        }
      } else {
        scratch_.push_back(c);
      }
    } else if (c == ',') {
      if (bounds_.size() < field_limit()) bounds_.push_back(scratch_.size());
      else ++extra;
      at_field_start = true;
      after_quote = false;
    } else if (after_quote) {
      throw data_error("unexpected character after a closing quote",
                       Location{name_, line_, static_cast<std::uint32_t>(bounds_.size()), {}});
    } else if (c == '"' && at_field_start) {
      in_quotes = true;
      at_field_start = false;
    } else {
      scratch_.push_back(c);  // a quote inside an unquoted field is kept literally
      at_field_start = false;
    }
  }
  if (too_long) throw data_error("record longer than 16 MiB", Location{name_, start_line});
  bounds_.push_back(scratch_.size());
  found_ = bounds_.size() - 1 + extra;
  for (std::size_t f = 0; f + 1 < bounds_.size(); ++f)
    fields.push_back(std::string_view(scratch_).substr(bounds_[f], bounds_[f + 1] - bounds_[f]));
  return true;
}

void Reader::check_utf8(const std::vector<std::string_view>& fields, std::uint64_t line) const {
  for (std::size_t f = 0; f < fields.size(); ++f) {
    // The file source refuses NUL bytes as it reads; a live source hands them over.
    if (std::memchr(fields[f].data(), '\0', fields[f].size()))
      throw data_error("NUL byte in input", where(line, f));
    std::size_t bad = text::find_invalid_utf8(fields[f]);
    if (bad != std::string_view::npos)
      throw data_error("invalid UTF-8 (byte " + std::to_string(bad + 1) + " of the field)",
                       where(line, f));
  }
}

bool Reader::next(Row& row) {
  for (;;) {
    try {
      if (!read_record(row)) return false;
      if (found_ != header_.size())
        throw data_error("ragged row: expected " + std::to_string(header_.size()) +
                             " fields as in the header, found " + std::to_string(found_),
                         Location{name_, row.line});
      // A plain row's text is its fields and the commas between them, and a comma is
      // never part of a UTF-8 sequence: the text is valid exactly when every field is.
      // Its scan found whether it has a byte to check at all; it is checked whole, and
      // field by field only to name the column of an error.
      if (!row.plain || (suspect_ && (std::memchr(row.text.data(), '\0', row.text.size()) ||
                                      text::find_invalid_utf8(row.text) != std::string_view::npos)))
        check_utf8(row.fields, row.line);
      return true;
    } catch (const Error& e) {
      if (broken_ || e.status() != Status::kData) throw;
      reject(e);  // a bad record: the reader is at the next one
    }
  }
}

void Reader::skip_bad_records(SkipPolicy policy) {
  policy_ = std::move(policy);
  skipping_ = true;
}

void Reader::reject(const Error& e) {
  if (e.status() != Status::kData) throw e;
  if (!skipping_) {
    stopped_on_bad_row_ = true;
    throw e;
  }
  if (!first_skipped_) first_skipped_ = e;
  ++skipped_;
  if (policy_.on_skip) policy_.on_skip(e);
  if (policy_.warn && skipped_ <= policy_.warn_first)
    policy_.warn("skipped: " + std::string(e.what()) +
                 (skipped_ == policy_.warn_first ? " (further bad rows are only counted)" : ""));
}

std::string Reader::skipped_summary() const {
  return std::to_string(skipped_) + (skipped_ == 1 ? " row" : " rows") + " with bad data skipped";
}

}  // namespace ad::csv
