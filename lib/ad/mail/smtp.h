// smtp.h: handing a finished message to a mail server, through libcurl.
//
// A server is named by a URL: smtp://host[:port] (default port 25) speaks plain SMTP
// and upgrades the connection with STARTTLS; smtps://host[:port] (default 465) speaks
// TLS from the first byte. ad never sends mail in clear text over a network: for a
// server that is not on loopback, smtp:// requires STARTTLS (the send fails when the
// server does not offer it), unless the user opts out explicitly (insecure_no_tls).
// On loopback (localhost, 127.0.0.0/8, ::1) and with the opt-out, STARTTLS is used when
// the server offers it. Certificates are always verified, against the system's CA
// store or the CA file given (for a private or self-signed server).
//
// Credentials never come from the URL or the command line: a URL with a user name or
// password is refused. They come from the environment (AD_SMTP_USER, AD_SMTP_PASSWORD;
// see mail.h) or from ~/.netrc, which libcurl reads (CURLOPT_NETRC).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ad/core/error.h"

namespace ad::smtp {

struct Settings {
  std::string url;               // smtp://host[:port] or smtps://host[:port]
  std::string cacert;            // CA certificates (PEM) to verify the server; "" = system
  bool insecure_no_tls = false;  // allow clear text to a server that is not on loopback
  std::string user;              // "" = take user and password from the netrc file
  std::string password;          // "" with a user: the netrc file may supply it
  std::string netrc_file;        // "" = ~/.netrc
  long timeout_s = 30;           // connect timeout, and longest stall in a transfer
};

// What check() found out about a URL.
struct Target {
  bool implicit_tls = false;  // smtps://
  bool loopback = false;
  std::string host;           // as in the URL ("[::1]" for IPv6)
  std::string display;        // scheme://host:port, for messages (no credentials)
};

// Checks settings.url: scheme smtp or smtps, a host, no user or password, no query.
// Throws ad::Error(kUsage) naming the problem.
Target check(const Settings& settings);

// True for "localhost", 127.x.y.z and ::1 (with or without brackets).
bool is_loopback_host(std::string_view host);

// A failed delivery: Status::kUnavailable, with the server's or libcurl's reason.
// connection() is true when no conversation with the server took place at all
// (it could not be resolved or reached, or TLS could not be set up), so that trying
// further messages now is pointless.
class SendError : public Error {
 public:
  SendError(const std::string& message, bool connection)
      : Error(Status::kUnavailable, message), connection_(connection) {}
  bool connection() const { return connection_; }

 private:
  bool connection_;
};

// Sends message (RFC 5322 text with CRLF line ends) from the envelope sender `from`
// to the envelope recipients `to` (addr-specs, checked by mime::parse_address).
// REQUIRES: check(settings) succeeds; to is not empty.
// Throws SendError when the server cannot be reached or does not accept the message
// (for any recipient), and ad::Error(kUsage) for a bad URL.
void send(const Settings& settings, const std::string& from, const std::vector<std::string>& to,
          std::string_view message);

}  // namespace ad::smtp
