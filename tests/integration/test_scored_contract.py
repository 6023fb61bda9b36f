"""One scored-CSV contract (lib/ad/core/scored.h) for every tool that reads scored CSV.

The same hand-written rows go to ad-report, ad-mail --dry-run and ad-store (a real
PostgreSQL server, as in test_store.py), one row per input, and the three must accept and
reject the same rows; a severity gets the same band name in the report and the mail.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import adtest  # noqa: E402
from test_store import Server  # noqa: E402

HEADER = ["event_id", "timestamp", "user_id", "ip_address", "country",
          "anomaly_score", "anomaly_flag", "severity", "anomaly_reasons"]

# (name, scored fields, accepted)
ROWS = [
    ("flagged", ["0.912345", "1", "99.2", "new country for user: NO"], True),
    ("normal", ["0.401000", "0", "42.0", ""], True),
    ("unscored", ["", "", "", ""], True),
    ("empty flag", ["0.912345", "", "99.2", "r"], False),
    ("flag true", ["0.912345", "true", "99.2", "r"], False),
    ("flag yes", ["0.401000", "yes", "42.0", ""], False),
    ("normal with a bad score", ["abc", "0", "42.0", ""], False),
    ("normal with severity out of range", ["0.401000", "0", "142", ""], False),
    ("flagged with score out of range", ["1.5", "1", "99.2", "r"], False),
]


def one_row(i, scored, header=HEADER, extra=()):
    row = [f"e{i}", "2025-01-07T02:50:00Z", "alice", "198.51.100.7", "NO"] + scored + list(extra)
    return adtest.to_csv(header, [row])


class ScoredContractTest(adtest.TempDirTestCase):
    server = None
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.destroy()

    def report(self, path):
        return adtest.run("ad-report", "--on-error", "fail", "-o", path + ".html", path)

    def mail(self, path):
        return adtest.run("ad-mail", "--dry-run", "--always", "--on-error", "fail",
                          "--from", "ad@example.com", "--to", "soc@example.com", path)

    def store(self, path, table):
        return adtest.run("ad-store", "--table", table, path, env=self.server.env)

    def verdicts(self, header=HEADER, extra=()):
        out = {}
        for i, (name, scored, _) in enumerate(ROWS):
            path = self.write(f"row{i}.csv", one_row(i, scored, header, extra))
            with self.subTest(row=name):
                results = {"ad-report": self.report(path), "ad-mail": self.mail(path),
                           "ad-store": self.store(path, f"scored_{len(header)}_{i}")}
                for tool, r in results.items():
                    self.assertIn(r.status, (adtest.OK, adtest.DATA), f"{tool} on {name}: {r}")
                out[name] = {tool: r.status == adtest.OK for tool, r in results.items()}
        return out

    def test_the_tools_accept_and_reject_the_same_rows(self):
        got = self.verdicts()
        want = {name: {t: ok for t in ("ad-report", "ad-mail", "ad-store")} for name, _, ok in ROWS}
        self.assertEqual(got, want)

    def test_extra_trailing_scored_columns_are_ignored(self):
        # The contract grows by appending columns (such as incident_id); old readers
        # find theirs by name and give the same verdicts.
        got = self.verdicts(HEADER + ["incident_id"], ["inc-1"])
        want = {name: {t: ok for t in ("ad-report", "ad-mail", "ad-store")} for name, _, ok in ROWS}
        self.assertEqual(got, want)

    def test_errors_name_file_line_and_column(self):
        path = self.write("bad.csv", one_row(0, ["0.912345", "true", "99.2", "r"]))
        for r in (self.report(path), self.mail(path), self.store(path, "scored_errors")):
            self.assertStatus(r, adtest.DATA)
            self.assertIn(f"{path}:2:7: anomaly_flag must be 0 or 1", r.stderr)

    def test_the_same_severity_is_in_the_same_band_in_report_and_mail(self):
        path = self.write("one.csv", one_row(0, ROWS[0][1]))
        r = self.report(path)
        self.assertStatus(r, adtest.OK)
        with open(path + ".html", encoding="utf-8") as f:
            html = f.read()
        self.assertTrue('99.2 <span class="band b1">medium</span>' in html, "99.2 is not medium")
        r = self.mail(path)
        self.assertStatus(r, adtest.OK)
        self.assertIn("highest severity 99.2 (medium)", r.stdout)


if __name__ == "__main__":
    import unittest
    unittest.main()
