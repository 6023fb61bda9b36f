#include "ad/core/scored.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "ad/core/error.h"
#include "ad/core/text.h"

namespace ad::scored {

namespace {

std::optional<double> parse_number(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

Location where(const std::string& file, const csv::Row& row, int column, Field f) {
  return Location{file, row.line, static_cast<std::uint32_t>(column + 1),
                  std::string(kAppended[static_cast<int>(f)])};
}

void parse_incident(const Columns& c, const csv::Row& row, const std::string& file, Row& r) {
  auto text = [&](Field f) { return row.fields[static_cast<std::size_t>(c[f])]; };
  r.incident_id = text(Field::kIncidentId);
  r.incident_kind = text(Field::kIncidentKind);
  for (Field f : {Field::kIncidentId, Field::kIncidentKind})
    if (text(f).size() > kMaxIncidentText)
      throw data_error(std::string(kAppended[static_cast<int>(f)]) + " is longer than " +
                           std::to_string(kMaxIncidentText) + " bytes: " + text::quote(text(f)),
                       where(file, row, c[f], f));
  std::string_view score = text(Field::kIncidentScore);
  if (score.empty()) return;
  auto v = parse_number(score);
  if (!v || *v < 0 || *v > 100)
    throw data_error("incident_score must be empty or a number from 0 to 100, not " + text::quote(score),
                     where(file, row, c[Field::kIncidentScore], Field::kIncidentScore));
  r.incident_score = v;
}

}  // namespace

bool is_column(std::string_view name) {
  return std::find(kAppended.begin(), kAppended.end(), name) != kAppended.end();
}

Columns Columns::find(const std::vector<std::string>& header) {
  Columns c;
  for (std::size_t k = 0; k < kAppended.size(); ++k) {
    auto it = std::find(header.begin(), header.end(), kAppended[k]);
    c.column_[k] = it == header.end() ? -1 : static_cast<int>(it - header.begin());
  }
  return c;
}

bool Columns::complete() const {
  return std::all_of(column_.begin(), column_.begin() + kColumns.size(), [](int c) { return c >= 0; });
}

bool Columns::none() const {
  return std::all_of(column_.begin(), column_.begin() + kColumns.size(), [](int c) { return c < 0; });
}

bool Columns::has_incidents() const {
  return std::all_of(column_.begin() + kColumns.size(), column_.end(), [](int c) { return c >= 0; });
}

std::vector<std::string_view> Columns::missing() const {
  std::vector<std::string_view> out;
  for (std::size_t k = 0; k < kColumns.size(); ++k)
    if (column_[k] < 0) out.push_back(kColumns[k]);
  return out;
}

void Columns::require(const std::string& file) const {
  auto names = missing();
  if (names.empty()) return;
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i)
    list += std::string(i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + "'" +
            std::string(names[i]) + "'";
  throw data_error("not scored CSV: no " + list + (names.size() == 1 ? " column" : " columns") +
                       " (score the logins with ad-score first)",
                   Location{file, 1});
}

std::optional<Row> parse(const Columns& c, const csv::Row& row, const std::string& file) {
  auto text = [&](Field f) { return row.fields[static_cast<std::size_t>(c[f])]; };
  std::string_view score = text(Field::kScore), flag = text(Field::kFlag);
  std::string_view severity = text(Field::kSeverity), reasons = text(Field::kReasons);
  if (score.empty() && flag.empty() && severity.empty() && reasons.empty()) return std::nullopt;
  Row r;
  auto s = parse_number(score);
  if (!s || *s < 0 || *s > 1)
    throw data_error("anomaly_score must be a number from 0 to 1, not " + text::quote(score),
                     where(file, row, c[Field::kScore], Field::kScore));
  if (flag != "0" && flag != "1")
    throw data_error("anomaly_flag must be 0 or 1 (or the row's scored fields all empty), not " +
                         text::quote(flag),
                     where(file, row, c[Field::kFlag], Field::kFlag));
  auto v = parse_number(severity);
  if (!v || *v < 0 || *v > 100)
    throw data_error("severity must be a number from 0 to 100, not " + text::quote(severity),
                     where(file, row, c[Field::kSeverity], Field::kSeverity));
  r.score = *s;
  r.flag = flag == "1";
  r.severity = *v;
  r.reasons = reasons;
  if (c.has_incidents()) parse_incident(c, row, file, r);
  return r;
}

Band band_of(double severity) {
  if (severity >= kCriticalFrom) return Band::kCritical;
  if (severity >= kHighFrom) return Band::kHigh;
  if (severity >= kMediumFrom) return Band::kMedium;
  return Band::kLow;
}

Band incident_band_of(double incident_score) {
  if (incident_score >= kIncidentCriticalFrom) return Band::kCritical;
  if (incident_score >= kIncidentHighFrom) return Band::kHigh;
  if (incident_score >= kIncidentMediumFrom) return Band::kMedium;
  return Band::kLow;
}

std::string_view band_name(Band band) {
  static constexpr std::string_view kNames[] = {"low", "medium", "high", "critical"};
  return kNames[static_cast<int>(band)];
}

std::string_view band_range(Band band) {
  static constexpr std::string_view kRanges[] = {"< 99", "99 to 99.5", "99.5 to 99.9", ">= 99.9"};
  return kRanges[static_cast<int>(band)];
}

}  // namespace ad::scored
