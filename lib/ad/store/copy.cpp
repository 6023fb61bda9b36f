#include "ad/store/copy.h"

#include <arpa/inet.h>
#include <libpq-fe.h>

#include <cstring>
#include <pqxx/pqxx>

namespace ad::store {

namespace {

// Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01 00:00:00 UTC.
constexpr std::int64_t kPostgresEpochUs = 946684800000000;
constexpr std::size_t kSendChunk = 1u << 20;

// libpqxx keeps the libpq connection to itself; largeobject lends it to derived classes.
struct RawConnection : pqxx::largeobject {
  static PGconn* of(const pqxx::dbtransaction& tx) { return raw_connection(tx); }
};

// Throws what libpqxx would for a failed result r (which it clears) on conn.
[[noreturn]] void fail(PGconn* conn, PGresult* r, const std::string& sql) {
  std::string message = r ? PQresultErrorMessage(r) : "";
  if (message.empty()) message = PQerrorMessage(conn);
  const char* s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string state = s ? s : "";
  if (r) PQclear(r);
  if (PQstatus(conn) != CONNECTION_OK) throw pqxx::broken_connection(message);
  if (state == "23505") throw pqxx::unique_violation(message, sql, state.c_str());
  throw pqxx::sql_error(message, sql, state.empty() ? nullptr : state.c_str());
}

void send(PGconn* conn, std::string_view bytes, const std::string& sql) {
  for (std::size_t at = 0; at < bytes.size(); at += kSendChunk) {
    auto n = static_cast<int>(std::min(kSendChunk, bytes.size() - at));
    if (PQputCopyData(conn, bytes.data() + at, n) != 1) fail(conn, nullptr, sql);
  }
}

}  // namespace

bool parse_ip_address(std::string_view s, IpAddress& ip) {
  if (s.empty() || s.size() > 45) return false;
  char buf[48];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  if (::inet_pton(AF_INET, buf, ip.bytes.data()) == 1) {
    ip.family = 4;
    return true;
  }
  if (::inet_pton(AF_INET6, buf, ip.bytes.data()) == 1) {
    ip.family = 6;
    return true;
  }
  ip.family = 0;
  return false;
}

void CopyData::put32(std::uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  data_.append(b, 4);
}

void CopyData::begin_tuple(std::int16_t fields) {
  auto v = static_cast<std::uint16_t>(fields);
  data_.push_back(static_cast<char>(v >> 8));
  data_.push_back(static_cast<char>(v));
  ++rows_;
}

void CopyData::null() { put32(0xffffffffu); }

void CopyData::bytes(std::string_view b) {
  put32(static_cast<std::uint32_t>(b.size()));
  data_.append(b.data(), b.size());
}

void CopyData::int16(std::int16_t v) {
  put32(2);
  auto u = static_cast<std::uint16_t>(v);
  data_.push_back(static_cast<char>(u >> 8));
  data_.push_back(static_cast<char>(u));
}

void CopyData::int64(std::int64_t v) {
  put32(8);
  auto u = static_cast<std::uint64_t>(v);
  put32(static_cast<std::uint32_t>(u >> 32));
  put32(static_cast<std::uint32_t>(u));
}

void CopyData::float8(double v) {
  std::uint64_t u;
  std::memcpy(&u, &v, 8);
  int64(static_cast<std::int64_t>(u));
}

void CopyData::timestamptz_ms(std::int64_t epoch_ms) { int64(epoch_ms * 1000 - kPostgresEpochUs); }

void CopyData::inet(const IpAddress& ip) {
  bool v4 = ip.family == 4;
  std::size_t n = v4 ? 4 : 16;
  put32(static_cast<std::uint32_t>(4 + n));
  data_.push_back(v4 ? 2 : 3);
  data_.push_back(static_cast<char>(v4 ? 32 : 128));
  data_.push_back(0);
  data_.push_back(static_cast<char>(n));
  data_.append(reinterpret_cast<const char*>(ip.bytes.data()), n);
}

std::size_t CopyData::open() {
  std::size_t pos = data_.size();
  put32(0);
  return pos;
}

void CopyData::close(std::size_t pos) {
  auto n = static_cast<std::uint32_t>(data_.size() - pos - 4);
  for (int i = 0; i < 4; ++i) data_[pos + i] = static_cast<char>(n >> (24 - 8 * i));
}

std::string_view copy_header() {
  static constexpr char kHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
  return std::string_view(kHeader, 19);
}

std::string_view copy_trailer() { return std::string_view("\377\377", 2); }

std::uint64_t copy_in(pqxx::dbtransaction& tx, const std::string& copy_sql, const CopyData& data) {
  PGconn* conn = RawConnection::of(tx);
  PGresult* r = PQexec(conn, copy_sql.c_str());
  if (PQresultStatus(r) != PGRES_COPY_IN) fail(conn, r, copy_sql);
  PQclear(r);
  send(conn, copy_header(), copy_sql);
  send(conn, data.tuples(), copy_sql);
  send(conn, copy_trailer(), copy_sql);
  if (PQputCopyEnd(conn, nullptr) != 1) fail(conn, nullptr, copy_sql);
  r = PQgetResult(conn);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    while (PGresult* more = PQgetResult(conn)) PQclear(more);
    fail(conn, r, copy_sql);
  }
  std::uint64_t rows = std::strtoull(PQcmdTuples(r), nullptr, 10);
  PQclear(r);
  while (PGresult* more = PQgetResult(conn)) PQclear(more);
  return rows;
}

}  // namespace ad::store
