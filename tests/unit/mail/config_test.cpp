#include "ad/mail/config.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "ad/core/error.h"
#include "testutil.h"

namespace {

using testutil::TempDir;

// A fake environment for resolve().
struct Env {
  std::map<std::string, std::string> vars;
  std::function<const char*(const char*)> fn() const {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

std::string usage_message(const std::map<std::string, std::string>& given, const std::string& config,
                          const Env& env) {
  try {
    ad::mail::resolve(given, config, env.fn());
  } catch (const ad::Error& e) {
    if (e.status() == ad::Status::kUsage) return e.what();
    return "status " + std::to_string(static_cast<int>(e.status()));
  }
  return "";
}

}  // namespace

TEST_SUITE("mail config") {
  TEST_CASE("precedence: command line > environment > config file > default") {
    TempDir tmp;
    std::string conf = tmp.path + "/mail.conf";
    std::ofstream(conf) << "# ad-mail settings\n"
                           "smtp = smtp://conf.example.com\n"
                           "from = conf@example.com\n"
                           "to   = a@example.com, b@example.com\n"
                           "\n"
                           "window = 30\n"
                           "top = 5\n";
    Env env;
    env.vars = {{"AD_MAIL_CONFIG", conf}, {"AD_MAIL_FROM", "env@example.com"},
                {"AD_SMTP_URL", "smtp://env.example.com"}};
    auto o = ad::mail::resolve({{"smtp", "smtps://cli.example.com"}}, "", env.fn());
    CHECK(o.smtp.url == "smtps://cli.example.com");
    CHECK(o.from == "env@example.com");
    CHECK(o.to == "a@example.com, b@example.com");
    CHECK(o.window_s == 30);
    CHECK(o.top == 5);
    CHECK(o.max_per_hour == 10);  // default
    CHECK(o.subject == "[ad]");
    CHECK(o.smtp.user.empty());
  }

  TEST_CASE("the config file: explicit, then AD_MAIL_CONFIG, then XDG or ~/.config") {
    TempDir tmp;
    Env env;
    env.vars = {{"HOME", tmp.path}};
    CHECK(ad::mail::find_config("", env.fn()) == "");
    std::system(("mkdir -p " + tmp.path + "/.config/ad").c_str());
    std::ofstream(tmp.path + "/.config/ad/mail.conf") << "top = 3\n";
    CHECK(ad::mail::find_config("", env.fn()) == tmp.path + "/.config/ad/mail.conf");
    CHECK(ad::mail::resolve({}, "", env.fn()).top == 3);
    env.vars["XDG_CONFIG_HOME"] = tmp.path + "/xdg";
    CHECK(ad::mail::find_config("", env.fn()) == "");
    env.vars["AD_MAIL_CONFIG"] = tmp.path + "/missing.conf";
    CHECK(ad::mail::find_config("", env.fn()) == tmp.path + "/missing.conf");
    CHECK(usage_message({}, "", env) == "status 3");  // named, so it must exist
    CHECK(ad::mail::find_config("/x.conf", env.fn()) == "/x.conf");
  }

  TEST_CASE("bad settings name where they came from") {
    TempDir tmp;
    std::string conf = tmp.path + "/mail.conf";
    Env env;
    std::ofstream(conf) << "smtp = smtp://x\nbogus = 1\n";
    CHECK(usage_message({}, conf, env) == conf + ":2: unknown setting 'bogus'");
    std::ofstream(conf) << "password = hunter2\n";
    CHECK(usage_message({}, conf, env).find(conf + ":1: credentials are not read") == 0);
    std::ofstream(conf) << "window\n";
    CHECK(usage_message({}, conf, env) == conf + ":1: expected 'key = value'");
    std::ofstream(conf) << "window = soon\n";
    CHECK(usage_message({}, conf, env).find(conf + ":1: expected seconds") == 0);
    CHECK(usage_message({{"max-per-hour", "-1"}}, "", env).find("--max-per-hour: expected a whole") == 0);
    CHECK(usage_message({{"window", "0"}}, "", env).find("--window: expected seconds") == 0);
    CHECK(usage_message({{"insecure-no-tls", "maybe"}}, "", env).find("--insecure-no-tls:") == 0);
  }

  TEST_CASE("max-attachment: bytes, K or M, within 1K and 1024M") {
    Env env;
    CHECK(ad::mail::resolve({}, "", env.fn()).max_attachment == 4u << 20);
    CHECK(ad::mail::resolve({{"max-attachment", "2048"}}, "", env.fn()).max_attachment == 2048);
    CHECK(ad::mail::resolve({{"max-attachment", "64K"}}, "", env.fn()).max_attachment == 64u << 10);
    CHECK(ad::mail::resolve({{"max-attachment", "10M"}}, "", env.fn()).max_attachment == 10u << 20);
    for (const char* bad : {"", "1000", "M", "1.5M", "2G", "1025M", "-1K", "99999999999999999999M"})
      CHECK(usage_message({{"max-attachment", bad}}, "", env)
                .find("--max-attachment: expected a size in bytes") == 0);
  }

  TEST_CASE("credentials come from the environment only") {
    Env env;
    env.vars = {{"AD_SMTP_USER", "alice"}, {"AD_SMTP_PASSWORD", "s3cret"}};
    auto o = ad::mail::resolve({}, "", env.fn());
    CHECK(o.smtp.user == "alice");
    CHECK(o.smtp.password == "s3cret");
    env.vars = {{"AD_SMTP_PASSWORD", "s3cret"}};
    CHECK(usage_message({}, "", env) == "AD_SMTP_PASSWORD is set but AD_SMTP_USER is not");
  }
}
