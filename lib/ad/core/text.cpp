#include "ad/core/text.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace ad::text {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr char kHexDigits[] = "0123456789abcdef";

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Code points HTML forbids in a document (WHATWG HTML, "input stream preprocessing").
bool html_forbidden(char32_t cp) {
  if (cp < 0x20) return cp != '\t' && cp != '\n' && cp != '\r';
  if (cp >= 0x7F && cp <= 0x9F) return true;
  if (cp >= 0xFDD0 && cp <= 0xFDEF) return true;
  return (cp & 0xFFFE) == 0xFFFE;
}

void append_hex_escape(std::string& out, char prefix, std::uint32_t v, int digits) {
  out += '\\';
  out += prefix;
  for (int d = digits - 1; d >= 0; --d) out += kHexDigits[(v >> (4 * d)) & 15];
}

}  // namespace

// ---------------------------------------------------------------------------------
// UTF-8.

std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t len;
  if (b < 0x80) {
    cp = b;
    return 1;
  } else if (b >= 0xC2 && b <= 0xDF) {
    len = 2;
    cp = b & 0x1F;
  } else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    cp = b & 0x0F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if (!is_continuation(c)) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;  // overlong, out of range, or a surrogate
  return len;
}

std::size_t find_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size(), i = 0;
  while (i < n) {
    // Skip ASCII eight bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    char32_t cp;
    std::size_t len = decode(s, i, cp);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::size_t char_boundary(std::string_view s, std::size_t max_bytes) {
  if (max_bytes >= s.size()) return s.size();
  std::size_t cut = max_bytes;
  // A UTF-8 sequence has at most three continuation bytes; more are invalid bytes,
  // which are characters of their own.
  for (int k = 0; k < 3 && cut > 0 && is_continuation(static_cast<unsigned char>(s[cut])); ++k) --cut;
  char32_t cp;
  std::size_t len = cut < max_bytes ? decode(s, cut, cp) : 0;
  return cut + len > max_bytes ? cut : max_bytes;  // back off only from inside a valid sequence
}

std::string truncate(std::string_view s, std::size_t max_chars, std::string_view ellipsis) {
  std::size_t room = max_chars;  // code points left for the kept text
  for (std::size_t i = 0; i < ellipsis.size(); ++i)
    if (!is_continuation(static_cast<unsigned char>(ellipsis[i]))) --room;
  std::size_t i = 0, chars = 0, cut = 0;
  while (i < s.size()) {
    if (chars == room) cut = i;
    char32_t cp;
    std::size_t len = decode(s, i, cp);
    i += len ? len : 1;
    if (++chars > max_chars) return std::string(s.substr(0, cut)) + std::string(ellipsis);
  }
  return std::string(s);
}

bool is_format_control(char32_t cp) {
  return cp == 0x061C || cp == 0x200B || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

// ---------------------------------------------------------------------------------
// Showing untrusted values.

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t cp;
    std::size_t len = decode(s, i, cp);
    if (len == 0) {
      append_hex_escape(out, 'x', static_cast<unsigned char>(s[i]), 2);
      ++i;
      continue;
    }
    if (cp < 0x20 || cp == 0x7F)
      append_hex_escape(out, 'x', cp, 2);
    else if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || is_format_control(cp))
      append_hex_escape(out, 'u', cp, 4);
    else
      out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

std::string quote(std::string_view value, std::size_t max_chars) {
  return "'" + printable(truncate(value, max_chars, "...")) + "'";
}

void append_html_escaped(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    switch (s[i]) {
      case '&': out += "&amp;"; ++i; continue;
      case '<': out += "&lt;"; ++i; continue;
      case '>': out += "&gt;"; ++i; continue;
      case '"': out += "&quot;"; ++i; continue;
      case '\'': out += "&#39;"; ++i; continue;
      default: break;
    }
    char32_t cp;
    std::size_t len = decode(s, i, cp);
    if (len == 0 || html_forbidden(cp) || is_format_control(cp))
      out += kReplacement;
    else
      out.append(s.data() + i, len);
    i += len ? len : 1;
  }
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  append_html_escaped(out, s);
  return out;
}

// ---------------------------------------------------------------------------------
// Words and encodings.

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
  std::string out = std::to_string(n) + ' ';
  if (n == 1) return out.append(one);
  if (!many.empty()) return out.append(many);
  return out.append(one) + 's';
}

std::string hex(std::string_view bytes) {
  std::string out;
  out.reserve(2 * bytes.size());
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 15];
  }
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    std::size_t left = bytes.size() - i;
    if (left > 1) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (left > 2) n |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += left > 1 ? kAlphabet[(n >> 6) & 63] : '=';
    out += left > 2 ? kAlphabet[n & 63] : '=';
  }
  return out;
}

namespace {

constexpr std::uint64_t kPow10[] = {1ull,
                                    10ull,
                                    100ull,
                                    1000ull,
                                    10000ull,
                                    100000ull,
                                    1000000ull,
                                    10000000ull,
                                    100000000ull,
                                    1000000000ull,
                                    10000000000ull,
                                    100000000000ull,
                                    1000000000000ull,
                                    10000000000000ull,
                                    100000000000000ull,
                                    1000000000000000ull,
                                    10000000000000000ull,
                                    100000000000000000ull};

// |v| * 10^digits rounded to the nearest integer, a tie to even, into n; false when v
// is not finite or that is 2^63 or more. Exact: |v| = m * 2^e with integers m < 2^53
// and e, so |v| * 10^digits = m * 10^digits * 2^e, an integer x < 2^113 (digits <= 17)
// shifted right by -e, whose remainder decides the rounding.
bool scaled(double v, int digits, std::uint64_t& n) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  const int biased = static_cast<int>((bits >> 52) & 0x7FF);
  if (biased == 0x7FF) return false;
  std::uint64_t m = bits & ((std::uint64_t{1} << 52) - 1);
  int e = -1074;
  if (biased != 0) {
    m |= std::uint64_t{1} << 52;
    e = biased - 1075;
  }
  const unsigned __int128 x = static_cast<unsigned __int128>(m) * kPow10[digits];
  unsigned __int128 q;
  if (e >= 0) {
    if (e >= 63 || (x >> (63 - e)) != 0) return false;
    q = x << e;
  } else if (e <= -128) {
    q = 0;  // x / 2^-e < 2^113 / 2^128: below a half
  } else {
    const int s = -e;
    q = x >> s;
    const unsigned __int128 rem = x - (q << s), half = static_cast<unsigned __int128>(1) << (s - 1);
    if (rem > half || (rem == half && (q & 1))) ++q;
  }
  if ((q >> 63) != 0) return false;
  n = static_cast<std::uint64_t>(q);
  return true;
}

}  // namespace

std::string fixed(double v, int digits) {
  std::uint64_t n;
  if (digits > 17 || !scaled(v, digits, n)) {
    std::string out(330 + static_cast<std::size_t>(digits), '\0');  // 309 integer digits at most
    auto r = std::to_chars(out.data(), out.data() + out.size(), v, std::chars_format::fixed, digits);
    out.resize(static_cast<std::size_t>(r.ptr - out.data()));
    return out;
  }
  // Right to left: the decimals, the point, the integer part (19 digits at most), the sign.
  char buf[40];
  char* end = buf + sizeof buf;
  char* p = end;
  for (int i = 0; i < digits; ++i, n /= 10) *--p = static_cast<char>('0' + n % 10);
  if (digits > 0) *--p = '.';
  do {
    *--p = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  if (std::signbit(v)) *--p = '-';
  return std::string(p, end);
}

}  // namespace ad::text
