// text.h: UTF-8 text, shown safely: decoding, cutting, quoting for stderr, escaping
// for HTML, and the small encodings (hex, base64), fixed-point numbers and words
// (plural) the tools share.
//
// Every value that comes from data (a user name, a city, a timestamp that does not
// parse) is untrusted: it may hold terminal escapes, line breaks, invalid UTF-8 or
// Unicode controls that reorder what a reader sees ("admin\u202Egpj.exe" shows as
// "adminexe.jpg"). The functions here are the one place that decides how such a value
// is shown:
//   - on a terminal (error messages, warnings): printable() writes every control,
//     line break and format control as a visible escape (\x1b, \u202e), and quote()
//     also bounds the length and puts the value in single quotes;
//   - in HTML: html_escape() writes & < > " ' as character references, and replaces
//     with U+FFFD what HTML forbids and every format control.
// A cut never splits a UTF-8 sequence (truncate, char_boundary).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ad::text {

// ---------------------------------------------------------------------------------
// UTF-8.

// Decodes the UTF-8 sequence that starts at s[i] into cp and returns its length (1 to
// 4), or 0 if it is not valid UTF-8 there (a stray continuation byte, a cut sequence,
// an overlong form, a surrogate, or a code point above U+10FFFF).
// REQUIRES: i < s.size().
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp);

// Returns the offset of the first invalid UTF-8 byte in s, or npos if s is valid.
std::size_t find_invalid_utf8(std::string_view s);

// The largest offset <= max_bytes (and <= s.size()) that does not fall inside a UTF-8
// sequence, so that s.substr(0, char_boundary(s, n)) never splits a character.
std::size_t char_boundary(std::string_view s, std::size_t max_bytes);

// At most max_chars code points of s: a longer s is cut on a character boundary and
// ends in ellipsis, which counts towards max_chars. An invalid byte counts as one
// code point. REQUIRES: max_chars >= the number of code points in ellipsis.
std::string truncate(std::string_view s, std::size_t max_chars, std::string_view ellipsis = "\u2026");

// True for the invisible format controls that can change how the text around them
// reads: the bidirectional controls U+061C, U+200E, U+200F, U+202A to U+202E and
// U+2066 to U+2069, and the zero-width or invisible U+200B, U+2060 to U+2064 and
// U+FEFF. (U+200C and U+200D, the joiners that some scripts and emoji need, are not.)
bool is_format_control(char32_t cp);

// ---------------------------------------------------------------------------------
// Showing untrusted values.

// s with every C0 control (TAB, LF and CR included) and DEL written as \xNN, every C1
// control, U+2028, U+2029 and format control as \uNNNN (lower-case hex), and every
// invalid UTF-8 byte as \xNN. The result is one line of valid UTF-8 that cannot move
// the cursor, change colours or reorder text. Backslashes are left as they are, so
// printable(printable(s)) == printable(s).
std::string printable(std::string_view s);

// A data value for an error message: printable(), cut to max_chars code points with
// "...", between single quotes: an ESC byte in value shows as the four characters \x1b.
std::string quote(std::string_view value, std::size_t max_chars = 40);

// Escapes s for HTML or XML, in element content and in quoted attribute values:
// & < > " ' become character references. U+FFFD replaces the code points HTML forbids
// in a document (C0 controls other than TAB, LF and CR; DEL; C1 controls;
// noncharacters such as U+FFFE and U+FDD0), every format control (is_format_control),
// and every invalid UTF-8 byte.
std::string html_escape(std::string_view s);
void append_html_escaped(std::string& out, std::string_view s);

// ---------------------------------------------------------------------------------
// Words and encodings.

// "1 day", "2 days"; "1 row was", "3 rows were" with many given.
std::string plural(std::int64_t n, std::string_view one, std::string_view many = {});

// Lower-case hex digits of bytes, two per byte.
std::string hex(std::string_view bytes);
template <std::size_t N>
std::string hex(const std::array<std::uint8_t, N>& bytes) {
  return hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), N));
}

// Base64 (RFC 4648 section 4, with '=' padding), on one line.
std::string base64(std::string_view bytes);
template <std::size_t N>
std::string base64(const std::array<std::uint8_t, N>& bytes) {
  return base64(std::string_view(reinterpret_cast<const char*>(bytes.data()), N));
}

// v with `digits` decimals (REQUIRES: digits >= 0), exactly as std::to_chars(...,
// chars_format::fixed, digits) writes it (as printf's "%.*f"): rounded correctly, an
// exact tie to even, "-" for a negative sign (also of -0 and of what rounds to 0).
// For ad-score's scores and severities: with at most 17 digits, a value below 2^63
// once scaled is formatted here with integer arithmetic on the double's exact value, a
// fraction of to_chars' work; anything else (infinities, NaN, larger) by to_chars.
std::string fixed(double v, int digits);

}  // namespace ad::text
