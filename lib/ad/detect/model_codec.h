// model_codec.h: the model file's byte codec, shared by the reader and the writer
// (Model::parse and Model::serialize, model.cpp).
//
// The layout is documented in model.h; this is its vocabulary: the magic number, the
// header size, the section tags, and the little-endian primitives both sides use
// (u8, u32, u64, i32, f64 as IEEE 754 binary64, strings as u32 length + bytes), plus
// the two compound values more than one section holds: a forest and a quantile list;
// and one writer and one reader for each section's body.
// Put appends to a byte string; Get reads one section's bytes and turns every
// shortfall into ad::Error(kData) "model file is malformed: <SECTION> section: ...".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ad/core/error.h"
#include "ad/detect/forest.h"
#include "ad/detect/model.h"

namespace ad::model_codec {

inline constexpr unsigned char kMagic[8] = {0x89, 'A', 'D', 'M', '\r', '\n', 0x1A, '\n'};
inline constexpr std::size_t kHeaderSize = 24;  // magic, version, reserved, payload length

enum Tag : std::uint32_t {
  kMeta = 1, kSchema = 2, kTables = 3, kForest = 4, kCalib = 5, kProfiles = 6, kAspects = 7, kBudget = 8,
  kNetworks = 9, kCeilings = 10, kSignals = 11, kSessions = 12
};
inline constexpr std::uint32_t kLastTag = kSessions;
// The order Model::serialize writes them in (NETWORKS after PROFILES, whose users it
// names; CEILINGS after FOREST and ASPECTS, whose forests it completes).
inline constexpr Tag kSectionOrder[] = {kMeta, kSchema, kTables, kForest, kCalib, kProfiles, kAspects, kBudget,
                                        kNetworks, kCeilings, kSignals, kSessions};
// The format version that introduced a section (older files lack it), 2 for the rest;
// SESSIONS, a minor addition to format 5 (older ad skips it), is not required in one.
std::uint32_t first_format(Tag tag);

// "META", "SCHEMA", ... for a tag in [1, kLastTag].
const char* tag_name(std::uint32_t tag);

class Put {
 public:
  void u8(std::uint8_t v) { s_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void f64(double v);
  void str(const std::string& v);
  // A section: its tag, its length, then its body.
  void section(std::uint32_t tag, const Put& body);
  std::string& bytes() { return s_; }

 private:
  std::string s_;
};

class Get {
 public:
  // Reads the n bytes at p, the `section` (for messages) of the model file `name`.
  Get(const char* p, std::size_t n, std::string name, const char* section)
      : p_(p), n_(n), name_(std::move(name)), section_(section) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(*take(1)); }
  std::uint32_t u32();
  std::uint64_t u64();
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  double f64();
  // An f64 that must be a finite number (and in [lo, hi]); else fails naming `what`.
  double finite(const std::string& what);
  double finite(const std::string& what, double lo, double hi);
  std::string str();
  // A count of items each at least `min_bytes` long, checked against what is left.
  std::size_t count(std::size_t min_bytes);
  bool done() const { return pos_ == n_; }
  const std::string& name() const { return name_; }
  [[noreturn]] void fail(const std::string& why) const;

 private:
  const char* take(std::size_t k);
  const char* p_;
  std::size_t n_, pos_ = 0;
  std::string name_;
  const char* section_;
};

// A forest: sample size, feature count, tree roots, nodes (f64 value, u32 bits,
// u32 right), node row counts.
void put_forest(Put& p, const Forest& forest);
Forest get_forest(Get& g);

// A quantile list of scores: u64 count, then the values, ascending, each in [0, 1].
// `what` names one value in messages ("quantile", "time aspect quantile").
void put_quantiles(Put& p, const std::vector<double>& q);
std::vector<double> get_quantiles(Get& g, const std::string& what);

// The body of one section of m (tag in [1, kLastTag]): write_section appends it to p,
// read_section fills m's part from g. A reader checks everything its section holds on
// its own (counts, kinds, and every number finite and in range: threshold, quantiles,
// typical values, contamination, budget, profile places) and fails through g; what
// needs two sections is Model::parse's to check.
void write_section(Tag tag, Put& p, const Model& m);
void read_section(Tag tag, Get& g, Model& m);

}  // namespace ad::model_codec
