#include "ad/mail/smtp.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ad/core/error.h"

namespace {

ad::Status check_status(const std::string& url) {
  try {
    ad::smtp::Settings s;
    s.url = url;
    ad::smtp::check(s);
    return ad::Status::kOk;
  } catch (const ad::Error& e) {
    return e.status();
  }
}

// A loopback port that nothing listens on: bound, then closed.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

TEST_SUITE("smtp") {
  TEST_CASE("loopback hosts") {
    for (const char* h : {"localhost", "LOCALHOST", "127.0.0.1", "127.8.9.10", "::1", "[::1]"})
      CHECK_MESSAGE(ad::smtp::is_loopback_host(h), h);
    for (const char* h : {"example.com", "10.0.0.1", "128.0.0.1", "::2", "localhost.example.com",
                          "[::ffff:10.0.0.1]", ""})
      CHECK_MESSAGE(!ad::smtp::is_loopback_host(h), h);
  }

  TEST_CASE("server URLs: smtp and smtps only, no credentials") {
    ad::smtp::Settings s;
    s.url = "smtp://mail.example.com";
    auto t = ad::smtp::check(s);
    CHECK_FALSE(t.implicit_tls);
    CHECK_FALSE(t.loopback);
    CHECK(t.display == "smtp://mail.example.com:25");
    s.url = "smtps://127.0.0.1:4650";
    t = ad::smtp::check(s);
    CHECK(t.implicit_tls);
    CHECK(t.loopback);
    CHECK(t.display == "smtps://127.0.0.1:4650");
    s.url = "smtp://[::1]:2525";
    CHECK(ad::smtp::check(s).loopback);

    for (const char* bad : {"", "http://example.com", "mail.example.com",
                            "smtp://user:secret@example.com", "smtp://user@example.com",
                            "smtp://example.com/?x=1", "smtp://exa mple.com",
                            "smtp://example.com\r\nRCPT TO:<x@y>"})
      CHECK_MESSAGE(check_status(bad) == ad::Status::kUsage, bad);
  }

  TEST_CASE("a server that is down is a connection failure, status 75") {
    ad::smtp::Settings s;
    s.url = "smtp://127.0.0.1:" + std::to_string(closed_port());
    s.timeout_s = 5;
    try {
      ad::smtp::send(s, "a@example.com", {"b@example.com"}, "Subject: x\r\n\r\nbody\r\n");
      FAIL("expected a SendError");
    } catch (const ad::smtp::SendError& e) {
      CHECK(e.status() == ad::Status::kUnavailable);
      CHECK(e.connection());
      CHECK(std::string(e.what()).find("cannot send mail via smtp://127.0.0.1:") == 0);
    }
  }
}
