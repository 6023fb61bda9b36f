"""ad-train and ad-score with --geoip and --asn, on real .mmdb files.

tests/common/make-mmdb.pl writes a City and an ASN database with Debian's
libmaxmind-db-writer-perl; the tools read them with libmaxminddb. The login CSV has an
address and nothing else about the place, as an sshd log's has.
"""
import csv
import io
import os
import random
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import adtest  # noqa: E402

HEADER = "timestamp,user_id,ip_address,user_agent,status"
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0"


def history():
    """30 days of 20 users logging in from Oslo's and Bergen's AS2119 at office hours."""
    r = random.Random(3)
    rows = []
    for day in range(1, 31):
        for u in range(20):
            for _ in range(r.randint(1, 3)):
                ip = f"10.{1 + u % 2}.{u}.{r.randint(2, 250)}"
                rows.append((f"2025-01-{day:02d}T{8 + u % 6:02d}:{r.randrange(60):02d}:00Z", f"user{u}", ip, UA,
                             "success"))
    rows.sort()
    return adtest.to_csv(HEADER.split(","), rows)


class GeoIp(adtest.TempDirTestCase):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._dir = tempfile.TemporaryDirectory(prefix="adtest-geoip-")
        d = cls._dir.name
        script = os.path.join(adtest.SOURCE, "tests", "common", "make-mmdb.pl")
        cls.city, cls.asn = os.path.join(d, "city.mmdb"), os.path.join(d, "asn.mmdb")
        subprocess.run(["perl", script, "city", cls.city], check=True)
        subprocess.run(["perl", script, "asn", cls.asn], check=True)
        cls.history = os.path.join(d, "history.csv")
        with open(cls.history, "w") as f:
            f.write(history())
        cls.model = os.path.join(d, "geo.model")
        r = adtest.run("ad-train", "-q", "--seed", 1, "--geoip", cls.city, "--asn", cls.asn, "-m", cls.model,
                       cls.history)
        assert r.status == 0, r

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def score(self, rows, *extra):
        text = adtest.to_csv(HEADER.split(","), rows)
        return adtest.run("ad-score", "-q", "-m", self.model, "--geoip", self.city, "--asn", self.asn, *extra,
                          input=text)

    def test_the_model_learns_places_and_networks_from_the_databases(self):
        info = adtest.run("ad-score", "--model-info", "-m", self.model)
        self.assertStatus(info, 0)
        for name in ("new_country", "new_city", "travel_speed", "new_wide_network", "concurrent_session",
                     "databases:     City (--geoip), ASN (--asn)"):
            self.assertIn(name, info.stdout)

    def test_a_session_replayed_from_a_hosting_as_is_flagged_with_its_reasons(self):
        r = self.score([("2025-02-03T09:00:00Z", "user4", "10.1.4.20", UA, "success"),
                        ("2025-02-03T09:12:00Z", "user4", "203.0.113.50", UA, "success")])
        self.assertStatus(r, 0)
        rows = list(csv.DictReader(io.StringIO(r.stdout)))
        self.assertEqual(rows[0]["anomaly_flag"], "0", rows[0])
        self.assertEqual(rows[1]["anomaly_flag"], "1", rows[1])
        why = rows[1]["anomaly_reasons"]
        self.assertRegex(why, r"network AS14061 \(hosting\) never used by anyone here"
                              r"|2 sessions 12 min apart from different networks: AS2119, then AS14061"
                              r"|new country for user: US")

    def test_databases_must_match_the_training(self):
        text = adtest.to_csv(HEADER.split(","), [("2025-02-03T09:00:00Z", "user4", "10.1.4.20", UA, "success")])
        r = adtest.run("ad-score", "-m", self.model, "--geoip", self.city, input=text)
        self.assertStatus(r, adtest.USAGE)
        self.assertIn("trained with --asn", r.stderr)
        plain = os.path.join(self.tmp, "plain.model")
        self.assertStatus(adtest.run("ad-train", "-q", "-m", plain, self.history), 0)
        r = adtest.run("ad-score", "-m", plain, "--asn", self.asn, input=text)
        self.assertStatus(r, adtest.USAGE)
        self.assertIn("--asn: the model was trained without an ASN database", r.stderr)
        self.assertStatus(adtest.run("ad-score", "-q", "-m", plain, input=text), 0)

    def test_missing_and_corrupt_databases_get_one_line_naming_the_file(self):
        missing = os.path.join(self.tmp, "none.mmdb")
        for tool, args in (("ad-train", ["-m", os.path.join(self.tmp, "m"), self.history]),
                           ("ad-score", ["-m", self.model, "--asn", self.asn])):
            r = adtest.run(tool, "--geoip", missing, *args, input="")
            self.assertStatus(r, adtest.IO)
            self.assertEqual(len(r.stderr.splitlines()), 1, r)
            self.assertIn(missing, r.stderr)
        junk = self.write("junk.mmdb", "not a database\n" * 10)
        r = adtest.run("ad-train", "--asn", junk, "-m", os.path.join(self.tmp, "m"), self.history)
        self.assertStatus(r, adtest.DATA)
        self.assertEqual(len(r.stderr.splitlines()), 1, r)
        self.assertIn(junk, r.stderr)
        self.assertIn("MaxMind", r.stderr)
        with open(self.city, "rb") as f:
            data = f.read()
        cut = self.write("cut.mmdb", data[: len(data) // 2])
        r = adtest.run("ad-score", "-m", self.model, "--geoip", cut, "--asn", self.asn, input="")
        self.assertStatus(r, adtest.DATA)
        self.assertIn(cut, r.stderr)


if __name__ == "__main__":
    unittest.main()
