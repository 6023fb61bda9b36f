"""Address space for the sample-data generators.

A Net is one network (an IPv4 /24, or an IPv6 /48) that a GeoIP database places in one
city, with slightly jittered coordinates, the way real GeoIP answers look. The first
octets of IPv4 networks follow the regional registries (RIPE, ARIN, APNIC, LACNIC,
AFRINIC), so that addresses look like they come from the right part of the world.
Every network handed out is distinct.
"""
import ipaddress

# First octets of IPv4 space per regional registry (a plausible subset).
_V4_FIRST = {
    "ripe": [2, 5, 31, 37, 46, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92,
             93, 94, 95, 109, 151, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217],
    "arin": [3, 8, 12, 23, 24, 50, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 96, 97,
             98, 99, 104, 107, 108, 162, 173, 174, 184, 198, 199, 204, 205, 206, 207, 208, 209, 216],
    "apnic": [1, 14, 27, 36, 39, 42, 49, 58, 59, 60, 61, 101, 103, 110, 111, 112, 113, 114, 115, 116,
              117, 118, 119, 120, 121, 122, 123, 124, 125, 175, 180, 182, 183, 202, 203, 210, 211,
              218, 219, 220, 221, 222],
    "lacnic": [177, 179, 181, 186, 187, 189, 190, 191, 200, 201],
    "afrinic": [41, 102, 105, 154, 196, 197],
}
# First 16 bits of IPv6 space per registry.
_V6_FIRST = {"ripe": [0x2a01, 0x2a02, 0x2a00, 0x2001], "arin": [0x2600, 0x2601, 0x2602, 0x2607],
             "apnic": [0x2400, 0x2401, 0x2403, 0x2404], "lacnic": [0x2800, 0x2801],
             "afrinic": [0x2c0f, 0x2c0e]}

_REGION = {}
for _cc in "NO SE GB IE FR DE NL CH ES PL RO UA RU TR AE".split():
    _REGION[_cc] = "ripe"
for _cc in "US CA".split():
    _REGION[_cc] = "arin"
for _cc in "JP KR CN HK SG PH VN ID IN AU NZ".split():
    _REGION[_cc] = "apnic"
for _cc in "MX CO BR AR".split():
    _REGION[_cc] = "lacnic"
for _cc in "NG EG KE ZA".split():
    _REGION[_cc] = "afrinic"


class Net:
    """One network in one city. addr(host) gives an address in it."""
    __slots__ = ("city", "lat", "lon", "prefix", "v6")

    def __init__(self, city, lat, lon, prefix, v6):
        self.city, self.lat, self.lon, self.prefix, self.v6 = city, lat, lon, prefix, v6

    def addr(self, host):
        """host: 1..254 for IPv4; any 80-bit integer for IPv6 (subnet and interface id)."""
        if self.v6:
            return str(ipaddress.IPv6Address((self.prefix << 80) | (host & ((1 << 80) - 1))))
        return f"{self.prefix}.{host}"

    def __repr__(self):
        return f"Net({self.prefix if not self.v6 else hex(self.prefix)}, {self.city.name})"


class Registry:
    """Hands out distinct networks. All randomness comes from rng, so the same
    sequence of calls with the same rng state gives the same networks."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def v4(self, city, jitter=0.03):
        first = _V4_FIRST[_REGION.get(city.cc, "ripe")]
        while True:
            a = self.rng.choice(first)
            b, c = self.rng.randrange(256), self.rng.randrange(256)
            key = (a, b, c)
            if key not in self.used:
                self.used.add(key)
                return Net(city, *self._jitter(city, jitter), f"{a}.{b}.{c}", False)

    def v4_block(self, city, n, blocks, jitter=0.03):
        """n distinct /24s of one provider in city, inside `blocks` /16s of its own (a
        provider holds a few large blocks, and its customers' addresses stay in them)."""
        first = _V4_FIRST[_REGION.get(city.cc, "ripe")]
        heads = []
        while len(heads) < blocks:
            ab = (self.rng.choice(first), self.rng.randrange(256))
            if ab not in heads and not any(k[:2] == ab for k in self.used if isinstance(k, tuple)):
                heads.append(ab)
        nets = []
        while len(nets) < n:
            a, b = heads[len(nets) % blocks]
            c = self.rng.randrange(256)
            if (a, b, c) not in self.used:
                self.used.add((a, b, c))
                nets.append(Net(city, *self._jitter(city, jitter), f"{a}.{b}.{c}", False))
        return nets

    def v6(self, city, jitter=0.03):
        first = _V6_FIRST[_REGION.get(city.cc, "ripe")]
        while True:
            p = (self.rng.choice(first) << 32) | self.rng.getrandbits(32)
            if p not in self.used:
                self.used.add(p)
                return Net(city, *self._jitter(city, jitter), p, True)

    def _jitter(self, city, jitter):
        return (city.lat + self.rng.uniform(-jitter, jitter),
                city.lon + self.rng.uniform(-jitter, jitter))
