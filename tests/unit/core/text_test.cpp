#include "ad/core/text.h"

#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ad/core/sha256.h"

using namespace std::string_literals;

namespace {
const std::string kFffd = "\xEF\xBF\xBD";

// What text::fixed must match: std::to_chars in fixed notation.
std::string to_chars_fixed(double v, int digits) {
  std::string out(400, '\0');
  auto r = std::to_chars(out.data(), out.data() + out.size(), v, std::chars_format::fixed, digits);
  REQUIRE(r.ec == std::errc());
  out.resize(static_cast<std::size_t>(r.ptr - out.data()));
  return out;
}

// The number of values v among `values` for which text::fixed(v, d) differs from
// to_chars, for every d in 0..18.
int fixed_mismatches(const std::vector<double>& values) {
  int bad = 0;
  for (double v : values)
    for (int d = 0; d <= 18; ++d)
      if (ad::text::fixed(v, d) != to_chars_fixed(v, d)) {
        if (bad < 5) MESSAGE("fixed(" << v << ", " << d << ") = " << ad::text::fixed(v, d) << ", to_chars " << to_chars_fixed(v, d));
        ++bad;
      }
  return bad;
}
}  // namespace

TEST_SUITE("text") {
  TEST_CASE("decode reads one UTF-8 sequence and refuses invalid ones") {
    char32_t cp = 0;
    CHECK(ad::text::decode("a", 0, cp) == 1);
    CHECK(cp == U'a');
    CHECK(ad::text::decode("\xC3\xA9", 0, cp) == 2);
    CHECK(cp == U'\u00E9');
    CHECK(ad::text::decode("\xE6\x9D\xB1", 0, cp) == 3);
    CHECK(cp == U'\u6771');
    CHECK(ad::text::decode("\xF0\x9F\x99\x82", 0, cp) == 4);
    CHECK(cp == U'\U0001F642');
    CHECK(ad::text::decode("\xC0\xAF", 0, cp) == 0);      // overlong
    CHECK(ad::text::decode("\xED\xA0\x80", 0, cp) == 0);  // surrogate
    CHECK(ad::text::decode("\xE6\x9D", 0, cp) == 0);      // cut
    CHECK(ad::text::decode("\x9D", 0, cp) == 0);          // stray continuation
    CHECK(ad::text::decode("\xF4\x90\x80\x80", 0, cp) == 0);  // above U+10FFFF
  }

  TEST_CASE("find_invalid_utf8 gives the offset of the first bad byte") {
    using ad::text::find_invalid_utf8;
    constexpr auto npos = std::string_view::npos;
    CHECK(find_invalid_utf8("plain ascii text, long enough") == npos);
    CHECK(find_invalid_utf8("Zürich 東京 🙂") == npos);
    CHECK(find_invalid_utf8("\xC0\xAF") == 0);          // overlong
    CHECK(find_invalid_utf8("ab\xED\xA0\x80") == 2);    // surrogate
    CHECK(find_invalid_utf8("abcdefgh\xE2\x82") == 8);  // truncated
    CHECK(find_invalid_utf8("\xFF") == 0);
  }

  TEST_CASE("char_boundary never splits a sequence") {
    using ad::text::char_boundary;
    std::string tokyo = "東京都";  // three bytes each
    CHECK(char_boundary(tokyo, 0) == 0);
    CHECK(char_boundary(tokyo, 1) == 0);
    CHECK(char_boundary(tokyo, 2) == 0);
    CHECK(char_boundary(tokyo, 3) == 3);
    CHECK(char_boundary(tokyo, 5) == 3);
    CHECK(char_boundary(tokyo, 9) == 9);
    CHECK(char_boundary(tokyo, 100) == 9);
    CHECK(char_boundary("a🙂", 4) == 1);
    CHECK(char_boundary("é\xA9x", 2) == 2);  // a stray continuation byte is its own character
  }

  TEST_CASE("truncate counts code points, ellipsis included") {
    using ad::text::truncate;
    CHECK(truncate("abcdef", 4) == "abc\u2026");
    CHECK(truncate("abcd", 4) == "abcd");
    CHECK(truncate("éééé", 3) == "éé\u2026");
    CHECK(truncate("", 3) == "");
    CHECK(truncate("abcdefgh", 6, "...") == "abc...");
    CHECK(truncate("東京都東京都東京都", 5, "...") == "東京...");
    CHECK(truncate("Αθήνα", 5, "...") == "Αθήνα");
    CHECK(truncate("🙂🙂🙂🙂", 3, "...") == "...");
  }

  TEST_CASE("printable escapes controls, line breaks and format controls") {
    using ad::text::printable;
    CHECK(printable("plain, Zürich 東京 🙂 \\ back") == "plain, Zürich 東京 🙂 \\ back");
    CHECK(printable("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m");
    CHECK(printable("a\nb\rc\td") == "a\\x0ab\\x0dc\\x09d");
    CHECK(printable("del\x7F") == "del\\x7f");
    CHECK(printable("\xC2\x85\xC2\x9B") == "\\u0085\\u009b");  // NEL and CSI, C1 controls
    CHECK(printable("admin\u202Egpj.exe") == "admin\\u202egpj.exe");
    CHECK(printable("\u2066\u2069\u200E\u200F\u061C\uFEFF\u200B") ==
          "\\u2066\\u2069\\u200e\\u200f\\u061c\\ufeff\\u200b");
    CHECK(printable("line\u2028sep") == "line\\u2028sep");
    CHECK(printable("bad\xFF\xC3") == "bad\\xff\\xc3");
    CHECK(printable("\0nul"s) == "\\x00nul");
    std::string once = printable("\x1b\u202E\n");
    CHECK(printable(once) == once);
  }

  TEST_CASE("quote bounds the length and quotes") {
    using ad::text::quote;
    CHECK(quote("2025-13-01") == "'2025-13-01'");
    CHECK(quote("\x1b[31mx\ny") == "'\\x1b[31mx\\x0ay'");
    CHECK(quote(std::string(100, 'x')) == "'" + std::string(37, 'x') + "...'");
    CHECK(quote("東京都東京都東京都", 5) == "'東京...'");
    CHECK(quote("") == "''");
  }

  TEST_CASE("html_escape escapes markup and replaces what could hide or reorder text") {
    using ad::text::html_escape;
    CHECK(html_escape("<a href='x' title=\"y\">&</a>") ==
          "&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;&lt;/a&gt;");
    CHECK(html_escape("Zürich, 東京, 👨‍👩‍👧") == "Zürich, 東京, 👨‍👩‍👧");  // joiners stay
    CHECK(html_escape("tab\tnew\nline") == "tab\tnew\nline");
    CHECK(html_escape("admin\u202Egpj.exe") == "admin" + kFffd + "gpj.exe");
    CHECK(html_escape("\u2067x\u2069\u200Fy\u061C") == kFffd + "x" + kFffd + kFffd + "y" + kFffd);
    CHECK(html_escape("a\x01z") == "a" + kFffd + "z");
    CHECK(html_escape("a\x7F") == "a" + kFffd);
    CHECK(html_escape("a\xC2\x85") == "a" + kFffd);       // NEL, a C1 control
    CHECK(html_escape("a\xEF\xBF\xBE") == "a" + kFffd);   // U+FFFE
    CHECK(html_escape("a\xEF\xB7\x90") == "a" + kFffd);   // U+FDD0
    CHECK(html_escape("a\xFF" "b") == "a" + kFffd + "b");  // not UTF-8
    CHECK(html_escape("a\xC3") == "a" + kFffd);           // cut sequence
    CHECK(html_escape("\xED\xA0\x80") == kFffd + kFffd + kFffd);  // a surrogate
  }

  TEST_CASE("plural") {
    using ad::text::plural;
    CHECK(plural(1, "day") == "1 day");
    CHECK(plural(0, "day") == "0 days");
    CHECK(plural(2, "day") == "2 days");
    CHECK(plural(1, "row was", "rows were") == "1 row was");
    CHECK(plural(3, "row was", "rows were") == "3 rows were");
  }

  TEST_CASE("hex and base64 follow RFC 4648") {
    using ad::text::base64;
    using ad::text::hex;
    CHECK(hex("") == "");
    CHECK(hex("\x00\x0f\xf0\xff"s) == "000ff0ff");
    CHECK(hex(ad::sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(base64("") == "");
    CHECK(base64("f") == "Zg==");
    CHECK(base64("fo") == "Zm8=");
    CHECK(base64("foo") == "Zm9v");
    CHECK(base64("foob") == "Zm9vYg==");
    CHECK(base64("fooba") == "Zm9vYmE=");
    CHECK(base64("foobar") == "Zm9vYmFy");
    CHECK(base64("\xff\xfe\x00"s) == "//4A");
    CHECK(base64(std::string(100, 'a')).find('\n') == std::string::npos);
  }
  TEST_CASE("fixed: what std::to_chars writes in fixed notation, byte for byte") {
    std::vector<double> v = {0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, 0.25, 0.75, 0.125, 100.0, 99.95, 99.25, 99.75,
                             0.0078125, 0.4500005, 1e-7, 5e-7, 4.9999999e-7, 1e-300, 4.9e-324, -4.9e-324,
                             0.999999, 0.9999995, 0.99999949999, 1e15, 9.2e18, 9.3e18, 1.8e19, 1e20, 1e300,
                             std::numeric_limits<double>::max(), std::numeric_limits<double>::min(),
                             std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN()};
    // Exact ties at 1, 6 and 7 decimals: odd multiples of 2^-k near the scores' and
    // severities' ranges, and their neighbouring doubles.
    for (int k = 1; k <= 12; ++k)
      for (int odd = 1; odd < 400; odd += 2) {
        double t = std::ldexp(odd, -k);
        for (double x : {t, std::nextafter(t, 0.0), std::nextafter(t, 1e9), t / 128, t * 100}) {
          v.push_back(x);
          v.push_back(-x);
        }
      }
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    for (int i = 0; i < 20000; ++i) {
      v.push_back(unit(rng));          // scores
      v.push_back(100 * unit(rng));    // severities
      v.push_back(std::round(unit(rng) * 2e6) / 2e6);  // near the 6th decimal's ties
      v.push_back(std::round(unit(rng) * 2000) / 20);  // near the 1st decimal's ties
      std::uint64_t bits = rng();
      double any;
      std::memcpy(&any, &bits, sizeof any);
      v.push_back(any);  // any double: every exponent, NaN and infinities
    }
    CHECK(fixed_mismatches(v) == 0);
    CHECK(ad::text::fixed(2.675, 2) == "2.67");  // the double is below the tie
    CHECK(ad::text::fixed(0.25, 1) == "0.2");            // an exact tie: to even
    CHECK(ad::text::fixed(0.75, 1) == "0.8");
    CHECK(ad::text::fixed(-0.0, 2) == "-0.00");
    CHECK(ad::text::fixed(99.96, 1) == "100.0");
    CHECK(ad::text::fixed(7, 0) == "7");
  }
}
