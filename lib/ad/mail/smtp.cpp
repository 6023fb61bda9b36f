// Sending mail with libcurl's SMTP support. See ad/smtp.h.
#include "ad/mail/smtp.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

namespace ad::smtp {

namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// Returns the URL part, or "" when it is absent.
std::string url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, flags) != CURLUE_OK || !value) return {};
  std::string s(value);
  curl_free(value);
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  std::string_view data;
  std::size_t pos = 0;
};

extern "C" size_t read_message(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  std::size_t n = std::min(size * count, up->data.size() - up->pos);
  std::memcpy(buffer, up->data.data() + up->pos, n);
  up->pos += n;
  return n;
}

bool is_connection_failure(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_USE_SSL_FAILED:
    case CURLE_LOGIN_DENIED:
    case CURLE_AUTH_ERROR:
    case CURLE_GOT_NOTHING:
      return true;
    default:
      return false;
  }
}

#define AD_SETOPT(handle, option, value)                                           \
  do {                                                                             \
    if (CURLcode rc_ = curl_easy_setopt(handle, option, value); rc_ != CURLE_OK)   \
      throw Error(Status::kInternal, std::string("libcurl refused " #option ": ") + \
                                         curl_easy_strerror(rc_));                 \
  } while (0)

}  // namespace

bool is_loopback_host(std::string_view host) {
  std::string h = lower(std::string(host));
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h == "localhost" || h == "localhost.") return true;
  unsigned char buf[16];
  if (::inet_pton(AF_INET, h.c_str(), buf) == 1) return buf[0] == 127;
  if (::inet_pton(AF_INET6, h.c_str(), buf) == 1) {
    static const unsigned char kLoop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return std::memcmp(buf, kLoop, 16) == 0;
  }
  return false;
}

Target check(const Settings& settings) {
  const std::string& url = settings.url;
  if (url.empty()) throw usage_error("no SMTP server given (--smtp smtp://host[:port])");
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F)
      throw usage_error("--smtp: the URL must not hold spaces or control characters");
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (!u) throw std::bad_alloc();
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK)
    throw usage_error("--smtp: '" + url + "' is not a URL (" + curl_url_strerror(rc) +
                      "); use smtp://host[:port] or smtps://host[:port]");
  Target t;
  std::string scheme = lower(url_part(u.get(), CURLUPART_SCHEME));
  if (scheme != "smtp" && scheme != "smtps")
    throw usage_error("--smtp: unsupported scheme '" + scheme + "'; use smtp:// or smtps://");
  t.implicit_tls = scheme == "smtps";
  if (!url_part(u.get(), CURLUPART_USER).empty() || !url_part(u.get(), CURLUPART_PASSWORD).empty())
    throw usage_error(
        "--smtp: the URL must not hold a user name or password; set AD_SMTP_USER and "
        "AD_SMTP_PASSWORD or use ~/.netrc");
  if (!url_part(u.get(), CURLUPART_QUERY).empty() || !url_part(u.get(), CURLUPART_FRAGMENT).empty())
    throw usage_error("--smtp: the URL must not hold a query or fragment");
  t.host = url_part(u.get(), CURLUPART_HOST);
  if (t.host.empty()) throw usage_error("--smtp: the URL names no host");
  t.loopback = is_loopback_host(t.host);
  t.display = scheme + "://" + t.host + ":" + url_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  return t;
}

void send(const Settings& settings, const std::string& from, const std::vector<std::string>& to,
          std::string_view message) {
  Target target = check(settings);
  global_init();
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) throw std::bad_alloc();
  CURL* c = curl.get();

  std::unique_ptr<curl_slist, ListDeleter> rcpt;
  for (const std::string& r : to) {
    curl_slist* next = curl_slist_append(rcpt.get(), ("<" + r + ">").c_str());
    if (!next) throw std::bad_alloc();
    rcpt.release();
    rcpt.reset(next);
  }
  std::string mail_from = "<" + from + ">";
  Upload upload{message, 0};
  char errbuf[CURL_ERROR_SIZE] = "";

  AD_SETOPT(c, CURLOPT_URL, settings.url.c_str());
  AD_SETOPT(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  AD_SETOPT(c, CURLOPT_NOSIGNAL, 1L);
  AD_SETOPT(c, CURLOPT_ERRORBUFFER, errbuf);
  AD_SETOPT(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  AD_SETOPT(c, CURLOPT_MAIL_RCPT, rcpt.get());
  AD_SETOPT(c, CURLOPT_UPLOAD, 1L);
  AD_SETOPT(c, CURLOPT_READFUNCTION, read_message);
  AD_SETOPT(c, CURLOPT_READDATA, &upload);
  AD_SETOPT(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  if (!target.implicit_tls) {
    bool required = !target.loopback && !settings.insecure_no_tls;
    AD_SETOPT(c, CURLOPT_USE_SSL, required ? static_cast<long>(CURLUSESSL_ALL)
                                           : static_cast<long>(CURLUSESSL_TRY));
  }
  AD_SETOPT(c, CURLOPT_SSL_VERIFYPEER, 1L);
  AD_SETOPT(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!settings.cacert.empty()) AD_SETOPT(c, CURLOPT_CAINFO, settings.cacert.c_str());
  AD_SETOPT(c, CURLOPT_CONNECTTIMEOUT, settings.timeout_s);
  AD_SETOPT(c, CURLOPT_LOW_SPEED_LIMIT, 1L);  // abort a transfer stalled for timeout_s
  AD_SETOPT(c, CURLOPT_LOW_SPEED_TIME, settings.timeout_s);
  if (!settings.user.empty()) AD_SETOPT(c, CURLOPT_USERNAME, settings.user.c_str());
  if (!settings.password.empty()) AD_SETOPT(c, CURLOPT_PASSWORD, settings.password.c_str());
  if (settings.password.empty()) {
    AD_SETOPT(c, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
    if (!settings.netrc_file.empty()) AD_SETOPT(c, CURLOPT_NETRC_FILE, settings.netrc_file.c_str());
  }

  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    std::string why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    while (!why.empty() && (why.back() == '\n' || why.back() == '\r')) why.pop_back();
    for (char& ch : why)
      if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
    long reply = 0;
    if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply) == CURLE_OK && reply >= 400 &&
        why.find(std::to_string(reply)) == std::string::npos)
      why += " (server reply " + std::to_string(reply) + ")";
    if (rc == CURLE_USE_SSL_FAILED)
      why += " (the server does not offer STARTTLS; use smtps://, or --insecure-no-tls to "
             "send in clear text)";
    throw SendError("cannot send mail via " + target.display + ": " + why,
                    is_connection_failure(rc));
  }
}

}  // namespace ad::smtp
