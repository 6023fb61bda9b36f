// geoip.h: what MaxMind-format databases (.mmdb) say about an IP address.
//
// sshd logs and many exports have an address and nothing else; the wide network of an
// address is more telling as its autonomous system than as a /16. With --geoip FILE (a
// City database: GeoLite2-City, DB-IP City Lite, or any .mmdb with the same fields) and
// --asn FILE (GeoLite2-ASN, DB-IP ASN Lite), ad-train and ad-score look every login's
// address up with libmaxminddb (the file memory-mapped, read-only):
//
//   country      country.iso_code ("GB")
//   city         city.names.en ("London")
//   latitude     location.latitude, location.longitude
//   asn          autonomous_system_number (14061)
//   kind         the kind of network, when the database says it: a string field `type`
//                (as in ipinfo's ASN data: hosting, isp, business, education) or
//                `connection_type` (MaxMind's Connection-Type: Cellular, Cable/DSL, ...)
//
// A login's own country, city and coordinates win: the database only fills in what the
// input leaves empty or lacks (login.h). With an ASN database, the wide network of an
// address it knows is its AS ("AS14061"), else its /16 or /32 (network.h). The databases
// are the user's to supply and keep current; ad downloads nothing.
//
// Errors: a file that cannot be opened is an ad::Error(kIo) naming it; a file that is
// not a MaxMind database, or one whose search tree or data section turns out corrupt
// during a lookup, an ad::Error(kData) naming it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ad/detect/geo.h"

namespace CLI {
class App;
}

namespace ad {

// What the databases know about one address; empty fields are unknown.
struct IpFacts {
  std::string country, city;
  std::optional<GeoPoint> point;
  std::uint32_t asn = 0;  // 0: unknown
  std::string kind;
};

// One .mmdb file.
class MmdbFile {
 public:
  // Opens path. Throws ad::Error(kIo) if it cannot be read, kData if it is not a
  // MaxMind database.
  explicit MmdbFile(const std::string& path);
  ~MmdbFile();
  MmdbFile(const MmdbFile&) = delete;
  MmdbFile& operator=(const MmdbFile&) = delete;

  // Adds to facts what the file knows about the address text (fields it has; those
  // already set stay). False if the text is not an address or the file has no entry
  // for it. Throws ad::Error(kData) naming the file for a corrupt file.
  bool lookup(std::string_view address, IpFacts& facts) const;

 private:
  struct Handle;
  std::string path_;
  std::unique_ptr<Handle> handle_;
};

// The --geoip and --asn databases of one run; either may be absent.
class GeoIp {
 public:
  GeoIp(const std::string& city_path, const std::string& asn_path);
  bool places() const { return city_ != nullptr; }   // a City database was given
  bool networks() const { return asn_ != nullptr; }  // an ASN database was given
  // What the databases know about the address (an empty IpFacts if nothing).
  IpFacts lookup(std::string_view address) const;

 private:
  std::unique_ptr<MmdbFile> city_, asn_;
};

// The --geoip FILE and --asn FILE options of ad-train and ad-score.
struct GeoIpOptions {
  std::string city, asn;
  void add_to(CLI::App& app);
  // The databases, or nullptr when neither option was given. Throws as MmdbFile does.
  std::unique_ptr<GeoIp> open() const;
};

}  // namespace ad
