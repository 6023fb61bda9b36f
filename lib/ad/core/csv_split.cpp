#include "ad/core/csv_split.h"

#include <algorithm>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ad::csv {

namespace {

// Per byte of a block of at most 16 bytes, one bit (bit i for byte i) in each mask.
struct Masks {
  std::uint32_t comma = 0, quote = 0, cr = 0, suspect = 0;
};

Masks scalar_masks(const char* p, std::size_t n) {
  Masks m;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    const std::uint32_t bit = 1u << i;
    if (c == ',') m.comma |= bit;
    if (c == '"') m.quote |= bit;
    if (c == '\r') m.cr |= bit;
    if (c == 0 || c >= 0x80) m.suspect |= bit;
  }
  return m;
}

#if defined(__SSE2__)
Masks sse2_masks(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const auto eq = [&v](char c) {
    return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c))));
  };
  Masks m;
  m.comma = eq(',');
  m.quote = eq('"');
  m.cr = eq('\r');
  m.suspect = eq('\0') | static_cast<std::uint32_t>(_mm_movemask_epi8(v));  // the high bits
  return m;
}
#endif

class Splitter {
 public:
  Splitter(std::string_view line, std::size_t limit, std::vector<std::string_view>& fields)
      : line_(line), limit_(limit), fields_(fields) {}

  // Takes the block of bytes starting at `at`; false at a quote.
  bool block(std::size_t at, const Masks& m) {
    if (m.quote) {
      scan_.quote = true;
      return false;
    }
    scan_.cr |= m.cr != 0;
    scan_.suspect |= m.suspect != 0;
    for (std::uint32_t c = m.comma; c; c &= c - 1) {
      const std::size_t i = at + static_cast<std::size_t>(__builtin_ctz(c));
      if (fields_.size() + 1 >= limit_) {  // the last field kept ends here; the rest are counted
        if (!extra_) end_ = i;
        extra_ += static_cast<std::size_t>(__builtin_popcount(c));
        break;
      }
      fields_.emplace_back(line_.data() + pos_, i - pos_);  // built in place: no copy through memory
      pos_ = i + 1;
    }
    return true;
  }

  LineScan finish() {
    fields_.push_back(line_.substr(pos_, end_ - pos_));
    scan_.found = fields_.size() + extra_;
    return scan_;
  }

 private:
  std::string_view line_;
  std::size_t limit_;
  std::vector<std::string_view>& fields_;
  std::size_t pos_ = 0;    // where the field being read starts
  std::size_t end_ = std::string_view::npos;  // where the last field kept ends
  std::size_t extra_ = 0;  // commas from there on
  LineScan scan_;
};

}  // namespace

LineScan split_unquoted(std::string_view line, std::size_t limit, std::vector<std::string_view>& fields) {
  Splitter s(line, limit, fields);
  std::size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= line.size(); i += 16)
    if (!s.block(i, sse2_masks(line.data() + i))) return LineScan{true, false, false, 0};
#endif
  for (; i < line.size(); i += 16)
    if (!s.block(i, scalar_masks(line.data() + i, std::min<std::size_t>(16, line.size() - i))))
      return LineScan{true, false, false, 0};
  return s.finish();
}

}  // namespace ad::csv
