"""An internet-facing server's sshd log, end to end (issue 15): scripts/gen-logins
--format sshd writes 60 days of auth.log for 40 accounts under the internet's password
guessing, with labelled brute forces and sprays; the real ad-import --format sshd turns
it into login CSV, ad-train learns the first 30 days and ad-score scores the rest. The
incident ranked first (highest incident_score, ties by the one seen first) must be a
labelled successful brute force against a real account.

The same settings as scripts/demo --sshd.
"""
import collections
import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import adtest  # noqa: E402

GEN = os.path.join(adtest.SOURCE, "scripts", "gen-logins")
GEN_ARGS = ["--format", "sshd", "--seed", "7", "--users", "40", "--days", "60", "--history-days", "30"]
SPLIT = "2025-01-31"  # the first scored day: the start plus --history-days


def gen(*args):
    return subprocess.run([sys.executable, GEN, *args], capture_output=True, timeout=120)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


class SshdPipelineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="adtest-sshd-")
        t = lambda name: os.path.join(cls.tmp, name)  # noqa: E731
        p = gen(*GEN_ARGS, "--labels", t("labels.csv"), "-o", t("auth.log"))
        assert p.returncode == 0, p.stderr.decode()
        with open(t("auth.log"), encoding="utf-8") as f:
            cls.log = f.read().splitlines()
        r = adtest.run("ad-import", "--format", "sshd", "--year", "2025", "-o", t("logins.csv"), t("auth.log"))
        assert r.status == 0, r
        cls.import_note = r.stderr
        cls.logins = read_csv(t("logins.csv"))
        cls.labels = read_csv(t("labels.csv"))
        header = list(cls.logins[0].keys())
        write_csv(t("history.csv"), header, [x for x in cls.logins if x["timestamp"] < SPLIT])
        write_csv(t("new.csv"), header, [x for x in cls.logins if x["timestamp"] >= SPLIT])
        r = adtest.run("ad-train", "--seed", "1", "-m", t("model.adm"), t("history.csv"))
        assert r.status == 0, r
        r = adtest.run("ad-score", "-m", t("model.adm"), "-o", t("scored.csv"), t("new.csv"))
        assert r.status == 0, r
        cls.scored = read_csv(t("scored.csv"))
        cls.label_of = {x["event_id"]: x for x in cls.labels}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_labels_line_up_with_what_ad_import_reads(self):
        self.assertEqual(len(self.labels), len(self.logins))
        self.assertEqual([x["row"] for x in self.labels], [str(i) for i in range(1, len(self.labels) + 1)])
        self.assertEqual([x["event_id"] for x in self.labels], [x["event_id"] for x in self.logins])

    def test_the_log_is_an_internet_facing_server(self):
        msgs = collections.Counter()
        for line in self.log:
            m = re.match(r"^[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d bastion ([a-z-]+)\[\d+\]: (\S+ \S+)", line)
            self.assertIsNotNone(m, line)
            msgs[m.group(2)] += 1
        # Noise that ad-import must not count, and the lines it must.
        for start in ("Invalid user", "pam_unix(sshd:auth): authentication", "pam_unix(sshd:session): session",
                      "PAM 5", "Disconnected from", "Connection closed", "message repeated", "New session",
                      "Accepted publickey", "Accepted password", "Failed password"):
            self.assertGreater(msgs[start], 0, start)
        repeated = sum(int(x.split("message repeated ")[1].split()[0]) for x in self.log if "message repeated" in x)
        tries = sum(1 for x in self.log if ": Failed " in x or ": Accepted " in x)
        self.assertEqual(len(self.logins), tries + repeated, "each try once, PAM and disconnects never")
        kinds = collections.Counter(x["kind"] for x in self.labels)
        # The background dominates: thousands of bots guessing names, none getting in.
        bg = [x for x, lab in zip(self.logins, self.labels) if lab["kind"] == "background"]
        self.assertGreater(len(bg), 0.8 * len(self.logins))
        self.assertGreater(len({x["ip_address"] for x in bg}), 1000)
        self.assertGreater(sum(x["invalid_user"] == "true" for x in bg), 0.4 * len(bg))
        self.assertEqual({x["status"] for x in bg}, {"failure"})
        # A few dozen real accounts log in.
        real = {x["user_id"] for x, lab in zip(self.logins, self.labels)
                if x["status"] == "success" and lab["is_attack"] == "0"}
        self.assertTrue(30 <= len(real) <= 40, len(real))
        # Labelled attacks: brute forces that end in a password success on a real account,
        # sprays of mostly invalid users.
        self.assertGreater(kinds["brute_force"], 0)
        self.assertGreater(kinds["spraying"], 0)
        by_inc = collections.defaultdict(list)
        for x, lab in zip(self.logins, self.labels):
            if lab["is_attack"] == "1":
                by_inc[lab["incident"]].append(x)
        for inc, rows in by_inc.items():
            if inc.startswith("brute_force"):
                self.assertEqual(rows[-1]["status"], "success", inc)
                self.assertEqual(rows[-1]["auth_method"], "password", inc)
                self.assertIn(rows[-1]["user_id"], real, inc)
                self.assertEqual(len({x["ip_address"] for x in rows}), 1, inc)
            else:
                self.assertTrue(inc.startswith("spraying"), inc)
                self.assertGreater(sum(x["invalid_user"] == "true" for x in rows), 0.8 * len(rows), inc)

    def test_a_successful_brute_force_is_the_top_incident(self):
        incidents = collections.OrderedDict()  # in the order they were first seen
        for x in self.scored:
            if x["anomaly_flag"] == "1":
                self.assertNotEqual(x["incident_id"], "", x)
                incidents.setdefault(x["incident_id"], []).append(x)
        self.assertGreater(len(incidents), 1)
        order = sorted(incidents.values(), key=lambda ev: -max(float(e["incident_score"]) for e in ev))
        top = order[0]
        held = {self.label_of[e["event_id"]]["incident"] for e in top}
        self.assertEqual(len(held), 1, f"the top incident mixes {held}")
        name = held.pop()
        self.assertTrue(name.startswith("brute_force-"), f"the top incident is {name or 'not an attack'}: "
                        f"{top[-1]['incident_kind']} {top[-1]['user_id']} {top[-1]['anomaly_reasons']}")
        attack = [x for x in self.scored if self.label_of[x["event_id"]]["incident"] == name]
        success = [x for x in attack if x["status"] == "success"]
        self.assertEqual(len(success), 1)
        self.assertIn(success[0]["event_id"], {e["event_id"] for e in top}, "the successful try is in it")
        self.assertEqual(top[-1]["incident_kind"], "brute_force")


class SshdFormatTest(adtest.TempDirTestCase):
    def test_same_seed_same_bytes(self):
        outs = []
        for n in range(2):
            o, lab = os.path.join(self.tmp, f"a{n}.log"), os.path.join(self.tmp, f"l{n}.csv")
            p = gen("--format", "sshd", "--seed", "3", "--days", "6", "--background", "300",
                    "--labels", lab, "-o", o)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(o, "rb") as f, open(lab, "rb") as g:
                outs.append((f.read(), g.read()))
        self.assertEqual(outs[0], outs[1])
        self.assertGreater(len(outs[0][0].splitlines()), 1000)

    def test_no_background(self):
        p = gen("--format", "sshd", "--seed", "3", "--days", "6", "--background", "0", "--no-attacks")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn(b"Invalid user", p.stdout)
        self.assertIn(b"Accepted publickey", p.stdout)

    def test_usage_errors(self):
        for extra in (["--realism"], ["--style", "signin"], ["--layout", "prototype"], ["--format", "json"]):
            p = gen("--format", "sshd", *extra, "-o", os.path.join(self.tmp, "x.log"))
            self.assertEqual(p.returncode, 2, extra)
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.log")))


if __name__ == "__main__":
    unittest.main()
