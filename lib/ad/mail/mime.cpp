// Building mail messages: addresses, header encoding, body encodings. See ad/mime.h.
#include "ad/mail/mime.h"

#include <time.h>
#include <unistd.h>

#include <cstring>
#include <random>

#include "ad/core/clock.h"
#include "ad/core/error.h"
#include "ad/core/text.h"
#include "ad/core/timestamp.h"

namespace ad::mime {

namespace {

constexpr std::size_t kFoldAt = 78;      // RFC 5322 2.1.1: lines SHOULD be at most 78
constexpr std::size_t kWordBytes = 39;   // raw bytes per encoded-word: 12 + 52 = 64 chars
constexpr std::size_t kQpLine = 76;      // RFC 2045 6.7 (5)

bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+/=?^_`{|}~-", c) != nullptr && c != '\0';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Error bad_address(std::string_view what, const std::string& why) {
  return usage_error(std::string(what) + ": " + why);
}

void check_addr_spec(std::string_view addr, std::string_view what) {
  auto at = addr.rfind('@');
  if (addr.empty()) throw bad_address(what, "empty address");
  if (at == std::string_view::npos || at == 0 || at + 1 == addr.size())
    throw bad_address(what, "'" + std::string(addr) + "' is not an address of the form user@host");
  std::string_view local = addr.substr(0, at), domain = addr.substr(at + 1);
  if (local.size() > 64) throw bad_address(what, "the part before '@' is longer than 64 characters");
  if (domain.size() > 253) throw bad_address(what, "the host name is longer than 253 characters");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    throw bad_address(what, "misplaced '.' in '" + std::string(addr) + "'");
  for (char c : local)
    if (!is_atext(c) && c != '.')
      throw bad_address(what, "'" + std::string(addr) +
                                  "' holds a character that is not allowed in an address");
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      std::string_view label = domain.substr(label_start, i - label_start);
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
        throw bad_address(what, "'" + std::string(domain) + "' is not a valid host name");
      label_start = i + 1;
      continue;
    }
    char c = domain[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) throw bad_address(what, "'" + std::string(domain) + "' is not a valid host name");
  }
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// Folds "Name:" + " " + value at spaces so that lines stay within kFoldAt where the
// value allows. Never folds before an empty token, so no line is only white space.
std::string fold(std::string_view name, std::string_view value) {
  std::string out(name);
  out += ':';
  std::size_t line = out.size();
  bool first = true;
  std::size_t pos = 0;
  for (;;) {
    std::size_t sp = value.find(' ', pos);
    std::string_view token =
        value.substr(pos, sp == std::string_view::npos ? std::string_view::npos : sp - pos);
    if (!first && !token.empty() && line + 1 + token.size() > kFoldAt) {
      out += "\r\n";
      line = 0;
    }
    out += ' ';
    out += token;
    line += 1 + token.size();
    first = false;
    if (sp == std::string_view::npos) break;
    pos = sp + 1;
  }
  out += "\r\n";
  return out;
}

std::string random_hex(int digits) {
  static std::mt19937_64 rng{std::random_device{}() ^
                             (static_cast<std::uint64_t>(::getpid()) << 32)};
  static const char* kHex = "0123456789abcdef";
  std::string s;
  while (static_cast<int>(s.size()) < digits) {
    std::uint64_t r = rng();
    for (int i = 0; i < 16 && static_cast<int>(s.size()) < digits; ++i, r >>= 4) s += kHex[r & 15];
  }
  return s;
}

void render_part(const Part& part, std::string& out, int depth) {
  if (!part.children.empty()) {
    std::string boundary = "=_ad_" + random_hex(24) + "_" + std::to_string(depth);
    out += "Content-Type: " + part.content_type + "; boundary=\"" + boundary + "\"\r\n\r\n";
    if (depth == 0) out += "This is a multi-part message in MIME format.\r\n";
    for (const Part& child : part.children) {
      out += "\r\n--" + boundary + "\r\n";
      render_part(child, out, depth + 1);
    }
    out += "\r\n--" + boundary + "--\r\n";
    return;
  }
  out += "Content-Type: " + part.content_type;
  if (!part.filename.empty()) out += "; name=\"" + part.filename + "\"";
  out += "\r\n";
  if (!part.filename.empty())
    out += "Content-Disposition: attachment; filename=\"" + part.filename + "\"\r\n";
  bool b64 = part.encoding == Part::Encoding::kBase64;
  out += b64 ? "Content-Transfer-Encoding: base64\r\n\r\n"
             : "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += b64 ? base64_lines(part.body) : quoted_printable(part.body);
}

}  // namespace

Address parse_address(std::string_view text, std::string_view what) {
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F)
      throw bad_address(what, "an address must not hold a control character (CR, LF, TAB...)");
  }
  std::string_view s = trim(text);
  Address a;
  auto lt = s.find('<');
  if (lt == std::string_view::npos) {
    if (s.find('>') != std::string_view::npos) throw bad_address(what, "unmatched '>'");
    check_addr_spec(s, what);
    a.addr = std::string(s);
    return a;
  }
  auto gt = s.find('>', lt);
  if (gt == std::string_view::npos) throw bad_address(what, "missing '>' after '<'");
  if (gt + 1 != s.size()) throw bad_address(what, "text after '>'");
  std::string_view inner = s.substr(lt + 1, gt - lt - 1);
  if (inner.find('<') != std::string_view::npos) throw bad_address(what, "nested '<'");
  check_addr_spec(inner, what);
  a.addr = std::string(inner);
  std::string_view display = trim(s.substr(0, lt));
  if (display.size() >= 2 && display.front() == '"' && display.back() == '"') {
    display = display.substr(1, display.size() - 2);
    for (std::size_t i = 0; i < display.size(); ++i) {
      if (display[i] == '\\' && i + 1 < display.size()) ++i;
      else if (display[i] == '"') throw bad_address(what, "unescaped '\"' in a quoted name");
      a.display += display[i];
    }
  } else {
    if (display.find('"') != std::string_view::npos)
      throw bad_address(what, "a '\"' outside a quoted name");
    a.display = std::string(display);
  }
  if (a.display.find('>') != std::string::npos) throw bad_address(what, "unmatched '>'");
  return a;
}

std::vector<Address> parse_address_list(std::string_view text, std::string_view what) {
  std::vector<Address> out;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size()) {
      char c = text[i];
      if (quoted && c == '\\') {
        ++i;
        continue;
      }
      if (c == '"') quoted = !quoted;
      if (quoted || c != ',') continue;
    }
    std::string_view item = trim(text.substr(start, i - start));
    if (!item.empty()) out.push_back(parse_address(item, what));
    start = i + 1;
  }
  if (quoted) throw bad_address(what, "unterminated '\"'");
  if (out.empty()) throw bad_address(what, "no address given");
  return out;
}

std::string format_address(const Address& address) {
  std::string display = strip_controls(address.display);
  if (trim(display).empty()) return address.addr;
  std::string out;
  if (!is_ascii(display) || display.find("=?") != std::string::npos) {
    out = encoded_words(display);
  } else {
    bool plain = true;
    for (char c : display)
      if (!is_atext(c) && c != ' ') plain = false;
    if (plain && trim(display) == display && display.find("  ") == std::string::npos) {
      out = display;
    } else {
      out = "\"";
      for (char c : display) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    }
  }
  return out + " <" + address.addr + ">";
}

std::string strip_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp;
    std::size_t n = ad::text::decode(text, i, cp);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029)
      out += ' ';
    else if (ad::text::is_format_control(cp))
      out += "\xEF\xBF\xBD";  // bidirectional overrides and invisible characters could disguise text
    else
      out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

std::string encoded_words(std::string_view utf8) {
  std::string text = strip_controls(utf8);  // also guarantees valid UTF-8
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::string_view rest = std::string_view(text).substr(pos);
    std::size_t len = ad::text::char_boundary(rest, kWordBytes);
    if (!out.empty()) out += ' ';
    out += "=?UTF-8?B?" + ad::text::base64(rest.substr(0, len)) + "?=";
    pos += len;
  }
  return out;
}

std::string unstructured_header(std::string_view name, std::string_view value) {
  std::string v = strip_controls(value);
  bool encode = !is_ascii(v) || v.find("=?") != std::string::npos;
  if (!encode) {  // a word too long to fold is sent encoded, which splits it
    std::size_t run = 0;
    for (char c : v) {
      run = c == ' ' ? 0 : run + 1;
      if (run > kFoldAt - 2) encode = true;
    }
  }
  return fold(name, encode ? encoded_words(v) : v);
}

std::string address_header(std::string_view name, const std::vector<Address>& addresses) {
  std::string value;
  for (const Address& a : addresses) {
    if (!value.empty()) value += ", ";
    value += format_address(a);
  }
  return fold(name, value);
}

std::string quoted_printable(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    bool last = nl == std::string_view::npos;
    std::string_view line = text.substr(pos, last ? std::string_view::npos : nl - pos);
    // CRLF is a line break; a CR that ends the text (no LF after it) is data, encoded.
    if (!last && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (last && line.empty()) break;
    std::size_t width = 0;
    // A physical line must not start with '.' (SMTP) or "From " (mbox), also after a
    // soft break: encode its first octet.
    auto starts_badly = [&](std::size_t i) {
      return line[i] == '.' || line.compare(i, 5, "From ") == 0;
    };
    for (std::size_t i = 0; i < line.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(line[i]);
      bool at_end = i + 1 == line.size();
      bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
      if (width == 0 && starts_badly(i)) literal = false;
      std::size_t len = literal ? 1 : 3;
      // Keep room for the soft break "=" unless this is the line's last token.
      if (width + len > (at_end ? kQpLine : kQpLine - 1)) {
        out += "=\r\n";
        width = 0;
        if (starts_badly(i)) literal = false, len = 3;
      }
      if (literal) {
        out += static_cast<char>(c);
      } else {
        out += '=';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      width += len;
    }
    if (last) break;
    out += "\r\n";
    pos = nl + 1;
  }
  return out;
}

std::string base64_lines(std::string_view bytes) {
  constexpr std::size_t kLineBytes = 57;  // 76 characters of base64
  std::string out;
  out.reserve(bytes.size() * 4 / 3 + bytes.size() / 28 + 8);
  for (std::size_t i = 0; i < bytes.size(); i += kLineBytes)
    out += ad::text::base64(bytes.substr(i, kLineBytes)) + "\r\n";
  return out;
}

std::string format_date(std::int64_t epoch_ms) {
  static const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::int64_t secs = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t rem = secs - days * 86400;
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000",
                kDays[((days % 7) + 7) % 7], d, kMonths[m - 1], y, static_cast<int>(rem / 3600),
                static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  return buf;
}

std::string make_message_id(std::string_view domain) {
  std::int64_t now_ms = ad::now_ms();
  std::string stamp = format_time_iso(now_ms - now_ms % 1000);  // 2025-07-01T04:02:00Z
  std::string digits;
  for (char c : stamp)
    if (c >= '0' && c <= '9') digits += c;
  return "<" + digits + "." + std::to_string(::getpid()) + "." + random_hex(16) + "@" +
         std::string(domain) + ">";
}

std::string render(const Message& message) {
  std::string out;
  out += "Date: " + format_date(message.date_ms) + "\r\n";
  out += address_header("From", {message.from});
  out += address_header("To", message.to);
  out += unstructured_header("Subject", message.subject);
  out += "Message-ID: " + message.message_id + "\r\n";
  for (const auto& [name, value] : message.headers) out += unstructured_header(name, value);
  out += "MIME-Version: 1.0\r\n";
  render_part(message.body, out, 0);
  return out;
}

}  // namespace ad::mime
