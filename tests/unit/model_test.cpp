// Tests for model.h: the model file round trip, its specific load errors, atomic
// saving, severity and the CRC.
#include "ad/model.h"

#include <doctest/doctest.h>
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ad/csv.h"
#include "ad/error.h"
#include "ad/train.h"

namespace {

// A small login CSV: numeric and categorical columns and a few login roles.
std::string login_csv(std::size_t rows, std::uint64_t seed) {
  static const char* kCountries[] = {"NO", "NO", "NO", "SE", "DK", "US"};
  static const char* kDevices[] = {"Mobile", "Web", "Tablet"};
  ad::Rng rng(seed);
  std::string s = "event_id,timestamp,user_id,ip_address,country,device_type,data_size_kb,status\n";
  for (std::size_t i = 0; i < rows; ++i) {
    s += std::to_string(i) + ",2024-05-01T" + std::to_string(10 + i % 10) + ":00:00Z,user" +
         std::to_string(rng.below(20)) + ",10.0." + std::to_string(rng.below(4)) + "." +
         std::to_string(rng.below(250)) + "," + kCountries[rng.below(6)] + "," + kDevices[rng.below(3)] +
         "," + std::to_string(100 + rng.below(900)) + "," + (rng.below(10) ? "success" : "failure") + "\n";
  }
  return s;
}

ad::Model small_model(std::uint64_t seed = 1) {
  ad::TrainOptions opt;
  opt.forest.trees = 10;
  opt.forest.sample_size = 32;
  opt.forest.seed = seed;
  opt.forest.threads = 1;
  ad::csv::Reader in(ad::csv::string_lines("train.csv", login_csv(300, seed)), "train.csv");
  ad::TrainReport report;
  return ad::train(in, opt, report, [](const std::string&) {});
}

// A fresh temporary directory, removed at the end of the test.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/ad_model_test.XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return path + "/" + name; }
  std::size_t entries() const {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(path)) (void)e, ++n;
    return n;
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::uint32_t get_u32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}
std::uint64_t get_u64(const std::string& b, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}
void put_u32(std::string& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}
void put_u64(std::string& b, std::size_t at, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}
// Recomputes the trailing CRC after a deliberate edit.
void fix_crc(std::string& b) { put_u32(b, b.size() - 4, ad::crc32(b.data(), b.size() - 4)); }

struct Section {
  std::uint32_t tag;
  std::size_t header;  // offset of the tag
  std::size_t body;    // offset of the body
  std::uint64_t length;
};
// Walks the sections of a well-formed file (model.h's layout).
std::vector<Section> sections(const std::string& b) {
  std::vector<Section> out;
  std::size_t at = 24, end = 24 + get_u64(b, 16);
  while (at < end) {
    Section s{get_u32(b, at), at, at + 12, get_u64(b, at + 4)};
    out.push_back(s);
    at = s.body + s.length;
  }
  return out;
}
const Section& section(const std::vector<Section>& all, std::uint32_t tag) {
  for (const auto& s : all)
    if (s.tag == tag) return s;
  FAIL("no section with tag " << tag);
  return all.front();
}

// Parses bytes and returns the error; fails the test if parsing succeeds.
ad::Error parse_error(const std::string& bytes) {
  try {
    ad::Model::parse(bytes, "m.model");
  } catch (const ad::Error& e) {
    return e;
  }
  FAIL("expected ad::Error");
  return ad::Error(ad::Status::kOk, "unreachable");
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_SUITE("model") {
  TEST_CASE("crc32 is IEEE 802.3 CRC-32") {
    CHECK(ad::crc32("123456789", 9) == 0xCBF43926u);
    CHECK(ad::crc32("", 0) == 0u);
    CHECK(ad::crc32("a", 1) == 0xE8B7BE43u);
  }

  TEST_CASE("save, load and serialize again give the same bytes") {
    ad::Model m = small_model();
    std::string bytes = m.serialize();
    CHECK(bytes.size() > 28);
    CHECK(bytes == m.serialize());  // nothing depends on hash order or time

    ad::Model p = ad::Model::parse(bytes, "mem");
    CHECK(p.serialize() == bytes);
    CHECK(p.features.size() == m.features.size());
    CHECK(p.tables.size() == m.tables.size());
    CHECK(p.threshold == m.threshold);
    CHECK(p.quantiles == m.quantiles);
    CHECK(p.role_columns == m.role_columns);
    CHECK(p.info.seed == m.info.seed);
    CHECK(p.forest.nodes() == m.forest.nodes());

    TempDir dir;
    std::string path = dir.file("m.model");
    m.save(path);
    CHECK(slurp(path) == bytes);
    ad::Model l = ad::Model::load(path);
    CHECK(l.serialize() == bytes);
    CHECK(dir.entries() == 1);  // no temporary file left beside it

    // The loaded forest scores exactly as the original.
    std::vector<double> row(m.features.size(), 1.0);
    CHECK(l.forest.score(row.data()) == m.forest.score(row.data()));
  }

  TEST_CASE("an empty file is a specific data error") {
    ad::Error e = parse_error("");
    CHECK(e.status() == ad::Status::kData);
    CHECK(contains(e.what(), "m.model"));
    CHECK(contains(e.message(), "truncated"));

    TempDir dir;
    spit(dir.file("empty"), "");
    CHECK_THROWS_WITH_AS(ad::Model::load(dir.file("empty")), doctest::Contains("truncated"), ad::Error);
  }

  TEST_CASE("a truncated file is reported as truncated, wherever it was cut") {
    std::string bytes = small_model().serialize();
    for (std::size_t cut : {std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{20}, std::size_t{24},
                            std::size_t{27}, std::size_t{40}, bytes.size() / 2, bytes.size() - 5,
                            bytes.size() - 1}) {
      CAPTURE(cut);
      ad::Error e = parse_error(bytes.substr(0, cut));
      CHECK(e.status() == ad::Status::kData);
      CHECK(contains(e.message(), "truncated"));
      CHECK(e.where().file == "m.model");
    }
  }

  TEST_CASE("a flipped byte anywhere is caught") {
    std::string bytes = small_model().serialize();
    // In the payload and the checksum itself the checksum catches it. Every byte of a
    // large file would take long (each check reads the whole file): take ~3000 spread
    // over the file, and the first and last 64 bytes.
    std::size_t stride = std::max<std::size_t>(1, bytes.size() / 3000);
    for (std::size_t at = 24; at < bytes.size(); at += (at < 88 || at + 64 >= bytes.size()) ? 1 : stride) {
      std::string b = bytes;
      b[at] = static_cast<char>(b[at] ^ (1u << (at % 8)));
      try {
        ad::Model::parse(b, "m.model");
        FAIL_CHECK("accepted a model with byte " << at << " flipped");
      } catch (const ad::Error& e) {
        if (!contains(e.message(), "checksum")) FAIL_CHECK("byte " << at << ": " << e.what());
        CHECK(e.status() == ad::Status::kData);
      }
    }
    // In the header (magic, version, reserved, length) it is refused too.
    for (std::size_t at = 0; at < 24; ++at) {
      CAPTURE(at);
      std::string b = bytes;
      b[at] = static_cast<char>(b[at] ^ 0x10);
      CHECK(parse_error(b).status() == ad::Status::kData);
    }
  }

  TEST_CASE("a foreign file is not a model file") {
    for (std::string foreign :
         {std::string("timestamp,user_id,ip_address\n2024-05-01T10:00:00Z,alice,10.0.0.1\n"),
          std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0", 29),
          std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0\x01\0\0\0", 24)}) {
      ad::Error e = parse_error(foreign);
      CHECK(e.status() == ad::Status::kData);
      CHECK(contains(e.message(), "not an ad model file"));
    }
  }

  TEST_CASE("a newer format version is refused by name") {
    std::string bytes = small_model().serialize();
    REQUIRE(get_u32(bytes, 8) == ad::kModelFormat);
    put_u32(bytes, 8, ad::kModelFormat + 1);
    fix_crc(bytes);
    ad::Error e = parse_error(bytes);
    CHECK(e.status() == ad::Status::kData);
    CHECK(contains(e.message(), "newer"));
    CHECK(contains(e.message(), std::to_string(ad::kModelFormat + 1)));
  }

  TEST_CASE("bytes after the checksum are corruption") {
    std::string bytes = small_model().serialize() + "x";
    ad::Error e = parse_error(bytes);
    CHECK(e.status() == ad::Status::kData);
    CHECK(contains(e.message(), "corrupt"));
  }

  TEST_CASE("a malformed forest section is caught even with a valid checksum") {
    std::string bytes = small_model().serialize();
    auto secs = sections(bytes);
    const Section& forest = section(secs, 4);
    // FOREST: u32 psi, u64 features, u64 trees, u32 roots[trees], u64 nodes, nodes...
    std::size_t at = forest.body + 4 + 8;
    std::uint64_t trees = get_u64(bytes, at);
    at += 8 + 4 * trees;
    std::uint64_t nodes = get_u64(bytes, at);
    at += 8;
    std::size_t inner = 0;
    for (; inner < nodes; ++inner)
      if (!(get_u32(bytes, at + 20 * inner + 8) & ad::Forest::kLeaf)) break;
    REQUIRE(inner < nodes);
    put_u32(bytes, at + 20 * inner + 12, 0x7FFFFFFFu);  // the right child's index
    fix_crc(bytes);
    ad::Error e = parse_error(bytes);
    CHECK(e.status() == ad::Status::kData);
    CHECK(contains(e.message(), "malformed"));
  }

  TEST_CASE("a malformed schema section is caught even with a valid checksum") {
    std::string bytes = small_model().serialize();
    auto secs = sections(bytes);
    // SCHEMA: 12 role names (u32 length + bytes), u8 logins_only, u64 count, then the
    // first feature's kind byte.
    std::size_t at = section(secs, 2).body;
    for (int r = 0; r < ad::kRoleCount; ++r) at += 4 + get_u32(bytes, at);
    at += 1 + 8;
    bytes[at] = static_cast<char>(250);  // no such feature kind
    fix_crc(bytes);
    ad::Error e = parse_error(bytes);
    CHECK(e.status() == ad::Status::kData);
    CHECK(contains(e.message(), "malformed"));
    CHECK(contains(e.message(), "SCHEMA"));
    CHECK(e.where().file == "m.model");
  }

  TEST_CASE("a missing section is caught, an unknown one is skipped") {
    std::string bytes = small_model().serialize();
    auto secs = sections(bytes);
    const Section& calib = section(secs, 5);
    {
      // Drop CALIB: shorten the payload and fix the length and the CRC.
      std::string b = bytes.substr(0, calib.header) + bytes.substr(calib.body + calib.length);
      put_u64(b, 16, get_u64(b, 16) - (12 + calib.length));
      fix_crc(b);
      ad::Error e = parse_error(b);
      CHECK(e.status() == ad::Status::kData);
      CHECK(contains(e.message(), "missing"));
    }
    {
      // Append an unknown section (tag 77): an older reader skips it.
      std::string extra(12 + 3, '\0');
      put_u32(extra, 0, 77);
      put_u64(extra, 4, 3);
      std::string b = bytes.substr(0, bytes.size() - 4) + extra + "xxxx";
      put_u64(b, 16, get_u64(b, 16) + extra.size());
      fix_crc(b);
      ad::Model m = ad::Model::parse(b, "m.model");
      CHECK(m.serialize() == bytes);
    }
  }

  TEST_CASE("a model that cannot be opened is an I/O error") {
    TempDir dir;
    try {
      ad::Model::load(dir.file("absent.model"));
      FAIL("expected an error");
    } catch (const ad::Error& e) {
      CHECK(e.status() == ad::Status::kIo);
      CHECK(contains(e.what(), "absent.model"));
    }
    CHECK_THROWS_AS(ad::Model::load(dir.path), ad::Error);  // a directory
  }

  TEST_CASE("a failed save leaves the existing model untouched") {
    TempDir dir;
    std::string path = dir.file("m.model");
    ad::Model old_model = small_model(1);
    old_model.save(path);
    std::string before = slurp(path);
    ad::Model new_model = small_model(2);
    REQUIRE(new_model.serialize() != before);

    // Make writes beyond 100 bytes fail (EFBIG), as a full disk would.
    struct rlimit saved;
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = saved;
    small.rlim_cur = 100;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    bool threw = false;
    ad::Status status = ad::Status::kOk;
    try {
      new_model.save(path);
    } catch (const ad::Error& e) {
      threw = true;
      status = e.status();
    }
    ::setrlimit(RLIMIT_FSIZE, &saved);
    ::signal(SIGXFSZ, old_handler);

    CHECK(threw);
    CHECK(status == ad::Status::kIo);
    CHECK(slurp(path) == before);
    CHECK(dir.entries() == 1);  // the temporary file is gone

    // A save into a directory that does not exist fails and creates nothing.
    CHECK_THROWS_AS(new_model.save(dir.file("no/such/dir/m.model")), ad::Error);
    CHECK(dir.entries() == 1);
  }

  TEST_CASE("severity is monotonic and between 0 and 100") {
    ad::Model m = small_model();
    REQUIRE(m.quantiles.size() == ad::Model::kQuantiles);
    double last = -1;
    for (int i = 0; i <= 2000; ++i) {
      double s = i / 2000.0;
      double v = m.severity(s);
      CHECK(v >= 0.0);
      CHECK(v <= 100.0);
      CHECK(v >= last);
      last = v;
    }
    CHECK(m.severity(0.0) == 0.0);
    CHECK(m.severity(1.0) == 100.0);
    CHECK(m.severity(m.quantiles.back()) == 100.0);

    // A hand-made calibration with a flat run: ties take the top of the run.
    ad::Model h;
    h.quantiles.resize(ad::Model::kQuantiles);
    for (std::size_t q = 0; q < h.quantiles.size(); ++q) h.quantiles[q] = q < 500 ? 0.4 : 0.4 + (q - 499) * 1e-4;
    CHECK(h.severity(0.3) == 0.0);
    CHECK(h.severity(0.4) == 0.0);  // at or below the lowest quantile
    CHECK(h.severity(0.4 + 0.5e-4) > 49.9);
    CHECK(h.severity(0.4 + 0.5e-4) < h.severity(0.4 + 1.5e-4));
    double mid = h.quantiles[750];
    CHECK(h.severity(mid) == doctest::Approx(75.0).epsilon(1e-9));
    CHECK(ad::Model().severity(0.9) == 0.0);  // no calibration: 0, not a crash
  }
}
