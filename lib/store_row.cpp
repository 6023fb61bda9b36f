#include "ad/store_row.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "ad/error.h"
#include "ad/timestamp.h"

namespace ad::store {

// ---------------------------------------------------------------------------------
// SHA-256, FIPS 180-4 section 6.2.

namespace {

constexpr std::array<std::uint32_t, 64> kRound = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

inline std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

}  // namespace

Sha256::Sha256()
    : h_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
         0x5be0cd19} {}

void Sha256::block(const std::uint8_t* p) {
  std::uint32_t w[64];
  for (int t = 0; t < 16; ++t)
    w[t] = std::uint32_t(p[4 * t]) << 24 | std::uint32_t(p[4 * t + 1]) << 16 |
           std::uint32_t(p[4 * t + 2]) << 8 | std::uint32_t(p[4 * t + 3]);
  for (int t = 16; t < 64; ++t) {
    std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6],
                h = h_[7];
  for (int t = 0; t < 64; ++t) {
    std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                       kRound[t] + w[t];
    std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h_[0] += a;
  h_[1] += b;
  h_[2] += c;
  h_[3] += d;
  h_[4] += e;
  h_[5] += f;
  h_[6] += g;
  h_[7] += h;
}

void Sha256::update(std::string_view bytes) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  std::size_t n = bytes.size();
  bytes_ += n;
  if (used_ > 0) {
    std::size_t take = std::min(n, 64 - used_);
    std::memcpy(buf_.data() + used_, p, take);
    used_ += take;
    p += take;
    n -= take;
    if (used_ < 64) return;
    block(buf_.data());
    used_ = 0;
  }
  for (; n >= 64; p += 64, n -= 64) block(p);
  std::memcpy(buf_.data(), p, n);
  used_ = n;
}

std::array<std::uint8_t, 32> Sha256::finish() {
  std::uint64_t bits = bytes_ * 8;
  buf_[used_++] = 0x80;
  if (used_ > 56) {
    std::memset(buf_.data() + used_, 0, 64 - used_);
    block(buf_.data());
    used_ = 0;
  }
  std::memset(buf_.data() + used_, 0, 56 - used_);
  for (int i = 0; i < 8; ++i) buf_[56 + i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
  block(buf_.data());
  std::array<std::uint8_t, 32> out;
  for (int i = 0; i < 8; ++i)
    for (int k = 0; k < 4; ++k) out[4 * i + k] = static_cast<std::uint8_t>(h_[i] >> (24 - 8 * k));
  return out;
}

namespace {

constexpr char kHex[] = "0123456789abcdef";

template <std::size_t N>
std::string hex(const std::array<std::uint8_t, N>& bytes) {
  std::string s;
  s.reserve(2 * N);
  for (auto b : bytes) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return hex(h.finish());
}

// ---------------------------------------------------------------------------------
// Small encoders.

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + start, i - start);
    start = i + 1;
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
  out.append(s.data() + start, s.size() - start);
  out.push_back('"');
}

bool is_ip_address(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  char buf[48];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  unsigned char addr[16];
  return ::inet_pton(AF_INET, buf, addr) == 1 || ::inet_pton(AF_INET6, buf, addr) == 1;
}

namespace {

// A finite number as PostgreSQL's float8 reads it; the text is passed on unchanged.
bool is_finite_number(std::string_view s) {
  if (s.empty()) return false;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(v);
}

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
      throw data_error("column name '" + header[i] + "' appears twice (columns " +
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
    if (header[i] == kReasonsColumn) place(static_cast<int>(i), "anomaly_reasons");
  l.id = layout_id(l.header, l.placement);
  return l;
}

// ---------------------------------------------------------------------------------
// RowEncoder

RowEncoder::RowEncoder(const std::vector<std::string>& header, const Roles& roles,
                       std::string file, int default_offset_s)
    : layout_(make_layout(header, roles, file)), file_(std::move(file)), offset_s_(default_offset_s) {
  id_ = roles[Role::kId];
  time_ = roles[Role::kTime];
  user_ = roles[Role::kUser];
  ip_ = roles[Role::kIp];
  country_ = roles[Role::kCountry];
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto& n = header[i];
    int c = static_cast<int>(i);
    if (n == kScoreColumn) score_ = c;
    if (n == kFlagColumn) flag_ = c;
    if (n == kSeverityColumn) severity_ = c;
    if (n == kReasonsColumn) reasons_ = c;
  }
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (!is_text_column(layout_.placement[i])) extra_columns_.push_back(static_cast<int>(i));
    if (std::find(kScoredColumns.begin(), kScoredColumns.end(), header[i]) == kScoredColumns.end())
      key_columns_.push_back(static_cast<int>(i));
  }
  std::sort(key_columns_.begin(), key_columns_.end(),
            [&](int a, int b) { return header[a] < header[b]; });
}

bool RowEncoder::flagged(const csv::Row& row) const {
  if (flag_ < 0) return false;
  std::string_view v = row.fields[flag_];
  if (v == "1") return true;
  if (v == "0" || v.empty()) return false;
  Location where{file_, row.line, static_cast<std::uint32_t>(flag_ + 1),
                 std::string(kFlagColumn)};
  throw data_error("anomaly_flag must be 0, 1 or empty, not '" + std::string(v.substr(0, 40)) + "'",
                   where);
}

std::array<std::uint8_t, 16> RowEncoder::key(const csv::Row& row) const {
  Sha256 h;
  if (id_ >= 0 && !row.fields[id_].empty()) {
    h.update(std::string_view("id\0", 3));
    h.update(row.fields[id_]);
  } else {
    h.update(std::string_view("row\0", 4));
    for (int c : key_columns_) {
      h.update(layout_.header[c]);
      h.update(std::string_view("\0", 1));
      h.update(row.fields[c]);
      h.update(std::string_view("\0", 1));
    }
  }
  auto d = h.finish();
  std::array<std::uint8_t, 16> k;
  std::copy(d.begin(), d.begin() + 16, k.begin());
  return k;
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
  auto set_if = [&](std::size_t slot, int column, bool (*valid)(std::string_view)) {
    out.null[slot] = column < 0 || !valid(f[column]);
    if (!out.null[slot]) out.text[slot].assign(f[column]);
  };

  auto k = key(row);
  out.null[0] = false;
  out.text[0] = "\\x" + hex(k);

  set(1, id_);
  out.null[2] = true;
  if (time_ >= 0) {
    if (auto ms = parse_time_ms(f[time_], offset_s_)) {
      out.null[2] = false;
      out.text[2] = format_time_iso(*ms);
    }
  }
  set(3, user_);
  set_if(4, ip_, is_ip_address);
  set(5, country_);
  set_if(6, score_, is_finite_number);
  out.null[7] = !flagged(row) && (flag_ < 0 || f[flag_].empty());
  if (!out.null[7]) out.text[7] = f[flag_] == "1" ? "1" : "0";
  set_if(8, severity_, is_finite_number);
  set(9, reasons_);

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

}  // namespace ad::store
