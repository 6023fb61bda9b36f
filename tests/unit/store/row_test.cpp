#include "ad/store/row.h"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>

#include "ad/core/error.h"
#include "ad/core/sha256.h"
#include "testutil.h"

using namespace ad::store;

namespace {

const std::vector<std::string> kRich = {"event_id", "timestamp", "user_id", "ip_address", "country",
                                        "city", "status", "anomaly_score", "anomaly_flag",
                                        "severity", "anomaly_reasons"};
const std::vector<std::string> kProto = {"user_id", "timestamp", "activity_type", "ip_address",
                                         "location", "anomaly_score", "anomaly_flag", "severity",
                                         "anomaly_reasons"};

}  // namespace

TEST_SUITE("store_row") {
  TEST_CASE("JSON strings escape quotes, backslashes and control characters only") {
    std::string out;
    append_json_string(out, "a\"b\\c\n\t\x01\x1f\x7f<script>é");
    CHECK(out == "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\x7f<script>é\"");
    out.clear();
    append_json_string(out, "");
    CHECK(out == "\"\"");
  }
  TEST_CASE("JSON strings: every byte at every place of a long string, against a byte-wise escape") {
    auto reference = [](std::string_view s) {
      std::string r = "\"";
      for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '"') r += "\\\"";
        else if (c == '\\') r += "\\\\";
        else if (c == '\n') r += "\\n";
        else if (c == '\t') r += "\\t";
        else if (c == '\r') r += "\\r";
        else if (c < 0x20) r += fmt::format("\\u{:04x}", c);
        else r.push_back(ch);
      }
      return r + "\"";
    };
    for (std::size_t length : {1u, 15u, 16u, 17u, 31u, 32u, 33u, 40u})
      for (std::size_t at = 0; at < length; ++at)
        for (int c = 0; c < 256; ++c) {
          std::string s(length, 'x');
          s[at] = static_cast<char>(c);
          std::string out = "prefix";
          append_json_string(out, s);
          REQUIRE(out == "prefix" + reference(s));
        }
  }
  TEST_CASE("IP addresses that inet accepts") {
    CHECK(is_ip_address("10.0.0.1"));
    CHECK(is_ip_address("2001:db8::1"));
    CHECK(is_ip_address("::ffff:1.2.3.4"));
    CHECK_FALSE(is_ip_address(""));
    CHECK_FALSE(is_ip_address("10.0.0.256"));
    CHECK_FALSE(is_ip_address("10.0.0.1; DROP TABLE x"));
    CHECK_FALSE(is_ip_address("localhost"));
    CHECK_FALSE(is_ip_address(std::string(60, '1')));
  }
  TEST_CASE("layouts place the text core columns and keep the rest in extra") {
    auto l = make_layout(kRich, ad::Roles::find(kRich));
    CHECK(l.placement == std::vector<std::string>{"event_id", "", "user_id", "", "location", "", "",
                                                  "", "", "", "anomaly_reasons"});
    CHECK(l.id == layout_id(l.header, l.placement));
    auto p = make_layout(kProto, ad::Roles::find(kProto));
    CHECK(p.placement[0] == "user_id");
    CHECK(p.placement[4] == "location");
    CHECK(p.id != l.id);
  }
  TEST_CASE("a header naming a column twice is a data error at line 1") {
    std::vector<std::string> h{"user_id", "x", "x"};
    try {
      make_layout(h, ad::Roles::find(h), "in.csv");
      FAIL("no error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kData);
      CHECK(std::string(e.what()).find("in.csv:1:3:") == 0);
    }
  }
  TEST_CASE("rows encode typed columns, NULL for what does not parse, verbatim text in extra") {
    RowEncoder enc(kRich, ad::Roles::find(kRich), "in.csv");
    auto row = testutil::make_row({"e1", "2025-01-01 04:02:00", "alice", "not-an-ip", "NO", "Oslo", "success",
                         "0.912345", "1", "99.5", "new country; \"quoted\""});
    EncodedRow out;
    enc.encode(row, out);
    // A new table's key: the time (2025-01-01T04:02:00Z, sign bit flipped), then the hash.
    REQUIRE(out.key_size == 24);
    CHECK(std::vector<std::uint8_t>(out.key.begin(), out.key.begin() + 8) ==
          std::vector<std::uint8_t>{0x80, 0x00, 0x01, 0x94, 0x20, 0x07, 0x0A, 0xC0});
    auto hash = enc.key(row);
    CHECK(std::equal(hash.begin(), hash.end(), out.key.begin() + 8));
    CHECK(out.text[1] == "e1");
    CHECK(out.time_ms == 1735704120000);  // 2025-01-01T04:02:00Z
    CHECK(out.text[3] == "alice");
    CHECK(out.null[4]);  // not an IP
    CHECK(out.text[5] == "NO");
    CHECK(out.score == 0.912345);
    CHECK(out.flag);
    CHECK(out.severity == 99.5);
    CHECK(out.text[9] == "new country; \"quoted\"");
    // In jsonb's key order: shorter names first, then by bytes.
    CHECK(out.text[10] ==
          "{\"city\":\"Oslo\",\"status\":\"success\",\"severity\":\"99.5\",\"timestamp\":\"2025-01-01 04:02:00\","
          "\"ip_address\":\"not-an-ip\",\"anomaly_flag\":\"1\",\"anomaly_score\":\"0.912345\"}");
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 7, 8, 9, 10}) CHECK_FALSE(out.null[i]);
    enc.encode(testutil::make_row({"e2", "2025-01-01 04:02:00", "bob", "2001:db8::1", "", "", "", "0", "0", "0", ""}),
               out);
    CHECK_FALSE(out.null[4]);
    CHECK(out.ip.family == 6);
    CHECK(out.ip.bytes[0] == 0x20);
    CHECK(out.ip.bytes[15] == 1);
    CHECK_FALSE(out.flag);
  }
  TEST_CASE("incident columns: typed, NULL when empty, the score's text kept in extra") {
    auto h = kRich;
    for (const char* c : {"incident_id", "incident_score", "incident_kind"}) h.emplace_back(c);
    RowEncoder enc(h, ad::Roles::find(h), "in.csv");
    CHECK(enc.layout().placement[11] == "incident_id");
    CHECK(enc.layout().placement[12] == "");
    CHECK(enc.layout().placement[13] == "incident_kind");
    EncodedRow out;
    enc.encode(testutil::make_row({"e1", "2025-01-01 04:02:00", "alice", "10.0.0.1", "NO", "", "failure", "0.9",
                         "1", "99.5", "r", "I-20250101T040200-0123abcd", "65", "brute_force"}),
                out);
    REQUIRE(kStagingColumns[11] == std::string("incident_id"));
    CHECK(out.text[11] == "I-20250101T040200-0123abcd");
    CHECK(out.incident_score == 65);
    CHECK(out.text[13] == "brute_force");
    for (std::size_t i : {11, 12, 13}) CHECK_FALSE(out.null[i]);
    CHECK(out.text[10].find("\"incident_score\":\"65\"") != std::string::npos);
    CHECK(out.text[10].find("incident_id") == std::string::npos);  // kept in its column
    // An unflagged row outside any incident: no incident at all.
    enc.encode(testutil::make_row({"e2", "2025-01-01 04:03:00", "bob", "10.0.0.2", "NO", "", "success", "0.1",
                         "0", "10", "", "", "", ""}),
               out);
    for (std::size_t i : {11, 12, 13}) CHECK(out.null[i]);
    // Input without the incident columns: NULLs, the layout as before.
    RowEncoder plain(kRich, ad::Roles::find(kRich), "in.csv");
    plain.encode(testutil::make_row({"e1", "2025-01-01 04:02:00", "alice", "10.0.0.1", "NO", "", "failure",
                           "0.9", "1", "99.5", "r"}),
                 out);
    for (std::size_t i : {11, 12, 13}) CHECK(out.null[i]);
    CHECK(plain.layout().id == layout_id(kRich, {"event_id", "", "user_id", "", "location", "", "",
                                                 "", "", "", "anomaly_reasons"}));
  }
  TEST_CASE("a bad incident_score is a data error at its column") {
    auto h = kRich;
    for (const char* c : {"incident_id", "incident_score", "incident_kind"}) h.emplace_back(c);
    RowEncoder enc(h, ad::Roles::find(h), "in.csv");
    EncodedRow out;
    CHECK_THROWS_AS(enc.encode(testutil::make_row({"e1", "2025-01-01", "a", "", "", "", "", "0.9", "1", "99",
                                         "", "I-x", "lots", "brute_force"}),
                               out),
                    ad::Error);
  }
  TEST_CASE("unscored rows and missing roles give NULLs, empty fields stay out of extra") {
    std::vector<std::string> h{"who", "anomaly_score", "anomaly_flag", "severity", "anomaly_reasons"};
    RowEncoder enc(h, ad::Roles::find(h), "in.csv");
    auto row = testutil::make_row({"x", "", "", "", ""});
    EncodedRow out;
    enc.encode(row, out);
    CHECK(out.null[1]);   // no id column
    CHECK(out.null[2]);   // no time column
    CHECK(out.null[3]);   // no user column ("who" is not a known name)
    CHECK(out.null[6]);
    CHECK(out.null[7]);
    CHECK(out.null[8]);
    CHECK_FALSE(out.null[9]);  // the reasons column is there, empty
    CHECK(out.text[9].empty());
    CHECK(out.text[10] == "{\"who\":\"x\"}");
    CHECK_FALSE(enc.flagged(row));
  }
  TEST_CASE("scored fields are read as scored.h says: bad ones are errors at their column") {
    RowEncoder enc(kProto, ad::Roles::find(kProto), "in.csv");
    struct Case {
      std::vector<std::string> scored;
      const char* where;
    };
    for (const Case& c : {Case{{"0.5", "yes", "50", ""}, "in.csv:7:7:"},
                          Case{{"0.5", "true", "50", ""}, "in.csv:7:7:"},
                          Case{{"0.5", "", "50", ""}, "in.csv:7:7:"},
                          Case{{"abc", "0", "50", ""}, "in.csv:7:6:"},
                          Case{{"0.5", "0", "", ""}, "in.csv:7:8:"}}) {
      std::vector<std::string> fields{"u", "2025-01-01", "login", "1.2.3.4", "AU"};
      fields.insert(fields.end(), c.scored.begin(), c.scored.end());
      auto row = testutil::make_row(fields, 7);
      CAPTURE(c.where);
      for (bool encode : {false, true}) {
        try {
          EncodedRow out;
          encode ? enc.encode(row, out) : (void)enc.flagged(row);
          FAIL("no error");
        } catch (const ad::Error& e) {
          CHECK(e.status() == ad::Status::kData);
          CHECK(std::string(e.what()).find(c.where) == 0);
        }
      }
    }
    auto ok = testutil::make_row({"u", "2025-01-01", "login", "1.2.3.4", "AU", "0.5", "1", "50", ""});
    CHECK(enc.flagged(ok));
  }
  TEST_CASE("time-ordered keys sort as their times, read as UTC whatever --assume-tz says") {
    auto key_of = [](const RowEncoder& e, std::vector<std::string> fields) {
      EncodedRow out;
      e.encode(testutil::make_row(fields), out);
      return std::string(reinterpret_cast<const char*>(out.key.data()), out.key_size);
    };
    RowEncoder utc(kProto, ad::Roles::find(kProto), "a");
    RowEncoder oslo(kProto, ad::Roles::find(kProto), "a", 3600);
    auto row = [](std::string time, std::string user) {
      return std::vector<std::string>{user, time, "login", "1.2.3.4", "AU", "0.9", "1", "99", "r"};
    };
    // Later times have greater keys, across the epoch and whatever the hash says.
    std::vector<std::string> times = {"1969-12-31 23:59:59", "1970-01-01 00:00:00", "2025-01-01 04:02:00",
                                      "2025-01-01 04:02:00.001", "2025-01-01T06:02:00.500+02:00", "2025-01-01 04:02:01"};
    std::vector<std::string> keys;
    for (const auto& t : times) keys.push_back(key_of(utc, row(t, "user-" + t)));
    for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
      CAPTURE(times[i]);
      CHECK(keys[i].size() == 24);
      CHECK(keys[i] < keys[i + 1]);
    }
    // The same row is the same key under any --assume-tz, though event_time moves.
    CHECK(key_of(oslo, row("2025-01-01 04:02:00", "u")) == key_of(utc, row("2025-01-01 04:02:00", "u")));
    EncodedRow moved;
    oslo.encode(testutil::make_row(row("2025-01-01 04:02:00", "u")), moved);
    CHECK(moved.time_ms == 1735704120000 - 3600000);
    // No time field, or one that does not parse: 8 zero bytes, then the hash.
    auto bad = key_of(utc, row("not a time", "u"));
    CHECK(bad.substr(0, 8) == std::string(8, '\0'));
    std::vector<std::string> timeless{"user_id", "x"};
    RowEncoder plain(timeless, ad::Roles::find(timeless), "b");
    auto k = key_of(plain, {"u", "1"});
    CHECK(k.substr(0, 8) == std::string(8, '\0'));
    auto hash = plain.key(testutil::make_row({"u", "1"}));
    CHECK(k.substr(8) == std::string(reinterpret_cast<const char*>(hash.data()), hash.size()));
    // A table with rows of the older format keeps getting the hash alone.
    plain.set_key_format(ad::store::KeyFormat::kHash);
    CHECK(key_of(plain, {"u", "1"}) == k.substr(8));
  }
  TEST_CASE("keys: the event id when there is one, else the content without the scores") {
    RowEncoder rich(kRich, ad::Roles::find(kRich), "a");
    auto a = testutil::make_row({"e1", "t", "u", "1.1.1.1", "NO", "", "", "0.9", "1", "99", "r"});
    auto ka = rich.key(a);
    auto b = testutil::make_row({"e1", "other", "v", "2.2.2.2", "SE", "", "", "0.1", "0", "1", ""});
    CHECK(rich.key(b) == ka);  // same event id
    auto c = testutil::make_row({"", "t", "u", "1.1.1.1", "NO", "", "", "0.9", "1", "99", "r"});
    CHECK(rich.key(c) != ka);  // empty id: content hash

    RowEncoder proto(kProto, ad::Roles::find(kProto), "a");
    auto p1 = proto.key(testutil::make_row({"u", "2025-01-01", "login", "1.2.3.4", "AU", "0.9", "1", "99", "r"}));
    auto p2 = proto.key(testutil::make_row({"u", "2025-01-01", "login", "1.2.3.4", "AU", "0.1", "0", "2", ""}));
    auto p3 = proto.key(testutil::make_row({"u", "2025-01-02", "login", "1.2.3.4", "AU", "0.9", "1", "99", "r"}));
    CHECK(p1 == p2);  // the score is not part of the event's identity
    CHECK(p1 != p3);

    // The same event with its columns in another order has the same key.
    std::vector<std::string> swapped{"timestamp", "user_id", "activity_type", "location", "ip_address",
                                     "anomaly_score", "anomaly_flag", "severity", "anomaly_reasons"};
    RowEncoder other(swapped, ad::Roles::find(swapped), "b");
    CHECK(other.key(testutil::make_row({"2025-01-01", "u", "login", "AU", "1.2.3.4", "0.9", "1", "99", "r"})) == p1);
    // The key is the definition in row.h, to the byte: the columns other than the scored
    // ones, by name, as name NUL value NUL after "row" NUL.
    auto nul_terminated = [](std::initializer_list<std::string_view> parts) {
      std::string m;
      for (auto p : parts) m.append(p).push_back('\0');
      return m;
    };
    auto digest = ad::sha256(nul_terminated({"row", "activity_type", "login", "ip_address", "1.2.3.4",
                                             "location", "AU", "timestamp", "2025-01-01", "user_id", "u"}));
    CHECK(std::equal(p1.begin(), p1.end(), digest.begin()));
    auto by_id = ad::sha256(std::string("id\0e1", 5));
    CHECK(std::equal(ka.begin(), ka.end(), by_id.begin()));
    // Field boundaries matter: "ab","c" is not "a","bc".
    std::vector<std::string> two{"x", "y"};
    RowEncoder t(two, ad::Roles::find(two), "c");
    CHECK(t.key(testutil::make_row({"ab", "c"})) != t.key(testutil::make_row({"a", "bc"})));
  }
}
