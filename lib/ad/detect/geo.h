// geo.h: where a login happened, and how far apart two logins are.
//
// Travel speed needs coordinates. When the input has latitude and longitude columns,
// ad uses them. Otherwise it falls back to a built-in table of country centroids (ISO
// 3166 alpha-2 codes and common English names), and marks the place as approximate:
// a speed between two centroids says "another country, this fast", not an exact trip.
#pragma once

#include <optional>
#include <string_view>

namespace ad {

struct GeoPoint {
  double lat = 0, lon = 0;
  bool approximate = false;  // a country centroid, not the login's own coordinates
};

// The centroid of a country given as an ISO alpha-2 code ("NO") or an English name
// ("Norway"), case-insensitive. nullopt if unknown.
std::optional<GeoPoint> country_centroid(std::string_view country);

// Great-circle distance in km (haversine, mean Earth radius 6371.0088 km).
double distance_km(const GeoPoint& a, const GeoPoint& b);

}  // namespace ad
