"""Browser user-agent strings whose versions move with time, the way auto-updating
browsers do: Chrome and Firefox ship a major version every four weeks, Safari and iOS
a minor one about every nine weeks. A user adopts each release some days late (lag),
so a population's user agents change gradually, not all at once.
"""
import datetime

DAY = 86400


def _epoch(y, m, d):
    return int(datetime.datetime(y, m, d, tzinfo=datetime.timezone.utc).timestamp())


# family: (device class, anchor epoch, version at anchor, period in days, formatter)
def _chrome(v):
    return f"Chrome/{v}.0.0.0"


FAMILIES = {
    "chrome_win": ("computer", _epoch(2025, 1, 14), 132, 28,
                   lambda v: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                             f"(KHTML, like Gecko) {_chrome(v)} Safari/537.36"),
    "edge_win": ("computer", _epoch(2025, 1, 17), 132, 28,
                 lambda v: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                           f"(KHTML, like Gecko) {_chrome(v)} Safari/537.36 Edg/{v}.0.0.0"),
    "firefox_win": ("computer", _epoch(2025, 1, 7), 134, 28,
                    lambda v: f"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) "
                              f"Gecko/20100101 Firefox/{v}.0"),
    "chrome_mac": ("computer", _epoch(2025, 1, 14), 132, 28,
                   lambda v: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
                             f"(KHTML, like Gecko) {_chrome(v)} Safari/537.36"),
    "safari_mac": ("computer", _epoch(2025, 1, 27), 3, 63,
                   lambda v: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
                             f"(KHTML, like Gecko) Version/{18 + v // 7}.{v % 7} Safari/605.1.15"),
    "firefox_linux": ("computer", _epoch(2025, 1, 7), 134, 28,
                      lambda v: f"Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 "
                                f"Firefox/{v}.0"),
    "chrome_linux": ("computer", _epoch(2025, 1, 14), 132, 28,
                     lambda v: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
                               f"(KHTML, like Gecko) {_chrome(v)} Safari/537.36"),
    "iphone": ("mobile", _epoch(2025, 1, 27), 3, 63,
               lambda v: f"Mozilla/5.0 (iPhone; CPU iPhone OS {18 + v // 7}_{v % 7} like Mac OS X) "
                         "AppleWebKit/605.1.15 (KHTML, like Gecko) "
                         f"Version/{18 + v // 7}.{v % 7} Mobile/15E148 Safari/604.1"),
    "iphone_old": ("mobile", _epoch(2025, 1, 27), 6, 10000,
                   lambda v: "Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_10 like Mac OS X) "
                             "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 "
                             "Mobile/15E148 Safari/604.1"),
    "android_chrome": ("mobile", _epoch(2025, 1, 14), 132, 28,
                       lambda v: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 "
                                 f"(KHTML, like Gecko) {_chrome(v)} Mobile Safari/537.36"),
    "android_samsung": ("mobile", _epoch(2025, 1, 20), 27, 56,
                        lambda v: "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) "
                                  "AppleWebKit/537.36 (KHTML, like Gecko) "
                                  f"SamsungBrowser/{v}.0 Chrome/125.0.0.0 Mobile Safari/537.36"),
    "ipad": ("tablet", _epoch(2025, 1, 27), 3, 63,
             lambda v: f"Mozilla/5.0 (iPad; CPU OS {18 + v // 7}_{v % 7} like Mac OS X) "
                       "AppleWebKit/605.1.15 (KHTML, like Gecko) "
                       f"Version/{18 + v // 7}.{v % 7} Mobile/15E148 Safari/604.1"),
}

COMPUTER = [("chrome_win", 38), ("edge_win", 22), ("firefox_win", 6), ("chrome_mac", 15),
            ("safari_mac", 11), ("firefox_linux", 4), ("chrome_linux", 4)]
MOBILE = [("iphone", 50), ("android_chrome", 30), ("android_samsung", 12), ("iphone_old", 8)]

# What scripted attack tools send.
SCRIPTED = ["python-requests/2.31.0", "curl/8.5.0", "Go-http-client/1.1",
            "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/87.0.4280.88 Safari/537.36",
            "okhttp/4.12.0", "Python-urllib/3.10"]

_cache = {}


def ua(family, t):
    """The user agent of family at epoch second t (already shifted by the user's lag)."""
    _, anchor, base, period, fmt = FAMILIES[family]
    v = base + (t - anchor) // (period * DAY)
    key = (family, v)
    s = _cache.get(key)
    if s is None:
        s = _cache[key] = fmt(v)
    return s


def device_class(family):
    return FAMILIES[family][0]
