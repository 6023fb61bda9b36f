"""Resource bounds of every tool (issue 14): past each bound, a clear error or the cut
that the tool's man page documents under LIMITS, and peak memory that does not grow
with the input where the claim is about memory.

Peak memory is measured by a small wrapper process (MEASURE) that runs the tool as its
only child and prints resource.getrusage(RUSAGE_CHILDREN).ru_maxrss after it exits, so
that other children of the test process do not count. Inputs are generated here; a
larger input must not need proportionally more memory than a small one.
"""
import email
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import adtest  # noqa: E402

# Runs argv[2:] with standard input from the file argv[1] ("-" for none), through cat
# when argv[1] starts with "|" (a pipe, not a regular file); prints status, peak RSS in
# KiB and the child's standard error.
MEASURE = r"""
import resource, subprocess, sys
source, argv = sys.argv[1], sys.argv[2:]
cat = None
if source.startswith("|"):
    cat = subprocess.Popen(["cat", source[1:]], stdout=subprocess.PIPE)
    stdin = cat.stdout
else:
    stdin = subprocess.DEVNULL if source == "-" else open(source, "rb")
p = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if cat:
    cat.stdout.close()
    cat.wait()
print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stdout.write(p.stderr.decode("utf-8", "replace"))
"""

WIDE = 4097  # one column more than ad(7) allows


def measure(tool, args, source="-"):
    """(status, peak RSS in MiB, stderr) of tool run with args, stdin from source."""
    p = subprocess.run([sys.executable, "-c", MEASURE, source, adtest.tool(tool), *map(str, args)],
                       capture_output=True, text=True, timeout=300)
    first, _, err = p.stdout.partition("\n")
    status, rss = first.split()
    return int(status), int(rss) / 1024, err


def scored_rows(n, incidents=False, users=5000):
    """n flagged rows of scored CSV: a header, then rows; with incident columns, 100 rows an
    incident (or one each when incidents == "each")."""
    header = ("event_id,timestamp,user_id,ip_address,country,city,user_agent,anomaly_score,anomaly_flag,"
              "severity,anomaly_reasons")
    if incidents:
        header += ",incident_id,incident_score,incident_kind"
    yield header
    for i in range(n):
        row = (f"e{i},2025-01-{1 + i // 86400 % 28:02d}T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z,"
               f"user{i % users},203.0.{i % 250}.{i % 200},RO,Bucharest,Firefox/{i % 90},0.8{i % 100000:05d},1,"
               f"99.{i % 10},new country for user: RO (usual: NO); 12 failed logins in 10 min")
        if incidents:
            row += f",I-20250101T000000-{i if incidents == 'each' else i // 100:08x},{40 + i % 60},brute_force"
        yield row


class LimitsTest(adtest.TempDirTestCase):
    @classmethod
    def setUpClass(cls):
        cls._dir = tempfile.TemporaryDirectory(prefix="adtest-limits-")
        cls.model = os.path.join(cls._dir.name, "m.model")
        r = adtest.run("ad-train", "-q", "--seed", "1", "-m", cls.model,
                       input=adtest.csv_text(adtest.login_history(300)))
        assert r.status == 0, r

    @classmethod
    def tearDownClass(cls):
        cls._dir.cleanup()

    def write_lines(self, name, lines):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            for line in lines:
                f.write(line + "\n")
        return path

    def mail_text(self, path, *args):
        """The text/plain body of ad-mail's --dry-run message about path, decoded."""
        r = adtest.run("ad-mail", "-q", "--dry-run", "--from", "ad@example.com", "--to", "soc@example.com",
                       *args, path, timeout=120)
        self.assertStatus(r, adtest.OK)
        msg = email.message_from_string(r.stdout)
        for part in msg.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode()
        self.fail("no text/plain part")

    # -- columns (ad(7)) ------------------------------------------------------------------
    def test_a_header_of_more_than_4096_columns_is_refused_by_every_tool(self):
        wide = self.write_lines("wide.csv", [",".join(f"c{i}" for i in range(WIDE)), ",".join("1" * WIDE)])
        ok = self.write_lines("ok.csv", [",".join(f"c{i}" for i in range(WIDE - 1)), ",".join("1" * (WIDE - 1))])
        runs = {
            "ad-train": ["-q", "-m", os.path.join(self.tmp, "t.model")],
            "ad-score": ["-q", "-m", self.model],
            "ad-store": ["--db", "host=/nonexistent", "--retry-for", "0"],
            "ad-mail": ["--dry-run", "--from", "ad@example.com", "--to", "soc@example.com"],
            "ad-report": ["-q", "-o", os.path.join(self.tmp, "r.html")],
            "ad-import": ["-q", "-f", "entra"],
        }
        for tool, args in runs.items():
            with self.subTest(tool=tool):
                r = adtest.run(tool, *args, wide)
                self.assertStatus(r, adtest.DATA)
                self.assertEqual(r.stderr, f"{tool}: {wide}:1:4097: the header has 4097 columns, more than 4096\n")
                r = adtest.run(tool, *args, ok)  # one fewer is no column error
                self.assertNotIn("columns, more than", r.stderr)

    def test_a_row_of_a_million_fields_is_ragged_with_its_count(self):
        path = self.write_lines("ragged.csv", ["timestamp,user_id", "," * 1000000])
        status, rss, err = measure("ad-train", ["-m", os.path.join(self.tmp, "t.model"), path])
        self.assertEqual(status, adtest.DATA, err)
        self.assertIn(":2: ragged row: expected 2 fields as in the header, found 1000001", err)
        self.assertLess(rss, 64, "a view per field of a ragged row was kept")

    # -- ad-train -------------------------------------------------------------------------
    def test_ad_train_memory_follows_the_sample_not_the_input(self):
        small = self.write_lines("small.csv", [adtest.LOGIN_HEADER] + adtest.login_history(20000))
        large = self.write_lines("large.csv", [adtest.LOGIN_HEADER] + adtest.login_history(200000))
        model = os.path.join(self.tmp, "t.model")
        rss = {}
        for name, path in (("small", small), ("large", large)):
            status, rss[name], err = measure("ad-train", ["-q", "--sample-rows", "5000", "-m", model],
                                             "|" + path)
            self.assertEqual(status, 0, err)
        self.assertLess(rss["large"], rss["small"] * 1.5 + 8, rss)

    def test_profiles_keep_1024_bytes_of_a_value(self):
        """200 users with 8 user agents of 32 KiB each: profiles keep their first 1024 bytes."""
        letters = "abcdefghijklmnopqrstuvwxyz"
        rss = {}
        for kind in ("same", "distinct"):
            def rows():
                yield "timestamp,user_id,ip_address,user_agent,status"
                for k in range(8):
                    for u in range(200):
                        agent = letters[(u + (k if kind == "distinct" else 0)) % 26] * 2048
                        yield (f"2024-05-{1 + k:02d}T{8 + u % 8:02d}:00:00Z,user{u},10.0.{u}.1,"
                               f"{(agent + letters[u % 26] * 30) * 16},success")
            path = self.write_lines(f"ua_{kind}.csv", rows())
            status, rss[kind], err = measure("ad-train", ["-q", "--seed", "1", "-m", os.path.join(self.tmp, "u.model"),
                                                         path])
            self.assertEqual(status, 0, err)
        # Before the cut: 8 agents of 32 KiB in each of 200 profiles, about 50 MiB more.
        self.assertLess(rss["distinct"], rss["same"] + 20, rss)
        self.assertLess(os.path.getsize(os.path.join(self.tmp, "u.model")), 8 << 20)

    # -- ad-score -------------------------------------------------------------------------
    def test_ad_score_batches_at_64_mib_of_long_rows(self):
        blob = "b" * (1 << 20)
        rss = {}
        for n in (30, 300):
            path = self.write_lines(f"long{n}.csv", [adtest.LOGIN_HEADER + ",blob"] +
                                    [r + "," + blob for r in adtest.login_history(n, start=1000)])
            status, rss[n], err = measure("ad-score", ["-q", "-m", self.model, "-o", os.path.join(self.tmp, "o.csv"),
                                                      path])
            self.assertEqual(status, 0, err)
        # 300 rows of 1 MiB in one batch took 566 MiB; in batches of 8 MiB, five held at once, about 120.
        self.assertLess(rss[300], rss[30] + 100, rss)

    # -- ad-mail --------------------------------------------------------------------------
    def test_ad_mail_memory_does_not_grow_with_flagged_rows(self):
        for incidents in (False, True):
            rss = {}
            for n in (20000, 200000):
                path = self.write_lines(f"scored{n}.csv", scored_rows(n, incidents))
                status, rss[n], err = measure("ad-mail", ["-q", "--dry-run", "--from", "ad@example.com",
                                                          "--to", "soc@example.com"], "|" + path)
                self.assertEqual(status, 0, err)
            with self.subTest(incidents=incidents):
                # Before the rows were spooled: 20k rows 45 MiB, 200k rows 170 MiB.
                self.assertLess(rss[200000], rss[20000] * 1.3 + 8, rss)

    def test_ad_mail_counts_users_among_the_first_10000(self):
        path = self.write_lines("users.csv", scored_rows(10005, users=10005))
        text = self.mail_text(path)
        self.assertIn("5 flagged rows of users past the first 10000 are not counted under the users "
                      "with the most anomalies.", re.sub(r"\s+", " ", text))
        path = self.write_lines("fewer.csv", scored_rows(10000, users=10000))
        self.assertNotIn("past the first", self.mail_text(path))

    def test_ad_mail_lists_at_most_10000_incidents(self):
        path = self.write_lines("incidents.csv", scored_rows(10003, incidents="each"))
        text = re.sub(r"\s+", " ", self.mail_text(path))
        self.assertIn("3 flagged rows of incidents past the first 10000 of this alert are attached and "
                      "counted, but not listed as incidents.", text)
        self.assertIn("Login incidents: 10000 incidents; 10003 of 10003 logins scored were flagged.", text)

    # -- ad-report ------------------------------------------------------------------------
    def test_ad_report_counts_100000_distinct_users_then_at_least(self):
        path = self.write_lines("users.csv", scored_rows(100001, users=100001))
        out = os.path.join(self.tmp, "r.html")
        r = adtest.run("ad-report", "-q", "--top", "5", "-o", out, path, timeout=120)
        self.assertStatus(r, adtest.OK)
        with open(out, encoding="utf-8") as f:
            page = f.read()
        self.assertTrue("at least 100,000" in page, "no 'at least 100,000' in the page")
        path = self.write_lines("fewer.csv", scored_rows(100000, users=100000))
        r = adtest.run("ad-report", "-q", "--top", "5", "-o", out, path, timeout=120)
        with open(out, encoding="utf-8") as f:
            self.assertFalse("at least 100,000" in f.read(), "'at least' below the bound")

    def test_ad_report_cuts_values_to_1000_characters(self):
        rows = list(scored_rows(3))
        rows[1] = rows[1].replace("user0", "u" * 5000)
        out = os.path.join(self.tmp, "r.html")
        r = adtest.run("ad-report", "-q", "-o", out, self.write_lines("long.csv", rows))
        self.assertStatus(r, adtest.OK)
        with open(out, encoding="utf-8") as f:
            page = f.read()
        self.assertTrue("u" * 999 + "\u2026" in page, "no value cut to 1000 characters")
        self.assertFalse("u" * 1000 in page, "a value of more than 1000 characters")

    def test_an_incident_id_of_more_than_200_bytes_is_bad_data(self):
        rows = list(scored_rows(3, incidents=True))
        rows[2] = rows[2].replace("I-20250101T000000-00000000", "I-" + "x" * 199)
        path = self.write_lines("ids.csv", rows)
        r = adtest.run("ad-report", "-q", "-o", os.path.join(self.tmp, "r.html"), path)
        self.assertStatus(r, adtest.DATA)
        self.assertRegex(r.stderr, rf"^ad-report: {re.escape(path)}:3:12: incident_id is longer than 200 bytes: "
                                   r"'I-x+\.\.\.' \(column 'incident_id'\)\n$")

    def test_ad_report_memory_does_not_grow_with_rows(self):
        rss = {}
        for n in (20000, 200000):
            path = self.write_lines(f"scored{n}.csv", scored_rows(n, incidents=True))
            status, rss[n], err = measure("ad-report", ["-q", "-o", os.path.join(self.tmp, "r.html")], "|" + path)
            self.assertEqual(status, 0, err)
        self.assertLess(rss[200000], rss[20000] * 1.3 + 8, rss)

    # -- ad-import ------------------------------------------------------------------------
    def test_ad_import_counts_at_most_1000_repeats_of_a_line(self):
        log = ("May  1 08:00:01 h sshd[1]: message repeated 2000000000 times: "
               "[ Failed password for root from 1.2.3.4 port 22 ssh2]\n")
        status, rss, err = measure("ad-import", ["-q", "-f", "sshd", "--year", "2024",
                                                 self.write("auth.log", log)])
        self.assertEqual(status, 0, err)
        self.assertLess(rss, 64)
        r = adtest.run("ad-import", "-q", "-f", "sshd", "--year", "2024", input=log)
        self.assertStatus(r, adtest.OK)
        self.assertEqual(len(r.stdout.splitlines()), 1 + 1000)


if __name__ == "__main__":
    unittest.main()
