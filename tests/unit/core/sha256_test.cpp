#include "ad/core/sha256.h"

#include <doctest/doctest.h>

#include <string>

#include "ad/core/text.h"

using ad::Sha256;

namespace {
std::string sha256_hex(std::string_view bytes) { return ad::text::hex(ad::sha256(bytes)); }
}  // namespace

TEST_SUITE("sha256") {
  TEST_CASE("SHA-256 matches the FIPS 180-4 examples") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    std::string million(1000000, 'a');
    CHECK(sha256_hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }
  TEST_CASE("SHA-256 gives the same digest however the input is split") {
    std::string text(300, 'x');
    for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + i % 26);
    for (std::size_t cut : {0, 1, 55, 56, 63, 64, 65, 128, 299}) {
      Sha256 h;
      h.update(std::string_view(text).substr(0, cut));
      h.update(std::string_view(text).substr(cut));
      auto d = h.finish();
      Sha256 whole;
      whole.update(text);
      CHECK(d == whole.finish());
    }
  }
  TEST_CASE("the CPU's SHA extensions, when used, give the portable code's digests") {
    const std::string which = Sha256::cpu_extensions() ? "yes" : "no";
    MESSAGE("SHA extensions on this CPU: " << which);
    std::string text(1000, '\0');
    std::uint32_t x = 1;
    for (auto& c : text) c = static_cast<char>((x = x * 1103515245 + 12345) >> 16);
    for (std::size_t n = 0; n <= text.size(); n += (n < 200 ? 1 : 61)) {
      Sha256 a, b(Sha256::Impl::kPortable);
      a.update(std::string_view(text).substr(0, n));
      b.update(std::string_view(text).substr(0, n));
      CAPTURE(n);
      CHECK(a.finish() == b.finish());
    }
    Sha256 p(Sha256::Impl::kPortable);
    p.update("abc");
    CHECK(ad::text::hex(p.finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
