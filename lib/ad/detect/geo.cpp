#include "ad/detect/geo.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ad {

namespace {

struct Country {
  const char* code;
  const char* name;
  double lat, lon;
};

// Approximate geographic centroids. Enough to tell a continent or a neighbour apart.
const Country kCountries[] = {
    {"AD", "Andorra", 42.55, 1.58},          {"AE", "United Arab Emirates", 23.9, 54.3},
    {"AF", "Afghanistan", 33.9, 67.7},       {"AL", "Albania", 41.15, 20.17},
    {"AM", "Armenia", 40.07, 45.04},         {"AO", "Angola", -11.2, 17.87},
    {"AR", "Argentina", -38.4, -63.6},       {"AT", "Austria", 47.5, 14.55},
    {"AU", "Australia", -25.3, 133.8},       {"AZ", "Azerbaijan", 40.14, 47.58},
    {"BA", "Bosnia and Herzegovina", 43.9, 17.68}, {"BD", "Bangladesh", 23.7, 90.36},
    {"BE", "Belgium", 50.5, 4.47},           {"BG", "Bulgaria", 42.73, 25.49},
    {"BH", "Bahrain", 26.07, 50.56},         {"BO", "Bolivia", -16.3, -63.6},
    {"BR", "Brazil", -14.2, -51.9},          {"BY", "Belarus", 53.7, 27.95},
    {"CA", "Canada", 56.1, -106.3},          {"CH", "Switzerland", 46.8, 8.23},
    {"CL", "Chile", -35.7, -71.5},           {"CN", "China", 35.9, 104.2},
    {"CO", "Colombia", 4.57, -74.3},         {"CR", "Costa Rica", 9.75, -83.75},
    {"CU", "Cuba", 21.5, -77.8},             {"CY", "Cyprus", 35.13, 33.43},
    {"CZ", "Czechia", 49.8, 15.47},          {"DE", "Germany", 51.17, 10.45},
    {"DK", "Denmark", 56.26, 9.5},           {"DO", "Dominican Republic", 18.7, -70.16},
    {"DZ", "Algeria", 28.0, 1.66},           {"EC", "Ecuador", -1.83, -78.18},
    {"EE", "Estonia", 58.6, 25.01},          {"EG", "Egypt", 26.8, 30.8},
    {"ES", "Spain", 40.46, -3.75},           {"ET", "Ethiopia", 9.15, 40.49},
    {"FI", "Finland", 61.9, 25.75},          {"FR", "France", 46.2, 2.21},
    {"GB", "United Kingdom", 55.38, -3.44},  {"GE", "Georgia", 42.3, 43.36},
    {"GH", "Ghana", 7.95, -1.02},            {"GR", "Greece", 39.07, 21.82},
    {"GT", "Guatemala", 15.78, -90.23},      {"HK", "Hong Kong", 22.4, 114.1},
    {"HR", "Croatia", 45.1, 15.2},           {"HU", "Hungary", 47.16, 19.5},
    {"ID", "Indonesia", -0.79, 113.9},       {"IE", "Ireland", 53.4, -8.24},
    {"IL", "Israel", 31.05, 34.85},          {"IN", "India", 20.6, 78.96},
    {"IQ", "Iraq", 33.2, 43.68},             {"IR", "Iran", 32.43, 53.69},
    {"IS", "Iceland", 64.96, -19.02},        {"IT", "Italy", 41.87, 12.57},
    {"JM", "Jamaica", 18.1, -77.3},          {"JO", "Jordan", 30.59, 36.24},
    {"JP", "Japan", 36.2, 138.25},           {"KE", "Kenya", -0.02, 37.9},
    {"KG", "Kyrgyzstan", 41.2, 74.77},       {"KH", "Cambodia", 12.57, 104.99},
    {"KR", "South Korea", 35.9, 127.77},     {"KW", "Kuwait", 29.31, 47.48},
    {"KZ", "Kazakhstan", 48.0, 66.9},        {"LB", "Lebanon", 33.85, 35.86},
    {"LK", "Sri Lanka", 7.87, 80.77},        {"LT", "Lithuania", 55.17, 23.88},
    {"LU", "Luxembourg", 49.82, 6.13},       {"LV", "Latvia", 56.88, 24.6},
    {"MA", "Morocco", 31.8, -7.09},          {"MD", "Moldova", 47.41, 28.37},
    {"ME", "Montenegro", 42.7, 19.37},       {"MK", "North Macedonia", 41.6, 21.75},
    {"MM", "Myanmar", 21.9, 95.96},          {"MN", "Mongolia", 46.86, 103.85},
    {"MT", "Malta", 35.94, 14.38},           {"MX", "Mexico", 23.6, -102.55},
    {"MY", "Malaysia", 4.21, 101.98},        {"NG", "Nigeria", 9.08, 8.68},
    {"NL", "Netherlands", 52.13, 5.29},      {"NO", "Norway", 60.47, 8.47},
    {"NP", "Nepal", 28.39, 84.12},           {"NZ", "New Zealand", -40.9, 174.9},
    {"OM", "Oman", 21.5, 55.92},             {"PA", "Panama", 8.54, -80.78},
    {"PE", "Peru", -9.19, -75.0},            {"PH", "Philippines", 12.88, 121.77},
    {"PK", "Pakistan", 30.38, 69.35},        {"PL", "Poland", 51.92, 19.15},
    {"PR", "Puerto Rico", 18.22, -66.59},    {"PT", "Portugal", 39.4, -8.22},
    {"PY", "Paraguay", -23.44, -58.44},      {"QA", "Qatar", 25.35, 51.18},
    {"RO", "Romania", 45.94, 24.97},         {"RS", "Serbia", 44.02, 21.01},
    {"RU", "Russia", 61.5, 105.3},           {"SA", "Saudi Arabia", 23.89, 45.08},
    {"SE", "Sweden", 60.13, 18.64},          {"SG", "Singapore", 1.35, 103.82},
    {"SI", "Slovenia", 46.15, 14.99},        {"SK", "Slovakia", 48.67, 19.7},
    {"SN", "Senegal", 14.5, -14.45},         {"TH", "Thailand", 15.87, 100.99},
    {"TN", "Tunisia", 33.89, 9.54},          {"TR", "Turkey", 38.96, 35.24},
    {"TW", "Taiwan", 23.7, 120.96},          {"TZ", "Tanzania", -6.37, 34.89},
    {"UA", "Ukraine", 48.38, 31.17},         {"UG", "Uganda", 1.37, 32.29},
    {"US", "United States", 37.09, -95.71},  {"UY", "Uruguay", -32.52, -55.77},
    {"UZ", "Uzbekistan", 41.38, 64.59},      {"VE", "Venezuela", 6.42, -66.59},
    {"VN", "Vietnam", 14.06, 108.28},        {"ZA", "South Africa", -30.56, 22.94},
    {"ZM", "Zambia", -13.13, 27.85},         {"ZW", "Zimbabwe", -19.02, 29.15},
};

bool same(std::string_view a, const char* b) {
  std::size_t i = 0;
  for (; i < a.size() && b[i]; ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return i == a.size() && !b[i];
}

}  // namespace

std::optional<GeoPoint> country_centroid(std::string_view country) {
  while (!country.empty() && country.front() == ' ') country.remove_prefix(1);
  while (!country.empty() && country.back() == ' ') country.remove_suffix(1);
  if (country == "UK" || country == "uk") country = "GB";
  if (same(country, "USA")) country = "US";
  for (const auto& c : kCountries)
    if (same(country, c.code) || same(country, c.name)) return GeoPoint{c.lat, c.lon, true};
  return std::nullopt;
}

double distance_km(const GeoPoint& a, const GeoPoint& b) {
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  double dlat = (b.lat - a.lat) * kRad, dlon = (b.lon - a.lon) * kRad;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * 6371.0088 * std::asin(std::min(1.0, std::sqrt(h)));
}

}  // namespace ad
