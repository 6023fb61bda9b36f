"""scripts/gen-logins (sample data) and scripts/evaluate (the yardstick of issue 3)."""
import csv
import datetime
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import adtest  # noqa: E402

SCRIPTS = os.path.join(adtest.SOURCE, "scripts")
GEN = os.path.join(SCRIPTS, "gen-logins")
EVALUATE = os.path.join(SCRIPTS, "evaluate")
sys.path.insert(0, SCRIPTS)
from adlib import geo, incidents  # noqa: E402

ATTACKS = {"takeover", "impossible_travel", "brute_force", "spraying", "stuffing", "off_hours"}
ODDITIES = {"trip", "new_device", "late_work"}
REALISM = {"cgnat", "vpn", "typo", "browser_upgrade", "new_hire", "service"}
BLEND = {"proxy_takeover", "session_replay"}  # attacks that only --realism adds
RICH = ["event_id", "timestamp", "user_id", "ip_address", "country", "city", "latitude", "longitude",
        "device_type", "user_agent", "status"]
PROTOTYPE = ["user_id", "timestamp", "activity_type", "ip_address", "device_type", "data_size_kb",
             "encryption_method", "encryption_time_ms", "response_time_ms", "location", "latency_ms",
             "bandwidth_usage_mbps", "6g_network_status", "adaptive_protocol_level"]
SMALL = ["--users", "60", "--days", "20", "--oddity-rate", "3"]


def gen(*args, check=True):
    p = subprocess.run([sys.executable, GEN, *map(str, args)], capture_output=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"gen-logins {args}: status {p.returncode}: {p.stderr.decode()}")
    return p


def parse(data):
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    return rows[0], rows[1:]


def epoch(text):
    d = datetime.datetime.fromisoformat(text)
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


class Generated(adtest.TempDirTestCase):
    """Generates a dataset once per test into self.tmp."""

    def make(self, *args, name="d"):
        data, labels = os.path.join(self.tmp, f"{name}.csv"), os.path.join(self.tmp, f"{name}.labels.csv")
        gen(*args, "--labels", labels, "-o", data)
        with open(data, "rb") as f:
            header, rows = parse(f.read())
        with open(labels, "rb") as f:
            lheader, lrows = parse(f.read())
        self.assertEqual(lheader, ["row", "event_id", "is_attack", "kind", "incident"])
        return header, rows, lrows


class Determinism(adtest.TempDirTestCase):
    def test_same_seed_same_bytes_different_seed_different(self):
        for style in (["--layout", "rich"], ["--layout", "prototype"], ["--style", "signin"]):
            with self.subTest(style=style):
                outs = []
                for seed in (4, 4, 5):
                    lab = os.path.join(self.tmp, "l.csv")
                    p = gen("--seed", seed, "--users", 30, "--days", 10, *style, "--labels", lab)
                    with open(lab, "rb") as f:
                        outs.append((p.stdout, f.read()))
                self.assertGreater(len(outs[0][0]), 1000)
                self.assertEqual(outs[0], outs[1])
                self.assertNotEqual(outs[0][0], outs[2][0])
                self.assertNotEqual(outs[0][1], outs[2][1])

    def test_stdout_and_file_are_the_same_bytes(self):
        path = os.path.join(self.tmp, "x.csv")
        gen("--users", 20, "--days", 7, "-o", path)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), gen("--users", 20, "--days", 7).stdout)


class RichLayout(Generated):
    def setUp(self):
        super().setUp()
        self.header, self.rows, self.labels = self.make("--seed", 3, *SMALL)

    def test_header_and_fields(self):
        self.assertEqual(self.header, RICH)
        self.assertGreater(len(self.rows), 2000)
        cities = {(c[0], c[1]) for c in geo.CITIES}
        for r in self.rows:
            self.assertEqual(len(r), len(RICH))
            self.assertRegex(r[0], r"^[0-9a-f]{16}$")
            self.assertRegex(r[1], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertIn(r[10], ("success", "failure"))
            self.assertIn((r[5], r[4]), cities)
            float(r[6]), float(r[7])
        self.assertEqual(len({r[0] for r in self.rows}), len(self.rows), "event ids are unique")
        self.assertTrue(any(":" in r[3] for r in self.rows), "some IPv6 addresses")
        self.assertGreaterEqual(len({r[4] for r in self.rows}), 5, "several countries")

    def test_sorted_by_time(self):
        times = [epoch(r[1]) for r in self.rows]
        self.assertEqual(times, sorted(times))

    def test_labels_line_up(self):
        self.assertEqual(len(self.labels), len(self.rows))
        for i, (r, l) in enumerate(zip(self.rows, self.labels), 1):
            self.assertEqual(l[0], str(i))
            self.assertEqual(l[1], r[0])
            kind, attack = l[3], l[2]
            self.assertIn(kind, ATTACKS | ODDITIES | {"normal"})
            self.assertEqual(attack, "1" if kind in ATTACKS else "0")
            self.assertEqual(l[4] == "", kind == "normal")

    def test_every_kind_present(self):
        kinds = {l[3] for l in self.labels}
        self.assertEqual(kinds, ATTACKS | ODDITIES | {"normal"})
        for kind in ATTACKS:
            incidents = {l[4] for l in self.labels if l[3] == kind}
            self.assertEqual(len(incidents), 5, kind)

    def test_attacks_only_after_the_history(self):
        split = epoch("2025-01-01T00:00:00Z") + 10 * 86400  # default: half of --days
        for r, l in zip(self.rows, self.labels):
            if l[3] in ATTACKS:
                self.assertGreaterEqual(epoch(r[1]), split)

    def test_attack_shapes(self):
        by = {}
        for r, l in zip(self.rows, self.labels):
            by.setdefault(l[4], []).append(r)
        for inc, rows in by.items():
            if inc.startswith("brute_force"):
                self.assertEqual(len({r[3] for r in rows}), 1, "one source address")
                self.assertEqual(len({r[2] for r in rows}), 1, "one user")
                self.assertGreaterEqual(sum(r[10] == "failure" for r in rows), 15)
                self.assertEqual(rows[-1][10], "success")
            elif inc.startswith("spraying"):
                self.assertEqual(len({r[3] for r in rows}), 1)
                self.assertGreaterEqual(len({r[2] for r in rows}), 20)
            elif inc.startswith("stuffing"):
                self.assertGreaterEqual(len({r[3] for r in rows}), 15)
                self.assertGreaterEqual(len({r[2] for r in rows}), 30)
                self.assertIn("success", {r[10] for r in rows})
                self.assertGreater(sum(r[10] == "failure" for r in rows), len(rows) / 2)
            elif inc.startswith("off_hours"):
                for r in rows:
                    city = geo.by_name(geo.cities(), r[5])
                    local = (epoch(r[1]) + city.offset_s) % 86400 / 3600
                    self.assertTrue(2 <= local < 5, f"{r[1]} in {r[5]} is {local:.1f} h local")

    def test_travel_speeds(self):
        """Trips move at plane speed; impossible travel does not."""
        last = {}
        trips = impossible = 0
        for r, l in zip(self.rows, self.labels):
            t, lat, lon = epoch(r[1]), float(r[6]), float(r[7])
            prev = last.get(r[2])
            if prev and r[10] == "success":
                speed = geo.km(prev[1], prev[2], lat, lon) / max(t - prev[0], 60) * 3600
                if l[3] == "trip" and prev[3] in ("normal", "trip"):
                    trips += 1
                    self.assertLess(speed, 1000, f"trip row {l[0]}")
                if l[3] == "impossible_travel" and prev[3] != "impossible_travel":
                    impossible += 1
                    self.assertGreater(speed, 3000, f"impossible travel row {l[0]}")
            if r[10] == "success":
                last[r[2]] = (t, lat, lon, l[3])
        self.assertGreater(trips, 20)
        self.assertGreaterEqual(impossible, 5)


class TripsToTheEnd(Generated):
    def test_trips_do_not_thin_out_before_the_last_day(self):
        """A test period at the end of the data holds as many trips as the weeks before.
        Trips that would end after the last day used to be left out (and the user's trips
        stopped there), so the last two weeks had 0.6 of the trips of the two before, and
        scripts/evaluate measured false incidents on a test period with half the trips."""
        _, rows, labels = self.make("--seed", 3, "--users", 300, "--days", 42, "--oddity-rate", 3, "--no-attacks")
        start = epoch("2025-01-01T00:00:00Z")
        first = {}
        for r, l in zip(rows, labels):
            if l[3] == "trip":
                first.setdefault(l[4], (epoch(r[1]) - start) // 86400)
        before = sum(14 <= d < 28 for d in first.values())
        last = sum(28 <= d < 42 for d in first.values())
        self.assertGreater(before, 80)
        self.assertGreater(last, 0.8 * before, f"trips starting in the last two weeks: {last}, the two before: {before}")


class PrototypeLayout(Generated):
    def test_columns_and_activity(self):
        header, rows, labels = self.make("--seed", 3, *SMALL, "--layout", "prototype")
        self.assertEqual(header, PROTOTYPE)
        self.assertEqual(len(labels), len(rows))
        acts = {r[2] for r in rows}
        self.assertTrue({"login", "chat", "upload", "download", "logout"} <= acts, acts)
        times = []
        for r in rows:
            self.assertRegex(r[0], r"^u\d+$")
            self.assertRegex(r[1], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
            self.assertIn(r[4], ("Mobile", "Tablet", "Web"))
            self.assertRegex(r[9], r"^[A-Z]{2}$")
            float(r[5]), int(r[7]), float(r[11]), int(r[13])
            times.append(epoch(r[1]))
        self.assertEqual(times, sorted(times))
        self.assertEqual({l[3] for l in labels}, ATTACKS | ODDITIES | {"normal"})

    def test_same_logins_as_rich(self):
        _, rich, _ = self.make("--seed", 8, "--users", 30, "--days", 10, name="r")
        _, proto, _ = self.make("--seed", 8, "--users", 30, "--days", 10, "--layout", "prototype", name="p")
        a = [(epoch(r[1]), r[3], r[4]) for r in rich]
        b = [(epoch(r[1]), r[3], r[9]) for r in proto if r[2] == "login"]
        self.assertEqual(a, b)


class SigninStyle(Generated):
    def test_columns_kinds_and_order(self):
        header, rows, labels = self.make("--style", "signin", "--seed", 2, *SMALL)
        self.assertEqual(header[:3], ["id", "createdDateTime", "userPrincipalName"])
        self.assertIn("result", header)
        self.assertEqual(len(labels), len(rows))
        self.assertEqual([l[1] for l in labels], [r[0] for r in rows])
        times = [epoch(r[1]) for r in rows]
        self.assertEqual(times, sorted(times))
        self.assertTrue(all(re.search(r"\.\d{3}\+01:00$", r[1]) for r in rows))
        self.assertTrue(ATTACKS <= {l[3] for l in labels})


class Realism(Generated):
    """--realism: what real sign-in logs hold, each legitimate oddity labelled."""

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._dir = tempfile.TemporaryDirectory(prefix="ad-realism-")
        data, lab = os.path.join(cls._dir.name, "d.csv"), os.path.join(cls._dir.name, "l.csv")
        gen("--realism", "--seed", 4, "--users", 150, "--days", 21, "--history-days", 12, "--labels", lab,
            "-o", data)
        with open(data, encoding="utf-8") as f:
            cls.rows = list(csv.DictReader(f))
        with open(lab, encoding="utf-8") as f:
            cls.labels = list(csv.DictReader(f))

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def by_kind(self, kind):
        return [(r, l) for r, l in zip(self.rows, self.labels) if l["kind"] == kind]

    def test_labels_line_up_with_every_kind(self):
        self.assertEqual(len(self.labels), len(self.rows))
        self.assertEqual([l["event_id"] for l in self.labels], [r["event_id"] for r in self.rows])
        kinds = {l["kind"] for l in self.labels}
        self.assertEqual(kinds, ATTACKS | BLEND | ODDITIES | REALISM | {"normal"})
        for l in self.labels:
            self.assertEqual(l["is_attack"], "1" if l["kind"] in ATTACKS | BLEND else "0")
            self.assertEqual(l["incident"] == "", l["kind"] == "normal")
        for kind in ATTACKS | BLEND:  # attack ids per row, so that incidents can be counted
            self.assertEqual(len({l["incident"] for l in self.labels if l["kind"] == kind}), 5, kind)

    def test_cgnat_phones_change_network_several_times_a_week(self):
        nets = {}
        for r, l in self.by_kind("cgnat"):
            self.assertIn(r["device_type"], ("mobile", "tablet"))  # a tablet with a SIM, too
            nets.setdefault(r["user_id"], []).append(r["ip_address"].rsplit(".", 1)[0])
        self.assertGreaterEqual(len(nets), 10)
        changes = []
        for seq in nets.values():
            changes.append(sum(a != b for a, b in zip(seq, seq[1:])))
        per_week = sorted(c / 3 for c in changes)  # 21 days
        self.assertGreaterEqual(per_week[len(per_week) // 2], 2, "the median user changes /24 twice a week or more")

    def test_vpn_exits_in_another_country(self):
        users = {}
        for r, l in self.by_kind("vpn"):
            users.setdefault(r["user_id"], set()).add(r["country"])
        self.assertGreaterEqual(len(users), 3)
        home = {}
        for r, l in zip(self.rows, self.labels):
            if l["kind"] == "normal":
                home.setdefault(r["user_id"], {}).setdefault(r["country"], 0)
                home[r["user_id"]][r["country"]] += 1
        for u, countries in users.items():
            usual = max(home[u], key=home[u].get)
            self.assertNotIn(usual, countries, u)

    def test_office_nat_is_shared_by_dozens(self):
        per_ip = {}
        for r, l in zip(self.rows, self.labels):
            if l["kind"] == "normal":
                per_ip.setdefault(r["ip_address"], set()).add(r["user_id"])
        self.assertGreaterEqual(max(len(v) for v in per_ip.values()), 24)

    def test_typos_are_failures_then_a_success(self):
        runs = {}
        for r, l in self.by_kind("typo"):
            runs.setdefault(l["incident"], []).append(r)
        self.assertGreater(len(runs), 20)
        for inc, rows in runs.items():
            self.assertIn(len(rows), (2, 3, 4), inc)
            self.assertEqual([r["status"] for r in rows], ["failure"] * (len(rows) - 1) + ["success"], inc)
            self.assertEqual(len({r["user_id"] for r in rows}), 1)
            self.assertLess(epoch(rows[-1]["timestamp"]) - epoch(rows[0]["timestamp"]), 200)

    def test_browser_upgrades_change_the_version_only(self):
        ups = self.by_kind("browser_upgrade")
        self.assertGreater(len(ups), 10)
        last = {}
        for r, l in zip(self.rows, self.labels):
            key = (r["user_id"], r["device_type"])
            if l["kind"] == "browser_upgrade":
                prev = last[key]
                self.assertNotEqual(prev, r["user_agent"])
                self.assertEqual(re.sub(r"[\d_.]+", "", prev), re.sub(r"[\d_.]+", "", r["user_agent"]))
            if l["kind"] not in ATTACKS and l["kind"] != "service":
                last[key] = r["user_agent"]

    def test_new_hires_start_after_the_history(self):
        split = epoch("2025-01-13T00:00:00Z")
        hires = {r["user_id"] for r, l in self.by_kind("new_hire")}
        self.assertGreaterEqual(len(hires), 2)
        for u in hires:
            first = min(epoch(r["timestamp"]) for r, l in zip(self.rows, self.labels)
                        if r["user_id"] == u and l["kind"] not in ATTACKS)
            self.assertGreaterEqual(first, split, u)

    def test_service_accounts_log_in_often_regularly_from_one_address(self):
        accounts = {}
        for r, l in self.by_kind("service"):
            accounts.setdefault(r["user_id"], []).append(r)
        self.assertGreaterEqual(len(accounts), 2)
        for name, rows in accounts.items():
            self.assertTrue(name.startswith("svc-"), name)
            self.assertEqual(len({r["ip_address"] for r in rows}), 1)
            self.assertEqual(len({r["user_agent"] for r in rows}), 1)
            self.assertGreaterEqual(len(rows), 21 * 12, "at least every two hours, day and night")
            gaps = sorted(epoch(b["timestamp"]) - epoch(a["timestamp"]) for a, b in zip(rows, rows[1:]))
            self.assertLessEqual(gaps[-1] - gaps[0], 80, "a fixed interval, 20 seconds of jitter either way")

    def home_of(self, user):
        """The user's most common country and the cities of their non-attack logins."""
        countries, cities = {}, set()
        for r, l in zip(self.rows, self.labels):
            if r["user_id"] == user and l["is_attack"] == "0":
                countries[r["country"]] = countries.get(r["country"], 0) + 1
                cities.add(r["city"])
        return max(countries, key=countries.get), cities

    def test_proxy_takeover_is_a_success_from_a_new_city_at_home(self):
        runs = {}
        for r, l in self.by_kind("proxy_takeover"):
            runs.setdefault(l["incident"], []).append(r)
        self.assertEqual(len(runs), 5)
        for inc, rows in runs.items():
            self.assertEqual({r["status"] for r in rows}, {"success"}, inc)
            self.assertEqual(len({(r["user_id"], r["ip_address"]) for r in rows}), 1, inc)
            country, cities = self.home_of(rows[0]["user_id"])
            self.assertEqual(rows[0]["country"], country, inc)
            first = min(epoch(r["timestamp"]) for r in rows)
            before = {r["city"] for r, l in zip(self.rows, self.labels)
                      if r["user_id"] == rows[0]["user_id"] and epoch(r["timestamp"]) < first}
            self.assertNotIn(rows[0]["city"], before, inc)
            self.assertNotRegex(rows[0]["user_agent"], "curl|python|Go-http", inc)

    def test_session_replay_follows_the_victims_login_from_an_unused_network(self):
        runs = {}
        for r, l in self.by_kind("session_replay"):
            runs.setdefault(l["incident"], []).append(r)
        self.assertEqual(len(runs), 5)
        nets = {}
        for r, l in zip(self.rows, self.labels):
            if l["kind"] != "session_replay":
                nets.setdefault(r["ip_address"].rsplit(".", 1)[0], set()).add(r["user_id"])
        for inc, rows in runs.items():
            user, t = rows[0]["user_id"], epoch(rows[0]["timestamp"])
            self.assertNotIn(rows[0]["ip_address"].rsplit(".", 1)[0], nets, inc)
            own = [epoch(r["timestamp"]) for r, l in zip(self.rows, self.labels)
                   if r["user_id"] == user and l["is_attack"] == "0" and r["status"] == "success"
                   and r["country"] == rows[0]["country"] and 0 < t - epoch(r["timestamp"]) <= 25 * 60]
            self.assertTrue(own, inc)

    def test_blend_attacks_need_realism(self):
        p = gen("--mix", "proxy_takeover=2", check=False)
        self.assertEqual(p.returncode, adtest.USAGE)

    def test_same_bytes_and_not_the_plain_stream(self):
        a = gen("--realism", "--seed", 4, "--users", 20, "--days", 6).stdout
        self.assertEqual(a, gen("--realism", "--seed", 4, "--users", 20, "--days", 6).stdout)
        self.assertNotEqual(a, gen("--seed", 4, "--users", 20, "--days", 6).stdout)
        p = gen("--realism", "--style", "signin", check=False)
        self.assertEqual(p.returncode, adtest.USAGE)


class Options(adtest.TempDirTestCase):
    def test_no_attacks(self):
        lab = os.path.join(self.tmp, "l.csv")
        gen("--users", 30, "--days", 10, "--no-attacks", "--labels", lab)
        with open(lab) as f:
            self.assertFalse({row["kind"] for row in csv.DictReader(f)} & ATTACKS)

    def test_history_attacks_and_mix(self):
        lab, data = os.path.join(self.tmp, "l.csv"), os.path.join(self.tmp, "d.csv")
        gen("--users", 40, "--days", 12, "--history-days", 6, "--history-attacks", 3,
            "--mix", "takeover=2,spraying=0", "--incidents", 1, "--labels", lab, "-o", data)
        with open(lab) as f:
            labels = list(csv.DictReader(f))
        with open(data, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        split = epoch("2025-01-07T00:00:00Z")
        before = {l["incident"] for l, r in zip(labels, rows)
                  if l["is_attack"] == "1" and epoch(r["timestamp"]) < split}
        after = {l["incident"] for l, r in zip(labels, rows)
                 if l["is_attack"] == "1" and epoch(r["timestamp"]) >= split}
        self.assertEqual(len(before), 3)
        self.assertEqual(sum(i.startswith("takeover") for i in after), 2)
        self.assertFalse(any(i.startswith("spraying") for i in after))
        self.assertEqual(sum(i.startswith("stuffing") for i in after), 1)

    def test_usage_errors(self):
        for args in (["--mix", "bogus=3"], ["--days", "10", "--history-days", "10"], ["--users", "0"],
                     ["--start", "yesterday"], ["--layout", "xml"], ["--style", "signin", "--layout", "prototype"]):
            with self.subTest(args=args):
                p = gen(*args, check=False)
                self.assertEqual(p.returncode, adtest.USAGE, p.stderr)
                self.assertEqual(p.stdout, b"")

    def test_unwritable_output_leaves_nothing(self):
        good = os.path.join(self.tmp, "labels.csv")
        p = gen("--users", 5, "--days", 3, "--labels", good, "-o", os.path.join(self.tmp, "no", "x.csv"),
                check=False)
        self.assertEqual(p.returncode, adtest.IO)
        self.assertIn(b"gen-logins:", p.stderr)
        self.assertEqual(os.listdir(self.tmp), [])

    def test_closed_pipe_is_quiet(self):
        p = subprocess.run(f"'{sys.executable}' '{GEN}' --users 200 --days 30 | head -c 100 >/dev/null",
                           shell=True, capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stderr, b"")


def have_sklearn():
    return importlib.util.find_spec("sklearn") is not None


@unittest.skipUnless(have_sklearn(), "scripts/evaluate needs python3-sklearn (scripts/setup test)")
class Evaluate(adtest.TempDirTestCase):
    def test_metrics_on_a_known_case(self):
        ev = adtest.load_script("evaluate")
        header = ["event_id", "timestamp", "user_id", "status"]
        # 6 logins: 2 attacks (one incident each), 3 normal, 1 trip.
        labels = [["1", "a", "0", "normal", ""], ["2", "b", "1", "takeover", "takeover-001"],
                  ["3", "c", "0", "normal", ""], ["4", "d", "0", "trip", "trip-001"],
                  ["5", "e", "1", "brute_force", "brute_force-001"], ["6", "f", "0", "normal", ""]]
        ds = {"header": header, "test": [[l[1], "", "", ""] for l in labels], "labels": labels}
        scores = [0.1, 0.9, 0.2, 0.5, 0.4, 0.3]
        flags = [False, True, False, True, False, False]
        m = ev.metrics(ds, scores, flags)
        self.assertAlmostEqual(m["auc"], 7 / 8)  # attack 0.9 beats 4 of 4; 0.4 beats 3 of 4 (not 0.5)
        self.assertEqual((m["incidents_flagged"], m["incidents"]), (1, 2))
        self.assertEqual(m["by_kind"]["takeover"], [1, 1])
        self.assertEqual(m["by_kind"]["brute_force"], [0, 1])
        self.assertEqual(m["normal_flag_rate"], 0.0)
        self.assertEqual(m["trip_flag_rate"], 1.0)
        self.assertAlmostEqual(m["odd_vs_attack_auc"], 0.5)
        missed = ev.targets(m)
        self.assertTrue(any("ROC AUC" in x for x in missed))
        self.assertTrue(any("brute_force caught 0/1" in x for x in missed))
        self.assertFalse(any("normal logins" in x for x in missed))

    def test_runs_ad_and_the_prototype_method(self):
        if not os.path.exists(adtest.tool("ad-score")):
            self.skipTest("ad-score is not built")
        out = os.path.join(self.tmp, "r.json")
        p = subprocess.run([sys.executable, EVALUATE, "--quick", "--datasets", "rich,prototype", "-q",
                            "--bin", adtest.BIN, "--json", out], capture_output=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        text = p.stdout.decode()
        self.assertRegex(text, r"\nrich +ad +\d+")
        self.assertRegex(text, r"\nprototype +prototype +\d+")
        with open(out) as f:
            results = json.load(f)["results"]
        self.assertEqual([(r["dataset"], r["method"]) for r in results],
                         [("rich", "ad"), ("rich", "prototype"), ("prototype", "ad"), ("prototype", "prototype")])
        for r in results:
            m = r["metrics"]
            self.assertEqual(m["incidents"], 30)
            self.assertTrue(0 <= m["auc"] <= 1)
            self.assertEqual(m["logins"], results[0]["metrics"]["logins"], "the same logins in both layouts")
            gap = r["incidents"]["gap30"]  # the baseline grouping, for every method
            self.assertEqual(gap["attacks"], 30)
            self.assertGreater(gap["user_days"], 0)

    def test_data_seed_draws_the_datasets_again(self):
        if not os.path.exists(adtest.tool("ad-score")):
            self.skipTest("ad-score is not built")
        logins = []
        for seed in (0, 0, 5):
            out = os.path.join(self.tmp, "r.json")
            p = subprocess.run([sys.executable, EVALUATE, "--quick", "--datasets", "realistic", "-q", "--no-baseline",
                                "--data-seed", str(seed), "--bin", adtest.BIN, "--json", out],
                               capture_output=True, timeout=300)
            self.assertEqual(p.returncode, 0, p.stderr.decode())
            with open(out) as f:
                doc = json.load(f)
            self.assertEqual(doc["data_seed"], seed)
            m = doc["results"][0]["metrics"]
            logins.append((m["logins"], m["attack_events"], doc["results"][0]["incidents"]["ad"]["user_days"]))
        self.assertEqual(logins[0], logins[1])
        self.assertNotEqual(logins[0], logins[2])

    def test_unknown_dataset_is_a_usage_error(self):
        p = subprocess.run([sys.executable, EVALUATE, "--datasets", "nope", "--no-ad"], capture_output=True,
                           timeout=60)
        self.assertEqual(p.returncode, adtest.USAGE)


if __name__ == "__main__":
    unittest.main()
