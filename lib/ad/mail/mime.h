// mime.h: Internet mail messages (RFC 5322, MIME) built so that data cannot escape.
//
// ad-mail puts data from login records (user names, places, reasons) into mail. This
// header holds the pieces that make that safe and standard:
//   - Addresses come from the command line or the config file only, never from data,
//     and are checked here: an addr-spec is plain ASCII local@domain, with no space,
//     control character, quote or bracket, so it cannot smuggle a second recipient or
//     a header into the envelope or the To: line.
//   - Header values are rebuilt, never copied: every control character (CR and LF
//     included) becomes a space, non-ASCII text becomes RFC 2047 encoded-words
//     ("=?UTF-8?B?...?="), and long values are folded. A header value returned here
//     therefore holds no line break other than folding ("CRLF SP").
//   - Bodies are encoded (quoted-printable or base64), so every line of a message is
//     at most 76 octets, well under RFC 5322's 998, whatever the data.
//   - Boundaries start with "=_", which neither encoding can produce, so no data can
//     end a part early.
// Messages use CRLF line ends throughout, as SMTP sends them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ad::mime {

// A mailbox: "user@example.com" or "Display Name <user@example.com>".
struct Address {
  std::string display;  // UTF-8, may be empty
  std::string addr;     // addr-spec: ASCII local@domain
};

// Parses one mailbox. what names the setting in error messages ("--from").
// Accepts an optional display name (bare words or a "quoted string") before <addr>.
// The addr-spec must be dot-atom@domain: ASCII letters, digits and !#$%&'*+/=?^_`{|}~-
// in the local part, a host name (letters, digits, hyphens, dots) after the @.
// Throws ad::Error(kUsage) otherwise, for instance for any CR, LF or other control
// character, non-ASCII in the addr-spec, or text after the closing '>'.
Address parse_address(std::string_view text, std::string_view what);

// Parses "a@x, B <b@y>" (commas outside quotes separate mailboxes). Throws
// ad::Error(kUsage) for an empty list or a bad mailbox.
std::vector<Address> parse_address_list(std::string_view text, std::string_view what);

// "Display Name <addr>" with the display name quoted or encoded as needed, or "addr".
std::string format_address(const Address& address);

// Returns text with every control character (C0, DEL, C1; CR, LF and TAB included)
// and U+2028 and U+2029 replaced by a space. Invalid UTF-8 bytes and format controls
// (text::is_format_control: bidirectional overrides, zero-width spaces) become U+FFFD.
std::string strip_controls(std::string_view text);

// One header field, "Name: value\r\n", for an unstructured value (Subject and the
// like). value is UTF-8; it passes through strip_controls, and is sent as encoded-words
// when it holds non-ASCII text or "=?". Lines are folded to at most 78 octets where
// the value has spaces (RFC 5322 2.2.3); encoded-words are never longer than 75.
// REQUIRES: name is a field name (printable ASCII without ':').
std::string unstructured_header(std::string_view name, std::string_view value);

// "Name: a, b\r\n" for a list of mailboxes, folded between mailboxes.
std::string address_header(std::string_view name, const std::vector<Address>& addresses);

// RFC 2047 "B" encoded-words for text (each at most 75 octets, split between UTF-8
// characters), separated by spaces.
std::string encoded_words(std::string_view utf8);

// Quoted-printable (RFC 2045 6.7). LF or CRLF in text become CRLF line breaks; lines
// are at most 76 octets with soft breaks; '=', non-ASCII, controls (a CR not followed
// by LF included), and a space or tab before a line end are encoded, as is a '.' or
// "From " that starts a physical line, after a soft break too.
std::string quoted_printable(std::string_view text);

// Base64 (RFC 2045 6.8; text::base64) in lines of 76 characters ending with CRLF.
std::string base64_lines(std::string_view bytes);

// "Tue, 01 Jul 2025 04:02:00 +0000" for epoch milliseconds (UTC).
std::string format_date(std::int64_t epoch_ms);

// "<20250701040200.12345.9f3a...@domain>", unique: time, pid and 64 random bits.
std::string make_message_id(std::string_view domain);

// A MIME entity: a leaf with a body, or a multipart with children.
struct Part {
  std::string content_type;  // "text/plain; charset=UTF-8", "multipart/alternative"
  enum class Encoding { kQuotedPrintable, kBase64 };
  Encoding encoding = Encoding::kQuotedPrintable;  // leaves only
  std::string filename;      // ASCII [A-Za-z0-9._-]; non-empty makes it an attachment
  std::string body;          // leaves only, unencoded
  std::vector<Part> children;  // non-empty for multipart/*
};

struct Message {
  Address from;
  std::vector<Address> to;
  std::string subject;  // UTF-8, any content
  std::int64_t date_ms = 0;
  std::string message_id;  // from make_message_id
  // Further header fields, (name, UTF-8 value), sent as unstructured values.
  std::vector<std::pair<std::string, std::string>> headers;
  Part body;
};

// The message as sent: headers, a blank line, the MIME body; CRLF line ends.
std::string render(const Message& message);

}  // namespace ad::mime
