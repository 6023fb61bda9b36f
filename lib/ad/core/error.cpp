#include "ad/core/error.h"

#include <cstring>

#include "ad/core/text.h"

namespace ad {

std::string format_message(const Location& where, const std::string& message) {
  std::string out;
  if (!where.file.empty()) {
    out += where.file;
    if (where.line > 0) {
      out += ':' + std::to_string(where.line);
      if (where.column > 0) out += ':' + std::to_string(where.column);
    }
    out += ": ";
  }
  out += message;
  if (!where.column_name.empty()) out += " (column '" + where.column_name + "')";
  return out;
}

namespace {

// File names and header names come from the command line and the data.
Location printable(Location where) {
  where.file = text::printable(where.file);
  where.column_name = text::printable(where.column_name);
  return where;
}

}  // namespace

Error::Error(Status status, const std::string& message, Location where)
    : std::runtime_error(format_message(printable(where), text::printable(message))),
      status_(status),
      where_(printable(std::move(where))),
      message_(text::printable(message)) {}

Error errno_error(const std::string& what, int saved_errno) {
  return io_error(what + ": " + std::strerror(saved_errno));
}

}  // namespace ad
