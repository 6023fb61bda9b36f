// ad-mail's settings: command line > environment > config file > default. See ad/mail.h.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>

#include "ad/core/error.h"
#include "ad/core/text.h"
#include "ad/mail/config.h"

namespace ad::mail {

namespace {

struct Key {
  const char* name;
  const char* env;  // nullptr: no environment variable
};
constexpr Key kKeys[] = {
    {"smtp", "AD_SMTP_URL"},  {"from", "AD_MAIL_FROM"},    {"to", "AD_MAIL_TO"},
    {"subject", nullptr},     {"cacert", "AD_SMTP_CACERT"}, {"netrc", nullptr},
    {"insecure-no-tls", nullptr}, {"timeout", nullptr},   {"spool", "AD_MAIL_SPOOL"},
    {"state", nullptr},       {"top", nullptr},            {"window", nullptr},
    {"max-per-hour", nullptr}, {"max-attachment", nullptr},
};

bool known(const std::string& key) {
  for (const Key& k : kKeys)
    if (key == k.name) return true;
  return false;
}

struct Setting {
  std::string value;
  std::string source;  // for messages
};

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

void read_config(const std::string& path, std::map<std::string, Setting>& out) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw errno_error("cannot read the config file " + path, errno);
  if (!S_ISREG(st.st_mode)) throw io_error("the config file " + path + " is not a regular file");
  std::ifstream in(path);
  if (!in) throw errno_error("cannot read the config file " + path, errno);
  std::string line;
  std::uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    Location where{path, n, 0, {}};
    auto eq = t.find('=');
    if (eq == std::string::npos)
      throw Error(Status::kUsage, "expected 'key = value'", where);
    std::string key = trim(t.substr(0, eq)), value = trim(t.substr(eq + 1));
    if (key == "user" || key == "password" || key == "username")
      throw Error(Status::kUsage,
                  "credentials are not read from the config file; set AD_SMTP_USER and "
                  "AD_SMTP_PASSWORD, or use ~/.netrc",
                  where);
    if (!known(key)) throw Error(Status::kUsage, "unknown setting " + text::quote(key), where);
    if (value.empty()) throw Error(Status::kUsage, "no value for " + text::quote(key), where);
    out[key] = Setting{value, path + ":" + std::to_string(n)};
  }
  if (in.bad()) throw errno_error("cannot read the config file " + path, errno);
}

long integer(const Setting& s, long lo, long hi) {
  long v = 0;
  auto [p, ec] = std::from_chars(s.value.data(), s.value.data() + s.value.size(), v);
  if (ec != std::errc() || p != s.value.data() + s.value.size() || v < lo || v > hi)
    throw usage_error(s.source + ": expected a whole number from " + std::to_string(lo) + " to " +
                      std::to_string(hi) + ", got " + text::quote(s.value));
  return v;
}

// A size in bytes: a whole number, optionally followed by K or M (KiB, MiB).
std::size_t bytes(const Setting& s, std::size_t lo, std::size_t hi) {
  std::string_view v = s.value;
  std::size_t unit = 1;
  if (!v.empty() && (v.back() == 'K' || v.back() == 'k')) unit = 1u << 10;
  if (!v.empty() && (v.back() == 'M' || v.back() == 'm')) unit = 1u << 20;
  if (unit != 1) v.remove_suffix(1);
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  bool ok = ec == std::errc() && p == v.data() + v.size() && !v.empty() && n <= hi / unit &&
            n * unit >= lo && n * unit <= hi;
  if (!ok)
    throw usage_error(s.source + ": expected a size in bytes (with K or M for KiB or MiB) from " +
                      std::to_string(lo) + " to " + std::to_string(hi >> 20) + "M, got " +
                      text::quote(s.value));
  return n * unit;
}

double seconds(const Setting& s, double lo, double hi) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.value.data(), s.value.data() + s.value.size(), v);
  if (ec != std::errc() || p != s.value.data() + s.value.size() || !std::isfinite(v) || v < lo ||
      v > hi)
    throw usage_error(s.source + ": expected seconds, more than 0 and at most " +
                      std::to_string(static_cast<long>(hi)) + ", got " + text::quote(s.value));
  return v;
}

bool boolean(const Setting& s) {
  const std::string& v = s.value;
  if (v == "yes" || v == "true" || v == "1" || v == "on") return true;
  if (v == "no" || v == "false" || v == "0" || v == "off") return false;
  throw usage_error(s.source + ": expected yes or no, got " + text::quote(v));
}

}  // namespace

std::string find_config(const std::string& config_file,
                        const std::function<const char*(const char*)>& getenv) {
  if (!config_file.empty()) return config_file;
  const char* env = getenv("AD_MAIL_CONFIG");
  if (env && *env) return env;
  std::string user;
  if (const char* x = getenv("XDG_CONFIG_HOME"); x && *x == '/')
    user = std::string(x) + "/ad/mail.conf";
  else if (const char* home = getenv("HOME"); home && *home)
    user = std::string(home) + "/.config/ad/mail.conf";
  for (const std::string& p : {user, std::string("/etc/ad/mail.conf")})
    if (!p.empty() && ::access(p.c_str(), F_OK) == 0) return p;
  return {};
}

Options resolve(const std::map<std::string, std::string>& given, const std::string& config_file,
                const std::function<const char*(const char*)>& getenv) {
  std::map<std::string, Setting> s;
  std::string path = find_config(config_file, getenv);
  if (!path.empty()) read_config(path, s);
  for (const Key& k : kKeys)
    if (k.env)
      if (const char* v = getenv(k.env); v && *v) s[k.name] = Setting{v, k.env};
  for (const auto& [key, value] : given) {
    if (!known(key)) throw Error(Status::kInternal, "unknown setting " + text::quote(key));
    s[key] = Setting{value, "--" + key};
  }

  Options o;
  auto has = [&](const char* key) { return s.count(key) != 0; };
  auto str = [&](const char* key) { return has(key) ? s[key].value : std::string(); };
  o.smtp.url = str("smtp");
  o.from = str("from");
  o.to = str("to");
  if (has("subject")) o.subject = s["subject"].value;
  o.smtp.cacert = str("cacert");
  o.smtp.netrc_file = str("netrc");
  if (has("insecure-no-tls")) o.smtp.insecure_no_tls = boolean(s["insecure-no-tls"]);
  if (has("timeout")) o.smtp.timeout_s = integer(s["timeout"], 1, 3600);
  o.spool = str("spool");
  o.state = str("state");
  if (has("top")) o.top = static_cast<std::size_t>(integer(s["top"], 0, 10000));
  if (has("window")) o.window_s = seconds(s["window"], 0.001, 86400);
  if (has("max-per-hour")) o.max_per_hour = static_cast<int>(integer(s["max-per-hour"], 0, 100000));
  if (has("max-attachment")) o.max_attachment = bytes(s["max-attachment"], 1024, 1024u << 20);

  const char* user = getenv("AD_SMTP_USER");
  const char* password = getenv("AD_SMTP_PASSWORD");
  if (user && *user) o.smtp.user = user;
  if (password && *password) {
    if (o.smtp.user.empty())
      throw usage_error("AD_SMTP_PASSWORD is set but AD_SMTP_USER is not");
    o.smtp.password = password;
  }
  return o;
}

}  // namespace ad::mail
