#include "ad/mail/mime.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ad/core/error.h"
#include "../../common/qp.h"

namespace {

using testqp::qp_decode;

std::string b64decode(const std::string& s) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : s) {
    auto i = kAlphabet.find(c);
    if (i == std::string::npos) continue;  // CRLF, '='
    buf = (buf << 6) | static_cast<unsigned>(i);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}


std::vector<std::string> lines_of(const std::string& s) {  // split on CRLF
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (std::size_t nl; (nl = s.find("\r\n", pos)) != std::string::npos; pos = nl + 2)
    out.push_back(s.substr(pos, nl - pos));
  if (pos < s.size()) out.push_back(s.substr(pos));
  return out;
}

// Decodes "=?UTF-8?B?...?=" words separated by folding white space.
std::string decode_words(std::string v) {
  std::string out;
  std::size_t pos = 0;
  while ((pos = v.find("=?UTF-8?B?", pos)) != std::string::npos) {
    auto end = v.find("?=", pos + 10);
    out += b64decode(v.substr(pos + 10, end - pos - 10));
    pos = end + 2;
  }
  return out;
}

bool usage_error_for(const std::string& text) {
  try {
    ad::mime::parse_address(text, "--to");
  } catch (const ad::Error& e) {
    return e.status() == ad::Status::kUsage;
  }
  return false;
}

}  // namespace

TEST_SUITE("mime") {
  TEST_CASE("addresses: plain, with display names, and the ones refused") {
    auto a = ad::mime::parse_address("  sec@example.com ", "--to");
    CHECK(a.addr == "sec@example.com");
    CHECK(a.display.empty());
    a = ad::mime::parse_address("Security Team <sec@example.com>", "--to");
    CHECK(a.addr == "sec@example.com");
    CHECK(a.display == "Security Team");
    a = ad::mime::parse_address("\"Doe, \\\"J\\\"\" <j.doe+ad@mail.example.org>", "--to");
    CHECK(a.display == "Doe, \"J\"");
    CHECK(a.addr == "j.doe+ad@mail.example.org");
    CHECK(ad::mime::parse_address("root@localhost", "--to").addr == "root@localhost");

    CHECK(usage_error_for("a@example.com\r\nBcc: evil@example.net"));
    CHECK(usage_error_for("a@example.com\nb@example.com"));
    CHECK(usage_error_for("a@example.com, b@example.com"));  // one mailbox only
    CHECK(usage_error_for("<a@example.com> trailing"));
    CHECK(usage_error_for("a b@example.com"));
    CHECK(usage_error_for("a@exa mple.com"));
    CHECK(usage_error_for("jürg@example.com"));
    CHECK(usage_error_for("a@-example.com"));
    CHECK(usage_error_for("a..b@example.com"));
    CHECK(usage_error_for("@example.com"));
    CHECK(usage_error_for("a@"));
    CHECK(usage_error_for(""));
    CHECK(usage_error_for("x <a@example.com"));
  }

  TEST_CASE("address lists split at commas outside quotes") {
    auto list = ad::mime::parse_address_list("a@x.org, \"Doe, J\" <j@x.org>,,b@y.org", "--to");
    REQUIRE(list.size() == 3);
    CHECK(list[0].addr == "a@x.org");
    CHECK(list[1].display == "Doe, J");
    CHECK(list[1].addr == "j@x.org");
    CHECK(list[2].addr == "b@y.org");
    CHECK_THROWS_AS(ad::mime::parse_address_list(" , ", "--to"), ad::Error);
    CHECK_THROWS_AS(ad::mime::parse_address_list("\"open <a@x.org>", "--to"), ad::Error);
  }

  TEST_CASE("formatted addresses quote or encode display names") {
    using ad::mime::Address;
    CHECK(ad::mime::format_address(Address{"", "a@x.org"}) == "a@x.org");
    CHECK(ad::mime::format_address(Address{"Sec Team", "a@x.org"}) == "Sec Team <a@x.org>");
    CHECK(ad::mime::format_address(Address{"Doe, J. \"x\"", "a@x.org"}) ==
          "\"Doe, J. \\\"x\\\"\" <a@x.org>");
    std::string enc = ad::mime::format_address(Address{"Zürich SOC", "a@x.org"});
    CHECK(enc.rfind("=?UTF-8?B?", 0) == 0);
    CHECK(decode_words(enc) == "Zürich SOC");
  }

  TEST_CASE("control characters never survive into a header") {
    std::string h = ad::mime::unstructured_header(
        "Subject", "alert\r\nBcc: evil@example.net\nX-Evil: 1\x01\x7f\xc2\x85 end\xe2\x80\xa8more");
    auto lines = lines_of(h);
    REQUIRE(!lines.empty());
    CHECK(h.substr(h.size() - 2) == "\r\n");
    for (std::size_t i = 0; i < lines.size(); ++i) {
      CHECK(lines[i].find('\n') == std::string::npos);
      CHECK(lines[i].find('\r') == std::string::npos);
      if (i > 0) CHECK(lines[i][0] == ' ');  // only folding continues a field
    }
    CHECK(h.find("\r\nBcc:") == std::string::npos);
    std::string unfolded = h;
    for (std::size_t p; (p = unfolded.find("\r\n ")) != std::string::npos;) unfolded.erase(p, 2);
    CHECK(unfolded == "Subject: alert  Bcc: evil@example.net X-Evil: 1    end more\r\n");
  }

  TEST_CASE("headers: ASCII stays readable and folds, non-ASCII becomes encoded-words") {
    CHECK(ad::mime::unstructured_header("Subject", "[ad] 3 of 10 logins") ==
          "Subject: [ad] 3 of 10 logins\r\n");
    std::string long_value;
    for (int i = 0; i < 40; ++i) long_value += "word" + std::to_string(i) + " ";
    std::string h = ad::mime::unstructured_header("Subject", long_value);
    for (const auto& l : lines_of(h)) CHECK(l.size() <= 78);
    std::string unfolded = h;
    for (std::size_t p; (p = unfolded.find("\r\n ")) != std::string::npos;) unfolded.erase(p, 2);
    CHECK(unfolded == "Subject: " + long_value + "\r\n");

    std::string text = "Zürich: 東京 из Москвы =?not a word?= ";
    for (int i = 0; i < 5; ++i) text += text;
    h = ad::mime::unstructured_header("Subject", text);
    CHECK(decode_words(h) == text);
    for (const auto& l : lines_of(h)) {
      CHECK(l.size() <= 78);
      for (unsigned char c : l) CHECK(c < 0x80);
    }
    // "=?" in ASCII text is encoded too, so that it cannot be read as an encoded-word.
    CHECK(ad::mime::unstructured_header("Subject", "a =?x?= b").find("=?UTF-8?B?") !=
          std::string::npos);
  }

  TEST_CASE("strip_controls replaces controls and invalid UTF-8") {
    CHECK(ad::mime::strip_controls("a\tb\r\nc") == "a b  c");
    CHECK(ad::mime::strip_controls("ok \xff") == "ok \xEF\xBF\xBD");
    CHECK(ad::mime::strip_controls("x\xe2\x80\xaey") == "x\xEF\xBF\xBDy");  // RLO override
    CHECK(ad::mime::strip_controls("x\u200By\u061Cz") == "x\xEF\xBF\xBDy\xEF\xBF\xBDz");  // ZWSP, ALM
    CHECK(ad::mime::strip_controls("Zürich") == "Zürich");
  }

  TEST_CASE("base64_lines wraps text::base64 at 76 with CRLF") {
    CHECK(ad::mime::base64_lines("") == "");
    CHECK(ad::mime::base64_lines("f") == "Zg==\r\n");
    CHECK(ad::mime::base64_lines("fo") == "Zm8=\r\n");
    CHECK(ad::mime::base64_lines("foo") == "Zm9v\r\n");
    CHECK(ad::mime::base64_lines("foobar") == "Zm9vYmFy\r\n");
    std::string big(1000, '\xAB');
    std::string enc = ad::mime::base64_lines(big);
    auto lines = lines_of(enc);
    REQUIRE(lines.size() == 18);  // 17 lines of 57 bytes, then 31 bytes in 44 characters
    for (std::size_t i = 0; i < lines.size(); ++i) CHECK(lines[i].size() == (i + 1 < lines.size() ? 76u : 44u));
    CHECK(b64decode(enc) == big);
  }

  TEST_CASE("quoted-printable: encoded where needed, lines of at most 76") {
    CHECK(ad::mime::quoted_printable("a=b\n") == "a=3Db\r\n");
    CHECK(ad::mime::quoted_printable("trailing \nx") == "trailing=20\r\nx");
    CHECK(ad::mime::quoted_printable(".\nFrom me\n") == "=2E\r\n=46rom me\r\n");
    CHECK(ad::mime::quoted_printable("é") == "=C3=A9");
    std::string text = "<p>" + std::string(300, 'x') + " é " + std::string(200, '=') + "</p>\r\n\tend \n";
    std::string qp = ad::mime::quoted_printable(text);
    for (const auto& l : lines_of(qp)) {
      CHECK(l.size() <= 76);
      CHECK(l.find('\n') == std::string::npos);
    }
    std::string expect = text;
    expect.erase(expect.find("\r\n"), 1);  // CRLF in the text reads back as LF
    CHECK(qp_decode(qp) == expect);
  }

  TEST_CASE("quoted-printable: no physical line starts with \"From \" or '.', even after a soft break") {
    // 75 x's, then "From ": the soft break falls just before the 'F' (issue 14).
    for (std::size_t pad = 70; pad <= 80; ++pad) {
      std::string text = std::string(pad, 'x') + "From here. .dot\n";
      std::string qp = ad::mime::quoted_printable(text);
      for (const auto& l : lines_of(qp)) {
        CHECK(l.rfind("From ", 0) != 0);
        CHECK(l.rfind(".", 0) != 0);
        CHECK(l.size() <= 76);
      }
      CHECK(qp_decode(qp) == text);
    }
    CHECK(ad::mime::quoted_printable(std::string(75, 'x') + "From x") ==
          std::string(75, 'x') + "=\r\n=46rom x");
  }

  TEST_CASE("quoted-printable: a CR that ends the text is kept, encoded") {
    CHECK(ad::mime::quoted_printable("a\r") == "a=0D");
    CHECK(ad::mime::quoted_printable("\r") == "=0D");
    CHECK(qp_decode(ad::mime::quoted_printable("x\r\ny\r")) == "x\ny\r");
    CHECK(ad::mime::quoted_printable("a\rb") == "a=0Db");
  }

  TEST_CASE("dates and message ids") {
    CHECK(ad::mime::format_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
    CHECK(ad::mime::format_date(1735704120000) == "Wed, 01 Jan 2025 04:02:00 +0000");
    CHECK(ad::mime::format_date(951782400000) == "Tue, 29 Feb 2000 00:00:00 +0000");
    std::string id1 = ad::mime::make_message_id("example.com"), id2 = ad::mime::make_message_id("example.com");
    CHECK(id1 != id2);
    CHECK(id1.front() == '<');
    CHECK(id1.substr(id1.size() - 13) == "@example.com>");
  }

  TEST_CASE("a rendered message: CRLF only, short lines, parts within boundaries") {
    ad::mime::Message m;
    m.from = {"ad", "ad@example.com"};
    m.to = {{"", "a@example.com"}, {"Zoë", "b@example.com"}};
    m.subject = "test\r\nBcc: x@y.z";
    m.date_ms = 1735704120000;
    m.message_id = "<1@example.com>";
    m.headers = {{"Auto-Submitted", "auto-generated"}};
    using P = ad::mime::Part;
    P text{"text/plain; charset=UTF-8", P::Encoding::kQuotedPrintable, "", "hello\n--=_ad_x\n", {}};
    P csv{"text/csv; charset=UTF-8", P::Encoding::kBase64, "rows.csv", "a,b\n1,2\n", {}};
    m.body = P{"multipart/mixed", {}, "", "", {P{"multipart/alternative", {}, "", "", {text}}, csv}};
    std::string s = ad::mime::render(m);
    for (std::size_t i = 1; i < s.size(); ++i)
      if (s[i] == '\n') CHECK(s[i - 1] == '\r');
    CHECK(s[0] != '\n');
    auto header_end = s.find("\r\n\r\n");
    REQUIRE(header_end != std::string::npos);
    std::string head = s.substr(0, header_end + 2);
    CHECK(head.find("\r\nBcc:") == std::string::npos);
    CHECK(head.find("To: a@example.com, =?UTF-8?B?") != std::string::npos);
    CHECK(head.find("MIME-Version: 1.0\r\n") != std::string::npos);
    CHECK(head.find("Content-Type: multipart/mixed; boundary=\"=_ad_") != std::string::npos);
    for (const auto& l : lines_of(s)) CHECK(l.size() <= 998);
    CHECK(s.find("Content-Disposition: attachment; filename=\"rows.csv\"") != std::string::npos);
    // The body's "--=_ad_x" is quoted-printable encoded and cannot close a part.
    CHECK(s.find("\r\n--=_ad_x\r\n") == std::string::npos);
    CHECK(s.find("YSxiCjEsMgo=") != std::string::npos);  // base64 of the CSV
  }
}
