// MIME: addresses either are refused (ad::Error) or format to headers without a bare
// line break; header values only fold; quoted-printable decodes back to its input, has
// lines of at most 76 octets, and no line starts with "From " or '.'.
#include <string>
#include <vector>

#include "ad/core/error.h"
#include "ad/mail/mime.h"
#include "fuzz_util.h"
#include "../common/qp.h"

namespace {

using testqp::qp_decode;

// Every line break is CRLF, and a header's continuation lines start with a space.
void check_header(const std::string& h, bool folded_only) {
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (h[i] == '\n') FUZZ_CHECK(i > 0 && h[i - 1] == '\r', "bare LF in " + h);
    if (h[i] == '\r') {
      FUZZ_CHECK(i + 1 < h.size() && h[i + 1] == '\n', "bare CR in " + h);
      if (folded_only && i + 2 < h.size()) FUZZ_CHECK(h[i + 2] == ' ', "a new header line: " + h);
    }
  }
  FUZZ_CHECK(h.size() >= 2 && h.compare(h.size() - 2, 2, "\r\n") == 0, "no CRLF at the end");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string data(reinterpret_cast<const char*>(bytes), size);
  try {
    auto list = ad::mime::parse_address_list(data, "--to");
    for (const auto& a : list) {
      FUZZ_CHECK(a.addr.find_first_of(" \r\n\t<>\",") == std::string::npos, "addr: " + a.addr);
      check_header(ad::mime::address_header("To", {a}), true);
    }
  } catch (const ad::Error& e) {
    FUZZ_CHECK(e.status() == ad::Status::kUsage, "not a usage error");
  }
  check_header(ad::mime::unstructured_header("Subject", data), true);

  std::string qp = ad::mime::quoted_printable(data);
  std::size_t start = 0;
  for (std::size_t nl; start <= qp.size(); start = nl + 2) {
    nl = qp.find("\r\n", start);
    if (nl == std::string::npos) nl = qp.size();
    std::string_view line(qp.data() + start, nl - start);
    FUZZ_CHECK(line.size() <= 76, "a quoted-printable line over 76 octets");
    FUZZ_CHECK(line.substr(0, 5) != "From " && line.substr(0, 1) != ".",
               "a quoted-printable line starts with \"From \" or '.'");
    FUZZ_CHECK(line.find_first_of("\r\n") == std::string_view::npos, "bare CR or LF");
    if (nl == qp.size()) break;
  }
  std::string expect;  // CRLF in the text reads back as LF
  for (std::size_t i = 0; i < data.size(); ++i)
    if (!(data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n')) expect += data[i];
  FUZZ_CHECK(qp_decode(qp) == expect, "quoted-printable does not decode back");
  return 0;
}
