#include "ad/import/record.h"

#include <algorithm>
#include <cctype>

#include "ad/core/error.h"
#include "ad/core/roles.h"
#include "ad/core/sha256.h"
#include "ad/core/text.h"
#include "ad/core/timestamp.h"

namespace ad::import {

void write_header(csv::Writer& out, const std::vector<std::string>& extras) {
  for (auto c : kCanonicalColumns) out.field(c);
  for (const auto& e : extras) out.field(e);
  out.end_row();
}

std::string valid_utf8(std::string_view value) {
  std::string r;
  for (;;) {
    std::size_t bad = text::find_invalid_utf8(value);
    std::size_t nul = value.find('\0');
    std::size_t at = std::min(bad, nul);
    if (at == std::string_view::npos) break;
    r.append(value.substr(0, at));
    r.append("\xEF\xBF\xBD");
    value.remove_prefix(at + 1);
  }
  r.append(value);
  return r;
}

void write_login(csv::Writer& out, const Login& login, std::size_t extra_count) {
  auto put = [&out](std::string_view v) {
    if (text::find_invalid_utf8(v) == std::string_view::npos && v.find('\0') == std::string_view::npos)
      out.field(v);
    else
      out.field(valid_utf8(v));
  };
  for (const auto& f : login.field) put(f);
  for (std::size_t i = 0; i < extra_count; ++i) put(i < login.extra.size() ? login.extra[i] : "");
  out.end_row();
}

const std::string& required(const std::string& value, std::string_view what) {
  if (value.empty()) throw data_error("no " + std::string(what));
  return value;
}

std::string normalise_time(std::string_view text, std::string_view what, int assume_tz_s) {
  if (text.empty()) throw data_error("no " + std::string(what));
  auto ms = parse_time_ms(text, assume_tz_s);
  if (!ms) throw data_error(std::string(what) + " is not a time: '" + std::string(text) + "'");
  return format_time_iso(*ms);
}

std::string normalise_status(std::string_view value) {
  std::string lower(value);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto ok = parse_outcome(lower);
  if (ok) return *ok ? "success" : "failure";
  return lower;
}

std::string short_hash(std::string_view bytes) { return text::hex(sha256(bytes)).substr(0, 16); }

}  // namespace ad::import
