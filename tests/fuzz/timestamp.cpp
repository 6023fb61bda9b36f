// Timestamps: parse_time_ms never crashes, and what it accepts formats and reads back.
#include <string>

#include "ad/core/timestamp.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(bytes), size);
  int tz = size > 0 ? (static_cast<int>(bytes[0]) - 128) * 900 : 0;  // -32h..+32h in 15 min
  if (tz < -14 * 3600 || tz > 14 * 3600) tz = 0;
  if (auto ms = ad::parse_time_ms(text, tz)) {
    std::string iso = ad::format_time_iso(*ms);
    auto back = ad::parse_time_ms(iso);
    FUZZ_CHECK(back && *back == *ms, "'" + iso + "' does not read back");
  }
  if (auto off = ad::parse_utc_offset(text)) {
    FUZZ_CHECK(*off > -24 * 3600 && *off < 24 * 3600, "offset out of range");
  }
  return 0;
}
