#include "ad/store/row.h"

#include <algorithm>
#include <cstring>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ad/core/error.h"
#include "ad/core/text.h"
#include "ad/core/timestamp.h"

namespace ad::store {

namespace {
constexpr char kHex[] = "0123456789abcdef";
}  // namespace



// ---------------------------------------------------------------------------------
// Small encoders.

namespace {

// The position of the first byte from i on that a JSON string must escape (a quote, a
// backslash or a control character), or s.size(); 16 bytes at a time where it can.
std::size_t next_to_escape(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  const __m128i control = _mm_set1_epi8(0x1f);
  for (; i + 16 <= s.size(); i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                               _mm_cmpeq_epi8(_mm_min_epu8(v, control), v));  // v <= 0x1f
    if (int mask = _mm_movemask_epi8(hit)) return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
#endif
  for (; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') return i;
  }
  return s.size();
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t start = 0;;) {
    std::size_t i = next_to_escape(s, start);
    out.append(s.data() + start, i - start);
    if (i == s.size()) break;
    start = i + 1;
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.push_back('"');
}

bool is_ip_address(std::string_view s) {
  IpAddress ip;
  return parse_ip_address(s, ip);
}

namespace {

bool is_text_column(std::string_view name) {
  return std::find(kTextColumns.begin(), kTextColumns.end(), name) != kTextColumns.end();
}

}  // namespace

// ---------------------------------------------------------------------------------
// Layouts.

std::int64_t layout_id(const std::vector<std::string>& header,
                       const std::vector<std::string>& placement) {
  Sha256 h;
  h.update(std::string_view("layout\0", 7));
  for (std::size_t i = 0; i < header.size(); ++i) {
    h.update(header[i]);
    h.update(std::string_view("\0", 1));
    h.update(i < placement.size() ? placement[i] : std::string());
    h.update(std::string_view("\0", 1));
  }
  auto d = h.finish();
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | d[i];
  return static_cast<std::int64_t>(v);
}

Layout make_layout(const std::vector<std::string>& header, const Roles& roles,
                   const std::string& file) {
  std::map<std::string_view, std::size_t> seen;
  for (std::size_t i = 0; i < header.size(); ++i) {
    auto [it, fresh] = seen.emplace(header[i], i);
    if (!fresh)
      throw data_error("column name " + text::quote(header[i]) + " appears twice (columns " +
                           std::to_string(it->second + 1) + " and " + std::to_string(i + 1) +
                           "); ad-store keeps fields by column name",
                       Location{file, 1, static_cast<std::uint32_t>(i + 1), {}});
  }
  Layout l;
  l.header = header;
  l.placement.assign(header.size(), std::string());
  auto place = [&](int column, const char* name) {
    if (column >= 0 && l.placement[column].empty()) l.placement[column] = name;
  };
  place(roles[Role::kId], "event_id");
  place(roles[Role::kUser], "user_id");
  place(roles[Role::kCountry], "location");
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == scored::kReasons) place(static_cast<int>(i), "anomaly_reasons");
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == scored::kIncidentId) place(static_cast<int>(i), "incident_id");
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == scored::kIncidentKind) place(static_cast<int>(i), "incident_kind");
  l.id = layout_id(l.header, l.placement);
  return l;
}

// ---------------------------------------------------------------------------------
// RowEncoder

RowEncoder::RowEncoder(const std::vector<std::string>& header, const Roles& roles,
                       std::string file, int assume_tz_s)
    : layout_(make_layout(header, roles, file)), file_(std::move(file)), assume_tz_s_(assume_tz_s) {
  id_ = roles[Role::kId];
  time_ = roles[Role::kTime];
  user_ = roles[Role::kUser];
  ip_ = roles[Role::kIp];
  country_ = roles[Role::kCountry];
  scored_ = scored::Columns::find(header);
  reasons_ = scored_[scored::Field::kReasons];
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (!is_text_column(layout_.placement[i])) extra_columns_.push_back(static_cast<int>(i));
    if (!scored::is_column(header[i])) key_columns_.push_back(static_cast<int>(i));
  }
  std::sort(key_columns_.begin(), key_columns_.end(),
            [&](int a, int b) { return header[a] < header[b]; });
  // extra's keys in the order jsonb keeps them (shorter first, then by bytes), so that the
  // server's sort of each object's keys finds them sorted.
  std::sort(extra_columns_.begin(), extra_columns_.end(), [&](int a, int b) {
    return std::make_pair(header[a].size(), std::string_view(header[a])) <
           std::make_pair(header[b].size(), std::string_view(header[b]));
  });
}

std::optional<scored::Row> RowEncoder::parse(const csv::Row& row) const {
  if (scored_.none()) return std::nullopt;
  scored_.require(file_);
  return scored::parse(scored_, row, file_);
}

bool RowEncoder::flagged(const csv::Row& row) const {
  auto parsed = parse(row);
  return parsed && parsed->flag;
}

std::array<std::uint8_t, kTimeKeyBytes> RowEncoder::time_key(std::optional<std::int64_t> ms) {
  std::array<std::uint8_t, kTimeKeyBytes> k{};
  if (!ms) return k;
  const std::uint64_t u = static_cast<std::uint64_t>(*ms) ^ (std::uint64_t{1} << 63);
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(u >> (8 * (k.size() - 1 - i)));
  return k;
}

std::array<std::uint8_t, kHashKeyBytes> RowEncoder::key(const csv::Row& row) const {
  // The message is built whole, then hashed at once: hashing its ~60 pieces one by one
  // cost more than the hash.
  std::string& m = key_message_;
  m.clear();
  if (id_ >= 0 && !row.fields[id_].empty()) {
    m.append("id\0", 3);
    m.append(row.fields[id_]);
  } else {
    m.append("row\0", 4);
    for (int c : key_columns_) {
      m.append(layout_.header[c]).push_back('\0');
      m.append(row.fields[c]).push_back('\0');
    }
  }
  auto d = sha256(m);
  std::array<std::uint8_t, kHashKeyBytes> k;
  std::copy(d.begin(), d.begin() + k.size(), k.begin());
  return k;
}

void RowEncoder::set_key(const csv::Row& row, EncodedRow& out) const {
  const auto hash = key(row);
  out.key_size = 0;
  if (key_format_ == KeyFormat::kTimeOrdered) {
    // The time read as UTC when it has no zone: event_time's unless --assume-tz moved it.
    std::optional<std::int64_t> ms;
    if (time_ >= 0 && assume_tz_s_ == 0 && !out.null[2]) ms = out.time_ms;
    if (time_ >= 0 && assume_tz_s_ != 0) ms = parse_time_ms(row.fields[time_], 0);
    const auto prefix = time_key(ms);
    std::copy(prefix.begin(), prefix.end(), out.key.begin());
    out.key_size = prefix.size();
  }
  std::copy(hash.begin(), hash.end(), out.key.begin() + static_cast<std::ptrdiff_t>(out.key_size));
  out.key_size += hash.size();
  out.null[0] = false;
}

void RowEncoder::encode(const csv::Row& row, EncodedRow& out) const {
  const auto& f = row.fields;
  // csv::Reader refuses NUL bytes in files; check every source, since a NUL would cut
  // a field short in COPY and cannot be stored in jsonb.
  for (std::size_t i = 0; i < f.size(); ++i)
    if (std::memchr(f[i].data(), '\0', f[i].size()))
      throw data_error("NUL byte in field",
                       Location{file_, row.line, static_cast<std::uint32_t>(i + 1), layout_.header[i]});
  auto set = [&](std::size_t slot, int column) {
    out.null[slot] = column < 0;
    if (column >= 0) out.text[slot].assign(f[column]);
  };

  set(1, id_);
  out.null[2] = true;
  if (time_ >= 0) {
    if (auto ms = parse_time_ms(f[time_], assume_tz_s_)) {
      out.null[2] = false;
      out.time_ms = *ms;
    }
  }
  set_key(row, out);
  set(3, user_);
  out.null[4] = ip_ < 0 || !parse_ip_address(f[ip_], out.ip);
  set(5, country_);
  auto parsed = parse(row);
  for (std::size_t slot : {6, 7, 8}) out.null[slot] = !parsed;
  if (parsed) {
    out.score = parsed->score;
    out.flag = parsed->flag;
    out.severity = parsed->severity;
  }
  set(9, reasons_);
  auto set_nonempty = [&](std::size_t slot, int column) {
    out.null[slot] = column < 0 || f[column].empty();
    if (!out.null[slot]) out.text[slot].assign(f[column]);
  };
  set_nonempty(11, scored_[scored::Field::kIncidentId]);
  out.null[12] = !(parsed && parsed->incident_score);
  if (!out.null[12]) out.incident_score = *parsed->incident_score;
  set_nonempty(13, scored_[scored::Field::kIncidentKind]);

  std::string& x = out.text[10];
  out.null[10] = false;
  x.clear();
  x.push_back('{');
  bool first = true;
  for (int c : extra_columns_) {
    if (f[c].empty()) continue;
    if (!first) x.push_back(',');
    first = false;
    append_json_string(x, layout_.header[c]);
    x.push_back(':');
    append_json_string(x, f[c]);
  }
  x.push_back('}');
}

// ---------------------------------------------------------------------------------
// Binary COPY

std::string copy_columns() {
  std::string s;
  for (auto c : kStagingColumns) s += std::string(c) + ", ";
  return s + "layout_id, model_id";
}

void append_tuple(CopyData& out, const EncodedRow& row, std::int64_t layout_id,
                  const std::string& model_id) {
  out.begin_tuple(static_cast<std::int16_t>(kFields + 2));
  for (std::size_t i = 0; i < kFields; ++i) {
    if (row.null[i]) {
      out.null();
      continue;
    }
    switch (i) {
      case 0: out.bytes(std::string_view(reinterpret_cast<const char*>(row.key.data()), row.key_size)); break;
      case 2: out.timestamptz_ms(row.time_ms); break;
      case 4: out.inet(row.ip); break;
      case 6: out.float8(row.score); break;
      case 7: out.int16(row.flag ? 1 : 0); break;
      case 8: out.float8(row.severity); break;
      case 10: {
        std::size_t at = out.open();
        out.buffer().push_back('\1');  // jsonb version 1
        out.buffer().append(row.text[10]);
        out.close(at);
        break;
      }
      case 12: out.float8(row.incident_score); break;
      default: out.text(row.text[i]);
    }
  }
  out.int64(layout_id);
  if (model_id.empty())
    out.null();
  else
    out.text(model_id);
}

}  // namespace ad::store
