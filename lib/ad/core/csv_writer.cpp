// csv_writer.cpp: csv::Writer (csv.h), which writes what csv::Reader reads back the same.
#include <charconv>
#include <utility>

#include "ad/core/csv.h"
#include "ad/core/error.h"

namespace ad::csv {

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

void Writer::text(std::string_view fields) {
  if (options_.neutralise_formulas) throw Error(Status::kInternal, "csv::Writer::text with neutralise_formulas");
  if (!first_) out_.put(',');
  first_ = false;
  at_start_ = false;  // a row's text follows the header, which field() wrote
  out_.write(fields);
}

void Writer::field(std::string_view v) {
  if (!first_) out_.put(',');
  first_ = false;
  bool neutralise = options_.neutralise_formulas && looks_like_formula(v);
  bool bom = std::exchange(at_start_, false) && v.substr(0, 3) == "\xEF\xBB\xBF";
  if (!neutralise && !bom && v.find_first_of(",\"\r\n") == std::string_view::npos) {
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
