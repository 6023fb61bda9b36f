#include "ad/store/retry.h"

#include <libpq-fe.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <pqxx/pqxx>

#include "ad/core/error.h"

namespace ad::store {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// A connection attempt that will not succeed by waiting.
bool refused_for_good(const std::string& message) {
  return contains(message, "authentication failed") || contains(message, "no pg_hba.conf entry") ||
         contains(message, "does not exist") || contains(message, "no password supplied") ||
         contains(message, "permission denied") || contains(message, "invalid connection option") ||
         contains(message, "invalid URI") || contains(message, "missing \"=\"") ||
         contains(message, "could not translate host name") || contains(message, "invalid port");
}

Failure classify_state(const std::string& state) {
  if (starts_with(state, "08") || starts_with(state, "53") || starts_with(state, "40") ||
      state == "57P01" || state == "57P02" || state == "57P03")
    return Failure::kTransient;
  if (starts_with(state, "28") || state == "3D000") return Failure::kRefused;
  if (starts_with(state, "22")) return Failure::kData;
  return Failure::kOther;
}

}  // namespace

std::string first_line(const std::string& message) {
  std::string s = message.substr(0, message.find('\n'));
  if (starts_with(s, "ERROR:")) s.erase(0, 6);
  if (starts_with(s, "FATAL:")) s.erase(0, 6);
  s.erase(0, std::min(s.find_first_not_of(" \t"), s.size()));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

Failure classify(const std::exception& e, bool connection_open) {
  if (auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    Failure f = classify_state(sql->sqlstate());
    if (f == Failure::kOther && !connection_open) return Failure::kTransient;
    return f;
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e))
    return refused_for_good(e.what()) ? Failure::kRefused : Failure::kTransient;
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) ||
      dynamic_cast<const pqxx::transaction_rollback*>(&e))
    return Failure::kTransient;
  return connection_open ? Failure::kOther : Failure::kTransient;
}

double Backoff::next() {
  delay_ = delay_ == 0 ? 0.1 : std::min(5.0, delay_ * 2);
  return delay_;
}

std::string connection_string(const std::string& db) {
  if (!db.empty()) return db;
  const char* url = std::getenv("DATABASE_URL");
  return url ? url : "";
}

bool has_password(const std::string& conninfo) {
  if (conninfo.empty()) return false;
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (err) PQfreemem(err);
  if (!options) return false;
  bool found = false;
  for (auto* o = options; o->keyword; ++o)
    if (std::string(o->keyword) == "password" && o->val && *o->val) found = true;
  PQconninfoFree(options);
  return found;
}

struct Session::Conn {
  explicit Conn(const std::string& conninfo) : c(conninfo) {}
  pqxx::connection c;
};

Session::Session(SessionOptions options, Notify warn, Notify note)
    : options_(std::move(options)), warn_(std::move(warn)), note_(std::move(note)) {
  conninfo_ = connection_string(options_.db);
  ::setenv("PGCONNECT_TIMEOUT", "10", 0);
}

Session::~Session() = default;

pqxx::connection_base& Session::connect() {
  if (conn_ && conn_->c.is_open()) return conn_->c;
  conn_.reset();
  auto fresh = std::make_unique<Conn>(conninfo_);
  {
    pqxx::nontransaction n(fresh->c);
    n.exec(
        "SET temp_buffers = '128MB'; SET client_encoding = 'UTF8';"
        " SET standard_conforming_strings = on;"
        " SET TimeZone = 'UTC'; SET client_min_messages = warning");
  }
  conn_ = std::move(fresh);
  if (setup_) setup_(conn_->c);
  return conn_->c;
}

void Session::drop() { conn_.reset(); }

bool Session::wait(double seconds) {
  auto until = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                   std::chrono::duration<double>(seconds));
  for (;;) {
    if (stop_ && *stop_) return false;
    auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return true;
    auto step = std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(100));
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(step).count();
    struct timespec ts {
      static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)
    };
    ::nanosleep(&ts, nullptr);  // a signal cuts it short; the loop checks stop_
  }
}

void Session::run(const std::function<void(pqxx::connection_base&)>& work) {
  using clock = std::chrono::steady_clock;
  Backoff backoff;
  bool failing = false;
  clock::time_point first_failure;
  for (;;) {
    std::string message;
    Failure failure;
    try {
      work(connect());
      if (failing) note_("PostgreSQL is back; carrying on");
      return;
    } catch (const pqxx::pqxx_exception& e) {
      bool open = conn_ && conn_->c.is_open();
      failure = classify(e.base(), open);
      message = first_line(e.base().what());
    }
    switch (failure) {
      case Failure::kTransient: break;
      case Failure::kRefused:
        drop();
        throw Error(Status::kUnavailable, "PostgreSQL refused the connection: " + message);
      case Failure::kData:
        throw data_error("PostgreSQL rejected a value: " + message);
      case Failure::kOther:
        throw io_error("PostgreSQL: " + message);
    }
    drop();
    auto now = clock::now();
    if (!failing) {
      failing = true;
      first_failure = now;
      warn_("PostgreSQL unavailable (" + message + "); retrying for up to " +
            std::to_string(static_cast<long>(std::ceil(options_.retry_for_s))) + " s");
    }
    double waited = std::chrono::duration<double>(now - first_failure).count();
    double left = options_.retry_for_s - waited;
    if (left <= 0)
      throw Error(Status::kUnavailable,
                  "PostgreSQL unavailable for " + std::to_string(static_cast<long>(std::lround(waited))) +
                      " s, giving up: " + message);
    if (!wait(std::min(backoff.next(), left)))
      throw Error(Status::kUnavailable, "stopped while waiting for PostgreSQL: " + message);
  }
}

}  // namespace ad::store
