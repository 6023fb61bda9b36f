#include "ad/detect/geoip.h"

#include <CLI/CLI.hpp>
#include <maxminddb.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "ad/core/error.h"
#include "ad/detect/ip.h"

namespace ad {

struct MmdbFile::Handle {
  MMDB_s db{};
};

namespace {

[[noreturn]] void corrupt(const std::string& path, int status) {
  throw data_error(std::string("not a usable MaxMind database: ") + MMDB_strerror(status), Location{path});
}

// The value at the path of names (ending in nullptr) in entry, or has_data false.
MMDB_entry_data_s value_at(MMDB_entry_s* entry, const std::string& path, const char* const* names) {
  MMDB_entry_data_s data{};
  int status = MMDB_aget_value(entry, &data, names);
  if (status != MMDB_SUCCESS && status != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR &&
      status != MMDB_INVALID_LOOKUP_PATH_ERROR)
    corrupt(path, status);
  if (status != MMDB_SUCCESS) data.has_data = false;
  return data;
}

// Sets out to the string at names when the entry has one and out is still empty.
void text_at(MMDB_entry_s* entry, const std::string& path, std::initializer_list<const char*> names,
             std::string& out) {
  if (!out.empty()) return;
  const char* list[4] = {};
  std::size_t n = 0;
  for (const char* name : names) list[n++] = name;
  MMDB_entry_data_s d = value_at(entry, path, list);
  if (d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING) out.assign(d.utf8_string, d.data_size);
}

// A number at names as a double, or NaN.
double number_at(MMDB_entry_s* entry, const std::string& path, const char* first, const char* second) {
  const char* list[3] = {first, second, nullptr};
  MMDB_entry_data_s d = value_at(entry, path, list);
  if (!d.has_data) return NAN;
  switch (d.type) {
    case MMDB_DATA_TYPE_DOUBLE: return d.double_value;
    case MMDB_DATA_TYPE_FLOAT: return d.float_value;
    case MMDB_DATA_TYPE_UINT16: return d.uint16;
    case MMDB_DATA_TYPE_UINT32: return d.uint32;
    case MMDB_DATA_TYPE_INT32: return d.int32;
    case MMDB_DATA_TYPE_UINT64: return static_cast<double>(d.uint64);
    default: return NAN;
  }
}

}  // namespace

MmdbFile::MmdbFile(const std::string& path) : path_(path), handle_(std::make_unique<Handle>()) {
  errno = 0;
  int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &handle_->db);
  if (status == MMDB_SUCCESS) return;
  const int saved = errno;
  if (status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR)
    throw io_error(std::string("cannot read: ") + (saved ? std::strerror(saved) : MMDB_strerror(status)),
                   Location{path});
  corrupt(path, status);
}

MmdbFile::~MmdbFile() { MMDB_close(&handle_->db); }

bool MmdbFile::lookup(std::string_view address, IpFacts& facts) const {
  auto canonical = canonical_ip(address);
  if (!canonical) return false;
  int gai_error = 0, status = MMDB_SUCCESS;
  MMDB_lookup_result_s r = MMDB_lookup_string(&handle_->db, canonical->c_str(), &gai_error, &status);
  if (gai_error != 0) return false;
  if (status == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) return false;
  if (status != MMDB_SUCCESS) corrupt(path_, status);
  if (!r.found_entry) return false;
  text_at(&r.entry, path_, {"country", "iso_code", nullptr}, facts.country);
  text_at(&r.entry, path_, {"city", "names", "en", nullptr}, facts.city);
  if (!facts.point) {
    double lat = number_at(&r.entry, path_, "location", "latitude");
    double lon = number_at(&r.entry, path_, "location", "longitude");
    if (std::isfinite(lat) && std::isfinite(lon) && std::abs(lat) <= 90 && std::abs(lon) <= 180)
      facts.point = GeoPoint{lat, lon, false};
  }
  if (facts.asn == 0) {
    double asn = number_at(&r.entry, path_, "autonomous_system_number", nullptr);
    if (std::isfinite(asn) && asn >= 1 && asn <= 4294967295.0) facts.asn = static_cast<std::uint32_t>(asn);
  }
  text_at(&r.entry, path_, {"type", nullptr}, facts.kind);
  text_at(&r.entry, path_, {"connection_type", nullptr}, facts.kind);
  return true;
}

GeoIp::GeoIp(const std::string& city_path, const std::string& asn_path) {
  if (!city_path.empty()) city_ = std::make_unique<MmdbFile>(city_path);
  if (!asn_path.empty()) asn_ = std::make_unique<MmdbFile>(asn_path);
}

void GeoIpOptions::add_to(CLI::App& app) {
  app.add_option("--geoip", city,
                 "MaxMind-format City database (.mmdb): fills in country, city and coordinates the input lacks")
      ->type_name("FILE");
  app.add_option("--asn", asn, "MaxMind-format ASN database (.mmdb): judge networks by their autonomous system")
      ->type_name("FILE");
}

std::unique_ptr<GeoIp> GeoIpOptions::open() const {
  if (city.empty() && asn.empty()) return nullptr;
  return std::make_unique<GeoIp>(city, asn);
}

IpFacts GeoIp::lookup(std::string_view address) const {
  IpFacts facts;
  if (city_) city_->lookup(address, facts);
  if (asn_) asn_->lookup(address, facts);
  return facts;
}

}  // namespace ad
