#include "ad/detect/geo.h"

#include <doctest/doctest.h>

TEST_SUITE("geo") {
  TEST_CASE("country centroids by code and name") {
    auto no = ad::country_centroid("NO");
    REQUIRE(no);
    CHECK(no->approximate);
    CHECK(ad::country_centroid("norway")->lat == no->lat);
    CHECK(ad::country_centroid("UK")->lon == ad::country_centroid("GB")->lon);
    CHECK_FALSE(ad::country_centroid("Atlantis"));
    CHECK_FALSE(ad::country_centroid(""));
  }
  TEST_CASE("haversine distances") {
    ad::GeoPoint oslo{59.91, 10.75}, bucharest{44.43, 26.10}, sydney{-33.87, 151.21};
    CHECK(ad::distance_km(oslo, oslo) == doctest::Approx(0.0));
    CHECK(ad::distance_km(oslo, bucharest) == doctest::Approx(2004).epsilon(0.01));
    CHECK(ad::distance_km(oslo, sydney) == doctest::Approx(15960).epsilon(0.02));
    CHECK(ad::distance_km(oslo, bucharest) == doctest::Approx(ad::distance_km(bucharest, oslo)));
  }
}
