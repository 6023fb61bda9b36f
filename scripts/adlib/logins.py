"""The standard simulation behind scripts/gen-logins: a company's login stream.

Users live in real cities and keep local working hours in their own time zone. Most
work from an office (a few shared egress addresses per office /24, IPv6 in some
offices) and sometimes from home (a home /24 from a local ISP whose host part changes
every few weeks, dual stack for some), and use a computer, a phone (home wifi or a
mobile carrier's pool of /24s) and sometimes a tablet. Browsers update themselves, so
user agents change gradually across the population. People mistype passwords, take
holidays, join the company late.

On top come the legitimate oddities (labelled, is_attack 0): business trips at plane
speed to another office or city with hotel networks, a new phone, late work. And the
attacks (is_attack 1), each an incident of one or more events: account takeover,
impossible travel, brute force, password spraying, credential stuffing and off-hours
logins from the user's own device. By default attacks only fall after the history
period (--history-days), so a model can be trained on the history and tested on the
rest; history_attacks puts some into the history too.

Everything is drawn from random.Random streams seeded from the seed and a purpose
name, so the same options give the same stream, byte for byte.
"""
import bisect
import datetime
import random

from . import geo, uas
from .netpool import Registry

DAY = 86400
HOUR = 3600
MINUTE = 60

ATTACKS = ("takeover", "impossible_travel", "brute_force", "spraying", "stuffing", "off_hours")
# Attacks that blend in, which only the realism option (--realism) adds: a takeover
# through a residential proxy in the victim's own country, and a stolen session replayed
# from a hosting range minutes after the victim's own login.
BLEND = ("proxy_takeover", "session_replay")
ALL_ATTACKS = ATTACKS + BLEND
ODDITIES = ("trip", "new_device", "late_work")
# Legitimate oddities that only the realism option (--realism) labels.
REALISM = ("cgnat", "vpn", "typo", "browser_upgrade", "new_hire", "service")
KINDS = ("normal",) + ODDITIES + REALISM + ALL_ATTACKS

RICH_HEADER = ["event_id", "timestamp", "user_id", "ip_address", "country", "city", "latitude",
               "longitude", "device_type", "user_agent", "status"]
PROTOTYPE_HEADER = ["user_id", "timestamp", "activity_type", "ip_address", "device_type",
                    "data_size_kb", "encryption_method", "encryption_time_ms", "response_time_ms",
                    "location", "latency_ms", "bandwidth_usage_mbps", "6g_network_status",
                    "adaptive_protocol_level"]
LABEL_HEADER = ["row", "event_id", "is_attack", "kind", "incident"]

OFFICES = [("Oslo", 20), ("London", 18), ("New York", 16), ("San Francisco", 10),
           ("Singapore", 9), ("Sydney", 7), ("Bangalore", 12), ("Berlin", 8)]
# Where attackers rent servers, and where stolen sessions get replayed from.
HOSTING = ["Amsterdam", "Frankfurt", "Ashburn", "Moscow", "Singapore", "São Paulo", "Lagos",
           "Bucharest", "Kyiv", "Hanoi", "Beijing", "Istanbul", "Jakarta", "Seoul", "Dubai",
           "Mumbai", "Hong Kong", "Manila"]
FIRST = ("anna ben carla david elena farid grace hiro ines jamal kari lars maria nils olga "
         "priya quentin rosa sven tara umar vera wei xin yusuf zoe ahmed bianca chen dmitri "
         "emma felipe gita hannah ivan julia kofi leila mateo nadia oscar paula raj sofia "
         "tomas uma viktor wanjiru yara").split()
LAST = ("hansen smith garcia muller rossi kowalski nguyen tanaka kim singh patel silva "
        "johansson berg ivanov okafor mensah ali chen wang lopez brown wilson martin dubois "
        "schmidt novak larsen olsen costa haddad sato park sharma reddy fischer moreau").split()


class Options:
    def __init__(self, seed=1, users=200, days=60, start="2025-01-01", history_days=None,
                 attacks=True, incidents=None, history_attacks=0, oddity_rate=1.0, realism=False):
        self.seed, self.users, self.days = seed, users, days
        self.start = start
        self.history_days = days // 2 if history_days is None else history_days
        self.attacks = attacks
        self.incidents = {k: 5 for k in (ALL_ATTACKS if realism else ATTACKS)}
        self.incidents.update(incidents or {})
        self.history_attacks = history_attacks
        self.oddity_rate = oddity_rate
        self.realism = realism


class Office:
    __slots__ = ("city", "net4", "egress", "net6", "v6_share")

    def addr(self, rng):
        if self.net6 is not None and rng.random() < self.v6_share:
            return self.net6.addr((7 << 64) | rng.getrandbits(64)), self.net6
        return self.net4.addr(rng.choice(self.egress)), self.net4


class Trip:
    __slots__ = ("dep", "arr", "rdep", "rarr", "dest", "hotel", "hotel_hosts", "office", "incident")


class User:
    pass


def _mix64(x):
    """splitmix64: a cheap deterministic 64-bit hash."""
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for v, w in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][0]


class World:
    """Everything shared: cities, offices, ISP and carrier pools, the time origin."""

    def __init__(self, opt):
        self.opt = opt
        self.cities = geo.cities()
        self.by_name = {c.name: c for c in self.cities}
        self.reg = Registry(random.Random(f"{opt.seed}/nets"))
        d = datetime.date.fromisoformat(opt.start)
        self.t0 = int(datetime.datetime(d.year, d.month, d.day,
                                        tzinfo=datetime.timezone.utc).timestamp())
        self.t_end = self.t0 + opt.days * DAY
        self.t_hist = self.t0 + opt.history_days * DAY
        self.start_wd = d.weekday()
        rng = random.Random(f"{opt.seed}/offices")
        self.offices = []
        for name, w in OFFICES:
            o = Office()
            o.city = self.by_name[name]
            o.net4 = self.reg.v4(o.city, 0.0)
            o.egress = rng.sample(range(2, 250), 4)
            o.net6 = self.reg.v6(o.city, 0.0) if rng.random() < 0.5 else None
            o.v6_share = rng.uniform(0.3, 0.7)
            self.offices.append((o, w))
        self._carrier = {}
        self._isp = {}
        self._cgnat = {}
        self._vpn = {}
        if opt.realism:
            # One NAT address per office: dozens of users behind one IPv4 address.
            for o, _ in self.offices:
                o.egress = o.egress[:1]

    def cgnat(self, city):
        """A city's carrier-grade NAT pool (realism): 32 /24s a phone hops between, in the
        carrier's two /16s."""
        nets = self._cgnat.get(city.index)
        if nets is None:
            nets = self._cgnat[city.index] = self.reg.v4_block(city, 32, 2)
        return nets

    def vpn(self, city):
        """A VPN provider's exit /24 in city (realism), shared by its customers."""
        net = self._vpn.get(city.index)
        if net is None:
            net = self._vpn[city.index] = self.reg.v4(city)
        return net

    def carrier(self, city):
        """A city's mobile carrier pools: 8 /24s (CGNAT gateways) in 2 carriers; with
        realism inside two /16s."""
        nets = self._carrier.get(city.index)
        if nets is None:
            nets = self._carrier[city.index] = (self.reg.v4_block(city, 8, 2) if self.opt.realism else
                                                [self.reg.v4(city) for _ in range(8)])
        return nets

    def isp(self, city):
        """A city's home ISPs' /24s: 24 of them, shared by neighbours; with realism inside
        four /16s (one per ISP)."""
        nets = self._isp.get(city.index)
        if nets is None:
            nets = self._isp[city.index] = (self.reg.v4_block(city, 24, 4) if self.opt.realism else
                                            [self.reg.v4(city) for _ in range(24)])
        return nets

    def midnight(self, day, offset_s):
        """UTC epoch second of local midnight of day index day at the offset."""
        return self.t0 + day * DAY - offset_s

    def weekday(self, day):
        return (self.start_wd + day) % 7


def _make_users(world, opt):
    rng = random.Random(f"{opt.seed}/users")
    users, emails = [], set()
    remote_cities = [c for c in world.cities if c.name not in HOSTING[:3]]
    for i in range(opt.users):
        u = User()
        u.idx = i
        r = random.Random(f"{opt.seed}/user/{i}")
        u.rng = r
        base = f"{rng.choice(FIRST)}.{rng.choice(LAST)}"
        email, n = base + "@example.com", 2
        while email in emails:
            email = f"{base}{n}@example.com"
            n += 1
        emails.add(email)
        u.email, u.pid = email, f"u{i + 1}"
        if r.random() < 0.85:
            u.office = _weighted(r, world.offices)
            u.home = u.office.city
        else:
            u.office = None
            u.home = r.choice(remote_cities)
        u.tz = u.home.offset_s
        u.computer = "desktop" if (u.office is not None and r.random() < 0.25) else "laptop"
        u.comp_family = _weighted(r, uas.COMPUTER)
        u.comp_lag = int(r.expovariate(1 / 4) * DAY) if r.random() < 0.93 else r.randint(25, 60) * DAY
        u.phone_family = _weighted(r, uas.MOBILE) if r.random() < 0.92 else None
        u.phone_lag = int(r.expovariate(1 / 6) * DAY)
        u.tablet = r.random() < 0.15
        u.tablet_lag = int(r.expovariate(1 / 8) * DAY)
        u.start = int(min(10.5, max(6.5, r.gauss(8.4, 0.8))) * HOUR)
        u.length = int(r.uniform(7.5, 9.5) * HOUR)
        u.wfh_p = 0.0 if u.computer == "desktop" else (1.0 if u.office is None else r.uniform(0.1, 0.5))
        u.morning_p = r.uniform(0.0, 0.3) if u.phone_family else 0.0
        u.evening_p = r.uniform(0.0, 0.4) if u.phone_family else 0.0
        u.weekend_p = r.uniform(0.03, 0.3)
        u.typo_p = r.uniform(0.01, 0.06)
        u.extra_mean = r.uniform(0.6, 2.2)
        u.home4 = r.choice(world.isp(u.home))
        hosts, day = [], -r.randint(0, 30)
        while day < opt.days:
            hosts.append((day, r.randint(2, 254)))
            day += r.randint(12, 45)
        u.host_days = [h[0] for h in hosts]
        u.hosts = [h[1] for h in hosts]
        u.home6 = world.reg.v6(u.home) if r.random() < 0.3 else None
        u.home6_sub = r.getrandbits(16)
        u.v6_share = r.uniform(0.4, 0.9)
        u.carrier = r.sample(world.carrier(u.home), 4)
        u.first_day = 0
        if opt.days > opt.history_days + 1 and r.random() < 0.02:
            u.first_day = r.randint(opt.history_days, opt.days - 1)
        u.vacation = None
        if r.random() < min(0.9, 0.5 * opt.days / 60):
            v0 = r.randint(0, max(0, opt.days - 5))
            u.vacation = (v0, v0 + r.randint(5, 10))
        u.traveller = r.random() < 0.12
        # Benign failures beyond typos: a password change that a phone's mail app has not
        # caught up with (it retries the old password for hours), and a forgotten password.
        u.stale = None
        if r.random() < min(0.9, 0.08 * opt.days / 60) and u.phone_family:
            u.stale = r.randint(u.first_day, opt.days - 1)
        u.forgot = r.randint(u.first_day, opt.days - 1) if r.random() < min(0.9, 0.08 * opt.days / 60) else None
        u.trips, u.late, u.switch = [], {}, None
        u.events = []
        if opt.realism:
            _realism_user(world, u, opt)
        users.append(u)
    return users


# Where VPN services put their exits.
VPN_EXITS = ["Amsterdam", "Frankfurt", "Zurich", "Stockholm", "London", "Ashburn", "Toronto",
             "Singapore", "Tokyo"]


def _realism_user(world, u, opt):
    """The realism option's per-user traits, from their own random stream so that the
    user's other draws stay as they are."""
    rr = random.Random(f"{opt.seed}/realism/{u.idx}")
    # A phone that lives on the carrier network: a CGNAT address that changes several
    # times a week, across many /24s of the carrier.
    u.cgnat = None
    if u.phone_family and rr.random() < 0.3:
        pool, times, addrs = world.cgnat(u.home), [], []
        t = world.t0 - int(rr.uniform(0, 2) * DAY)
        while t < world.t_end:
            net = rr.choice(pool)
            times.append(t)
            addrs.append((net.addr(rr.randint(1, 254)), net))
            t += int(rr.expovariate(1 / 1.4) * DAY) + HOUR
        u.cgnat = (times, addrs)
    # A VPN exiting in another country for some of the logins from home and the phone.
    u.vpn = None
    if rr.random() < 0.07:
        exits = [world.by_name[n] for n in VPN_EXITS if world.by_name[n].cc != u.home.cc]
        net = world.vpn(rr.choice(exits))
        u.vpn = (net, rr.sample(range(2, 254), 3), rr.uniform(0.3, 0.8))
    # New hires: accounts that appear after the history, with no past to compare with.
    if opt.days > opt.history_days + 3 and rr.random() < 0.03:
        u.first_day = rr.randint(opt.history_days, opt.days - 3)
        if u.stale is not None and u.stale < u.first_day:
            u.stale = None
        if u.forgot is not None and u.forgot < u.first_day:
            u.forgot = None
    u.cgnat_inc = u.vpn_inc = u.hire_inc = ""


SERVICE_UAS = ["python-requests/2.31.0", "Go-http-client/2.0", "okhttp/4.12.0", "curl/8.5.0",
               "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.4648",
               "Apache-HttpClient/4.5.14 (Java/17.0.9)"]
SERVICE_NAMES = ["backup", "ci", "monitoring", "crm-sync", "hr-export", "mailer", "reporting",
                 "scanner", "etl", "ldap-sync", "billing", "deploy"]


def _service_accounts(world, users, opt, gen, ids):
    """Service accounts (realism): many logins at a fixed interval, day and night, from one
    address with a scripted client; some have a few hours of failures after a secret
    rotation nobody told them about."""
    rr = random.Random(f"{opt.seed}/realism/service")
    out = []
    for k in range(max(2, opt.users // 100)):
        u = User()
        u.idx = len(users) + k
        name = SERVICE_NAMES[k % len(SERVICE_NAMES)] + (f"{k // len(SERVICE_NAMES) + 1}" if k >= len(SERVICE_NAMES) else "")
        u.email, u.pid = f"svc-{name}@example.com", f"svc{k + 1}"
        office = _weighted(rr, world.offices)
        city = office.city if rr.random() < 0.5 else world.by_name[rr.choice(["Ashburn", "Frankfurt", "Singapore"])]
        net = world.reg.v4(city)
        ip = net.addr(rr.randint(2, 254))
        ua = rr.choice(SERVICE_UAS)
        step = rr.choice([5, 10, 15, 30, 60, 120]) * MINUTE
        inc = ids.next("service")
        outage = None
        if rr.random() < 0.35:
            a = int(rr.uniform(world.t0, world.t_end - DAY))
            outage = (a, a + int(rr.uniform(1, 6) * HOUR))
        t = world.t0 + rr.randint(0, step)
        while t < world.t_end:
            ok = outage is None or not (outage[0] <= t < outage[1])
            gen.events.append((t + rr.randint(-20, 20), u.idx, ip, net, "unknown", ua, ok, "service", inc))
            t += step
        out.append(u)
    return out


def _relabel(events, users, ids):
    """Realism labels that need the stream in time order: a new hire's first five days,
    and the first login with a new browser version on a device a user already had."""
    last, hire_end, out = {}, {}, []
    for u in users:
        if getattr(u, "hire_inc", ""):
            hire_end[u.idx] = None
    upgrades = {}
    for e in events:
        t, ui, ip, net, device, ua, ok, kind, inc = e
        if ui >= 0 and kind not in ALL_ATTACKS:
            u = users[ui]
            if ui in hire_end:
                if hire_end[ui] is None:
                    hire_end[ui] = t + 5 * DAY
                if t < hire_end[ui] and kind == "normal":
                    kind, inc = "new_hire", u.hire_inc
            key = (ui, device)
            prev = last.get(key)
            if kind != "service":
                last[key] = ua
            if kind == "normal" and prev is not None and prev != ua and ok:
                ukey = (ui, device, ua)
                if ukey not in upgrades:
                    upgrades[ukey] = ids.next("browser_upgrade")
                    kind, inc = "browser_upgrade", upgrades[ukey]
            if kind != e[7]:
                e = (t, ui, ip, net, device, ua, ok, kind, inc)
        out.append(e)
    return out


class Counter:
    def __init__(self):
        self.n = {}

    def next(self, kind):
        self.n[kind] = self.n.get(kind, 0) + 1
        return f"{kind}-{self.n[kind]:03d}"


def _plan_oddities(world, users, opt, ids):
    rate = opt.oddity_rate
    office_cities = [o.city for o, _ in world.offices]
    for u in users:
        r = u.rng
        if opt.realism:
            if u.cgnat:
                u.cgnat_inc = ids.next("cgnat")
            if u.vpn:
                u.vpn_inc = ids.next("vpn")
            if u.first_day > 0:
                u.hire_inc = ids.next("new_hire")
        # Business trips, one after another with gaps.
        mean_gap = (16 if u.traveller else 110) / max(rate, 1e-9)
        day = max(u.first_day, 0) + r.expovariate(1 / mean_gap)
        while day < opt.days - 1:
            d = int(day)
            if world.weekday(d) >= 5:
                day += 1
                continue
            t = _plan_trip(world, u, d, r, office_cities)
            t.incident = ids.next("trip")
            u.trips.append(t)
            day = (t.rarr - world.t0) / DAY + 3 + r.expovariate(1 / mean_gap)
        # A new phone.
        if u.phone_family and r.random() < min(0.9, 0.15 * rate * opt.days / 60):
            d = r.randint(u.first_day, opt.days - 1)
            choices = [f for f, _ in uas.MOBILE if f != u.phone_family]
            new = r.choice(choices)
            t_sw = world.midnight(d, u.tz) + int(r.uniform(9, 20) * HOUR)
            u.switch = (t_sw, new, int(r.uniform(0, 2) * DAY), ids.next("new_device"))
        # Late work evenings.
        if r.random() < min(0.9, 0.3 * rate * opt.days / 60):
            for _ in range(r.randint(1, 3)):
                d = r.randint(u.first_day, opt.days - 1)
                if world.weekday(d) < 5 and not _on_trip(u, world.midnight(d, u.tz) + 20 * HOUR,
                                                        world.midnight(d, u.tz) + DAY + 2 * HOUR):
                    u.late[d] = ids.next("late_work")


def _plan_trip(world, u, d, r, office_cities):
    home = u.home
    x = r.random()
    dest = None
    if x < 0.45:
        cand = [c for c in office_cities if geo.city_km(c, home) > 300]
        dest = r.choice(cand) if cand else None
    elif x < 0.7:
        cand = [c for c in world.cities if c.cc == home.cc and geo.city_km(c, home) > 250]
        dest = r.choice(cand) if cand else None
    if dest is None:
        cand = [c for c in world.cities if geo.city_km(c, home) > 300 and c.name not in HOSTING[:2]]
        dest = r.choice(cand)
    dist = geo.city_km(home, dest)
    flight = (dist / 800 + 0.6 + r.uniform(1.0, 2.5)) * HOUR  # air time plus airports
    t = Trip()
    t.dest = dest
    t.dep = world.midnight(d, u.tz) + int(r.uniform(6.5, 16) * HOUR)
    t.arr = t.dep + int(flight)
    arr_day = (t.arr + dest.offset_s - world.t0) // DAY
    nights = r.randint(2, 6)
    t.rdep = world.midnight(arr_day + nights, dest.offset_s) + int(r.uniform(9, 19) * HOUR)
    t.rarr = t.rdep + int(flight + r.uniform(-0.5, 0.5) * HOUR)
    # A trip may run past the last day: its logins after the end are cut like any
    # other. (Planning none then thinned the trips of the last week by half, so a test
    # period at the end of the data held fewer trips than the history.)
    t.hotel = world.reg.v4(dest)
    t.hotel_hosts = [r.randint(2, 254) for _ in range(2)]
    t.office = None
    for o, _ in world.offices:
        if o.city is dest:
            t.office = o
    return t


def world_weekday_ok(world, day):
    return world.weekday(day) < 5


def _on_trip(u, a, b):
    for t in u.trips:
        if t.dep < b and a < t.rarr:
            return True
    return False


class Gen:
    """Turns plans into events. An event is a tuple
    (t, user, ip, net, device_type, user_agent, ok, kind, incident);
    user is an index into users, or -1-k for the k-th made-up account name."""

    def __init__(self, world, users, opt, ids=None):
        self.world, self.users, self.opt = world, users, opt
        self.events = []
        self.ids = ids

    # -- addresses and devices -------------------------------------------------------------
    def home_addr(self, u, t, r):
        if u.home6 is not None and r.random() < u.v6_share:
            day = (t - self.world.t0) // DAY
            iid = _mix64(u.idx * 100003 + day)  # privacy extensions: a new address per day
            return u.home6.addr((u.home6_sub << 64) | iid), u.home6
        day = (t - self.world.t0) // DAY
        i = bisect.bisect_right(u.host_days, day) - 1
        return u.home4.addr(u.hosts[max(i, 0)]), u.home4

    def carrier_addr(self, nets, r):
        n = r.choice(nets)
        return n.addr(r.randint(1, 254)), n

    def device(self, u, dev, t):
        """(device_type, user_agent, is_new_phone) of the user's device dev at t."""
        if dev == "computer":
            return u.computer, uas.ua(u.comp_family, t - u.comp_lag), False
        if dev == "tablet":
            return "tablet", uas.ua("ipad", t - u.tablet_lag), False
        if u.switch is not None and t >= u.switch[0]:
            return "mobile", uas.ua(u.switch[1], t - u.switch[2]), t < u.switch[0] + 14 * DAY
        return "mobile", uas.ua(u.phone_family, t - u.phone_lag), False

    def emit(self, u, t, ip, net, dev, kind, incident, r, typo=None):
        device_type, ua, new_phone = self.device(u, dev, t)
        if kind == "normal" and new_phone:
            kind, incident = "new_device", u.switch[3]
        ev = self.events
        p = u.typo_p if typo is None else typo
        if r.random() < p:
            n = 1 if r.random() < 0.75 else (2 if r.random() < 0.8 else 3)
            if self.opt.realism and kind == "normal":
                kind, incident = "typo", self.ids.next("typo")
            back = 0
            for _ in range(n):
                back += r.randint(6, 40)
                ev.append((t - back, u.idx, ip, net, device_type, ua, False, kind, incident))
        ev.append((t, u.idx, ip, net, device_type, ua, True, kind, incident))

    # -- a user's days ---------------------------------------------------------------------
    def user(self, u):
        w, r, opt = self.world, u.rng, self.opt
        start = len(self.events)
        blocked = [(t.dep, t.rarr) for t in u.trips]
        for d in range(u.first_day, opt.days):
            plan = self.home_day(u, d, r)
            mid = w.midnight(d, u.tz)
            if opt.realism and u.cgnat and not (u.vacation and u.vacation[0] <= d < u.vacation[1]):
                for _ in range(r.randint(1, 4)):  # the phone that is always on mobile data
                    plan.append((int(r.uniform(7, 22.5) * HOUR), "carrier", "phone", "normal", ""))
            for sec, place, dev, kind, inc in plan:
                t = mid + sec
                if blocked and any(a <= t < b for a, b in blocked):
                    continue
                self.place_emit(u, t, place, dev, kind, inc, r, None)
        for trip in u.trips:
            self.trip(u, trip, r)
        if u.stale is not None:
            t = w.midnight(u.stale, u.tz) + int(r.uniform(8, 16) * HOUR)
            if not _on_trip(u, t - HOUR, t + 10 * HOUR):
                ip, net = self.home_addr(u, t, r)
                device_type, ua, _ = self.device(u, "phone", t)
                for _ in range(r.randint(3, 16)):
                    self.events.append((t, u.idx, ip, net, device_type, ua, False, "normal", ""))
                    t += r.randint(5 * MINUTE, 30 * MINUTE)
                self.events.append((t, u.idx, ip, net, device_type, ua, True, "normal", ""))
        if u.forgot is not None and world_weekday_ok(w, u.forgot):
            t = w.midnight(u.forgot, u.tz) + u.start + r.randint(0, 2 * HOUR)
            if not _on_trip(u, t - HOUR, t + 2 * HOUR):
                place = "home" if (u.office is None or u.computer == "laptop" and r.random() < 0.3) else "office"
                ip, net = self.home_addr(u, t, r) if place == "home" else u.office.addr(r)
                device_type, ua, _ = self.device(u, "computer", t)
                for _ in range(r.randint(3, 6)):
                    self.events.append((t, u.idx, ip, net, device_type, ua, False, "normal", ""))
                    t += r.randint(10, 60)
                t += r.randint(5 * MINUTE, 20 * MINUTE)  # the password reset
                self.events.append((t, u.idx, ip, net, device_type, ua, True, "normal", ""))
        if u.switch is not None and u.phone_family:
            t = u.switch[0]
            if not _on_trip(u, t - HOUR, t + 4 * HOUR):
                ip, net = self.home_addr(u, t, r)
                self.emit(u, t, ip, net, "phone", "normal", "", r, typo=0.5)
        u.events = self.events[start:]

    def home_day(self, u, d, r):
        """[(local second, place, device, kind, incident)] for one home day."""
        out = []
        wd = self.world.weekday(d)
        has_phone = u.phone_family is not None
        if u.vacation and u.vacation[0] <= d < u.vacation[1]:
            if has_phone and r.random() < 0.2:
                out.append((int(r.uniform(9, 21) * HOUR), "carrier", "phone", "normal", ""))
            return out
        if wd < 5:
            place = "home" if (u.office is None or r.random() < u.wfh_p) else "office"
            s = u.start + int(r.gauss(0, 1200))
            e = s + u.length + int(r.gauss(0, 1800))
            out.append((s + r.randint(0, 600), place, "computer", "normal", ""))
            k = min(6, int(r.expovariate(1 / u.extra_mean)))
            for _ in range(k):
                x = r.random()
                dev = "computer" if (x < 0.82 or not has_phone) else ("tablet" if u.tablet and x > 0.95 else "phone")
                p = place
                if dev != "computer" and r.random() < 0.4:
                    p = "carrier"
                out.append((r.randint(s + 900, max(s + 901, e)), p, dev, "normal", ""))
            if has_phone and r.random() < u.morning_p:
                out.append((r.randint(s - 5400, s - 600), "home" if r.random() < 0.7 else "carrier",
                            "phone", "normal", ""))
            if has_phone and r.random() < u.evening_p:
                out.append((int(r.uniform(18.5, 22.5) * HOUR), "home" if r.random() < 0.7 else "carrier",
                            "phone", "normal", ""))
            inc = u.late.get(d)
            if inc:
                where = "home" if u.computer == "laptop" else "office"
                for _ in range(r.randint(1, 3)):
                    out.append((int(r.uniform(20.5, 23.75) * HOUR), where, "computer", "late_work", inc))
        elif r.random() < u.weekend_p:
            for _ in range(r.randint(1, 2)):
                if has_phone and (u.computer == "desktop" or r.random() < 0.6):
                    out.append((int(r.uniform(9, 21.5) * HOUR), "home" if r.random() < 0.6 else "carrier",
                                "phone", "normal", ""))
                elif u.computer == "laptop":
                    out.append((int(r.uniform(9, 21.5) * HOUR), "home", "computer", "normal", ""))
        return out

    def place_emit(self, u, t, place, dev, kind, inc, r, trip):
        if self.opt.realism and place in ("home", "carrier"):
            if u.vpn is not None and r.random() < u.vpn[2]:
                net = u.vpn[0]
                if kind == "normal":
                    kind, inc = "vpn", u.vpn_inc
                self.emit(u, t, net.addr(r.choice(u.vpn[1])), net, dev, kind, inc, r)
                return
            if place == "carrier" and u.cgnat is not None:
                times, addrs = u.cgnat
                ip, net = addrs[max(0, bisect.bisect_right(times, t) - 1)]
                if kind == "normal":
                    kind, inc = "cgnat", u.cgnat_inc
                self.emit(u, t, ip, net, dev, kind, inc, r)
                return
        if place == "office":
            ip, net = u.office.addr(r)
        elif place == "home":
            ip, net = self.home_addr(u, t, r)
        elif place == "carrier":
            ip, net = self.carrier_addr(u.carrier, r)
        elif place == "hotel":
            ip, net = trip.hotel.addr(r.choice(trip.hotel_hosts)), trip.hotel
        elif place == "dest_office":
            ip, net = trip.office.addr(r)
        else:  # dest_carrier
            ip, net = self.carrier_addr(self.world.carrier(trip.dest), r)
        self.emit(u, t, ip, net, dev, kind, inc, r)

    def trip(self, u, trip, r):
        w = self.world
        off = trip.dest.offset_s
        laptop = u.computer == "laptop"
        has_phone = u.phone_family is not None
        mobile = "phone" if has_phone else "computer"
        plan = []
        # Right after landing: a phone on the local network, or the laptop at the hotel.
        t_land = trip.arr + r.randint(20 * MINUTE, 90 * MINUTE)
        plan.append((t_land, "dest_carrier" if has_phone else "hotel", mobile))
        d0 = (trip.arr + off - w.t0) // DAY
        d1 = (trip.rdep + off - w.t0) // DAY
        for d in range(d0, d1 + 1):
            mid = w.midnight(d, off)
            if w.weekday(d) < 5:
                at_office = trip.office is not None and r.random() < 0.8
                day_place = "dest_office" if at_office else "hotel"
                dev = "computer" if laptop else mobile
                plan.append((mid + int(r.uniform(7.5, 9.5) * HOUR), day_place, dev))
                for _ in range(r.randint(0, 2)):
                    dev = "computer" if (laptop and r.random() < 0.7) else mobile
                    plan.append((mid + int(r.uniform(10, 17) * HOUR), day_place, dev))
                if r.random() < 0.6:
                    dev = "computer" if (laptop and r.random() < 0.4) else mobile
                    plan.append((mid + int(r.uniform(19, 23) * HOUR), "hotel", dev))
            else:
                for _ in range(r.randint(1, 2)):
                    plan.append((mid + int(r.uniform(9, 22) * HOUR),
                                 "hotel" if r.random() < 0.6 else "dest_carrier", mobile))
        for t, place, dev in plan:
            if trip.arr <= t < trip.rdep:
                if dev == "computer" and not laptop:
                    continue
                self.place_emit(u, t, place, dev, "trip", trip.incident, r, trip)
        # Home again: the first login after landing.
        t = trip.rarr + r.randint(30 * MINUTE, 3 * HOUR)
        if has_phone:
            self.place_emit(u, t, "carrier" if r.random() < 0.5 else "home", "phone", "trip",
                            trip.incident, r, trip)
        elif laptop:
            self.place_emit(u, t, "home", "computer", "trip", trip.incident, r, trip)


# -- attacks ---------------------------------------------------------------------------------

class Attacks:
    def __init__(self, world, users, gen, opt, ids):
        self.w, self.users, self.gen, self.opt, self.ids = world, users, gen, opt, ids
        self.r = random.Random(f"{opt.seed}/attacks")
        self.hosting = [world.by_name[n] for n in HOSTING]
        self.fake = []
        self.names = {u.email for u in users}
        self.victims = set()

    def run(self):
        opt, r = self.opt, self.r
        plan = []
        for kind in ATTACKS:
            for _ in range(self.opt.incidents.get(kind, 0)):
                plan.append((kind, False))
        order = [k for k in ATTACKS if opt.incidents.get(k, 0) > 0] or list(ATTACKS)
        for i in range(opt.history_attacks):
            plan.append((order[i % len(order)], True))
        for kind, in_history in plan:
            if in_history:
                a, b = self.w.t0 + 2 * HOUR, self.w.t_hist - 8 * HOUR
            else:
                a, b = self.w.t_hist, self.w.t_end - 8 * HOUR
            if b <= a:
                continue
            t = int(r.uniform(a, b))
            getattr(self, kind)(t, self.ids.next(kind), (a, b))
        if opt.realism:
            self.run_blend()

    def run_blend(self):
        """The realism option's attacks that blend in, after the history, from their own
        random stream, so that the other attacks stay as they were."""
        rb = random.Random(f"{self.opt.seed}/attacks/blend")
        a, b = self.w.t_hist, self.w.t_end - 8 * HOUR
        for kind in BLEND:
            for _ in range(self.opt.incidents.get(kind, 0) if b > a else 0):
                getattr(self, kind)(int(rb.uniform(a, b)), self.ids.next(kind), (a, b), rb)

    def add(self, t, user, ip, net, device, ua, ok, kind, inc):
        if self.w.t0 <= t < self.w.t_end:
            self.gen.events.append((t, user, ip, net, device, ua, ok, kind, inc))

    def victim(self, t, exclude_trips=True, r=None, ok=None):
        r, day = r or self.r, (t - self.w.t0) // DAY
        best = None
        for _ in range(200):
            u = r.choice(self.users)
            if u.first_day > day - 3 or (ok is not None and not ok(u)):
                continue
            if exclude_trips and _on_trip(u, t - 12 * HOUR, t + 12 * HOUR):
                continue
            best = u
            if u.idx not in self.victims:
                break
        if best is None:
            best = self.users[0]
        self.victims.add(best.idx)
        return best

    def victim_login(self, t, window, r):
        """(victim, their first normal successful login from t on, within the window), or
        None; tries other times in the window when the victim has none."""
        for _ in range(100):
            u = self.victim(t, r=r)
            cand = [e for e in u.events if e[6] and e[7] == "normal" and t <= e[0] < window[1]]
            if cand:
                return u, min(cand, key=lambda e: e[0])
            t = int(r.uniform(*window))
        return None

    def fake_user(self):
        """A made-up account name from a leaked list: not one of the company's users."""
        k = len(self.fake)
        while True:
            name = f"{self.r.choice(FIRST)}.{self.r.choice(LAST)}{self.r.randint(100, 999)}@example.com"
            if name not in self.names:
                break
        self.names.add(name)
        self.fake.append((name, f"u{self.opt.users + 1 + k}"))
        return -1 - k

    def browser(self, t, avoid=None, r=None):
        r = r or self.r
        fam = _weighted(r, [(f, w) for f, w in uas.COMPUTER if f != avoid])
        return "desktop" if r.random() < 0.5 else "laptop", uas.ua(fam, t - r.randint(0, 20) * DAY)

    def tool(self, t):
        if self.r.random() < 0.25:
            return "unknown", self.r.choice(uas.SCRIPTED)
        return self.browser(t)

    def takeover(self, t, inc, window):
        r, u = self.r, self.victim(t)
        city = r.choice([c for c in self.hosting if c.cc != u.home.cc])
        net = self.w.reg.v4(city)
        ip = net.addr(r.randint(2, 254))
        device = "desktop" if u.computer == "laptop" else "laptop"
        _, ua = self.browser(t, avoid=u.comp_family)
        for k in range(r.choice([0, 0, 1, 2])):
            self.add(t - (k + 1) * r.randint(10, 60), u.idx, ip, net, device, ua, False, "takeover", inc)
        self.add(t, u.idx, ip, net, device, ua, True, "takeover", inc)
        for _ in range(r.randint(0, 3)):
            self.add(t + r.randint(10 * MINUTE, 6 * HOUR), u.idx, ip, net, device, ua, True, "takeover", inc)

    def impossible_travel(self, t, inc, window):
        r = self.r
        found = self.victim_login(t, window, r)
        if found is None:
            return
        u, base = found
        far = [c for c in self.w.cities if geo.km(base[3].lat, base[3].lon, c.lat, c.lon) > 3500]
        city = r.choice(far)
        net = self.w.reg.v4(city)
        ip = net.addr(r.randint(2, 254))
        if r.random() < 0.5:  # a stolen session: the victim's own browser string
            device, ua = base[4], base[5]
        else:
            device, ua = self.browser(t)
        t1 = base[0] + r.randint(4 * MINUTE, 40 * MINUTE)
        self.add(t1, u.idx, ip, net, device, ua, True, "impossible_travel", inc)
        if r.random() < 0.4:
            self.add(t1 + r.randint(5 * MINUTE, 30 * MINUTE), u.idx, ip, net, device, ua, True,
                     "impossible_travel", inc)

    def brute_force(self, t, inc, window):
        r, u = self.r, self.victim(t, exclude_trips=False)
        net = self.w.reg.v4(r.choice(self.hosting))
        ip = net.addr(r.randint(2, 254))
        device, ua = self.tool(t)
        slow = r.random() < 0.3
        for _ in range(r.randint(15, 60)):
            self.add(t, u.idx, ip, net, device, ua, False, "brute_force", inc)
            t += r.randint(30, 150) if slow else r.randint(2, 15)
        self.add(t, u.idx, ip, net, device, ua, True, "brute_force", inc)

    def spraying(self, t, inc, window):
        r = self.r
        net = self.w.reg.v4(r.choice(self.hosting))
        ip = net.addr(r.randint(2, 254))
        device, ua = self.tool(t)
        day = (t - self.w.t0) // DAY
        active = [u.idx for u in self.users if u.first_day <= day]
        targets = r.sample(active, min(len(active), r.randint(20, 80)))
        targets += [self.fake_user() for _ in range(max(1, len(targets) // 10))]
        r.shuffle(targets)
        real = [x for x in targets if x >= 0]
        lucky = set(r.sample(real, min(r.choice([0, 1, 1, 2]), len(real))))
        slow = r.random() < 0.25
        for attempt in range(2 if r.random() < 0.3 else 1):
            for x in targets:
                self.add(t, x, ip, net, device, ua, x in lucky and attempt == 0, "spraying", inc)
                t += r.randint(60, 400) if slow else r.randint(3, 40)

    def stuffing(self, t, inc, window):
        r = self.r
        proxies = []
        for _ in range(r.randint(20, 80)):
            net = self.w.reg.v4(r.choice(self.w.cities))
            proxies.append((net.addr(r.randint(2, 254)), net))
        day = (t - self.w.t0) // DAY
        active = [u.idx for u in self.users if u.first_day <= day]
        k = r.randint(30, 120)
        real = r.sample(active, min(len(active), int(k * 0.65)))
        targets = real + [self.fake_user() for _ in range(k - len(real))]
        span = r.randint(20, 120) * MINUTE
        attempts = []
        for x in targets:
            for _ in range(1 if r.random() < 0.8 else 2):
                attempts.append((t + r.randint(0, span), x))
        attempts.sort()
        real_at = [i for i, (_, x) in enumerate(attempts) if x >= 0]
        sure = r.choice(real_at) if real_at else -1  # at least one reused password works
        for i, (ta, x) in enumerate(attempts):
            ip, net = r.choice(proxies)
            device, ua = self.browser(ta)
            ok = x >= 0 and (i == sure or r.random() < 0.04)
            self.add(ta, x, ip, net, device, ua, ok, "stuffing", inc)

    def off_hours(self, t, inc, window):
        r = self.r
        for _ in range(50):
            u = self.victim(t)
            day = (t + u.tz - self.w.t0) // DAY
            t1 = self.w.midnight(day, u.tz) + int(r.uniform(2.5, 4.0) * HOUR)
            if window[0] <= t1 < window[1] + 6 * HOUR and not _on_trip(u, t1 - DAY, t1 + DAY):
                break
            t = int(r.uniform(*window))
        if u.computer == "laptop":
            ip, net = self.gen.home_addr(u, t1, r)
        else:
            ip, net = u.office.addr(r)
        device, ua, _ = self.gen.device(u, "computer", t1)
        for _ in range(r.randint(1, 3)):
            self.add(t1, u.idx, ip, net, device, ua, True, "off_hours", inc)
            t1 += r.randint(3 * MINUTE, 30 * MINUTE)


    def proxy_takeover(self, t, inc, window, r):
        """A stolen password used through a residential proxy: a home address of another
        city in the victim's own country, a common browser, in the victim's working
        hours: one to three successes, no failure (the password is known)."""
        others = {}
        for c in self.w.cities:
            others.setdefault(c.cc, []).append(c)
        u = self.victim(t, r=r, ok=lambda v: len(others[v.home.cc]) > 1)
        used = {e[3].city.name for e in u.events if e[0] < t}
        cities = [c for c in others[u.home.cc] if c.name not in used] or \
            [c for c in others[u.home.cc] if c is not u.home]
        net = r.choice(self.w.isp(r.choice(cities)))
        ip = net.addr(r.randint(2, 254))
        device, ua = self.browser(t, r=r)
        day = (t + u.tz - self.w.t0) // DAY
        while self.w.weekday(day) >= 5:
            day += 1
        t1 = self.w.midnight(day, u.tz) + u.start + int(r.uniform(0, u.length))
        for _ in range(r.randint(1, 3)):
            self.add(t1, u.idx, ip, net, device, ua, True, "proxy_takeover", inc)
            t1 += r.randint(5 * MINUTE, 3 * HOUR)

    def session_replay(self, t, inc, window, r):
        """A stolen session token replayed from a hosting provider's range that nobody at
        the company uses, in the victim's country, minutes after the victim's own login,
        mostly with the victim's own browser string."""
        found = self.victim_login(t, window, r)
        if found is None:
            return
        u, base = found
        city = r.choice([c for c in self.w.cities if c.cc == base[3].city.cc])
        net = self.w.reg.v4(city)
        ip = net.addr(r.randint(2, 254))
        device, ua = (base[4], base[5]) if r.random() < 0.7 else self.browser(t, r=r)
        t1 = base[0] + r.randint(2 * MINUTE, 25 * MINUTE)
        for _ in range(r.randint(1, 3)):
            self.add(t1, u.idx, ip, net, device, ua, True, "session_replay", inc)
            t1 += r.randint(MINUTE, 20 * MINUTE)


def generate(opt):
    """Returns (events sorted by time, users, fake accounts, world)."""
    world = World(opt)
    users = _make_users(world, opt)
    ids = Counter()
    _plan_oddities(world, users, opt, ids)
    gen = Gen(world, users, opt, ids)
    for u in users:
        gen.user(u)
    fake = []
    if opt.attacks:
        att = Attacks(world, users, gen, opt, ids)
        att.run()
        fake = att.fake
    if opt.realism:
        users = users + _service_accounts(world, users, opt, gen, ids)
    events = [e for e in gen.events if world.t0 <= e[0] < world.t_end]
    events.sort(key=lambda e: e[0])  # stable: ties keep their (deterministic) order
    if opt.realism:
        events = _relabel(events, users, ids)
    return events, users, fake, world


# -- rendering ------------------------------------------------------------------------------

class _Clock:
    """Fast UTC formatting of epoch seconds."""

    def __init__(self, sep, suffix):
        self.sep, self.suffix, self.days = sep, suffix, {}

    def __call__(self, t):
        day, s = divmod(t, DAY)
        ds = self.days.get(day)
        if ds is None:
            ds = self.days[day] = datetime.datetime.fromtimestamp(
                day * DAY, datetime.timezone.utc).strftime("%Y-%m-%d")
        h, s = divmod(s, HOUR)
        m, s = divmod(s, MINUTE)
        return f"{ds}{self.sep}{h:02d}:{m:02d}:{s:02d}{self.suffix}"


def render_rich(events, users, fake, opt):
    """Yields (row, label) pairs; row is a list of strings in RICH_HEADER order,
    label is (event_id, is_attack, kind, incident)."""
    clock = _Clock("T", "Z")
    ids = random.Random(f"{opt.seed}/ids")
    for t, ui, ip, net, device, ua, ok, kind, inc in events:
        name = users[ui].email if ui >= 0 else fake[-1 - ui][0]
        eid = f"{ids.getrandbits(64):016x}"
        c = net.city
        yield ([eid, clock(t), name, ip, c.cc, c.name, f"{net.lat:.4f}", f"{net.lon:.4f}", device, ua,
                "success" if ok else "failure"],
               (eid, 1 if kind in ALL_ATTACKS else 0, kind, inc))


_PROTO_DEVICE = {"laptop": "Web", "desktop": "Web", "unknown": "Web", "mobile": "Mobile",
                 "tablet": "Tablet"}


def render_prototype(events, users, fake, opt):
    """The prototype's columns: login rows for every login attempt (no outcome column),
    with the session's other activity rows (chat, upload, download, logout) mixed in."""
    clock = _Clock(" ", "")
    r = random.Random(f"{opt.seed}/activity")
    rows = []
    for t, ui, ip, net, device, ua, ok, kind, inc in events:
        name = users[ui].pid if ui >= 0 else fake[-1 - ui][1]
        dev = _PROTO_DEVICE.get(device, "Web")
        is_attack = 1 if kind in ALL_ATTACKS else 0
        cc = net.city.cc
        rows.append((t, name, "login", ip, dev, cc, is_attack, kind, inc))
        if not ok:
            continue
        n = min(8, int(r.expovariate(1 / 1.6)))
        ta = t
        for _ in range(n):
            ta += r.randint(20, 20 * MINUTE)
            rows.append((ta, name, _weighted(r, [("chat", 4), ("download", 3), ("upload", 2)]),
                         ip, dev, cc, is_attack, kind, inc))
        if r.random() < 0.5:
            rows.append((ta + r.randint(60, 40 * MINUTE), name, "logout", ip, dev, cc, is_attack, kind, inc))
    rows.sort(key=lambda x: x[0])
    end = _end(opt)
    for t, name, act, ip, dev, cc, is_attack, kind, inc in rows:
        if t >= end:
            continue
        size = {"login": (100, 2500), "chat": (1, 200), "logout": (1, 50),
                "download": (200, 50000), "upload": (200, 30000)}[act]
        yield ([name, clock(t), act, ip, dev, f"{r.uniform(*size):.6f}",
                r.choice(("AES", "RSA", "EC-RSAC")), str(r.randint(500, 1500)), str(r.randint(100, 300)),
                cc, str(r.randint(10, 50)), f"{r.uniform(1, 5):.6f}",
                r.choice(("Poor", "Fair", "Good", "Excellent")), str(r.randint(1, 5))],
               ("", is_attack, kind, inc))


def _end(opt):
    d = datetime.date.fromisoformat(opt.start)
    return int(datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.timezone.utc).timestamp()) \
        + opt.days * DAY
