"""Real cities for the sample-data generators: name, ISO country code, latitude,
longitude and standard-time UTC offset (no daylight saving time), across every
inhabited continent. The coordinates are the cities' centres, as a GeoIP database
reports them.
"""
import math

# name, country, lat, lon, UTC offset in hours (standard time)
CITIES = [
    # Europe
    ("Oslo", "NO", 59.9139, 10.7522, 1),
    ("Bergen", "NO", 60.3913, 5.3221, 1),
    ("Stockholm", "SE", 59.3293, 18.0686, 1),
    ("London", "GB", 51.5074, -0.1278, 0),
    ("Manchester", "GB", 53.4808, -2.2426, 0),
    ("Dublin", "IE", 53.3498, -6.2603, 0),
    ("Paris", "FR", 48.8566, 2.3522, 1),
    ("Lyon", "FR", 45.7640, 4.8357, 1),
    ("Berlin", "DE", 52.5200, 13.4050, 1),
    ("Munich", "DE", 48.1351, 11.5820, 1),
    ("Frankfurt", "DE", 50.1109, 8.6821, 1),
    ("Amsterdam", "NL", 52.3676, 4.9041, 1),
    ("Zurich", "CH", 47.3769, 8.5417, 1),
    ("Madrid", "ES", 40.4168, -3.7038, 1),
    ("Warsaw", "PL", 52.2297, 21.0122, 1),
    ("Bucharest", "RO", 44.4268, 26.1025, 2),
    ("Kyiv", "UA", 50.4501, 30.5234, 2),
    ("Moscow", "RU", 55.7558, 37.6173, 3),
    ("Istanbul", "TR", 41.0082, 28.9784, 3),
    # Americas
    ("New York", "US", 40.7128, -74.0060, -5),
    ("Boston", "US", 42.3601, -71.0589, -5),
    ("Ashburn", "US", 39.0438, -77.4874, -5),
    ("Chicago", "US", 41.8781, -87.6298, -6),
    ("Austin", "US", 30.2672, -97.7431, -6),
    ("Denver", "US", 39.7392, -104.9903, -7),
    ("San Francisco", "US", 37.7749, -122.4194, -8),
    ("Seattle", "US", 47.6062, -122.3321, -8),
    ("Toronto", "CA", 43.6532, -79.3832, -5),
    ("Vancouver", "CA", 49.2827, -123.1207, -8),
    ("Mexico City", "MX", 19.4326, -99.1332, -6),
    ("Bogotá", "CO", 4.7110, -74.0721, -5),
    ("São Paulo", "BR", -23.5505, -46.6333, -3),
    ("Buenos Aires", "AR", -34.6037, -58.3816, -3),
    # Asia
    ("Tokyo", "JP", 35.6762, 139.6503, 9),
    ("Osaka", "JP", 34.6937, 135.5023, 9),
    ("Seoul", "KR", 37.5665, 126.9780, 9),
    ("Beijing", "CN", 39.9042, 116.4074, 8),
    ("Shanghai", "CN", 31.2304, 121.4737, 8),
    ("Hong Kong", "HK", 22.3193, 114.1694, 8),
    ("Singapore", "SG", 1.3521, 103.8198, 8),
    ("Manila", "PH", 14.5995, 120.9842, 8),
    ("Hanoi", "VN", 21.0278, 105.8342, 7),
    ("Jakarta", "ID", -6.2088, 106.8456, 7),
    ("Bangalore", "IN", 12.9716, 77.5946, 5.5),
    ("Mumbai", "IN", 19.0760, 72.8777, 5.5),
    ("Delhi", "IN", 28.7041, 77.1025, 5.5),
    ("Dubai", "AE", 25.2048, 55.2708, 4),
    # Africa
    ("Lagos", "NG", 6.5244, 3.3792, 1),
    ("Cairo", "EG", 30.0444, 31.2357, 2),
    ("Nairobi", "KE", -1.2921, 36.8219, 3),
    ("Johannesburg", "ZA", -26.2041, 28.0473, 2),
    ("Cape Town", "ZA", -33.9249, 18.4241, 2),
    # Oceania
    ("Sydney", "AU", -33.8688, 151.2093, 10),
    ("Melbourne", "AU", -37.8136, 144.9631, 10),
    ("Perth", "AU", -31.9505, 115.8605, 8),
    ("Auckland", "NZ", -36.8485, 174.7633, 12),
]


class City:
    __slots__ = ("index", "name", "cc", "lat", "lon", "offset_s")

    def __init__(self, index, name, cc, lat, lon, offset_h):
        self.index, self.name, self.cc, self.lat, self.lon = index, name, cc, lat, lon
        self.offset_s = int(offset_h * 3600)

    def __repr__(self):
        return f"City({self.name}, {self.cc})"


def cities():
    """The table as City objects, in table order."""
    return [City(i, *row) for i, row in enumerate(CITIES)]


def by_name(table, name):
    for c in table:
        if c.name == name:
            return c
    raise KeyError(name)


def km(lat1, lon1, lat2, lon2):
    """Great-circle distance in kilometres (haversine, mean Earth radius 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def city_km(a, b):
    return km(a.lat, a.lon, b.lat, b.lon)
