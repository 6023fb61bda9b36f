// Base64 of SHA-256 (sha256.h), for the report's Content-Security-Policy hashes.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ad/report/csp.h"
#include "ad/core/sha256.h"

namespace ad::report {

std::string csp_hash(std::string_view text) {
  static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto d = ad::sha256(text);
  std::string out = "'sha256-";
  std::size_t i = 0;
  for (; i + 3 <= d.size(); i += 3) {
    std::uint32_t v = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kB64[(v >> s) & 63];
  }
  // 32 bytes: two left over, one '=' of padding.
  std::uint32_t v = (d[i] << 16) | (d[i + 1] << 8);
  out += kB64[(v >> 18) & 63];
  out += kB64[(v >> 12) & 63];
  out += kB64[(v >> 6) & 63];
  out += "='";
  return out;
}

}  // namespace ad::report
