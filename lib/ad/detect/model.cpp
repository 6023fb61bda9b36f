#include "ad/detect/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ad/core/error.h"
#include "ad/core/io.h"
#include "ad/detect/model_codec.h"
#include "ad/detect/severity.h"

namespace ad {

using namespace model_codec;

namespace {

// Checks the header and the checksum of a model file; returns its format version and
// sets payload to the payload's length.
std::uint32_t check_frame(const std::string& bytes, const std::string& name, std::uint64_t& payload) {
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
  payload = head.u64();
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
  return version;
}

// Checks what no single section can: that the sections agree with each other.
void check_consistency(const Model& m, const Location& at) {
  if (m.forest.features() != m.features.size())
    throw data_error("model file is malformed: the forest and the feature list disagree", at);
  for (const auto& a : m.aspects)
    if (a.forest.features() != m.features.size())
      throw data_error("model file is malformed: an aspect forest and the feature list disagree", at);
  for (const auto& f : m.features)
    if ((f.kind == FeatureKind::kCategorical || f.kind == FeatureKind::kRarity) &&
        (f.table < 0 || static_cast<std::size_t>(f.table) >= m.tables.size()))
      throw data_error("model file is malformed: a feature names a missing table", at);
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
  if (quantiles.empty() || std::isnan(score)) return 0;  // no place among them
  if (score <= quantiles.front()) return 0;
  if (score >= quantiles.back()) return 100;
  auto it = std::upper_bound(quantiles.begin(), quantiles.end(), score);
  return severity_at(quantiles, static_cast<std::size_t>(it - quantiles.begin()), score);
}

std::string Model::serialize() const {
  Put payload;
  for (Tag tag : kSectionOrder) {
    Put body;
    write_section(tag, body, *this);
    payload.section(tag, body);
  }
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
  std::uint64_t payload = 0;
  const std::uint32_t version = check_frame(bytes, name, payload);
  Model m;
  bool seen[kLastTag + 1] = {};
  Get sections(bytes.data() + kHeaderSize, payload, name, "payload");
  while (!sections.done()) {
    std::uint32_t tag = sections.u32();
    std::size_t len = sections.count(1);
    std::string body(len, '\0');
    for (std::size_t i = 0; i < len; ++i) body[i] = static_cast<char>(sections.u8());
    if (tag < 1 || tag > kLastTag) continue;  // a section from a newer minor revision
    seen[tag] = true;
    Get g(body.data(), body.size(), name, tag_name(tag));
    read_section(static_cast<Tag>(tag), g, m);
    if (!g.done()) g.fail("unexpected bytes at the end");
  }
  Location at{name};
  for (std::uint32_t tag = 1; tag <= kLastTag; ++tag)
    if (!seen[tag] && version >= first_format(static_cast<Tag>(tag)))
      throw data_error("model file is malformed: a section is missing", at);
  check_consistency(m, at);
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
  if (m.signal_threshold > 0)
    line(fmt::format("signals:       a login whose signals alone score {:g} or more is flagged too",
                     m.signal_threshold));
  line("logins only:   " + std::string(m.logins_only ? "yes" : "no"));
  if (m.geoip_places || m.asn_networks)
    line(std::string("databases:     ") + (m.geoip_places ? "City (--geoip)" : "") +
         (m.geoip_places && m.asn_networks ? ", " : "") + (m.asn_networks ? "ASN (--asn)" : ""));
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
    const char* trees = a.forest.has_ceilings() ? " trees with split ceilings over " : " trees over ";
    line("aspect " + name + ":" + std::string(8 - std::min<std::size_t>(7, name.size()), ' ') +
         std::to_string(a.forest.trees()) + trees + aspect_features(a.aspect, m.features));
  }
  line("profiles:      " + std::to_string(m.profiles.size()) + " users (limit " +
       std::to_string(m.profiles.max_users()) + ")");
  return out;
}

}  // namespace ad
