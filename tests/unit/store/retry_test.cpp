#include "ad/store/retry.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <pqxx/except>

using namespace ad::store;

TEST_SUITE("store_retry") {
  TEST_CASE("backoff doubles from 0.1 s up to 5 s") {
    Backoff b;
    CHECK(b.next() == doctest::Approx(0.1));
    CHECK(b.next() == doctest::Approx(0.2));
    CHECK(b.next() == doctest::Approx(0.4));
    for (int i = 0; i < 10; ++i) b.next();
    CHECK(b.next() == doctest::Approx(5.0));
    b.reset();
    CHECK(b.next() == doctest::Approx(0.1));
  }
  TEST_CASE("failures are classified by type and SQLSTATE") {
    CHECK(classify(pqxx::broken_connection("connection to server at \"127.0.0.1\", port 1 failed: "
                                           "Connection refused"), false) == Failure::kTransient);
    CHECK(classify(pqxx::broken_connection("FATAL:  password authentication failed for user \"x\""),
                   false) == Failure::kRefused);
    CHECK(classify(pqxx::broken_connection("FATAL:  database \"nope\" does not exist"), false) ==
          Failure::kRefused);
    CHECK(classify(pqxx::sql_error("terminating connection", "", "57P01"), true) == Failure::kTransient);
    CHECK(classify(pqxx::sql_error("too many clients", "", "53300"), true) == Failure::kTransient);
    CHECK(classify(pqxx::sql_error("bad", "", "22P02"), true) == Failure::kData);
    CHECK(classify(pqxx::sql_error("permission denied", "", "42501"), true) == Failure::kOther);
    CHECK(classify(pqxx::sql_error("permission denied", "", "42501"), false) == Failure::kTransient);
    CHECK(classify(pqxx::deadlock_detected("deadlock"), true) == Failure::kTransient);
    CHECK(classify(pqxx::in_doubt_error("?"), false) == Failure::kTransient);
    CHECK(classify(pqxx::failure("copy failed"), false) == Failure::kTransient);
    CHECK(classify(pqxx::failure("copy failed"), true) == Failure::kOther);
  }
  TEST_CASE("first_line keeps one line without the severity prefix") {
    CHECK(first_line("ERROR:  relation \"x\" does not exist\nLINE 1: ...") ==
          "relation \"x\" does not exist");
    CHECK(first_line("connection refused\n\tIs the server running?") == "connection refused");
  }
  TEST_CASE("the connection string: --db, else DATABASE_URL, else libpq's environment") {
    ::setenv("DATABASE_URL", "postgresql://h/db", 1);
    CHECK(connection_string("host=x") == "host=x");
    CHECK(connection_string("") == "postgresql://h/db");
    ::unsetenv("DATABASE_URL");
    CHECK(connection_string("") == "");
  }
  TEST_CASE("passwords in connection strings are noticed") {
    CHECK(has_password("postgresql://u:secret@h/db"));
    CHECK(has_password("host=h password=secret"));
    CHECK_FALSE(has_password("postgresql://u@h/db"));
    CHECK_FALSE(has_password("host=h"));
    CHECK_FALSE(has_password(""));
    CHECK_FALSE(has_password("this is not a connection string"));
  }
}
