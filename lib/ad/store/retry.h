// retry.h: ad-store's PostgreSQL session, and how it rides out an outage.
//
// A Session owns one libpqxx connection and runs units of work on it. A unit of work is
// one transaction that may be run again from the start (ad-store's batches are, because
// inserts skip rows already stored). When the server goes away, restarts, is starting
// up, or has too many clients, or the transaction hits a deadlock or a serialization
// failure, the Session drops the connection, waits (0.1 s, doubling up to 5 s) and runs
// the work again, for at most retry_for seconds after the first failure of the outage;
// then it gives up with ad::Error(kUnavailable), exit status 75, "try again later". So a
// batch is committed whole or not at all, and a later run stores exactly what is missing.
//
// The connection string is --db (a libpq "key=value" string or a postgresql:// URL),
// else $DATABASE_URL, else empty, which makes libpq use its own environment and files:
// PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSERVICE, ~/.pgpass. Unless set, the
// Session sets PGCONNECT_TIMEOUT=10 so that an unreachable host cannot stall a connect.
// Each connection gets client_encoding UTF8, standard_conforming_strings on, TimeZone UTC,
// client_min_messages warning (so no NOTICE lines reach stderr) and temp_buffers 128MB
// (so that a batch's staging table stays in memory).
#pragma once

#include <csignal>
#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace pqxx {
class connection_base;
}

namespace ad::store {

// How ad-store treats a failure reported by libpqxx.
enum class Failure {
  kTransient,  // retry: connection lost or refused for now, deadlock, serialization
  kRefused,    // the server refuses us for good: authentication, unknown role or database
  kData,       // the server rejects a value (SQLSTATE class 22)
  kOther,      // anything else: permissions, a bug
};
// connection_open tells whether the connection still works after the failure; any
// failure that closed it is transient.
Failure classify(const std::exception& e, bool connection_open);

// The first line of a libpq/libpqxx message, without "ERROR:  " and trailing blanks.
std::string first_line(const std::string& message);

// Retry delays: 0.1 s, doubling, at most 5 s.
class Backoff {
 public:
  double next();  // seconds to wait before the next attempt
  void reset() { delay_ = 0; }

 private:
  double delay_ = 0;
};

// The connection string: db if not empty, else $DATABASE_URL, else "" (libpq defaults).
std::string connection_string(const std::string& db);
// True if conninfo (key=value or URL) carries a password.
bool has_password(const std::string& conninfo);

struct SessionOptions {
  std::string db;           // see connection_string()
  double retry_for_s = 60;  // how long one outage may last before giving up
};

class Session {
 public:
  using Notify = std::function<void(const std::string&)>;
  // warn: outage start (always shown); note: recovery (progress).
  Session(SessionOptions options, Notify warn, Notify note);
  ~Session();

  // Runs work until it succeeds, retrying as described at the top of this file.
  // Throws ad::Error: kUnavailable (outage longer than retry_for, a refused connection,
  // or a stop requested while waiting), kData (class 22 errors), kIo (other errors).
  void run(const std::function<void(pqxx::connection_base&)>& work);

  // setup runs on every new connection, before work (e.g. to create temp tables).
  void on_connect(std::function<void(pqxx::connection_base&)> setup) { setup_ = std::move(setup); }
  // When *stop becomes non-zero (a signal handler sets it), waiting for the server ends.
  void set_stop(const volatile std::sig_atomic_t* stop) { stop_ = stop; }

 private:
  pqxx::connection_base& connect();
  void drop();
  bool wait(double seconds);  // false if stopped

  SessionOptions options_;
  std::string conninfo_;
  Notify warn_, note_;
  std::function<void(pqxx::connection_base&)> setup_;
  const volatile std::sig_atomic_t* stop_ = nullptr;
  struct Conn;
  std::unique_ptr<Conn> conn_;
};

}  // namespace ad::store
