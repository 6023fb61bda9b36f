#include "ad/import/json_reader.h"

#include <algorithm>

namespace ad::import {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line
// 1, column 5: " prefix: the location is ours to give.
std::string clean_message(const std::string& what) {
  auto p = what.find(": ");
  std::string m = p == std::string::npos ? what : what.substr(p + 2);
  return m;
}

// The member of a wrapper object that holds its records, or nullptr.
nlohmann::json* wrapped_array(nlohmann::json& v) {
  for (const char* key : {"value", "items", "Records"}) {
    auto it = v.find(key);
    if (it != v.end() && it->is_array()) return &*it;
  }
  return nullptr;
}

}  // namespace

JsonReader::JsonReader(csv::LineSource& lines, std::string name) : lines_(lines), name_(std::move(name)) {}

bool JsonReader::next(JsonRecord& record) {
  while (pending_.empty()) {
    std::string text;
    std::uint64_t start = 0;
    if (!next_text(text, start)) return false;
    nlohmann::json v;
    try {
      v = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      std::size_t upto = std::min<std::size_t>(e.byte ? e.byte - 1 : 0, text.size());
      auto lines = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(upto), '\n');
      throw data_error("bad JSON: " + clean_message(e.what()), at(start + static_cast<std::uint64_t>(lines)));
    }
    if (v.is_object() && wrapped_array(v)) {
      push_elements(v, start);
      continue;
    }
    pending_.push_back(JsonRecord{std::move(v), start});
  }
  record = std::move(pending_.front());
  pending_.pop_front();
  if (!record.value.is_object())
    throw data_error(std::string("a record is a JSON ") + record.value.type_name() + ", not an object",
                     at(record.line));
  return true;
}

void JsonReader::push_elements(nlohmann::json& wrapper, std::uint64_t line) {
  for (auto& e : *wrapped_array(wrapper)) pending_.push_back(JsonRecord{std::move(e), line});
}

bool JsonReader::next_text(std::string& text, std::uint64_t& start) {
  for (;;) {
    if (!have_line_) {
      std::string_view l;
      if (!lines_.next(l)) {
        if (!in_value_) return false;
        bool scalar = scalar_ && !overflow_;
        in_value_ = in_string_ = escape_ = false;
        if (scalar) {  // a bare scalar ends with the input
          text = std::move(buffer_);
          start = start_;
          return true;
        }
        throw data_error("unexpected end of input inside a JSON value", at(start_));
      }
      ++line_;
      if (lines_.overlong()) {  // the source read past the line: it ends any value open
        const bool open = in_value_;
        in_value_ = in_string_ = escape_ = false;
        buffer_.clear();
        throw data_error(open ? "line " + std::to_string(line_) +
                                    " of 16 MiB or more inside the JSON value that starts here"
                              : "line of 16 MiB or more",
                         at(open ? start_ : line_));
      }
      rest_ = l;
      if (line_ == 1 && rest_.substr(0, 3) == "\xEF\xBB\xBF") rest_.remove_prefix(3);
      have_line_ = true;
      // A '{' that opens a line can follow '[', ':' or ',' inside a value; after anything
      // else the value was cut short and a new record starts.
      if (in_value_ && !scalar_ && !rest_.empty() && rest_[0] == '{' && last_ != '[' && last_ != ':' &&
          last_ != ',') {
        in_value_ = in_string_ = escape_ = false;
        throw data_error("truncated JSON value: a new record starts on line " + std::to_string(line_),
                         at(start_));
      }
    }
    if (scan_line(text, start)) return true;
    have_line_ = false;
  }
}

void JsonReader::begin_value(char c) {
  in_value_ = true;
  start_ = line_;
  buffer_.clear();
  overflow_ = false;
  depth_ = 0;
  in_string_ = escape_ = false;
  scalar_ = c != '{' && c != '[' && c != '"';
}

// Scans rest_. Returns true with text when a value completes in it (rest_ then starts
// after the value); false when the line is used up.
bool JsonReader::scan_line(std::string& text, std::uint64_t& start) {
  std::size_t seg = 0;
  auto finish = [&](std::size_t end) {
    if (!overflow_) buffer_.append(rest_.substr(seg, end - seg));
    rest_.remove_prefix(end);
    in_value_ = false;
    start = start_;
    if (overflow_) throw data_error("a JSON value larger than 64 MiB", at(start_));
    text = std::move(buffer_);
    buffer_.clear();
    return true;
  };
  for (std::size_t i = 0; i < rest_.size(); ++i) {
    char c = rest_[i];
    if (!in_value_) {
      // Commas separate records in an array, and between records outside one too (an
      // array whose brackets were cut off): neither can start a value.
      if (is_space(c) || c == ',') continue;
      if (c == ']') {
        if (in_array_) {
          in_array_ = false;
          continue;
        }
        rest_.remove_prefix(i + 1);  // read past it, so that the next call goes on
        throw data_error("a ']' that closes no array", at(line_));
      }
      if (!in_array_ && c == '[') {
        in_array_ = true;
        continue;
      }
      begin_value(c);
      seg = i;
    }
    if (!in_string_ && !is_space(c)) last_ = c;
    if (in_string_) {
      if (escape_) escape_ = false;
      else if (c == '\\') escape_ = true;
      else if (c == '"') in_string_ = false;
    } else if (scalar_) {
      if (is_space(c) || c == ',' || c == ']' || c == '[' || c == '{') return finish(i);
      continue;
    } else if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if (c == '}' || c == ']') {
      --depth_;
    }
    if (depth_ <= 0 && !in_string_) return finish(i + 1);
  }
  if (in_value_) {
    if (scalar_) return finish(rest_.size());
    if (!overflow_) {
      buffer_.append(rest_.substr(seg));
      buffer_ += '\n';
      if (buffer_.size() > kMaxValueBytes) {
        overflow_ = true;
        buffer_.clear();
      }
    }
    in_string_ = escape_ = false;  // JSON strings hold no line break: let the parser say so
  }
  rest_ = {};
  return false;
}

}  // namespace ad::import
