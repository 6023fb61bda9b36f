// Tests for model.h: the model file round trip, its specific load errors, atomic
// saving, severity and the CRC.
#include "ad/detect/model.h"

#include <doctest/doctest.h>
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "ad/core/csv.h"
#include "ad/core/error.h"
#include "ad/detect/train.h"
#include "testutil.h"

namespace {

using testutil::TempDir;
using testutil::slurp;

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

// 800 rows of three numeric features x, y, z, uniform in [0, 1). Row 0 is far out in z
// only, row 1 far out in x only.
ad::Matrix xyz_rows() {
  ad::Matrix m;
  m.rows = 800;
  m.cols = 3;
  ad::Rng rng(23);
  for (std::size_t i = 0; i < m.rows * m.cols; ++i) m.values.push_back(rng.uniform());
  m.row(0)[2] = 30.0;
  m.row(1)[0] = -30.0;
  return m;
}

// A hand-made model over x, y, z with one aspect forest (time) that splits on z only
// and has ceilings, calibrated on its own training rows as ad-train does.
ad::Model aspect_model() {
  ad::Model m;
  m.info.ad_version = "test";
  m.info.trees = 40;
  m.info.sample_size = 64;
  m.info.contamination = 0.01;
  for (const char* name : {"x", "y", "z"}) {
    ad::Feature f;
    f.kind = ad::FeatureKind::kNumeric;
    f.column = name;
    m.features.push_back(f);
  }
  ad::Matrix data = xyz_rows();
  m.forest = ad::Forest::fit(data, {40, 64, 1, 1});
  ad::ForestParams p{40, 64, 2, 1};
  p.columns = {2};
  p.ceilings = true;
  ad::AspectForest a;
  a.aspect = ad::Aspect::kTime;
  a.forest = ad::Forest::fit(data, p);
  std::vector<double> whole, part;
  m.forest.score(data, whole, 1);
  a.forest.score(data, part, 1);
  m.whole_quantiles = ad::quantiles_of(whole);
  a.quantiles = ad::quantiles_of(part);
  m.aspects.push_back(std::move(a));
  std::vector<double> combined;
  m.score(data, combined, 1);
  m.quantiles = ad::quantiles_of(combined);
  m.threshold = m.quantiles[990];
  return m;
}

// The offset of the first aspect's byte in the ASPECTS section (tag 7): after the whole
// forest's quantiles (u64 count, f64 each) and the aspect count (u64).
std::size_t first_aspect_at(const std::string& b) {
  std::size_t at = section(sections(b), 7).body;
  at += 8 + 8 * get_u64(b, at);
  return at + 8;
}
// The size of a forest as put_forest writes it, starting at `at`.
std::size_t forest_bytes(const std::string& b, std::size_t at) {
  std::size_t start = at;
  at += 4 + 8;                          // psi, features
  at += 8 + 4 * get_u64(b, at);          // roots
  at += 8 + (16 + 4) * get_u64(b, at);  // nodes and their counts
  return at - start;
}

bool same_forest(const ad::Forest& a, const ad::Forest& b) {
  if (a.features() != b.features() || a.sample_size() != b.sample_size() || a.root_array() != b.root_array() ||
      a.count_array() != b.count_array() || a.nodes() != b.nodes() || a.ceiling_array() != b.ceiling_array())
    return false;
  for (std::size_t i = 0; i < a.nodes(); ++i) {
    const auto &x = a.node_array()[i], &y = b.node_array()[i];
    if (x.bits != y.bits || x.right != y.right || !(x.value == y.value)) return false;
  }
  return true;
}

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

  TEST_CASE("a model with an aspect forest round-trips") {
    ad::Model m = aspect_model();
    std::string bytes = m.serialize();
    ad::Model p = ad::Model::parse(bytes, "mem");
    CHECK(p.serialize() == bytes);
    REQUIRE(p.aspects.size() == 1);
    CHECK(p.aspects[0].aspect == ad::Aspect::kTime);
    CHECK(same_forest(p.aspects[0].forest, m.aspects[0].forest));
    CHECK(same_forest(p.forest, m.forest));
    CHECK_FALSE(same_forest(p.aspects[0].forest, p.forest));
    CHECK(p.aspects[0].quantiles == m.aspects[0].quantiles);
    CHECK(p.whole_quantiles == m.whole_quantiles);
    CHECK(p.whole_quantiles.size() == ad::Model::kQuantiles);
    CHECK(p.quantiles == m.quantiles);
    CHECK(p.threshold == m.threshold);
    // The loaded model scores exactly as the original.
    ad::Matrix data = xyz_rows();
    for (std::size_t i = 0; i < 50; ++i) CHECK(p.score(data.row(i)) == m.score(data.row(i)));
    // describe_model names the aspect and its features.
    CHECK(contains(ad::describe_model(p), "aspect time:"));
    CHECK(contains(ad::describe_model(p), "40 trees with split ceilings over"));
  }

  TEST_CASE("the CEILINGS section carries the aspect forests' ceilings, and the whole forest has none") {
    ad::Model m = small_model();
    REQUIRE(m.aspects.size() == 2);  // time and network, as ad-train grows them
    CHECK_FALSE(m.forest.has_ceilings());
    ad::Model p = ad::Model::parse(m.serialize(), "mem");
    for (std::size_t i = 0; i < m.aspects.size(); ++i) {
      CHECK(m.aspects[i].forest.has_ceilings());
      CHECK(p.aspects[i].forest.ceiling_array() == m.aspects[i].forest.ceiling_array());
    }
    CHECK_FALSE(p.forest.has_ceilings());
    CHECK(p.serialize() == m.serialize());
    CHECK(contains(ad::describe_model(p), "aspect time:    10 trees with split ceilings over hour_unusual"));
  }

  TEST_CASE("the SIGNALS section carries the signal threshold, from 0 (off) to 100") {
    ad::Model m = small_model();
    CHECK(m.signal_threshold == 0);  // trained without the alert budget
    m.signal_threshold = 60;
    CHECK(contains(ad::describe_model(m), "signals:       a login whose signals alone score 60 or more is flagged too"));
    m.signal_threshold = 0;
    CHECK_FALSE(contains(ad::describe_model(m), "signals:"));
    for (double v : {0.0, 55.0, 100.0}) {
      m.signal_threshold = v;
      CHECK(ad::Model::parse(m.serialize(), "mem").signal_threshold == v);
    }
    for (double v : {-1.0, 100.5, double(NAN), double(INFINITY)}) {
      CAPTURE(v);
      m.signal_threshold = v;
      ad::Error e = parse_error(m.serialize());
      CHECK(contains(e.message(), "malformed: SIGNALS section: signal threshold"));
    }
  }

  TEST_CASE("a malformed CEILINGS section is caught even with a valid checksum") {
    const std::string bytes = small_model().serialize();
    // CEILINGS: u64 whole count (0), u64 aspect count, then per aspect u64 n, n x f64.
    const Section& s = section(sections(bytes), 10);
    REQUIRE(get_u64(bytes, s.body) == 0u);
    const std::size_t aspects_at = s.body + 8;
    REQUIRE(get_u64(bytes, aspects_at) == 2u);
    const std::size_t first = aspects_at + 8;
    const std::uint64_t n = get_u64(bytes, first);
    REQUIRE(n > 1);
    auto put_f64 = [](std::string& b, std::size_t at, double v) {
      std::uint64_t bits;
      std::memcpy(&bits, &v, 8);
      put_u64(b, at, bits);
    };
    auto refused = [](std::string b, const std::string& why) {
      fix_crc(b);
      ad::Error e = parse_error(b);
      CHECK(e.status() == ad::Status::kData);
      CHECK(contains(e.message(), "malformed: CEILINGS section"));
      CHECK(contains(e.message(), why));
    };
    {
      std::string b = bytes;
      put_u64(b, aspects_at, 1);
      refused(b, "ceiling lists and aspect forests differ in number");
      put_u64(b, aspects_at, 3);
      refused(b, "ceiling lists and aspect forests differ in number");
    }
    {
      std::string b = bytes;
      put_u64(b, first, n - 1);  // one ceiling short
      refused(b, "ceiling and node arrays differ in length");
    }
    {
      std::string b = bytes;
      put_f64(b, first + 8, std::nan(""));  // the root's ceiling
      refused(b, "a ceiling is not a number or is below its split");
      put_f64(b, first + 8, -1e300);
      refused(b, "a ceiling is not a number or is below its split");
    }
  }

  TEST_CASE("Model::score is the largest of the whole score and the mapped aspect scores") {
    ad::Model m = aspect_model();
    const ad::AspectForest& a = m.aspects[0];
    ad::Matrix data = xyz_rows();
    std::size_t aspect_wins = 0, whole_wins = 0;
    for (std::size_t i = 0; i < data.rows; ++i) {
      const double* row = data.row(i);
      double whole = m.forest.score(row);
      double mapped = ad::map_quantiles(a.forest.score(row), a.quantiles, m.whole_quantiles);
      CHECK(m.score(row) == std::max(whole, mapped));
      if (mapped > whole) ++aspect_wins;
      if (whole > mapped) ++whole_wins;
    }
    // Both sides win for some rows, so the test tells them apart.
    CHECK(aspect_wins > 10);
    CHECK(whole_wins > 10);
    // Quantile mapping keeps ranks: about half the training rows map to at least the
    // whole forest's median, about a tenth to at least its 90th percentile.
    std::size_t above_median = 0, above_p90 = 0;
    for (std::size_t i = 0; i < data.rows; ++i) {
      double mapped = ad::map_quantiles(a.forest.score(data.row(i)), a.quantiles, m.whole_quantiles);
      above_median += mapped >= m.whole_quantiles[500];
      above_p90 += mapped >= m.whole_quantiles[900];
    }
    CHECK(above_median >= 390);
    CHECK(above_median <= 410);
    CHECK(above_p90 >= 75);
    CHECK(above_p90 <= 85);
    // Row 1, far out in x only, is ordinary for the z forest: its score is the whole one.
    CHECK(m.score(data.row(1)) == m.forest.score(data.row(1)));
    // Without aspects the score is the whole forest's.
    ad::Model plain = m;
    plain.aspects.clear();
    for (std::size_t i = 0; i < 20; ++i) CHECK(plain.score(data.row(i)) == m.forest.score(data.row(i)));
  }

  TEST_CASE("Model::score of a matrix equals the score of each row") {
    ad::Model m = aspect_model();
    // Enough rows for two threads (at least 2048 each), with some beyond the training range.
    ad::Matrix big;
    big.cols = 3;
    big.rows = 5000;
    ad::Rng rng(77);
    for (std::size_t i = 0; i < big.rows * big.cols; ++i) big.values.push_back(rng.uniform() * 1.4 - 0.2);
    big.row(10)[2] = NAN;
    for (int threads : {1, 2}) {
      CAPTURE(threads);
      std::vector<double> out;
      m.score(big, out, threads);
      REQUIRE(out.size() == big.rows);
      std::size_t differ = 0;
      for (std::size_t i = 0; i < big.rows; ++i) differ += out[i] != m.score(big.row(i));
      CHECK(differ == 0);
    }
  }

  TEST_CASE("profiles keep their UTC and local hours through the model file") {
    ad::Model m = small_model();
    ad::Model p = ad::Model::parse(m.serialize(), "mem");
    auto before = m.profiles.sorted();
    auto after = p.profiles.sorted();
    REQUIRE(before.size() == after.size());
    REQUIRE(before.size() > 0);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
      CAPTURE(*before[i].first);
      CHECK(*after[i].first == *before[i].first);
      CHECK(after[i].second->hours == before[i].second->hours);
      CHECK(after[i].second->local_hours == before[i].second->local_hours);
      differ += before[i].second->hours != before[i].second->local_hours;
    }
    // Logins from the US and SE centroids fall in other local hours than UTC ones.
    CHECK(differ > 0);
  }

  TEST_CASE("the alert budget round-trips in the BUDGET section") {
    ad::Model m = small_model();
    m.info.budget = 3;
    m.info.budget_user_days = 2260;
    m.info.budget_incidents = 5;
    ad::Model p = ad::Model::parse(m.serialize(), "mem");
    CHECK(p.info.budget == 3);
    CHECK(p.info.budget_user_days == 2260);
    CHECK(p.info.budget_incidents == 5);
    CHECK(ad::describe_model(p).find("budget 3 false incidents per 1,000 user-days") != std::string::npos);
  }

  TEST_CASE("format 4 (no CEILINGS, SIGNALS), 3 (no NETWORKS either) and 2 (no BUDGET either) models are "
            "still read, newer ones need them") {
    ad::Model m = small_model();
    m.info.budget = 3;
    m.signal_threshold = 60;
    REQUIRE_FALSE(m.aspects.empty());
    REQUIRE(m.aspects[0].forest.has_ceilings());
    std::string bytes = m.serialize();
    REQUIRE(get_u32(bytes, 8) == 5u);
    // Cuts the last section out, as an older writer would have left the file.
    auto cut_last = [](std::string& b, std::uint32_t tag) {
      const Section last = sections(b).back();
      REQUIRE(last.tag == tag);
      b.erase(last.header, last.body + last.length - last.header);
      put_u64(b, 16, get_u64(b, 16) - (last.body + last.length - last.header));
      fix_crc(b);
    };
    // SESSIONS is a minor addition to format 5: a format 5 file without it is read.
    cut_last(bytes, 12u);
    CHECK(ad::Model::parse(bytes, "m.model").signal_threshold == 60);
    cut_last(bytes, 11u);
    CHECK(contains(parse_error(bytes).message(), "section is missing"));
    cut_last(bytes, 10u);
    CHECK(contains(parse_error(bytes).message(), "section is missing"));
    put_u32(bytes, 8, 4);
    fix_crc(bytes);
    ad::Model v4 = ad::Model::parse(bytes, "m.model");
    REQUIRE(v4.aspects.size() == m.aspects.size());
    for (const auto& a : v4.aspects) CHECK_FALSE(a.forest.has_ceilings());
    CHECK_FALSE(v4.forest.has_ceilings());
    CHECK(v4.signal_threshold == 0);
    CHECK(v4.aspects[0].forest.node_array().size() == m.aspects[0].forest.node_array().size());

    put_u32(bytes, 8, 5);
    cut_last(bytes, 9u);
    CHECK(contains(parse_error(bytes).message(), "section is missing"));
    put_u32(bytes, 8, 3);
    fix_crc(bytes);
    ad::Model v3 = ad::Model::parse(bytes, "m.model");
    CHECK(v3.info.budget == 3);
    CHECK(v3.profiles.size() == m.profiles.size());
    CHECK_FALSE(v3.asn_networks);

    cut_last(bytes, 8u);
    CHECK(contains(parse_error(bytes).message(), "section is missing"));
    put_u32(bytes, 8, 2);
    fix_crc(bytes);
    ad::Model old = ad::Model::parse(bytes, "m.model");
    CHECK(old.info.budget == 0);  // a contamination model
    CHECK(old.threshold == m.threshold);
    CHECK(old.forest.nodes() == m.forest.nodes());
  }

  TEST_CASE("the NETWORKS section round-trips each user's wide networks and last session") {
    ad::Model m = small_model();
    ad::UserProfile& u = m.profiles.get("alice", 5);
    u.wide_networks.add("10.1.0.0/16", 1000);
    u.wide_networks.add("10.1.0.0/16", 2000);
    u.wide_networks.add("AS14061", 3000);
    u.session_ms = 3000;
    u.session_net = "AS14061";
    m.asn_networks = true;
    ad::Model p = ad::Model::parse(m.serialize(), "mem");
    const ad::UserProfile* q = p.profiles.find("alice");
    REQUIRE(q != nullptr);
    CHECK(q->wide_networks.count("10.1.0.0/16") == 2);
    CHECK(q->wide_networks.count("AS14061") == 1);
    CHECK(q->session_ms == 3000);
    CHECK(q->session_net == "AS14061");
    CHECK(p.asn_networks);
    CHECK_FALSE(p.geoip_places);
    CHECK(ad::describe_model(p).find("databases:     ASN (--asn)\n") != std::string::npos);
    CHECK(ad::describe_model(small_model()).find("databases:") == std::string::npos);
    CHECK(p.serialize() == m.serialize());
  }

  TEST_CASE("the SESSIONS section round-trips the client of each user's last session") {
    ad::Model m = small_model();
    m.profiles.get("alice", 5).session_client = "laptop\x1fMozilla/* (Windows NT *)";
    m.profiles.get("bob", 5);  // no session client: not written
    ad::Model p = ad::Model::parse(m.serialize(), "mem");
    REQUIRE(p.profiles.find("alice") != nullptr);
    CHECK(p.profiles.find("alice")->session_client == "laptop\x1fMozilla/* (Windows NT *)");
    REQUIRE(p.profiles.find("bob") != nullptr);
    CHECK(p.profiles.find("bob")->session_client.empty());
    CHECK(p.serialize() == m.serialize());
    // A session of a user without a profile is malformed.
    ad::Model q = small_model();
    q.profiles.get("carol", 5).session_client = "phone\x1f";
    std::string bytes = q.serialize();
    const std::size_t at = bytes.rfind("carol");  // in SESSIONS, the last section
    REQUIRE(at != std::string::npos);
    bytes.replace(at, 5, "dave_");
    fix_crc(bytes);
    CHECK(contains(parse_error(bytes).message(), "a user without a profile"));
  }

  TEST_CASE("a format 1 model is refused with a request to retrain") {
    std::string bytes = small_model().serialize();
    REQUIRE(get_u32(bytes, 8) == 5u);
    put_u32(bytes, 8, 1);
    fix_crc(bytes);
    ad::Error e = parse_error(bytes);
    CHECK(e.status() == ad::Status::kData);
    CHECK(contains(e.message(), "older"));
    CHECK(contains(e.message(), "retrain"));
    CHECK(contains(e.message(), "version 1"));
    CHECK(e.where().file == "m.model");
  }

  TEST_CASE("a malformed ASPECTS section is caught even with a valid checksum") {
    const std::string bytes = aspect_model().serialize();
    const std::size_t at = first_aspect_at(bytes);
    REQUIRE(static_cast<unsigned char>(bytes[at]) == static_cast<unsigned>(ad::Aspect::kTime));
    SUBCASE("an unknown aspect byte") {
      for (unsigned kind : {5u, 9u, 255u}) {
        CAPTURE(kind);
        std::string b = bytes;
        b[at] = static_cast<char>(kind);
        fix_crc(b);
        ad::Error e = parse_error(b);
        CHECK(e.status() == ad::Status::kData);
        CHECK(contains(e.message(), "malformed"));
        CHECK(contains(e.message(), "ASPECTS"));
        CHECK(contains(e.message(), "aspect " + std::to_string(kind)));
      }
      // Any known aspect byte is accepted.
      std::string b = bytes;
      b[at] = static_cast<char>(ad::Aspect::kAttempts);
      fix_crc(b);
      CHECK(ad::Model::parse(b, "m.model").aspects.at(0).aspect == ad::Aspect::kAttempts);
    }
    SUBCASE("aspect quantiles of a different length than the whole forest's") {
      // The aspect's quantile count follows its forest; say 1000 instead of 1001.
      std::size_t count_at = at + 1 + forest_bytes(bytes, at + 1);
      REQUIRE(get_u64(bytes, count_at) == ad::Model::kQuantiles);
      std::string b = bytes;
      put_u64(b, count_at, ad::Model::kQuantiles - 1);
      fix_crc(b);
      ad::Error e = parse_error(b);
      CHECK(e.status() == ad::Status::kData);
      CHECK(contains(e.message(), "malformed"));
      CHECK(contains(e.message(), "ASPECTS"));
      CHECK(contains(e.message(), "differ in length"));
    }
  }

  TEST_CASE("inconsistent aspects in a model are refused when it is read back") {
    const ad::Model good = aspect_model();
    auto refused = [](const ad::Model& m, const std::string& why) {
      ad::Error e = parse_error(m.serialize());
      CHECK(e.status() == ad::Status::kData);
      CHECK(contains(e.message(), "malformed"));
      CHECK(contains(e.message(), why));
    };
    {
      ad::Model m = good;
      m.aspects[0].quantiles.pop_back();
      refused(m, "differ in length");
    }
    {
      ad::Model m = good;
      m.whole_quantiles.clear();
      refused(m, "differ in length");
    }
    {
      ad::Model m = good;
      m.aspects[0].quantiles = {0.4};
      m.whole_quantiles = {0.5};
      refused(m, "differ in length");  // one quantile is not a scale
    }
    {
      ad::Model m = good;
      m.aspects.push_back(m.aspects[0]);  // time twice
      refused(m, "repeated aspect 2");
    }
    {
      ad::Model m = good;
      std::reverse(m.aspects[0].quantiles.begin(), m.aspects[0].quantiles.end());
      refused(m, "out of order");
    }
    {
      ad::Model m = good;
      ad::Matrix two;
      two.rows = 50;
      two.cols = 2;
      for (std::size_t i = 0; i < 100; ++i) two.values.push_back(static_cast<double>(i % 13));
      m.aspects[0].forest = ad::Forest::fit(two, {3, 16, 1, 1});
      refused(m, "aspect forest and the feature list disagree");
    }
    {
      // Two different aspects are fine.
      ad::Model m = good;
      m.aspects.push_back(m.aspects[0]);
      m.aspects[1].aspect = ad::Aspect::kPlace;
      ad::Model p = ad::Model::parse(m.serialize(), "m.model");
      REQUIRE(p.aspects.size() == 2);
      CHECK(p.aspects[0].aspect == ad::Aspect::kTime);
      CHECK(p.aspects[1].aspect == ad::Aspect::kPlace);
    }
  }
}

// Issue 14: a model file with a valid checksum must hold finite values in range, or it
// is refused when it is read: a NaN quantile passed std::is_sorted and then made
// Model::severity and map_quantiles read before the first quantile, and a NaN
// threshold flagged nothing.
TEST_SUITE("model: values out of range") {
  // Serializes m (so the checksum is valid) and checks that parsing refuses it, naming
  // the section and the fault.
  void refused(const ad::Model& m, const std::string& section, const std::string& why) {
    ad::Error e = parse_error(m.serialize());
    CHECK(e.status() == ad::Status::kData);
    CHECK(e.where().file == "m.model");
    CHECK(contains(e.message(), "model file is malformed: " + section + " section: "));
    CHECK(contains(e.message(), why));
  }

  const double kNaN = std::nan("");
  const double kInf = HUGE_VAL;

  TEST_CASE("a threshold that is not a number in [0, 1] is refused") {
    const ad::Model good = aspect_model();
    for (double t : {kNaN, kInf, -kInf}) {
      CAPTURE(t);
      ad::Model m = good;
      m.threshold = t;
      refused(m, "CALIB", "not a finite number");
    }
    for (double t : {-0.01, 1.5}) {
      CAPTURE(t);
      ad::Model m = good;
      m.threshold = t;
      refused(m, "CALIB", "outside [0, 1]");
    }
    // The ends are valid: 1.0 is what a model that flags nothing holds.
    for (double t : {0.0, 1.0}) {
      ad::Model m = good;
      m.threshold = t;
      CHECK(ad::Model::parse(m.serialize(), "m.model").threshold == t);
    }
  }

  TEST_CASE("a NaN threshold patched into a trained model's file is refused") {
    // The file as ad-train writes it, the threshold's bytes replaced and the CRC fixed.
    std::string bytes = small_model().serialize();
    const std::size_t at = section(sections(bytes), 5).body;  // CALIB: f64 threshold first
    const double nan = kNaN;
    std::uint64_t bits;
    std::memcpy(&bits, &nan, 8);
    put_u64(bytes, at, bits);
    fix_crc(bytes);
    ad::Error e = parse_error(bytes);
    CHECK(contains(e.message(), "CALIB section: threshold is nan, not a finite number"));
  }

  TEST_CASE("severity quantiles with NaN, infinities or values outside [0, 1] are refused") {
    const ad::Model good = aspect_model();
    // NaN first is the case std::is_sorted let through (NaN compares false both ways).
    for (std::size_t at : {std::size_t{0}, std::size_t{500}, ad::Model::kQuantiles - 1}) {
      CAPTURE(at);
      ad::Model m = good;
      m.quantiles[at] = kNaN;
      refused(m, "CALIB", "quantile " + std::to_string(at) + " is nan, not a finite number");
    }
    {
      ad::Model m = good;
      m.quantiles.back() = kInf;
      refused(m, "CALIB", "not a finite number");
    }
    {
      ad::Model m = good;
      m.quantiles.back() = 1.25;
      refused(m, "CALIB", "outside [0, 1]");
    }
    {
      ad::Model m = good;
      m.quantiles.front() = -0.25;
      refused(m, "CALIB", "outside [0, 1]");
    }
  }

  TEST_CASE("aspect and whole-forest quantiles with NaN or infinities are refused") {
    const ad::Model good = aspect_model();
    for (std::size_t at : {std::size_t{0}, std::size_t{700}}) {
      CAPTURE(at);
      {
        ad::Model m = good;
        m.whole_quantiles[at] = kNaN;
        refused(m, "ASPECTS", "whole-forest quantile " + std::to_string(at) + " is nan");
      }
      {
        ad::Model m = good;
        m.aspects[0].quantiles[at] = kNaN;
        refused(m, "ASPECTS", "time aspect quantile " + std::to_string(at) + " is nan");
      }
    }
    ad::Model m = good;
    m.aspects[0].quantiles.back() = kInf;
    refused(m, "ASPECTS", "time aspect quantile 1000 is inf");
  }

  TEST_CASE("a feature's typical values must be finite") {
    const ad::Model good = small_model();
    REQUIRE(good.features.size() > 2);
    for (int which = 0; which < 3; ++which) {
      for (double v : {kNaN, kInf, -kInf}) {
        CAPTURE(which);
        CAPTURE(v);
        ad::Model m = good;
        ad::Feature& f = m.features[1];
        (which == 0 ? f.low : which == 1 ? f.median : f.high) = v;
        refused(m, "SCHEMA", "feature '" + f.column + "' " + (which == 0 ? "p1" : which == 1 ? "p50" : "p99"));
      }
    }
  }

  TEST_CASE("META and BUDGET numbers must be finite and in range") {
    const ad::Model good = small_model();
    for (double c : {kNaN, kInf, -0.1, 0.75}) {
      CAPTURE(c);
      ad::Model m = good;
      m.info.contamination = c;
      refused(m, "META", "contamination");
    }
    for (double b : {kNaN, kInf, -1.0}) {
      CAPTURE(b);
      ad::Model m = good;
      m.info.budget = b;
      refused(m, "BUDGET", "budget");
    }
    ad::Model m = good;
    m.info.contamination = 0.5;
    m.info.budget = 1e6;
    CHECK(ad::Model::parse(m.serialize(), "m.model").info.budget == 1e6);
  }

  TEST_CASE("a profile's last place must be a point on the globe") {
    const ad::Model good = small_model();
    REQUIRE(good.profiles.size() > 0);
    const std::string user = *good.profiles.sorted().front().first;
    struct Case {
      double lat, lon;
      const char* why;
    };
    for (const Case& c : {Case{kNaN, 10, "latitude is nan"}, Case{91, 10, "latitude 91 is outside [-90, 90]"},
                          Case{10, -kInf, "longitude is -inf"}, Case{10, 180.5, "longitude 180.5 is outside"}}) {
      CAPTURE(c.why);
      ad::Model m = good;
      ad::UserProfile& p = m.profiles.get(user, 0);
      p.place.lat = c.lat;
      p.place.lon = c.lon;
      refused(m, "PROFILES", c.why);
      refused(m, "PROFILES", "profile of '" + user + "'");
    }
  }

  TEST_CASE("a malformed forest names its section") {
    ad::Model m = aspect_model();
    std::string bytes = m.serialize();
    // The first node of the aspect forest: after its psi, feature count, tree count,
    // roots and node count. Make it a leaf with a NaN path length.
    std::size_t at = first_aspect_at(bytes) + 1;
    at += 4 + 8;
    at += 8 + 4 * get_u64(bytes, at);
    at += 8;
    const double nan = kNaN;
    std::uint64_t bits;
    std::memcpy(&bits, &nan, 8);
    put_u64(bytes, at, bits);
    put_u32(bytes, at + 8, ad::Forest::kLeaf);
    fix_crc(bytes);
    ad::Error e = parse_error(bytes);
    CHECK(contains(e.message(), "model file is malformed: ASPECTS section: forest: bad leaf value"));
  }
}
