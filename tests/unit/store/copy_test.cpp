#include "ad/store/copy.h"

#include <doctest/doctest.h>

using namespace ad::store;

namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

}  // namespace

TEST_SUITE("store_copy") {
  TEST_CASE("the header and trailer are PostgreSQL's binary COPY signature, flags and end mark") {
    CHECK(copy_header() == std::string_view("PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19));
    CHECK(copy_trailer() == bytes({0xff, 0xff}));
  }
  TEST_CASE("tuples: a field count, then a length and the bytes per field, -1 for NULL") {
    CopyData d;
    d.begin_tuple(3);
    d.null();
    d.text("ab");
    d.int16(-2);
    CHECK(d.rows() == 1);
    CHECK(d.tuples() == bytes({0, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, 'a', 'b', 0, 0, 0, 2, 0xff, 0xfe}));
    d.clear();
    CHECK(d.rows() == 0);
    CHECK(d.tuples().empty());
  }
  TEST_CASE("integers and doubles are big-endian") {
    CopyData d;
    d.int64(0x0102030405060708);
    CHECK(d.tuples() == bytes({0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}));
    d.clear();
    d.float8(1.0);  // 0x3ff0000000000000
    CHECK(d.tuples() == bytes({0, 0, 0, 8, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0}));
  }
  TEST_CASE("timestamptz counts microseconds from 2000-01-01 UTC") {
    CopyData d;
    d.timestamptz_ms(946684800000 + 1);  // 2000-01-01T00:00:00.001Z
    CHECK(d.tuples() == bytes({0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x03, 0xe8}));
    d.clear();
    d.timestamptz_ms(946684800000 - 1000);  // one second before: -1000000
    CHECK(d.tuples() == bytes({0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0xbd, 0xc0}));
  }
  TEST_CASE("inet: family, bits, not cidr, length, address") {
    IpAddress ip;
    REQUIRE(parse_ip_address("10.1.2.3", ip));
    CHECK(ip.family == 4);
    CopyData d;
    d.inet(ip);
    CHECK(d.tuples() == bytes({0, 0, 0, 8, 2, 32, 0, 4, 10, 1, 2, 3}));
    REQUIRE(parse_ip_address("2001:db8::1", ip));
    CHECK(ip.family == 6);
    d.clear();
    d.inet(ip);
    CHECK(d.tuples() == bytes({0, 0, 0, 20, 3, (char)128, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                               0, 0, 1}));
    CHECK_FALSE(parse_ip_address("10.0.0.256", ip));
    CHECK(ip.family == 0);
    CHECK_FALSE(parse_ip_address("10.0.0.0/8", ip));
    CHECK_FALSE(parse_ip_address("", ip));
  }
  TEST_CASE("a field written in place gets its length when closed") {
    CopyData d;
    auto at = d.open();
    d.buffer() += "\1{}";
    d.close(at);
    d.text("x");
    CHECK(d.tuples() == bytes({0, 0, 0, 3, 1, '{', '}', 0, 0, 0, 1, 'x'}));
  }
}
