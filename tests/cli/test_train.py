"""ad-train run for real: options, bad input, the model file, determinism.

The cases are tables: arguments, input files, expected status and a regular expression
on stderr. {T} in an argument is the test's own temporary directory.
"""
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import adtest  # noqa: E402

TOOL = "ad-train"
HEADER = adtest.LOGIN_HEADER
history = adtest.login_history
csv_text = adtest.csv_text

ROWS = history(300)
GOOD = csv_text(ROWS)


def with_row(line_no, row):
    """GOOD with `row` put on physical line line_no (the header is line 1)."""
    rows = list(ROWS)
    rows.insert(line_no - 2, row)
    return csv_text(rows)


MAGIC = b"\x89ADM\r\n\x1a\n"

# Usage: status 2, "Try 'ad-train --help'" on stderr.
USAGE_CASES = [
    ("no model", ["{T}/in.csv"]),
    ("-m without a value", ["-m"]),
    ("unknown option", ["-m", "{T}/m.model", "--bogus", "{T}/in.csv"]),
    ("--trees 0", ["-m", "{T}/m.model", "--trees", "0", "{T}/in.csv"]),
    ("--trees not a number", ["-m", "{T}/m.model", "--trees", "many", "{T}/in.csv"]),
    ("--sample-size 1", ["-m", "{T}/m.model", "--sample-size", "1", "{T}/in.csv"]),
    ("--contamination 0.9", ["-m", "{T}/m.model", "--contamination", "0.9", "{T}/in.csv"]),
    ("--contamination 0", ["-m", "{T}/m.model", "--contamination", "0", "{T}/in.csv"]),
    ("--budget 0", ["-m", "{T}/m.model", "--budget", "0", "{T}/in.csv"]),
    ("--budget and --contamination", ["-m", "{T}/m.model", "--budget", "3", "--contamination", "0.01",
                                      "{T}/in.csv"]),
    ("--signal-threshold 101", ["-m", "{T}/m.model", "--signal-threshold", "101", "{T}/in.csv"]),
    ("--signal-threshold and --contamination", ["-m", "{T}/m.model", "--signal-threshold", "70",
                                                "--contamination", "0.01", "{T}/in.csv"]),
    ("--sample-rows 1", ["-m", "{T}/m.model", "--sample-rows", "1", "{T}/in.csv"]),
    ("--max-users 0", ["-m", "{T}/m.model", "--max-users", "0", "{T}/in.csv"]),
    ("--seed not a number", ["-m", "{T}/m.model", "--seed", "x1", "{T}/in.csv"]),
    ("bad --on-error", ["-m", "{T}/m.model", "--on-error", "ignore", "{T}/in.csv"]),
    ("bad --threads", ["-m", "{T}/m.model", "--threads", "-3", "{T}/in.csv"]),
    ("malformed --map", ["-m", "{T}/m.model", "--map", "user", "{T}/in.csv"]),
    ("unknown role in --map", ["-m", "{T}/m.model", "{T}/in.csv", "--map", "planet=user_id"]),
    ("--map to a missing column", ["-m", "{T}/m.model", "{T}/in.csv", "--map", "user=nobody"]),
    ("--ignore a missing column", ["-m", "{T}/m.model", "{T}/in.csv", "--ignore", "nobody"]),
    ("bad --assume-tz", ["-m", "{T}/m.model", "--assume-tz", "Mars", "{T}/in.csv"]),
    ("unknown aspect", ["-m", "{T}/m.model", "--aspects", "time,mood", "{T}/in.csv"]),
    ("two input files", ["-m", "{T}/m.model", "{T}/in.csv", "{T}/in.csv"]),
]

# Bad input: (name, args, input files, status, stderr regexp). Each prints exactly one
# line on stderr and leaves no model (and an existing model unchanged).
BAD_INPUT = [
    ("ragged row", ["{T}/in.csv"], {"in.csv": with_row(40, "9999,2024-05-01T10:00:00Z,user1")},
     adtest.DATA, r"^ad-train: \S*/in\.csv:40: ragged row: expected 8 fields as in the header, found 3$"),
    ("not a number in a numeric column", ["{T}/in.csv"],
     {"in.csv": with_row(77, "9999,2024-05-01T10:00:00Z,user1,10.0.1.5,NO,Web,12kb,success")},
     adtest.DATA, r"^ad-train: \S*/in\.csv:77:7: not a number: '12kb' in a column that is otherwise numeric"
                  r".*\(column 'data_size_kb'\)$"),
    ("bad timestamp", ["{T}/in.csv"],
     {"in.csv": with_row(120, "9999,01/05/2024 10:00,user1,10.0.1.5,NO,Web,100,success")},
     adtest.DATA, r"^ad-train: \S*/in\.csv:120:2: bad timestamp '01/05/2024 10:00' \(column 'timestamp'\)$"),
    ("empty input", ["{T}/in.csv"], {"in.csv": ""},
     adtest.DATA, r"^ad-train: \S*/in\.csv: empty input"),
    ("header-only input", ["{T}/in.csv"], {"in.csv": HEADER + "\n"},
     adtest.DATA, r"^ad-train: \S*/in\.csv: no data rows: the input has only a header$"),
    ("CR-only line ends", ["{T}/in.csv"], {"in.csv": GOOD.replace("\n", "\r")},
     adtest.DATA, r"^ad-train: \S*/in\.csv:1: the header line holds a carriage return \(CR\): "
                  r"the input seems to end its lines with CR alone; convert them to LF or CRLF$"),
    ("invalid UTF-8", ["{T}/in.csv"],
     {"in.csv": with_row(9, "9999,2024-05-01T10:00:00Z,us\xffer1,10.0.1.5,NO,Web,100,success")
      .encode("latin-1")},
     adtest.DATA, r"^ad-train: \S*/in\.csv:9:3: invalid UTF-8 .*\(column 'user_id'\)$"),
    ("NUL byte", ["{T}/in.csv"],
     {"in.csv": with_row(5, "9999,2024-05-01T10:00:00Z,user1,10.0.1.5,NO,W\0eb,100,success")},
     adtest.DATA, r"^ad-train: \S*/in\.csv:5\b.*NUL"),
    ("unterminated quote", ["{T}/in.csv"],
     {"in.csv": GOOD + '9999,2024-05-01T10:00:00Z,"user1,10.0.1.5,NO,Web,100,success\n'},
     adtest.DATA, r"^ad-train: \S*/in\.csv:\d+\b.*unterminated quoted field"),
    ("no login rows", ["{T}/in.csv"],
     {"in.csv": "timestamp,activity_type,data_size_kb\n2025-01-01 04:02:00,chat,1\n2025-01-01 04:03:00,upload,2\n"},
     adtest.DATA, r"^ad-train: \S*/in\.csv: no login rows to learn from \(activity column 'activity_type'\)$"),
    ("every column empty or constant", ["{T}/in.csv"],
     {"in.csv": "note,kind\n,x\n,x\n,x\n"},
     adtest.DATA, r"^ad-train: \S*/in\.csv: no feature columns"),
    ("missing input file", ["{T}/absent.csv"], {},
     adtest.IO, r"^ad-train: cannot open \S*/absent\.csv: No such file or directory$"),
    ("a directory as input", ["{T}/sub"], {"sub/x": "x"},
     adtest.IO, r"^ad-train: cannot read \S*/sub: is a directory$"),
]


class Base(adtest.ToolRunner, adtest.TempDirTestCase):
    TOOL = TOOL

    def expand(self, args):
        return [a.replace("{T}", self.tmp) for a in args]

    def read(self, name):
        with open(os.path.join(self.tmp, name), "rb") as f:
            return f.read()


class UsageTest(adtest.ToolManners, Base):
    """--help, --version, the man page and usage errors (adtest.ToolManners)."""

    HELP_OPTIONS = ["-m,--model", "--seed", "--trees", "--sample-size", "--budget", "--contamination", "--aspects", "--ignore",
                    "--sample-rows", "--max-users", "--map", "--on-error", "--assume-tz", "--threads",
                    "-q,--quiet", "--version"]
    USAGE_CASES = USAGE_CASES
    USAGE_INPUT = GOOD


class BadInputTest(Base):
    def test_each_bad_input(self):
        for name, args, files, status, pattern in BAD_INPUT:
            with self.subTest(name):
                for fname, content in files.items():
                    os.makedirs(os.path.dirname(os.path.join(self.tmp, fname)), exist_ok=True)
                    self.write(fname, content)
                models = os.path.join(self.tmp, "models")
                os.makedirs(models, exist_ok=True)
                # No model appears ...
                r = self.run_tool(["-m", "{T}/models/new.model"] + args)
                self.assertStatus(r, status)
                self.assertOneLine(r, pattern)
                self.assertEqual(r.stdout, "")
                self.assertEqual(os.listdir(models), [])
                # ... and an existing one is left as it was.
                self.write("models/old.model", MAGIC + b"previous model")
                r = self.run_tool(["-m", "{T}/models/old.model"] + args)
                self.assertStatus(r, status)
                self.assertOneLine(r, pattern)
                self.assertEqual(self.read("models/old.model"), MAGIC + b"previous model")
                self.assertEqual(os.listdir(models), ["old.model"])
                os.unlink(os.path.join(models, "old.model"))

    def test_unwritable_model_paths(self):
        self.write("in.csv", GOOD)
        os.mkdir(os.path.join(self.tmp, "adir"))
        cases = [
            (["-m", "/dev/full"], r"^ad-train: /dev/full: not a regular file"),
            (["-m", "{T}/adir"], r"^ad-train: \S*/adir: not a regular file"),
            (["-m", "{T}/no/such/dir/m.model"], r"^ad-train: cannot create a file in \S*/no/such/dir"),
        ]
        for args, pattern in cases:
            with self.subTest(args[1]):
                r = self.run_tool(args + ["-q", "{T}/in.csv"])
                self.assertStatus(r, adtest.IO)
                self.assertOneLine(r, pattern)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["adir", "in.csv"])
        self.assertEqual(os.listdir(os.path.join(self.tmp, "adir")), [])

    def test_on_error_skip_counts_on_stderr(self):
        rows = list(ROWS)
        rows.insert(10, "9001,2024-05-01T10:00:00Z,user1")                                   # line 12
        rows.insert(20, "9002,yesterday,user1,10.0.1.5,NO,Web,100,success")                  # line 22
        rows.insert(30, "9003,2024-05-01T10:00:00Z,user1,10.0.1.5,N\udcffO,Web,100,success")  # line 32
        data = csv_text(rows).encode("utf-8", "surrogateescape")
        path = self.write("in.csv", data)
        r = self.run_tool(["-m", "{T}/m.model", "--on-error", "skip", path])
        self.assertStatus(r, adtest.OK)
        warnings = re.findall(r"(?m)^ad-train: warning: skipped: (.*)$", r.stderr)
        self.assertEqual(len(warnings), 3, r.stderr)
        self.assertRegex(warnings[0], r"in\.csv:12: ragged row")
        self.assertRegex(warnings[1], r"in\.csv:22:2: bad timestamp")
        self.assertRegex(warnings[2], r"in\.csv:32:5: invalid UTF-8")
        self.assertRegex(r.stderr, r"(?m)^ad-train: learned from 300 of 303 rows \(0 not logins, 3 skipped\); "
                                   r"\d+ features; threshold 0\.\d{4}; wrote \S*m\.model$")
        self.assertTrue(self.read("m.model").startswith(MAGIC))

    def test_on_error_skip_treats_a_stray_text_value_as_missing(self):
        path = self.write("in.csv", with_row(77, "9999,2024-05-01T10:00:00Z,user1,10.0.1.5,NO,Web,12kb,success"))
        r = self.run_tool(["-m", "{T}/m.model", "--on-error", "skip", path])
        self.assertStatus(r, adtest.OK)
        self.assertRegex(r.stderr, r"(?m)^ad-train: column 'data_size_kb' is numeric; 1 text values in it are "
                                   r"treated as missing$")


class ModelTest(Base):
    def test_writes_a_model_and_reports_on_stderr(self):
        path = self.write("in.csv", GOOD)
        r = self.run_tool(["-m", "{T}/m.model", path])
        self.assertStatus(r, adtest.OK)
        self.assertEqual(r.stdout, "")
        self.assertRegex(r.stderr, r"(?m)^ad-train: learned from 300 of 300 rows \(0 not logins, 0 skipped\); "
                                   r"\d+ features; threshold 0\.\d{4}; wrote \S*/m\.model$")
        data = self.read("m.model")
        self.assertTrue(data.startswith(MAGIC))
        self.assertEqual(sorted(os.listdir(self.tmp)), ["in.csv", "m.model"])
        info = adtest.run("ad-score", "-m", os.path.join(self.tmp, "m.model"), "--model-info")
        self.assertStatus(info, adtest.OK)
        self.assertRegex(info.stdout, r"(?m)^training: +300 rows used of 300")
        # -q silences the notes.
        r = self.run_tool(["-q", "-m", "{T}/m.model", path])
        self.assertStatus(r, adtest.OK)
        self.assertEqual(r.stderr, "")

    def test_budget_sets_the_threshold_for_login_data(self):
        path = self.write("in.csv", GOOD)
        thresholds = {}
        for budget in ["0.01", "1000"]:
            r = self.run_tool(["-m", "{T}/b.model", "--budget", budget, path])
            self.assertStatus(r, adtest.OK)
            self.assertRegex(r.stderr, rf"alert budget {budget} false incidents per 1,000 user-days: "
                                       r"\d+ incidents in \d+ calibration user-days")
            info = adtest.run("ad-score", "-m", os.path.join(self.tmp, "b.model"), "--model-info").stdout
            self.assertRegex(info, rf"\(budget {budget} false incidents per 1,000 user-days")
            thresholds[budget] = float(re.search(r"(?m)^threshold: +([0-9.]+)", info).group(1))
        # A larger budget allows more incidents: a lower threshold.
        self.assertLess(thresholds["1000"], thresholds["0.01"])
        # The budget is the default; --contamination sets the threshold instead.
        r = self.run_tool(["-m", "{T}/c.model", "--contamination", "0.05", path])
        self.assertNotIn("alert budget", r.stderr)
        info = adtest.run("ad-score", "-m", os.path.join(self.tmp, "c.model"), "--model-info").stdout
        self.assertRegex(info, r"contamination 0\.05")

    def test_options_reach_the_model(self):
        path = self.write("in.csv", GOOD)
        r = self.run_tool(["-q", "-m", "{T}/m.model", "--trees", "7", "--sample-size", "16", "--seed", "99",
                           "--contamination", "0.1", path, "--ignore", "device_type"])
        self.assertStatus(r, adtest.OK)
        info = adtest.run("ad-score", "-m", os.path.join(self.tmp, "m.model"), "--model-info").stdout
        self.assertRegex(info, r"(?m)^forest: +7 trees, sample size 16, seed 99$")
        self.assertRegex(info, r"contamination 0\.1")
        self.assertNotRegex(info, r"(?m)^  device_type :")
        self.assertRegex(info, r"(?m)^aspect time: +7 trees with split ceilings over hour_unusual, weekday_unusual, hour_rarity$")
        # --aspects chooses the aspect forests; none leaves the whole forest alone.
        for aspects, expected in [("none", []), ("attempts,time", ["attempts", "time"])]:
            with self.subTest(aspects):
                r = self.run_tool(["-q", "-m", "{T}/a.model", "--aspects", aspects, path])
                self.assertStatus(r, adtest.OK)
                info = adtest.run("ad-score", "-m", os.path.join(self.tmp, "a.model"), "--model-info").stdout
                self.assertEqual(re.findall(r"(?m)^aspect (\w+):", info), expected)

    def test_signal_threshold_reaches_the_model_with_the_alert_budget_only(self):
        path = self.write("in.csv", GOOD)
        cases = [([], "60"), (["--signal-threshold", "70"], "70"), (["--signal-threshold", "0"], None),
                 (["--contamination", "0.01"], None)]
        for args, expected in cases:
            with self.subTest(args):
                r = self.run_tool(["-q", "-m", "{T}/s.model", path] + args)
                self.assertStatus(r, adtest.OK)
                info = adtest.run("ad-score", "-m", os.path.join(self.tmp, "s.model"), "--model-info").stdout
                signals = re.findall(r"(?m)^signals: +a login whose signals alone score (\d+) or more", info)
                self.assertEqual(signals, [expected] if expected else [])

    def test_stdin_dash_none_and_file_give_the_same_model(self):
        path = self.write("in.csv", GOOD)
        for name, args, given in [("file", [path], None), ("dash", ["-"], GOOD), ("none", [], GOOD)]:
            r = self.run_tool(["-q", "--seed", "5", "-m", f"{{T}}/{name}.model"] + args, input=given)
            self.assertStatus(r, adtest.OK)
        self.assertEqual(self.read("dash.model"), self.read("file.model"))
        self.assertEqual(self.read("none.model"), self.read("file.model"))
        r = self.run_tool(["-m", "{T}/x.model"], input=GOOD + "1,2\n")
        self.assertStatus(r, adtest.DATA)
        self.assertOneLine(r, r"^ad-train: <stdin>:302: ragged row")

    def test_same_seed_same_bytes_whatever_the_threads(self):
        path = self.write("in.csv", csv_text(history(2000, seed=3)))
        for name, seed, threads in [("a", "8", "1"), ("b", "8", "2"), ("c", "8", "0"), ("d", "9", "2")]:
            r = self.run_tool(["-q", "--seed", seed, "--threads", threads, "-m", f"{{T}}/{name}.model", path])
            self.assertStatus(r, adtest.OK)
        self.assertEqual(self.read("a.model"), self.read("b.model"))
        self.assertEqual(self.read("a.model"), self.read("c.model"))
        self.assertNotEqual(self.read("a.model"), self.read("d.model"))

    def test_retraining_replaces_the_model_atomically(self):
        path = self.write("in.csv", GOOD)
        self.run_tool(["-q", "--seed", "1", "-m", "{T}/m.model", path])
        first = self.read("m.model")
        r = self.run_tool(["-q", "--seed", "2", "-m", "{T}/m.model", path])
        self.assertStatus(r, adtest.OK)
        self.assertNotEqual(self.read("m.model"), first)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["in.csv", "m.model"])


if __name__ == "__main__":
    unittest.main()
