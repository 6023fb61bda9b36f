"""The standard simulation's logins as one internet-facing server's sshd log (auth.log).

The server ("bastion") has a few dozen real accounts: the standard simulation's users
(logins.py), each with a Unix name (anna.hansen@example.com is ahansen). They ssh in
from their laptop or desktop, at the office, at home, on trips (phone and tablet logins
are left out: nobody opens a shell from their phone here), most with a key
("Accepted publickey ... ssh2: ED25519 SHA256:..."), some with a password. Only
password users' typos reach the log: a mistyped key passphrase never leaves the laptop.

Around them, the internet's background of password guessing (kind background, not an
attack anyone is paged for): bots from many networks around the world, each trying a
few common names (root, admin, ubuntu, oracle, ...) for a few minutes, up to six
passwords per connection, about --background tries a day. None gets in.

The attacks are the standard simulation's (brute_force: 15 to 60 passwords for one real
account from one rented server, then the right one; takeover, stuffing, ... if asked
for), drawn on sshd: all password tries. Spraying is sshd's own: one address trying
40 to 150 made-up account names in the company's style (first names, first.last,
flast), mostly invalid users, a few real ones; none succeeds.

Lines are what OpenSSH 9 writes through rsyslog: "Accepted", "Failed password for
[invalid user ]X", "Invalid user", the PAM lines (check pass, authentication failure,
PAM N more authentication failures, session opened/closed), "message repeated N
times: [ ... ]" for identical tries in one connection, disconnects, and systemd-logind's
session lines. Times are the server's clock in UTC, without a year (read them with
ad-import --year).

Labels: one per login that ad-import --format sshd writes, in its order (a "message
repeated N times" line is N logins; PAM and disconnect lines none), with ad-import's
event id (the first 16 hex digits of the SHA-256 of the line, "-k" for the k-th login of
a repeated line, "-n" for the n-th identical id within a second).
"""
import datetime
import hashlib
import random

from . import logins

DAY, HOUR, MINUTE = 86400, 3600, 60
HOST = "bastion"
MAX_TRIES = 6  # OpenSSH's MaxAuthTries
# What bots try, roughly by how often (root far ahead).
BOT_NAMES = [("root", 40), ("admin", 8), ("test", 4), ("user", 4), ("ubuntu", 4), ("oracle", 2),
             ("postgres", 2), ("git", 2), ("ftpuser", 2), ("pi", 2), ("guest", 2), ("support", 1),
             ("deploy", 1), ("jenkins", 1), ("hadoop", 1), ("mysql", 1), ("nagios", 1),
             ("testuser", 1), ("debian", 1), ("centos", 1), ("ec2-user", 1), ("ansible", 1),
             ("docker", 1), ("minecraft", 1), ("steam", 1), ("server", 1), ("dev", 1),
             ("admin1", 1), ("user1", 1), ("test1", 1), ("sftp", 1), ("www", 1), ("backup", 1),
             ("vagrant", 1), ("es", 1), ("kafka", 1), ("tomcat", 1), ("odoo", 1), ("solana", 1),
             ("sol", 1), ("validator", 1), ("345gs5662d34", 2), ("ubnt", 1), ("telecomadmin", 1)]
# Accounts every Debian server has: a try for them is not an "invalid user".
SYSTEM_ACCOUNTS = {"root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news",
                   "uucp", "proxy", "www-data", "backup", "list", "irc", "nobody", "sshd"}
# Where bots run: mostly rented servers and hacked hosts anywhere.
BOT_CITY_WEIGHT = 6  # how much likelier a hosting city is than any other city

ATTACKS = logins.ATTACKS


class Options:
    def __init__(self, seed=1, users=40, days=60, start="2025-01-01", history_days=None,
                 attacks=True, incidents=None, history_attacks=0, oddity_rate=1.0, background=1000):
        self.seed, self.users, self.days, self.start = seed, users, days, start
        self.history_days = days // 2 if history_days is None else history_days
        self.attacks, self.history_attacks, self.oddity_rate = attacks, history_attacks, oddity_rate
        self.incidents = {k: 0 for k in ATTACKS}
        self.incidents.update({"brute_force": 3, "spraying": 2})
        self.incidents.update(incidents or {})
        self.background = background


def unix_names(emails):
    """A Unix account name per e-mail address: first initial and last name
    (anna.hansen@example.com is ahansen), numbered on a clash."""
    names, taken = [], set(SYSTEM_ACCOUNTS)
    for email in emails:
        first, _, last = email.split("@")[0].partition(".")
        base = "".join(ch for ch in (first[:1] + last) if ch.isalnum()).lower() or "user"
        name, n = base, 2
        while name in taken:
            name, n = f"{base}{n}", n + 1
        taken.add(name)
        names.append(name)
    return names


class _Conn:
    """One ssh connection: its address, port, process (set when rendering) and its tries."""
    __slots__ = ("ip", "port", "pid", "user", "invalid", "method", "tries", "key")

    def __init__(self, ip, port, pid, user, invalid, method, key=None):
        self.ip, self.port, self.pid, self.user = ip, port, pid, user
        self.invalid, self.method, self.key = invalid, method, key
        self.tries = []  # (t, ok, label)


class _Server:
    def __init__(self, seed):
        self.r = random.Random(f"{seed}/sshd/server")
        self.session = self.r.randint(1, 400)
        self.conns = []

    def conn(self, ip, user, invalid, method, key=None):
        c = _Conn(ip, self.r.randint(1024, 65535), 0, user, invalid, method, key)
        self.conns.append(c)
        return c


def _fingerprint(r):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "SHA256:" + "".join(r.choice(alphabet) for _ in range(43))


def generate(opt):
    """Returns [(epoch second, order, text, [label, ...])] in file order, where a label is
    (is_attack, kind, incident) for each login ad-import reads from the line."""
    inc = dict(opt.incidents)
    spray_n = inc.pop("spraying", 0)
    # History attacks go round the kinds asked for, as in logins.py; sshd draws the sprays.
    kinds = [k for k in ATTACKS if opt.incidents.get(k, 0) > 0] or list(ATTACKS)
    spray_hist = sum(1 for i in range(opt.history_attacks) if kinds[i % len(kinds)] == "spraying")
    lopt = logins.Options(seed=opt.seed, users=opt.users, days=opt.days, start=opt.start,
                          history_days=opt.history_days, attacks=opt.attacks,
                          incidents=dict(inc, spraying=0),
                          history_attacks=opt.history_attacks - spray_hist,
                          oddity_rate=opt.oddity_rate)
    events, users, fake, world = logins.generate(lopt)
    names = unix_names([u.email for u in users])
    fake_names = unix_names([f[0] for f in fake])
    r = random.Random(f"{opt.seed}/sshd/users")
    method = ["publickey" if r.random() < 0.75 else "password" for _ in users]
    keys = [("ED25519" if r.random() < 0.7 else "RSA", _fingerprint(r)) for _ in users]
    srv = _Server(opt.seed)

    # The company's logins and the standard simulation's attacks, as connections.
    open_conn = {}
    for t, ui, ip, net, device, ua, ok, kind, incident in events:
        attack = kind in ATTACKS
        if not attack and device not in ("laptop", "desktop"):
            continue  # no shells from phones and tablets
        if ui >= 0:
            user, invalid = names[ui], False
            m = "password" if attack else method[ui]
        else:
            user, invalid, m = fake_names[-1 - ui], True, "password"
        if not ok and m == "publickey":
            continue  # a mistyped passphrase is not in the server's log
        label = (1 if attack else 0, kind, incident)
        key = (ui, ip)
        c = open_conn.get(key)
        if c is None or c.method != m or t - c.tries[-1][0] > 60 or len(c.tries) >= MAX_TRIES or c.tries[-1][1]:
            c = srv.conn(ip, user, invalid, m, keys[ui] if ui >= 0 else None)
            open_conn[key] = c
        c.tries.append((t, ok, label))

    # The internet's background: bots guessing common names, about opt.background a day.
    br = random.Random(f"{opt.seed}/sshd/background")
    hosting = {c.name for c in (world.by_name[n] for n in logins.HOSTING)}
    city_w = [(c, BOT_CITY_WEIGHT if c.name in hosting else 1) for c in world.cities]
    bots = []
    t, end = world.t0, world.t_end
    per_bot = 12  # tries per bot visit on average
    rate = opt.background / DAY / per_bot  # bot visits per second
    while rate > 0:
        t += int(br.expovariate(rate)) + 1
        if t >= end:
            break
        if bots and br.random() < 0.2:
            ip = br.choice(bots)  # a bot that comes back
        else:
            net = world.reg.v4(logins._weighted(br, city_w))
            ip = net.addr(br.randint(2, 254))
            bots.append(ip)
        tries = max(1, int(br.expovariate(1 / per_bot)))
        tb = t
        conn = None
        for k in range(tries):
            if conn is None or len(conn.tries) >= br.choice((1, 2, 3, MAX_TRIES, MAX_TRIES)):
                user = logins._weighted(br, BOT_NAMES)
                conn = srv.conn(ip, user, user not in SYSTEM_ACCOUNTS, "password")
                tb += br.randint(1, 20)
            conn.tries.append((tb, False, (0, "background", "")))
            tb += br.randint(2, 6)

    # Sprays of made-up company-style names (sshd's spraying), after the history.
    sr = random.Random(f"{opt.seed}/sshd/spraying")
    real = set(names)
    plan = [False] * spray_n + [True] * spray_hist if opt.attacks else []
    for n, in_history in enumerate(plan, 1):
        a, b = (world.t0 + 2 * HOUR, world.t_hist - 8 * HOUR) if in_history else (world.t_hist, end - 8 * HOUR)
        if b <= a:
            continue
        t = int(sr.uniform(a, b))
        net = world.reg.v4(world.by_name[sr.choice(logins.HOSTING)])
        ip = net.addr(sr.randint(2, 254))
        guesses = set()
        for _ in range(sr.randint(40, 150)):
            first, last = sr.choice(logins.FIRST), sr.choice(logins.LAST)
            guesses.add(sr.choice([first, f"{first}.{last}", f"{first[0]}{last}", f"{first}{last[0]}",
                                   f"{first}_{last}"]))
        incident = f"spraying-{n:03d}"
        guesses = sorted(guesses)  # a set's order changes from run to run
        sr.shuffle(guesses)
        for user in guesses:
            c = srv.conn(ip, user, user not in real, "password")
            for _ in range(sr.randint(1, 3)):
                c.tries.append((t, False, (1, "spraying", incident)))
                t += sr.randint(1, 4)
            t += sr.randint(1, 12)

    return _render(srv, world, opt)


def _render(srv, world, opt):
    r = random.Random(f"{opt.seed}/sshd/render")
    lines = []  # (t, connection number, line number, message, program, pid, [label, ...])
    uid = {}
    conns = sorted(srv.conns, key=lambda c: c.tries[0][0])
    pid = 1000 + r.randint(0, 5000)
    for c in conns:  # process ids go up with time
        pid += r.randint(1, 40)
        c.pid = pid
    for n, c in enumerate(conns):
        out = []

        def say(t, msg, labels=(), prog="sshd", pid=c.pid):
            out.append((t, n, len(out), msg, prog, pid, list(labels)))

        frm = f"from {c.ip} port {c.port} ssh2"
        who = f"invalid user {c.user}" if c.invalid else c.user
        t0 = c.tries[0][0]
        if c.invalid:
            say(t0, f"Invalid user {c.user} from {c.ip} port {c.port}")
        fails = [x for x in c.tries if not x[1]]
        i = 0
        while i < len(c.tries):
            t, ok, label = c.tries[i]
            if ok:
                if c.method == "publickey":
                    alg, fp = c.key
                    say(t, f"Accepted publickey for {c.user} {frm}: {alg} {fp}", [label])
                else:
                    say(t, f"Accepted {c.method} for {c.user} {frm}", [label])
                u = uid.setdefault(c.user, 1000 + len(uid) + 1)
                say(t, f"pam_unix(sshd:session): session opened for user {c.user}(uid={u}) by (uid=0)")
                srv.session += 1
                say(t, f"New session {srv.session} of user {c.user}.", prog="systemd-logind", pid=612)
                te = t + int(r.expovariate(1 / (40 * MINUTE))) + 5
                say(te, f"Received disconnect from {c.ip} port {c.port}:11: disconnected by user")
                say(te, f"Disconnected from user {c.user} {c.ip} port {c.port}")
                say(te, f"pam_unix(sshd:session): session closed for user {c.user}")
                say(te, f"Session {srv.session} logged out. Waiting for processes to exit.",
                    prog="systemd-logind", pid=612)
                i += 1
                continue
            # A run of identical failures: the first line, then rsyslog's "message repeated".
            j = i
            while j < len(c.tries) and not c.tries[j][1]:
                j += 1
            run = c.tries[i:j]
            if c.invalid:
                say(run[0][0], "pam_unix(sshd:auth): check pass; user unknown")
                say(run[0][0], "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
                               f"tty=ssh ruser= rhost={c.ip}")
            else:
                say(run[0][0], "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
                               f"tty=ssh ruser= rhost={c.ip}  user={c.user}")
            failed = f"Failed password for {who} {frm}"
            say(run[0][0], failed, [run[0][2]])
            if len(run) == 2:
                say(run[1][0], failed, [run[1][2]])
            elif len(run) > 2:
                say(run[-1][0], f"message repeated {len(run) - 1} times: [ {failed}]", [x[2] for x in run[1:]])
            i = j
        if not c.tries[-1][1]:
            te = c.tries[-1][0] + r.randint(0, 3)
            target = f"invalid user {c.user}" if c.invalid else f"authenticating user {c.user}"
            if len(fails) >= MAX_TRIES:
                say(te, f"error: maximum authentication attempts exceeded for {who} {frm} [preauth]")
                say(te, f"Disconnecting {target} {c.ip} port {c.port}: Too many authentication failures [preauth]")
            else:
                say(te, f"Connection closed by {target} {c.ip} port {c.port} [preauth]")
            if len(fails) > 1:
                extra = "" if c.invalid else f"  user={c.user}"
                say(te, f"PAM {len(fails) - 1} more authentication failures; logname= uid=0 euid=0 tty=ssh "
                        f"ruser= rhost={c.ip}{extra}")
        lines.extend(out)
    lines.sort(key=lambda x: (x[0], x[1], x[2]))
    return lines


class _Clock:
    """Epoch second as a traditional syslog time, "Jan  5 08:03:01"."""

    def __init__(self):
        self.days = {}

    def __call__(self, t):
        day, s = divmod(t, DAY)
        ds = self.days.get(day)
        if ds is None:
            d = datetime.datetime.fromtimestamp(day * DAY, datetime.timezone.utc)
            ds = self.days[day] = f"{d:%b} {d.day:2d}"
        h, s = divmod(s, HOUR)
        m, s = divmod(s, MINUTE)
        return f"{ds} {h:02d}:{m:02d}:{s:02d}"


def render(lines):
    """Yields (text, [(event_id, is_attack, kind, incident), ...]) per line of the log, the
    event ids as ad-import --format sshd gives them."""
    clock = _Clock()
    seen_second, seen = None, {}
    for t, _, _, msg, prog, pid, labels in lines:
        text = f"{clock(t)} {HOST} {prog}[{pid}]: {msg}"
        out = []
        if labels:
            h = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
            if t != seen_second:
                seen_second, seen = t, {}
            for k, lab in enumerate(labels, 1):
                eid = f"{h}-{k}" if len(labels) > 1 else h
                seen[eid] = seen.get(eid, 0) + 1
                if seen[eid] > 1:
                    eid = f"{eid}-{seen[eid]}"
                out.append((eid, *lab))
        yield text, out
