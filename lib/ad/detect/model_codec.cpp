#include "ad/detect/model_codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ad/core/text.h"
#include "ad/detect/profile.h"

namespace ad::model_codec {

const char* tag_name(std::uint32_t tag) {
  static const char* kNames[] = {"",        "META",    "SCHEMA", "TABLES",  "FOREST",
                                 "CALIB",   "PROFILES", "ASPECTS", "BUDGET", "NETWORKS", "CEILINGS", "SIGNALS",
                                 "SESSIONS"};
  return tag <= kLastTag ? kNames[tag] : "";
}

std::uint32_t first_format(Tag tag) {
  if (tag == kSessions) return kModelFormat + 1;  // optional in format 5
  return tag >= kCeilings ? 5 : tag == kNetworks ? 4 : tag == kBudget ? 3 : 2;
}

void Put::u32(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) s_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void Put::u64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) s_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void Put::f64(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, 8);
  u64(bits);
}

void Put::str(const std::string& v) {
  u32(static_cast<std::uint32_t>(v.size()));
  s_ += v;
}

void Put::section(std::uint32_t tag, const Put& body) {
  u32(tag);
  u64(body.s_.size());
  s_ += body.s_;
}

std::uint32_t Get::u32() {
  const char* p = take(4);
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

std::uint64_t Get::u64() {
  const char* p = take(8);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

double Get::f64() {
  std::uint64_t bits = u64();
  double v;
  std::memcpy(&v, &bits, 8);
  return v;
}

double Get::finite(const std::string& what) {
  double v = f64();
  if (!std::isfinite(v)) fail(fmt::format("{} is {}, not a finite number", what, v));
  return v;
}

double Get::finite(const std::string& what, double lo, double hi) {
  double v = finite(what);
  if (v < lo || v > hi) fail(fmt::format("{} {} is outside [{}, {}]", what, v, lo, hi));
  return v;
}

std::string Get::str() {
  std::uint32_t len = u32();
  return std::string(take(len), len);
}

std::size_t Get::count(std::size_t min_bytes) {
  std::uint64_t c = u64();
  if (min_bytes && c > (n_ - pos_) / min_bytes) fail("count out of range");
  return static_cast<std::size_t>(c);
}

void Get::fail(const std::string& why) const {
  throw data_error("model file is malformed: " + std::string(section_) + " section: " + why, Location{name_});
}

const char* Get::take(std::size_t k) {
  if (k > n_ - pos_) fail("ends early");
  const char* p = p_ + pos_;
  pos_ += k;
  return p;
}

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

Forest get_forest(Get& g) {
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
    g.fail(e.message());
  }
}

void put_quantiles(Put& p, const std::vector<double>& q) {
  p.u64(q.size());
  for (double v : q) p.f64(v);
}

std::vector<double> get_quantiles(Get& g, const std::string& what) {
  std::vector<double> q(g.count(8));
  for (std::size_t i = 0; i < q.size(); ++i) q[i] = g.finite(what + " " + std::to_string(i), 0, 1);
  if (!std::is_sorted(q.begin(), q.end())) g.fail("quantiles out of order");
  return q;
}

namespace {

// One writer and one reader per section, in file order (model.h).

void write_meta(Put& p, const Model& m) {
  p.str(m.info.ad_version);
  p.u64(m.info.seed);
  p.u32(m.info.trees);
  p.u32(m.info.sample_size);
  p.f64(m.info.contamination);
  p.u64(m.info.rows_read);
  p.u64(m.info.rows_used);
  p.u64(m.info.sample_rows);
}

void read_meta(Get& g, Model& m) {
  m.info.ad_version = g.str();
  m.info.seed = g.u64();
  m.info.trees = g.u32();
  m.info.sample_size = g.u32();
  m.info.contamination = g.finite("contamination", 0, 0.5);
  m.info.rows_read = g.u64();
  m.info.rows_used = g.u64();
  m.info.sample_rows = g.u64();
}

void write_schema(Put& p, const Model& m) {
  for (const auto& c : m.role_columns) p.str(c);
  p.u8(m.logins_only ? 1 : 0);
  p.u64(m.features.size());
  for (const auto& f : m.features) {
    p.u8(static_cast<std::uint8_t>(f.kind));
    p.str(f.column);
    p.i32(f.role);
    p.i32(f.table);
    p.f64(f.low);
    p.f64(f.median);
    p.f64(f.high);
  }
}

void read_schema(Get& g, Model& m) {
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
    const std::string what = "feature " + text::quote(f.column) + " ";
    f.low = g.finite(what + "p1");
    f.median = g.finite(what + "p50");
    f.high = g.finite(what + "p99");
    if (f.role < -1 || f.role >= kRoleCount) g.fail("bad role");
    m.features.push_back(std::move(f));
  }
}

void write_tables(Put& p, const Model& m) {
  p.u64(m.tables.size());
  for (const auto& t : m.tables) {
    p.u64(t.total());
    auto entries = t.sorted();
    p.u64(entries.size());
    for (const auto& [v, c] : entries) {
      p.str(v);
      p.u32(c);
    }
  }
}

void read_tables(Get& g, Model& m) {
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
}

void write_forest(Put& p, const Model& m) { put_forest(p, m.forest); }

void read_forest(Get& g, Model& m) { m.forest = get_forest(g); }

void write_calib(Put& p, const Model& m) {
  p.f64(m.threshold);
  put_quantiles(p, m.quantiles);
}

void read_calib(Get& g, Model& m) {
  m.threshold = g.finite("threshold", 0, 1);
  m.quantiles = get_quantiles(g, "quantile");
}

// A value list: count, then value, count and last seen of each entry, by value.
void put_values(Put& p, const ValueCounts& values) {
  auto entries = values.entries();
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.value < b.value; });
  p.u64(entries.size());
  for (const auto& e : entries) {
    p.str(e.value);
    p.u32(e.count);
    p.u64(static_cast<std::uint64_t>(e.last_ms));
  }
}

void get_values(Get& g, ValueCounts& values) {
  std::size_t k = g.count(16);
  if (k > ValueCounts::kMaxValues) g.fail("too many values in a profile");
  for (std::size_t e = 0; e < k; ++e) {
    ValueCounts::Entry entry;
    entry.value = g.str();
    entry.count = g.u32();
    entry.last_ms = static_cast<std::int64_t>(g.u64());
    values.entries().push_back(std::move(entry));
  }
}

void write_profile(Put& p, const std::string& name, const UserProfile& u) {
  p.str(name);
  p.u32(u.logins);
  p.u32(u.failures);
  p.u32(u.successes);
  for (auto h : u.hours) p.u32(h);
  for (auto h : u.local_hours) p.u32(h);
  for (auto w : u.weekdays) p.u32(w);
  p.u64(static_cast<std::uint64_t>(u.last_seen_ms));
  p.u8(u.has_place ? 1 : 0);
  p.u64(static_cast<std::uint64_t>(u.place_ms));
  p.f64(u.place.lat);
  p.f64(u.place.lon);
  p.u8(u.place.approximate ? 1 : 0);
  p.str(u.place_name);
  for (const auto& t : u.traits) put_values(p, t);
}

void write_profiles(Put& p, const Model& m) {
  p.u64(m.profiles.max_users());
  auto users = m.profiles.sorted();
  p.u64(users.size());
  for (const auto& [name, u] : users) write_profile(p, *name, *u);
}

void read_profile(Get& g, const std::string& name, UserProfile& p) {
  p.logins = g.u32();
  p.failures = g.u32();
  p.successes = g.u32();
  for (auto& h : p.hours) h = g.u32();
  for (auto& h : p.local_hours) h = g.u32();
  for (auto& w : p.weekdays) w = g.u32();
  p.last_seen_ms = static_cast<std::int64_t>(g.u64());
  p.has_place = g.u8() != 0;
  p.place_ms = static_cast<std::int64_t>(g.u64());
  const std::string of = "profile of " + text::quote(name) + ": ";
  p.place.lat = g.finite(of + "latitude", -90, 90);
  p.place.lon = g.finite(of + "longitude", -180, 180);
  p.place.approximate = g.u8() != 0;
  p.place_name = g.str();
  for (auto& t : p.traits) get_values(g, t);
}

void read_profiles(Get& g, Model& m) {
  m.profiles.set_max_users(static_cast<std::size_t>(g.u64()));
  std::size_t n = g.count(4 + 12 + 55 * 4);
  for (std::size_t i = 0; i < n; ++i) {
    std::string name = g.str();
    read_profile(g, name, m.profiles.get(name, 0));
  }
}

void write_aspects(Put& p, const Model& m) {
  put_quantiles(p, m.whole_quantiles);
  p.u64(m.aspects.size());
  for (const auto& a : m.aspects) {
    p.u8(static_cast<std::uint8_t>(a.aspect));
    put_forest(p, a.forest);
    put_quantiles(p, a.quantiles);
  }
}

void read_aspects(Get& g, Model& m) {
  m.whole_quantiles = get_quantiles(g, "whole-forest quantile");
  std::size_t n = g.count(1);
  bool present[kAspectCount] = {};
  for (std::size_t i = 0; i < n; ++i) {
    AspectForest a;
    std::uint8_t kind = g.u8();
    if (kind >= kAspectCount || present[kind]) g.fail("unknown or repeated aspect " + std::to_string(kind));
    present[kind] = true;
    a.aspect = static_cast<Aspect>(kind);
    a.forest = get_forest(g);
    a.quantiles = get_quantiles(g, std::string(aspect_name(a.aspect)) + " aspect quantile");
    if (a.quantiles.size() != m.whole_quantiles.size() || a.quantiles.size() < 2)
      g.fail("quantile lists differ in length");
    m.aspects.push_back(std::move(a));
  }
}

void write_budget(Put& p, const Model& m) {
  p.f64(m.info.budget);
  p.u64(m.info.budget_user_days);
  p.u64(m.info.budget_incidents);
}

void read_budget(Get& g, Model& m) {
  m.info.budget = g.finite("budget");
  if (m.info.budget < 0) g.fail(fmt::format("budget {} is below 0", m.info.budget));
  m.info.budget_user_days = g.u64();
  m.info.budget_incidents = g.u64();
}

void write_networks(Put& p, const Model& m) {
  p.u8(static_cast<std::uint8_t>((m.asn_networks ? 1 : 0) | (m.geoip_places ? 2 : 0)));
  auto users = m.profiles.sorted();
  p.u64(users.size());
  for (const auto& [name, u] : users) {
    p.str(*name);
    p.u64(static_cast<std::uint64_t>(u->session_ms));
    p.str(u->session_net);
    put_values(p, u->wide_networks);
  }
}

// Needs PROFILES first (the order kSectionOrder writes).
void read_networks(Get& g, Model& m) {
  const std::uint8_t flags = g.u8();
  if (flags > 3) g.fail("unknown database flags " + std::to_string(flags));
  m.asn_networks = (flags & 1) != 0;
  m.geoip_places = (flags & 2) != 0;
  std::size_t n = g.count(4 + 8 + 4 + 8);
  for (std::size_t i = 0; i < n; ++i) {
    std::string name = g.str();
    if (!m.profiles.find(name)) g.fail("networks of " + text::quote(name) + ", a user without a profile");
    UserProfile& u = m.profiles.get(name, 0);
    u.session_ms = static_cast<std::int64_t>(g.u64());
    u.session_net = g.str();
    u.wide_networks = ValueCounts();
    get_values(g, u.wide_networks);
  }
}

void put_ceilings(Put& p, const Forest& f) {
  p.u64(f.ceiling_array().size());
  for (double v : f.ceiling_array()) p.f64(v);
}

// Reads a ceiling list into forest f (an empty one leaves f as it is).
void get_ceilings(Get& g, Forest& f) {
  std::vector<double> c(g.count(8));
  for (double& v : c) v = g.f64();
  if (c.empty()) return;
  try {
    f = Forest::from_arrays(f.features(), f.sample_size(), f.node_array(), f.count_array(), f.root_array(),
                            std::move(c));
  } catch (const Error& e) {
    g.fail(e.message());
  }
}

void write_ceilings(Put& p, const Model& m) {
  put_ceilings(p, m.forest);
  p.u64(m.aspects.size());
  for (const auto& a : m.aspects) put_ceilings(p, a.forest);
}

// Needs FOREST and ASPECTS first (the order kSectionOrder writes).
void read_ceilings(Get& g, Model& m) {
  get_ceilings(g, m.forest);
  if (g.count(8) != m.aspects.size()) g.fail("ceiling lists and aspect forests differ in number");
  for (auto& a : m.aspects) get_ceilings(g, a.forest);
}

void write_signals(Put& p, const Model& m) { p.f64(m.signal_threshold); }

void read_signals(Get& g, Model& m) { m.signal_threshold = g.finite("signal threshold", 0, 100); }

void write_sessions(Put& p, const Model& m) {
  auto users = m.profiles.sorted();
  std::uint64_t n = 0;
  for (const auto& [name, u] : users) n += u->session_client.empty() ? 0 : 1;
  p.u64(n);
  for (const auto& [name, u] : users)
    if (!u->session_client.empty()) {
      p.str(*name);
      p.str(u->session_client);
    }
}

// Needs PROFILES first (the order kSectionOrder writes).
void read_sessions(Get& g, Model& m) {
  std::size_t n = g.count(4 + 4);
  for (std::size_t i = 0; i < n; ++i) {
    std::string name = g.str();
    if (!m.profiles.find(name)) g.fail("the session of " + text::quote(name) + ", a user without a profile");
    m.profiles.get(name, 0).session_client = g.str();
  }
}

// The sections, in Tag order, each with its writer and reader.
struct SectionCodec {
  void (*write)(Put&, const Model&);
  void (*read)(Get&, Model&);
};
constexpr SectionCodec kCodecs[kLastTag + 1] = {
    {nullptr, nullptr},          {write_meta, read_meta},         {write_schema, read_schema},
    {write_tables, read_tables}, {write_forest, read_forest},     {write_calib, read_calib},
    {write_profiles, read_profiles}, {write_aspects, read_aspects}, {write_budget, read_budget},
    {write_networks, read_networks}, {write_ceilings, read_ceilings}, {write_signals, read_signals},
    {write_sessions, read_sessions},
};

}  // namespace

void write_section(Tag tag, Put& p, const Model& m) { kCodecs[tag].write(p, m); }

void read_section(Tag tag, Get& g, Model& m) { kCodecs[tag].read(g, m); }

}  // namespace ad::model_codec
