// fast-cpp-csv-parser truncates file names to 255 bytes for its own messages; ours keep them.
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include "ad/core/csv.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <libfccp/csv.h>

#include "ad/core/text.h"

namespace ad::csv {

namespace {

constexpr std::size_t kMaxRecordBytes = 16u << 20;

// ---------------------------------------------------------------------------------
// Live source: read(2) as data comes, one line at a time.

class FdLineSource : public LineSource {
 public:
  FdLineSource(int fd, std::string name, bool owns)
      : fd_(fd), name_(std::move(name)), owns_(owns) {
    buf_.resize(1 << 16);
  }
  ~FdLineSource() override {
    if (owns_) ::close(fd_);
  }
  bool live() const override { return true; }

  bool next(std::string_view& line) override {
    for (;;) {
      char* base = buf_.data();
      if (auto* nl = static_cast<char*>(std::memchr(base + begin_, '\n', end_ - begin_))) {
        std::size_t len = static_cast<std::size_t>(nl - (base + begin_));
        line = std::string_view(base + begin_, len);
        begin_ += len + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return true;
      }
      if (eof_) {
        if (begin_ == end_) return false;
        line = std::string_view(base + begin_, end_ - begin_);
        begin_ = end_;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return true;
      }
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
      if (buf_.size() >= kMaxRecordBytes)
        throw data_error("line longer than 16 MiB", Location{name_, 0, 0, {}});
      buf_.resize(buf_.size() * 2);
    }
    if (idle_) idle_();
    for (;;) {
      ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw errno_error("cannot read " + name_, errno);
      if (n == 0) eof_ = true;
      end_ += static_cast<std::size_t>(n);
      return;
    }
  }

  int fd_;
  std::string name_;
  bool owns_;
  std::vector<char> buf_;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
};

// ---------------------------------------------------------------------------------
// File source: fast-cpp-csv-parser's LineReader, which reads ahead on a thread.
// Its lines are NUL-terminated, so a NUL byte in the data would silently cut a line;
// the byte source below refuses NUL bytes, naming their line.

class CheckedByteSource : public io::ByteSourceBase {
 public:
  CheckedByteSource(int fd, std::string name, bool owns)
      : fd_(fd), name_(std::move(name)), owns_(owns) {}
  ~CheckedByteSource() override {
    if (owns_) ::close(fd_);
  }
  int read(char* buffer, int size) override {
    int done = 0;
    while (done < size) {
      ssize_t n = ::read(fd_, buffer + done, static_cast<std::size_t>(size - done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw errno_error("cannot read " + name_, errno);
      if (n == 0) break;
      check(buffer + done, static_cast<std::size_t>(n));
      done += static_cast<int>(n);
    }
    return done;
  }

 private:
  void check(const char* p, std::size_t n) {
    const char* nul = static_cast<const char*>(std::memchr(p, '\0', n));
    const char* end = nul ? nul : p + n;
    for (const char* q = p; (q = static_cast<const char*>(std::memchr(q, '\n', end - q))); ++q)
      ++lines_;
    if (nul) throw data_error("NUL byte in input", Location{name_, lines_ + 1, 0, {}});
  }
  int fd_;
  std::string name_;
  bool owns_;
  std::uint64_t lines_ = 0;
};

class FccpLineSource : public LineSource {
 public:
  FccpLineSource(std::string name, std::unique_ptr<io::ByteSourceBase> source)
      : name_(std::move(name)), reader_(name_, std::move(source)) {}
  FccpLineSource(std::string name, std::string content)
      : name_(std::move(name)),
        content_(std::move(content)),
        reader_(name_, content_.data(), content_.data() + content_.size()) {}
  bool live() const override { return false; }
  bool next(std::string_view& line) override {
    try {
      char* p = reader_.next_line();
      if (!p) return false;
      line = std::string_view(p);
      return true;
    } catch (const io::error::line_length_limit_exceeded&) {
      throw data_error("line longer than 16 MiB", Location{name_, reader_.get_file_line(), 0, {}});
    }
  }

 private:
  std::string name_;
  std::string content_;
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
  if (S_ISREG(st.st_mode))
    return std::make_unique<FccpLineSource>(
        name, std::make_unique<CheckedByteSource>(fd, name, !is_stdin));
  return std::make_unique<FdLineSource>(fd, name, !is_stdin);
}

// ---------------------------------------------------------------------------------
// Reader

Reader::Reader(const std::string& path) : Reader(open_lines(path), display_name(path)) {}

Reader::Reader(std::unique_ptr<LineSource> lines, std::string name)
    : lines_(std::move(lines)), name_(std::move(name)) {
  std::vector<std::string_view> fields;
  std::uint64_t start = 0;
  if (!read_record(fields, start)) throw data_error("empty input: no header line", Location{name_});
  if (!fields.empty() && fields[0].substr(0, 3) == "\xEF\xBB\xBF") fields[0].remove_prefix(3);
  check_utf8(fields, start);
  if (fields.size() == 1 && fields[0].empty())
    throw data_error("the header line is empty", Location{name_, start});
  header_.assign(fields.begin(), fields.end());
}

Location Reader::where(std::uint64_t line, std::size_t column) const {
  Location loc{name_, line, static_cast<std::uint32_t>(column + 1), {}};
  if (column < header_.size()) loc.column_name = header_[column];
  return loc;
}

bool Reader::read_record(std::vector<std::string_view>& fields, std::uint64_t& start_line) {
  fields.clear();
  std::string_view line;
  for (;;) {
    if (!lines_->next(line)) return false;
    ++line_;
    if (!line.empty() || header_.size() == 1) break;
  }
  start_line = line_;

  // Fast path: no quote on the line, so fields are views into it.
  if (line.find('"') == std::string_view::npos) {
    std::size_t pos = 0;
    for (;;) {
      std::size_t comma = line.find(',', pos);
      if (comma == std::string_view::npos) {
        fields.push_back(line.substr(pos));
        return true;
      }
      fields.push_back(line.substr(pos, comma - pos));
      pos = comma + 1;
    }
  }

  // Quoted fields: unescape into scratch_, remembering field bounds.
  scratch_.clear();
  bounds_.clear();
  bounds_.push_back(0);
  std::size_t i = 0;
  bool at_field_start = true;
  bool in_quotes = false;
  bool after_quote = false;  // just closed a quoted field
  for (;;) {
    if (i == line.size()) {
      if (!in_quotes) break;
      // A line break inside quotes: the record continues on the next line.
      if (!lines_->next(line))
        throw data_error("unterminated quoted field (it starts on line " +
                             std::to_string(start_line) + ")",
                         Location{name_, line_, static_cast<std::uint32_t>(bounds_.size()), {}});
      ++line_;
      scratch_.push_back('\n');
      if (scratch_.size() > kMaxRecordBytes)
        throw data_error("record longer than 16 MiB", Location{name_, start_line});
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
      bounds_.push_back(scratch_.size());
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
  bounds_.push_back(scratch_.size());
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
  if (!read_record(row.fields, row.line)) return false;
  ++records_;
  if (row.fields.size() != header_.size())
    throw data_error("ragged row: expected " + std::to_string(header_.size()) +
                         " fields as in the header, found " + std::to_string(row.fields.size()),
                     Location{name_, row.line});
  check_utf8(row.fields, row.line);
  return true;
}

// ---------------------------------------------------------------------------------
// Writer

bool looks_like_formula(std::string_view v) {
  if (v.empty()) return false;
  char c = v[0];
  if (c != '=' && c != '+' && c != '-' && c != '@' && c != '\t' && c != '\r') return false;
  if (c == '-' || c == '+') {  // a plain number such as -3.5 is data, not a formula
    double d;
    auto [ptr, ec] = std::from_chars(v.data() + 1, v.data() + v.size(), d);
    if (ec == std::errc() && ptr == v.data() + v.size()) return false;
  }
  return true;
}

void Writer::field(std::string_view v) {
  if (!first_) out_.put(',');
  first_ = false;
  bool neutralise = options_.neutralise_formulas && looks_like_formula(v);
  if (!neutralise && v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out_.write(v);
    return;
  }
  out_.put('"');
  if (neutralise) out_.put('\'');
  std::size_t pos = 0;
  for (std::size_t q; (q = v.find('"', pos)) != std::string_view::npos; pos = q + 1) {
    out_.write(v.substr(pos, q + 1 - pos));
    out_.put('"');
  }
  out_.write(v.substr(pos));
  out_.put('"');
}

}  // namespace ad::csv
