// error.h: the one exception type of the ad library, and where an error happened.
//
// Library code never prints and never exits. When something goes wrong it throws
// ad::Error, which carries the kind of failure (which decides the exit status, see
// cli.h) and, where it applies, the place in the input: file, line and column.
// The tools catch it in one spot (cli::Tool::run) and turn it into a one-line message
// on stderr and a documented exit status.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace ad {

// Exit statuses, shared by every tool and documented in every man page and ad(7).
// These are an API: never renumber them.
enum class Status : int {
  kOk = 0,            // success
  kData = 1,          // bad input data or a bad model file
  kUsage = 2,         // bad command line
  kIo = 3,            // cannot open, read or write a file or stream
  kInternal = 70,     // a bug in ad (EX_SOFTWARE)
  kUnavailable = 75,  // PostgreSQL or SMTP unavailable; try again later (EX_TEMPFAIL)
};

// Where in an input an error was found. Empty fields are left out of messages.
struct Location {
  std::string file;         // "<stdin>" for standard input
  std::uint64_t line = 0;   // 1-based physical line; 0 = unknown
  std::uint32_t column = 0; // 1-based CSV field number; 0 = unknown
  std::string column_name;  // header name of that field, if known
};

class Error : public std::runtime_error {
 public:
  // REQUIRES: message is one line, lower-case first word, no trailing period.
  // Data values in it should be quoted with text::quote (which also bounds their
  // length); as a backstop, message, where.file and where.column_name are kept as
  // text::printable() makes them, so no control character, line break, terminal escape
  // or bidi control in them ever reaches a terminal.
  Error(Status status, const std::string& message, Location where = {});

  Status status() const noexcept { return status_; }
  const Location& where() const noexcept { return where_; }
  // The bare message, without the location prefix that what() carries.
  const std::string& message() const noexcept { return message_; }

 private:
  Status status_;
  Location where_;
  std::string message_;
};

// "file:line:column: message (column 'name')", leaving out unknown parts.
std::string format_message(const Location& where, const std::string& message);

// Shorthands for the common kinds.
inline Error data_error(const std::string& message, Location where = {}) {
  return Error(Status::kData, message, std::move(where));
}
inline Error io_error(const std::string& message, Location where = {}) {
  return Error(Status::kIo, message, std::move(where));
}
inline Error usage_error(const std::string& message) { return Error(Status::kUsage, message); }

// An io_error for the current errno: "<what>: <strerror(errno)>".
Error errno_error(const std::string& what, int saved_errno);

// Thrown when a write hits a closed pipe (EPIPE). A reader that went away is not an
// error for a Unix filter (see xsv, coreutils): the tools stop quietly with status 0.
class BrokenPipe : public std::exception {
 public:
  const char* what() const noexcept override { return "broken pipe"; }
};

}  // namespace ad
