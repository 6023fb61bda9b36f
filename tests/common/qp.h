// qp.h: a reference quoted-printable decoder for the tests of mime.h (the unit tests and
// the fuzz harness check that what ad encodes decodes back). Test code only; it reads
// what mime::quoted_printable writes: soft breaks "=\r\n", "=XX" in upper-case hex,
// and CRLF line ends, which it gives back as LF.
#pragma once

#include <cstddef>
#include <string>

namespace testqp {

inline std::string qp_decode(const std::string& s) {
  auto hex = [](char c) { return c <= '9' ? c - '0' : c - 'A' + 10; };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '=' && s.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
    } else if (s[i] == '=' && i + 2 < s.size()) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (s.compare(i, 2, "\r\n") == 0) {
      out += '\n';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace testqp
