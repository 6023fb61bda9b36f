#include "ad/detect/model.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "ad/core/error.h"
#include "ad/core/io.h"

namespace ad {

namespace {

constexpr unsigned char kMagic[8] = {0x89, 'A', 'D', 'M', '\r', '\n', 0x1A, '\n'};
constexpr std::size_t kHeaderSize = 24;
enum Tag : std::uint32_t {
  kMeta = 1, kSchema = 2, kTables = 3, kForest = 4, kCalib = 5, kProfiles = 6, kAspects = 7, kBudget = 8
};
constexpr std::uint32_t kLastTag = kBudget;

class Put {
 public:
  void u8(std::uint8_t v) { s_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) s_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) s_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void f64(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    u64(bits);
  }
  void str(const std::string& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    s_ += v;
  }
  void section(std::uint32_t tag, const Put& body) {
    u32(tag);
    u64(body.s_.size());
    s_ += body.s_;
  }
  std::string& bytes() { return s_; }

 private:
  std::string s_;
};

class Get {
 public:
  Get(const char* p, std::size_t n, std::string name, const char* section)
      : p_(p), n_(n), name_(std::move(name)), section_(section) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(*take(1)); }
  std::uint32_t u32() {
    const char* p = take(4);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
  }
  std::uint64_t u64() {
    const char* p = take(8);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
  }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  double f64() {
    std::uint64_t bits = u64();
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  std::string str() {
    std::uint32_t len = u32();
    return std::string(take(len), len);
  }
  // A count of items each at least `min_bytes` long, checked against what is left.
  std::size_t count(std::size_t min_bytes) {
    std::uint64_t c = u64();
    if (min_bytes && c > (n_ - pos_) / min_bytes) fail("count out of range");
    return static_cast<std::size_t>(c);
  }
  bool done() const { return pos_ == n_; }
  [[noreturn]] void fail(const std::string& why) const {
    throw data_error("model file is malformed: " + std::string(section_) + " section: " + why,
                     Location{name_});
  }

 private:
  const char* take(std::size_t k) {
    if (k > n_ - pos_) fail("ends early");
    const char* p = p_ + pos_;
    pos_ += k;
    return p;
  }
  const char* p_;
  std::size_t n_, pos_ = 0;
  std::string name_;
  const char* section_;
};

void put_forest(Put& p, const Forest& forest) {
  p.u32(static_cast<std::uint32_t>(forest.sample_size()));
  p.u64(forest.features());
  p.u64(forest.root_array().size());
  for (auto r : forest.root_array()) p.u32(r);
  p.u64(forest.node_array().size());
  for (const auto& n : forest.node_array()) {
    p.f64(n.value);
    p.u32(n.bits);
    p.u32(n.right);
  }
  for (auto c : forest.count_array()) p.u32(c);
}

Forest get_forest(Get& g, const Location& at) {
  int psi = static_cast<int>(g.u32());
  std::size_t features = g.count(0);
  std::size_t trees = g.count(4);
  std::vector<std::uint32_t> roots(trees);
  for (auto& r : roots) r = g.u32();
  std::size_t nodes = g.count(20);
  std::vector<Forest::Node> ns(nodes);
  for (auto& nd : ns) {
    nd.value = g.f64();
    nd.bits = g.u32();
    nd.right = g.u32();
  }
  std::vector<std::uint32_t> counts(nodes);
  for (auto& c : counts) c = g.u32();
  try {
    return Forest::from_arrays(features, psi, std::move(ns), std::move(counts), std::move(roots));
  } catch (const Error& e) {
    throw data_error("model file is malformed: " + e.message(), at);
  }
}

void put_quantiles(Put& p, const std::vector<double>& q) {
  p.u64(q.size());
  for (double v : q) p.f64(v);
}

std::vector<double> get_quantiles(Get& g) {
  std::vector<double> q(g.count(8));
  for (auto& v : q) v = g.f64();
  if (!std::is_sorted(q.begin(), q.end())) g.fail("quantiles out of order");
  return q;
}

}  // namespace

std::uint32_t crc32(const void* data, std::size_t size) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

double Model::score(const double* row) const {
  double s = forest.score(row);
  for (const auto& a : aspects) s = std::max(s, map_quantiles(a.forest.score(row), a.quantiles, whole_quantiles));
  return s;
}

void Model::score(const Matrix& data, std::vector<double>& out, int threads) const {
  forest.score(data, out, threads);
  std::vector<double> part;
  for (const auto& a : aspects) {
    a.forest.score(data, part, threads);
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = std::max(out[i], map_quantiles(part[i], a.quantiles, whole_quantiles));
  }
}

double Model::severity(double score) const {
  if (quantiles.empty()) return 0;
  if (score <= quantiles.front()) return 0;
  if (score >= quantiles.back()) return 100;
  auto it = std::upper_bound(quantiles.begin(), quantiles.end(), score);
  std::size_t hi = static_cast<std::size_t>(it - quantiles.begin());
  std::size_t lo = hi - 1;
  // Ties: take the top of a flat run, so equal scores share the highest percentile.
  double span = quantiles[hi] - quantiles[lo];
  double frac = span > 0 ? (score - quantiles[lo]) / span : 1.0;
  return 100.0 * (static_cast<double>(lo) + frac) / static_cast<double>(quantiles.size() - 1);
}

std::string Model::serialize() const {
  Put meta;
  meta.str(info.ad_version);
  meta.u64(info.seed);
  meta.u32(info.trees);
  meta.u32(info.sample_size);
  meta.f64(info.contamination);
  meta.u64(info.rows_read);
  meta.u64(info.rows_used);
  meta.u64(info.sample_rows);

  Put schema;
  for (const auto& c : role_columns) schema.str(c);
  schema.u8(logins_only ? 1 : 0);
  schema.u64(features.size());
  for (const auto& f : features) {
    schema.u8(static_cast<std::uint8_t>(f.kind));
    schema.str(f.column);
    schema.i32(f.role);
    schema.i32(f.table);
    schema.f64(f.low);
    schema.f64(f.median);
    schema.f64(f.high);
  }

  Put tabs;
  tabs.u64(tables.size());
  for (const auto& t : tables) {
    tabs.u64(t.total());
    auto entries = t.sorted();
    tabs.u64(entries.size());
    for (const auto& [v, c] : entries) {
      tabs.str(v);
      tabs.u32(c);
    }
  }

  Put forest_s;
  put_forest(forest_s, forest);

  Put calib;
  calib.f64(threshold);
  put_quantiles(calib, quantiles);

  Put aspect_s;
  put_quantiles(aspect_s, whole_quantiles);
  aspect_s.u64(aspects.size());
  for (const auto& a : aspects) {
    aspect_s.u8(static_cast<std::uint8_t>(a.aspect));
    put_forest(aspect_s, a.forest);
    put_quantiles(aspect_s, a.quantiles);
  }

  Put budget_s;
  budget_s.f64(info.budget);
  budget_s.u64(info.budget_user_days);
  budget_s.u64(info.budget_incidents);

  Put prof;
  prof.u64(profiles.max_users());
  auto users = profiles.sorted();
  prof.u64(users.size());
  for (const auto& [name, p] : users) {
    prof.str(*name);
    prof.u32(p->logins);
    prof.u32(p->failures);
    prof.u32(p->successes);
    for (auto h : p->hours) prof.u32(h);
    for (auto h : p->local_hours) prof.u32(h);
    for (auto w : p->weekdays) prof.u32(w);
    prof.u64(static_cast<std::uint64_t>(p->last_seen_ms));
    prof.u8(p->has_place ? 1 : 0);
    prof.u64(static_cast<std::uint64_t>(p->place_ms));
    prof.f64(p->place.lat);
    prof.f64(p->place.lon);
    prof.u8(p->place.approximate ? 1 : 0);
    prof.str(p->place_name);
    for (const auto& t : p->traits) {
      auto entries = t.entries();
      std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.value < b.value; });
      prof.u64(entries.size());
      for (const auto& e : entries) {
        prof.str(e.value);
        prof.u32(e.count);
        prof.u64(static_cast<std::uint64_t>(e.last_ms));
      }
    }
  }

  Put payload;
  payload.section(kMeta, meta);
  payload.section(kSchema, schema);
  payload.section(kTables, tabs);
  payload.section(kForest, forest_s);
  payload.section(kCalib, calib);
  payload.section(kProfiles, prof);
  payload.section(kAspects, aspect_s);
  payload.section(kBudget, budget_s);

  Put file;
  for (unsigned char c : kMagic) file.u8(c);
  file.u32(kModelFormat);
  file.u32(0);
  file.u64(payload.bytes().size());
  file.bytes() += payload.bytes();
  file.u32(crc32(file.bytes().data(), file.bytes().size()));
  return std::move(file.bytes());
}

void Model::save(const std::string& path) const {
  AtomicFile f(path);
  f.out().write(serialize());
  f.commit();
}

Model Model::load(const std::string& path) {
  return parse(read_file(path, std::size_t{4} << 30), path);
}

Model Model::parse(const std::string& bytes, const std::string& name) {
  Location at{name};
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0) {
    if (bytes.size() < 8 && std::memcmp(bytes.data(), kMagic, bytes.size()) == 0)
      throw data_error("truncated model file (" + std::to_string(bytes.size()) + " bytes)", at);
    throw data_error("not an ad model file (wrong magic number)", at);
  }
  if (bytes.size() < kHeaderSize + 4)
    throw data_error("truncated model file (" + std::to_string(bytes.size()) + " bytes)", at);
  Get head(bytes.data() + 8, 16, name, "header");
  std::uint32_t version = head.u32();
  head.u32();
  std::uint64_t payload = head.u64();
  if (version > kModelFormat)
    throw data_error("model format version " + std::to_string(version) +
                         " is newer than this ad supports (" + std::to_string(kModelFormat) +
                         "); use a newer ad or retrain",
                     at);
  if (version == 0) throw data_error("not an ad model file (format version 0)", at);
  if (version < kOldestModelFormat)
    throw data_error("model format version " + std::to_string(version) + " is older than this ad reads (" +
                         std::to_string(kOldestModelFormat) + "); retrain with this ad-train",
                     at);
  if (payload > bytes.size() || bytes.size() - kHeaderSize - 4 < payload)
    throw data_error("truncated model file (" + std::to_string(bytes.size()) + " of " +
                         std::to_string(payload + kHeaderSize + 4) + " bytes)",
                     at);
  if (bytes.size() != kHeaderSize + payload + 4)
    throw data_error("model file is corrupt: " + std::to_string(bytes.size() - kHeaderSize - payload - 4) +
                         " stray bytes after the checksum",
                     at);
  Get tail(bytes.data() + kHeaderSize + payload, 4, name, "checksum");
  if (tail.u32() != crc32(bytes.data(), kHeaderSize + payload))
    throw data_error("model file is corrupt (checksum mismatch)", at);

  Model m;
  bool seen[kLastTag + 1] = {};
  Get sections(bytes.data() + kHeaderSize, payload, name, "payload");
  while (!sections.done()) {
    std::uint32_t tag = sections.u32();
    std::size_t len = sections.count(1);
    std::string body(len, '\0');
    for (std::size_t i = 0; i < len; ++i) body[i] = static_cast<char>(sections.u8());
    static const char* kNames[] = {"", "META", "SCHEMA", "TABLES", "FOREST", "CALIB", "PROFILES", "ASPECTS", "BUDGET"};
    if (tag < 1 || tag > kLastTag) continue;  // a section from a newer minor revision
    seen[tag] = true;
    Get g(body.data(), body.size(), name, kNames[tag]);
    switch (tag) {
      case kMeta:
        m.info.ad_version = g.str();
        m.info.seed = g.u64();
        m.info.trees = g.u32();
        m.info.sample_size = g.u32();
        m.info.contamination = g.f64();
        m.info.rows_read = g.u64();
        m.info.rows_used = g.u64();
        m.info.sample_rows = g.u64();
        break;
      case kSchema: {
        for (auto& c : m.role_columns) c = g.str();
        m.logins_only = g.u8() != 0;
        std::size_t n = g.count(1 + 4 + 4 + 4 + 24);
        for (std::size_t i = 0; i < n; ++i) {
          Feature f;
          std::uint8_t kind = g.u8();
          if (kind > static_cast<std::uint8_t>(FeatureKind::kFailure) && !is_derived(static_cast<FeatureKind>(kind)))
            g.fail("unknown feature kind " + std::to_string(kind));
          f.kind = static_cast<FeatureKind>(kind);
          f.column = g.str();
          f.role = g.i32();
          f.table = g.i32();
          f.low = g.f64();
          f.median = g.f64();
          f.high = g.f64();
          if (f.role < -1 || f.role >= kRoleCount) g.fail("bad role");
          m.features.push_back(std::move(f));
        }
        break;
      }
      case kTables: {
        std::size_t n = g.count(16);
        for (std::size_t i = 0; i < n; ++i) {
          CategoryTable t;
          t.set_total(g.u64());
          std::size_t entries = g.count(8);
          for (std::size_t k = 0; k < entries; ++k) {
            std::string v = g.str();
            t.set(std::move(v), g.u32());
          }
          m.tables.push_back(std::move(t));
        }
        break;
      }
      case kForest:
        m.forest = get_forest(g, at);
        break;
      case kBudget:
        m.info.budget = g.f64();
        m.info.budget_user_days = g.u64();
        m.info.budget_incidents = g.u64();
        break;
      case kCalib:
        m.threshold = g.f64();
        m.quantiles = get_quantiles(g);
        break;
      case kAspects: {
        m.whole_quantiles = get_quantiles(g);
        std::size_t n = g.count(1);
        bool present[kAspectCount] = {};
        for (std::size_t i = 0; i < n; ++i) {
          AspectForest a;
          std::uint8_t kind = g.u8();
          if (kind >= kAspectCount || present[kind]) g.fail("unknown or repeated aspect " + std::to_string(kind));
          present[kind] = true;
          a.aspect = static_cast<Aspect>(kind);
          a.forest = get_forest(g, at);
          a.quantiles = get_quantiles(g);
          if (a.quantiles.size() != m.whole_quantiles.size() || a.quantiles.size() < 2)
            g.fail("quantile lists differ in length");
          m.aspects.push_back(std::move(a));
        }
        break;
      }
      case kProfiles: {
        m.profiles.set_max_users(static_cast<std::size_t>(g.u64()));
        std::size_t n = g.count(4 + 12 + 55 * 4);
        for (std::size_t i = 0; i < n; ++i) {
          std::string name = g.str();
          UserProfile& p = m.profiles.get(name, 0);
          p.logins = g.u32();
          p.failures = g.u32();
          p.successes = g.u32();
          for (auto& h : p.hours) h = g.u32();
          for (auto& h : p.local_hours) h = g.u32();
          for (auto& w : p.weekdays) w = g.u32();
          p.last_seen_ms = static_cast<std::int64_t>(g.u64());
          p.has_place = g.u8() != 0;
          p.place_ms = static_cast<std::int64_t>(g.u64());
          p.place.lat = g.f64();
          p.place.lon = g.f64();
          p.place.approximate = g.u8() != 0;
          p.place_name = g.str();
          for (auto& t : p.traits) {
            std::size_t k = g.count(16);
            if (k > ValueCounts::kMaxValues) g.fail("too many values in a profile");
            for (std::size_t e = 0; e < k; ++e) {
              ValueCounts::Entry entry;
              entry.value = g.str();
              entry.count = g.u32();
              entry.last_ms = static_cast<std::int64_t>(g.u64());
              t.entries().push_back(std::move(entry));
            }
          }
        }
        break;
      }
    }
    if (!g.done()) g.fail("unexpected bytes at the end");
  }
  for (std::uint32_t tag = 1; tag <= kLastTag; ++tag)
    if (!seen[tag] && !(tag == kBudget && version < 3))
      throw data_error("model file is malformed: a section is missing", at);
  if (m.forest.features() != m.features.size())
    throw data_error("model file is malformed: the forest and the feature list disagree", at);
  for (const auto& a : m.aspects)
    if (a.forest.features() != m.features.size())
      throw data_error("model file is malformed: an aspect forest and the feature list disagree", at);
  for (const auto& f : m.features)
    if ((f.kind == FeatureKind::kCategorical || f.kind == FeatureKind::kRarity) &&
        (f.table < 0 || static_cast<std::size_t>(f.table) >= m.tables.size()))
      throw data_error("model file is malformed: a feature names a missing table", at);
  return m;
}

std::string describe_model(const Model& m) {
  static const char* kKinds[] = {"numeric", "categorical (rarity)", "rarity", "failure (0/1)"};
  auto kind_name = [&](FeatureKind k) -> std::string {
    return is_derived(k) ? "login (derived)" : kKinds[static_cast<int>(k)];
  };
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  line("format:        " + std::to_string(kModelFormat) + " (written by ad " + m.info.ad_version + ")");
  line("forest:        " + std::to_string(m.info.trees) + " trees, sample size " +
       std::to_string(m.info.sample_size) + ", seed " + std::to_string(m.info.seed));
  line("training:      " + std::to_string(m.info.rows_used) + " rows used of " +
       std::to_string(m.info.rows_read) + ", " + std::to_string(m.info.sample_rows) + " in the sample");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", m.threshold);
  if (m.info.budget > 0)
    line("threshold:     " + std::string(buf) + fmt::format(" (budget {:g} false incidents per 1,000 user-days; "
                                                             "{} incidents in {} calibration user-days)",
                                                             m.info.budget, m.info.budget_incidents,
                                                             m.info.budget_user_days));
  else
    line("threshold:     " + std::string(buf) + " (contamination " + std::to_string(m.info.contamination) + ")");
  line("logins only:   " + std::string(m.logins_only ? "yes" : "no"));
  for (int r = 0; r < kRoleCount; ++r)
    if (!m.role_columns[r].empty())
      line("role " + std::string(role_name(static_cast<Role>(r))) + ": " +
           std::string(11 - std::min<std::size_t>(10, role_name(static_cast<Role>(r)).size()), ' ') +
           m.role_columns[r]);
  line("features:");
  for (const auto& f : m.features) {
    std::snprintf(buf, sizeof buf, "%.4g / %.4g / %.4g", f.low, f.median, f.high);
    line("  " + f.label() + " : " + kind_name(f.kind) + ", p1/p50/p99 " + buf);
  }
  for (const auto& a : m.aspects) {
    std::string name(aspect_name(a.aspect));
    line("aspect " + name + ":" + std::string(8 - std::min<std::size_t>(7, name.size()), ' ') +
         std::to_string(a.forest.trees()) + " trees over " + aspect_features(a.aspect, m.features));
  }
  line("profiles:      " + std::to_string(m.profiles.size()) + " users (limit " +
       std::to_string(m.profiles.max_users()) + ")");
  return out;
}

}  // namespace ad
