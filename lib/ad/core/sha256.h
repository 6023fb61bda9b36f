// sha256.h: SHA-256 (FIPS 180-4), written here so that ad needs no crypto library.
//
// ad-store keys rows by a hash of their content, and ad-report allows its own inline
// script and style in the Content-Security-Policy by their hashes. Both use this one
// implementation, checked against the FIPS test vectors in tests/unit/core/sha256_test.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ad {

class Sha256 {
 public:
  // kAuto uses the CPU's SHA extensions (x86-64 SHA-NI) when it has them, which hash a
  // block about five times faster than the portable code; both give the same digests.
  enum class Impl { kAuto, kPortable };
  explicit Sha256(Impl impl = Impl::kAuto);
  // Whether kAuto uses the CPU's SHA extensions on this machine.
  static bool cpu_extensions();
  void update(std::string_view bytes);
  // REQUIRES: called once; the object is spent afterwards.
  std::array<std::uint8_t, 32> finish();

 private:
  void block(const std::uint8_t* p);
  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> buf_;
  std::size_t used_ = 0;
  std::uint64_t bytes_ = 0;
  bool cpu_ = false;
};

// The digest of bytes (text::hex and text::base64 write it out).
std::array<std::uint8_t, 32> sha256(std::string_view bytes);

}  // namespace ad
