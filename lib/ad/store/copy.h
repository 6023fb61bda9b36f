// copy.h: PostgreSQL's binary COPY format, and sending it on a transaction's connection.
//
// ad-store sends its batches as binary COPY data (COPY ... FROM STDIN (FORMAT binary)):
// the server then converts no text for the typed columns (bytea, timestamptz, inet,
// double precision, smallint, bigint), which in text format costs it more than a tenth
// of its work per row. The format (PostgreSQL documentation, "COPY", Binary Format):
// an 11-byte signature, two 32-bit words (flags, header extension length: 0 and 0), then
// one tuple per row, a 16-bit field count and per field a 32-bit length (-1 for NULL)
// and the field's bytes in the type's binary ("send") form, then a 16-bit -1. Integers
// are big-endian.
//
// CopyData holds the tuples and writes each type's send form:
//   bytea, text        the bytes as they are (the server checks text is valid UTF-8)
//   jsonb              version byte 1, then the JSON text (the server parses it)
//   timestamptz        microseconds since 2000-01-01 00:00:00 UTC, 64-bit
//   inet               family (2 IPv4, 3 IPv6), prefix bits (32 or 128), 0 (not cidr),
//                      address length, address bytes
//   double precision   IEEE 754, 64-bit;  smallint, bigint: 16- and 64-bit integers
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pqxx {
class dbtransaction;
}

namespace ad::store {

// An IPv4 or IPv6 address as inet_pton reads it.
struct IpAddress {
  int family = 0;  // 4 or 6; 0 = none
  std::array<std::uint8_t, 16> bytes{};
};
// Fills ip and returns true if s is an IPv4 or IPv6 address that PostgreSQL's inet
// accepts (inet_pton; no prefix length).
bool parse_ip_address(std::string_view s, IpAddress& ip);

class CopyData {
 public:
  void begin_tuple(std::int16_t fields);
  void null();
  void bytes(std::string_view b);
  void text(std::string_view s) { bytes(s); }
  void int16(std::int16_t v);
  void int64(std::int64_t v);
  void float8(double v);
  void timestamptz_ms(std::int64_t epoch_ms);  // REQUIRES: within PostgreSQL's range
  void inet(const IpAddress& ip);              // REQUIRES: ip.family is 4 or 6
  // A field written in place: open() starts it and returns its position, close(pos)
  // sets its length to what was appended to buffer() since.
  std::size_t open();
  void close(std::size_t pos);
  std::string& buffer() { return data_; }

  // The tuples written so far, without the signature and trailer; their count.
  const std::string& tuples() const { return data_; }
  std::size_t rows() const { return rows_; }
  // Forgets the tuples and keeps the memory.
  void clear() {
    data_.clear();
    rows_ = 0;
  }

 private:
  void put32(std::uint32_t v);
  std::string data_;
  std::size_t rows_ = 0;
};

// The signature and header, and the trailer, of binary COPY data.
std::string_view copy_header();
std::string_view copy_trailer();

// Runs copy_sql (a COPY ... FROM STDIN (FORMAT binary)) in tx and sends the header, the
// tuples of data and the trailer. Returns the rows the server copied. Throws as libpqxx
// does: pqxx::unique_violation for SQLSTATE 23505, pqxx::sql_error with the SQLSTATE for
// other errors, pqxx::broken_connection when the connection is lost; tx must then be
// aborted.
std::uint64_t copy_in(pqxx::dbtransaction& tx, const std::string& copy_sql, const CopyData& data);

}  // namespace ad::store
