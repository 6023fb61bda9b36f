"""A second, independent login simulation, in the style of a cloud sign-in log.

It exists so that ad is not tuned to the quirks of the standard generator
(logins.py). It shares only the city table with it; the mechanics differ on purpose:

- other columns and names: id (a GUID), createdDateTime with milliseconds and the log
  server's +01:00 offset, userPrincipalName, appDisplayName, clientAppUsed, ipAddress,
  city, country_code, lat, lng, device (an operating system), ua, result
  (Success/Failure), in that order;
- three sites (Chicago, Dublin, Manila) and remote workers; sign-ins arrive as a
  Poisson process over each user's active hours instead of a daily script;
- a support centre in Manila that works in shifts, so some users legitimately sign in
  at 3 a.m. local time;
- VPN users whose address alternates between their home city and the VPN egress in
  Chicago; mobile sign-ins from anywhere in a carrier's /16; static user agents;
- attacks shaped differently: takeovers from countries the company works in with the
  most common browser, slow brute force from a residential address in the victim's own
  country, spraying over hours across hundreds of accounts, stuffing from hundreds of
  addresses with one or two tries each.

Labels are the same as the standard generator's (see scripts/gen-logins).
"""
import bisect
import datetime
import random

from . import geo

DAY, HOUR, MINUTE = 86400, 3600, 60
ATTACKS = ("takeover", "impossible_travel", "brute_force", "spraying", "stuffing", "off_hours")
ODDITIES = ("trip", "new_device", "late_work")
DEFAULT_MIX = {"takeover": 6, "impossible_travel": 4, "brute_force": 3, "spraying": 2,
               "stuffing": 2, "off_hours": 6}
HEADER = ["id", "createdDateTime", "userPrincipalName", "appDisplayName", "clientAppUsed",
          "ipAddress", "city", "country_code", "lat", "lng", "device", "ua", "result"]
SERVER_OFFSET = HOUR  # the log server writes local time at +01:00

SITES = [("Chicago", 0.45), ("Dublin", 0.3), ("Manila", 0.25)]
APPS = [("Office 365 Exchange Online", 30), ("Microsoft Teams", 30), ("SharePoint Online", 15),
        ("Salesforce", 10), ("Workday", 5), ("Azure Portal", 3), ("VPN Gateway", 7)]
OS_UA = {
    "Windows 10": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
    "Windows 11": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/121.0.0.0 Safari/537.36",
    "MacOs": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Version/17.2.1 Safari/605.1.15",
    "Ios": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 "
           "(KHTML, like Gecko) Mobile/15E148",
    "Android": "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/120.0.6099.210 Mobile Safari/537.36",
    "Linux": "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
}
DESKTOP_OS = [("Windows 10", 45), ("Windows 11", 30), ("MacOs", 20), ("Linux", 5)]
PHONE_OS = [("Ios", 55), ("Android", 45)]
ATTACKER_UA = {"Windows 10": OS_UA["Windows 10"], "Other": "python-requests/2.28.1",
               "Linux": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/109.0.0.0 Safari/537.36"}


class Options:
    def __init__(self, seed=1, users=200, days=60, start="2025-01-01", history_days=None,
                 attacks=True, incidents=None, mix=None, history_attacks=0, oddity_rate=1.0):
        self.seed, self.users, self.days, self.start = seed, users, days, start
        self.history_days = days // 2 if history_days is None else history_days
        self.attacks, self.history_attacks, self.oddity_rate = attacks, history_attacks, oddity_rate
        self.mix = dict(DEFAULT_MIX) if incidents is None else {k: incidents for k in ATTACKS}
        self.mix.update(mix or {})


_CUM = {}


def _pick(r, pairs):
    """A value of pairs [(value, weight)] drawn by weight."""
    key = id(pairs)
    cum = _CUM.get(key)
    if cum is None or cum[0] is not pairs:
        acc, sums = 0, []
        for _, w in pairs:
            acc += w
            sums.append(acc)
        cum = _CUM[key] = (pairs, sums, [v for v, _ in pairs])
    _, sums, values = cum
    return values[min(bisect.bisect_right(sums, r.random() * sums[-1]), len(values) - 1)]


class Place:
    """Where an address geolocates."""
    __slots__ = ("city", "lat", "lon")

    def __init__(self, city, r):
        self.city = city
        self.lat = round(city.lat + r.uniform(-0.05, 0.05), 3)
        self.lon = round(city.lon + r.uniform(-0.05, 0.05), 3)


class Sim:
    def __init__(self, opt):
        self.opt = opt
        self.r = random.Random(f"signin/{opt.seed}")
        self.cities = geo.cities()
        self.city = {c.name: c for c in self.cities}
        d = datetime.date.fromisoformat(opt.start)
        self.t0 = int(datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.timezone.utc).timestamp())
        self.t_end = self.t0 + opt.days * DAY
        self.t_hist = self.t0 + opt.history_days * DAY
        self.wd0 = d.weekday()
        self.used = set()
        self.events = []  # (t, user, ip, place, os, ua, app, client, ok, kind, incident)
        self.counter = {}
        self.sites = {}
        for name, _ in SITES:
            c = self.city[name]
            p16 = self.block16()
            self.sites[name] = (c, Place(c, self.r), [f"{p16}.{self.r.randint(0, 255)}.{h}"
                                                     for h in self.r.sample(range(1, 255), 16)])
        vc = self.city["Chicago"]
        self.vpn = (Place(vc, self.r), [f"{self.block16()}.10.{h}" for h in (5, 6, 7)])
        self.carriers = {}

    def block16(self):
        while True:
            a = self.r.choice([x for x in range(1, 224) if x not in (10, 100, 127, 169, 172, 192)])
            b = self.r.randrange(256)
            if (a, b) not in self.used:
                self.used.add((a, b))
                return f"{a}.{b}"

    def fresh_ip(self, city):
        return f"{self.block16()}.{self.r.randrange(256)}.{self.r.randint(1, 254)}", Place(city, self.r)

    def carrier(self, city):
        """Mobile sign-ins: anywhere in the carrier's /16, geolocated to the city."""
        c = self.carriers.get(city.name)
        if c is None:
            c = self.carriers[city.name] = (self.block16(), Place(city, self.r))
        return f"{c[0]}.{self.r.randrange(256)}.{self.r.randint(1, 254)}", c[1]

    def incident(self, kind):
        self.counter[kind] = self.counter.get(kind, 0) + 1
        return f"{kind}-{self.counter[kind]:03d}"

    # -- people ----------------------------------------------------------------------
    def make_users(self):
        r = self.r
        self.users = []
        others = [c for c in self.cities if c.name not in ("Chicago", "Dublin", "Manila")]
        for i in range(self.opt.users):
            u = {"i": i}
            u["upn"] = f"{chr(65 + r.randrange(26))}{r.choice(_SURN).upper()}{i:04d}@contoso.example"
            if r.random() < 0.82:
                site = _pick(r, SITES)
                u["site"], u["city"] = site, self.city[site]
            else:
                u["site"], u["city"] = None, r.choice(others)
            u["tz"] = u["city"].offset_s
            shift = "day"
            if u["site"] == "Manila" and r.random() < 0.6:
                shift = r.choice(["evening", "night"])
            u["shift"] = shift
            u["hours"] = {"day": (r.uniform(7, 9.5), r.uniform(8, 9.5)), "evening": (14, 9),
                          "night": (22, 9)}[shift]
            u["rate"] = r.uniform(0.25, 0.9)  # sign-ins per active hour
            u["desk"] = _pick(r, DESKTOP_OS)
            u["phone"] = _pick(r, PHONE_OS) if r.random() < 0.8 else None
            u["home_ip"], u["home_place"] = self.fresh_ip(u["city"])
            u["vpn"] = u["site"] is None and r.random() < 0.3 or r.random() < 0.03
            u["weekend"] = r.uniform(0.0, 0.25) if shift == "day" else 0.7
            u["onsite"] = 0.0 if u["site"] is None else r.uniform(0.5, 0.95)
            u["new_desk"] = None
            u["trips"], u["late"] = [], set()
            self.users.append(u)

    def plan_oddities(self):
        r, opt = self.r, self.opt
        k = opt.oddity_rate * opt.days / 60
        for u in self.users:
            if r.random() < 0.25 * k:  # a trip to another site or a customer
                d = r.randint(1, opt.days - 4)
                dest = self.city[r.choice([s for s, _ in SITES if s != u["site"]])] \
                    if r.random() < 0.7 else r.choice(self.cities)
                if geo.city_km(dest, u["city"]) < 400:
                    continue
                speed = r.uniform(550, 750)
                dep = self.t0 + d * DAY - u["tz"] + int(r.uniform(5, 14) * HOUR)
                arr = dep + int((geo.city_km(dest, u["city"]) / speed + 2) * HOUR)
                back = arr + r.randint(2, 4) * DAY
                home = back + (arr - dep)
                ip, place = self.fresh_ip(dest)
                u["trips"].append((dep, arr, back, home, dest, ip, place, self.incident("trip")))
            if r.random() < 0.12 * k:  # a new laptop with another operating system
                d = r.randint(1, opt.days - 1)
                new = _pick(r, [(o, w) for o, w in DESKTOP_OS if o != u["desk"]])
                u["new_desk"] = (self.t0 + d * DAY, new, self.incident("new_device"))
            if u["shift"] == "day" and r.random() < 0.25 * k:
                for _ in range(r.randint(1, 2)):
                    u["late"].add((r.randint(0, opt.days - 1), self.incident("late_work")))

    def where(self, u, t, r):
        for dep, arr, back, home, dest, ip, place, inc in u["trips"]:
            if dep <= t < arr or back <= t < home:
                return None  # in the air
            if arr <= t < back:
                return ("trip", inc, ip, place) if r.random() < 0.7 else ("trip", inc) + self.carrier(dest)
        return ("home",)

    def sign_in(self, u, t, kind, inc, r, device="desk", loc=None):
        if loc is None:
            loc = self.where(u, t, r)
            if loc is None:
                return
        if loc[0] == "trip":
            kind, inc, ip, place = "trip", loc[1], loc[2], loc[3]
        elif u["vpn"] and r.random() < 0.6:
            ip, place = r.choice(self.vpn[1]), self.vpn[0]
        elif device == "phone" and r.random() < 0.5:
            ip, place = self.carrier(u["city"])
        elif u["site"] and r.random() < u["onsite"] and kind != "late_work":
            _, place, pool = self.sites[u["site"]]
            ip = r.choice(pool)
        else:
            ip, place = u["home_ip"], u["home_place"]
        os_ = u["desk"]
        if device == "phone" and u["phone"]:
            os_ = u["phone"]
        elif u["new_desk"] and t >= u["new_desk"][0]:
            os_ = u["new_desk"][1]
            if kind == "normal" and t < u["new_desk"][0] + 10 * DAY:
                kind, inc = "new_device", u["new_desk"][2]
        app = _pick(r, APPS)
        client = "Browser" if r.random() < 0.6 else "Mobile Apps and Desktop clients"
        if r.random() < 0.025:
            self.events.append((t - r.randint(15, 120), u["i"], ip, place, os_, OS_UA[os_], app, client,
                                False, kind, inc))
        self.events.append((t, u["i"], ip, place, os_, OS_UA[os_], app, client, True, kind, inc))

    def people(self):
        for u in self.users:
            r = random.Random(f"signin/{self.opt.seed}/{u['i']}")
            start_h, length = u["hours"]
            for d in range(self.opt.days):
                wd = (self.wd0 + d) % 7
                mid = self.t0 + d * DAY - u["tz"]
                if wd >= 5 and r.random() >= u["weekend"]:
                    continue
                a = mid + int(start_h * HOUR + r.gauss(0, 900))
                b = a + int(length * HOUR) if wd < 5 else a + int(r.uniform(1, 4) * HOUR)
                t = a + r.randint(0, 900)
                while t < b:
                    dev = "phone" if r.random() < 0.2 else "desk"
                    self.sign_in(u, t, "normal", "", r, dev)
                    t += int(r.expovariate(u["rate"]) * HOUR) + 60
                for day, inc in u["late"]:
                    if day == d:
                        t = mid + int(r.uniform(21, 24.5) * HOUR)
                        for _ in range(r.randint(1, 3)):
                            self.sign_in(u, t, "late_work", inc, r)
                            t += r.randint(10 * MINUTE, 50 * MINUTE)
            for dep, arr, back, home, dest, ip, place, inc in u["trips"]:
                self.sign_in(u, arr + r.randint(30 * MINUTE, 2 * HOUR), "trip", inc, r, "phone")

    # -- attacks ---------------------------------------------------------------------
    def attacks(self):
        r = self.r
        plan = [(k, False) for k in ATTACKS for _ in range(self.opt.mix.get(k, 0))]
        plan += [(ATTACKS[i % len(ATTACKS)], True) for i in range(self.opt.history_attacks)]
        for kind, hist in plan:
            a, b = (self.t0, self.t_hist) if hist else (self.t_hist, self.t_end)
            b -= 10 * HOUR
            if b <= a:
                continue
            getattr(self, "a_" + kind)(int(r.uniform(a, b)), self.incident(kind), a, b)

    def add(self, t, ui, ip, place, os_, ua, ok, kind, inc, r):
        if self.t0 <= t < self.t_end:
            self.events.append((t, ui, ip, place, os_, ua, _pick(r, APPS), "Browser", ok, kind, inc))

    def victim(self, shift=None):
        for _ in range(100):
            u = self.r.choice(self.users)
            if shift is None or u["shift"] == shift:
                return u
        return self.users[0]

    def a_takeover(self, t, inc, a, b):
        r, u = self.r, self.victim()
        home_cc = u["city"].cc
        city = r.choice([self.city[s] for s, _ in SITES if self.city[s].cc != home_cc] +
                        [self.city["New York"], self.city["London"]])
        ip, place = self.fresh_ip(city)
        for _ in range(r.randint(1, 2)):
            self.add(t, u["i"], ip, place, "Windows 10", OS_UA["Windows 10"], True, "takeover", inc, r)
            t += r.randint(20 * MINUTE, 3 * HOUR)

    def a_impossible_travel(self, t, inc, a, b):
        r = self.r
        if not hasattr(self, "by_user"):
            self.by_user = {}
            for e in self.events:
                if e[8] and e[9] == "normal":
                    self.by_user.setdefault(e[1], []).append(e)
        for _ in range(50):
            u = self.victim()
            own = sorted(e for e in self.by_user.get(u["i"], ()) if t <= e[0] < b)
            if own:
                break
        else:
            return
        e = own[0]
        far = [c for c in self.cities if geo.km(e[3].lat, e[3].lon, c.lat, c.lon) > 5000]
        ip, place = self.fresh_ip(r.choice(far))
        self.add(e[0] + r.randint(10 * MINUTE, 60 * MINUTE), u["i"], ip, place, e[4], e[5], True,
                 "impossible_travel", inc, r)

    def a_brute_force(self, t, inc, a, b):
        r, u = self.r, self.victim()
        ip, place = self.fresh_ip(u["city"])  # a residential proxy near the victim
        os_ = r.choice(["Windows 10", "Other"])
        for _ in range(r.randint(10, 30)):
            self.add(t, u["i"], ip, place, os_, ATTACKER_UA[os_], False, "brute_force", inc, r)
            t += r.randint(60, 360)
        self.add(t, u["i"], ip, place, os_, ATTACKER_UA[os_], True, "brute_force", inc, r)

    def a_spraying(self, t, inc, a, b):
        r = self.r
        ip, place = self.fresh_ip(self.city[r.choice(["Amsterdam", "Ashburn", "Frankfurt", "Singapore"])])
        targets = r.sample(self.users, min(len(self.users), r.randint(100, 300)))
        span = r.randint(1, 4) * HOUR
        lucky = r.randrange(len(targets))
        for k, u in enumerate(targets):
            self.add(t + span * k // len(targets), u["i"], ip, place, "Linux", ATTACKER_UA["Linux"],
                     k == lucky, "spraying", inc, r)

    def a_stuffing(self, t, inc, a, b):
        r = self.r
        span = r.randint(2, 6) * HOUR
        n = r.randint(100, 300)
        for k in range(n):
            ip, place = self.fresh_ip(r.choice(self.cities))
            if r.random() < 0.6:
                ui = -1 - r.randrange(10**6)  # an account that does not exist here
            else:
                ui = r.choice(self.users)["i"]
            os_ = _pick(r, DESKTOP_OS)
            ok = ui >= 0 and (r.random() < 0.03 or k == n // 2)
            for _ in range(1 if r.random() < 0.7 else 2):
                self.add(t + r.randint(0, span), ui, ip, place, os_, OS_UA[os_], ok, "stuffing", inc, r)

    def a_off_hours(self, t, inc, a, b):
        r, u = self.r, self.victim("day")
        d = (t + u["tz"] - self.t0) // DAY
        t = self.t0 + d * DAY - u["tz"] + int(r.uniform(1, 4.5) * HOUR)
        for _ in range(r.randint(1, 2)):
            self.add(t, u["i"], u["home_ip"], u["home_place"], u["desk"], OS_UA[u["desk"]], True,
                     "off_hours", inc, r)
            t += r.randint(5 * MINUTE, 40 * MINUTE)


_SURN = ("smith jones murphy reyes santos cruz obrien walsh kelly garcia lee park kim "
         "novak schultz brennan dela byrne flores ramos").split()


def generate(opt):
    """Returns (header, iterator of (row, (event_id, is_attack, kind, incident)))."""
    sim = Sim(opt)
    sim.make_users()
    sim.plan_oddities()
    sim.people()
    if opt.attacks:
        sim.attacks()
    ms = random.Random(f"signin/{opt.seed}/ms")
    ev = [(e[0] * 1000 + ms.randrange(1000), e) for e in sim.events if sim.t0 <= e[0] < sim.t_end]
    ev.sort(key=lambda x: x[0])
    return HEADER, _rows(sim, ev)


def _rows(sim, ev):
    ids = random.Random(f"signin/{sim.opt.seed}/ids")
    days = {}
    for t_ms, (t, ui, ip, place, os_, ua, app, client, ok, kind, inc) in ev:
        if ui >= 0:
            upn = sim.users[ui]["upn"]
        else:
            upn = f"user{-ui:06d}@contoso.example"
        h = f"{ids.getrandbits(128):032x}"  # a version 4 GUID
        gid = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
        local = t + SERVER_OFFSET
        day, sec = divmod(local, DAY)
        ds = days.get(day)
        if ds is None:
            ds = days[day] = datetime.datetime.fromtimestamp(day * DAY, datetime.timezone.utc).strftime("%Y-%m-%d")
        stamp = f"{ds}T{sec // HOUR:02d}:{sec % HOUR // MINUTE:02d}:{sec % MINUTE:02d}.{t_ms % 1000:03d}+01:00"
        yield ([gid, stamp, upn, app, client, ip, place.city.name, place.city.cc, f"{place.lat}",
                f"{place.lon}", os_, ua, "Success" if ok else "Failure"],
               (gid, 0 if kind in ("normal",) + ODDITIES else 1, kind, inc))
