"""ad-score run for real: options, bad input, streaming, layouts, determinism.

The cases are tables: arguments, input, expected status and expected stdout or a
regular expression on stderr. {M} in an argument is a model trained once for the
module, {T} the test's own temporary directory.
"""
import csv
import io
import os
import random
import re
import select
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import adtest  # noqa: E402

TOOL = "ad-score"
HEADER = adtest.LOGIN_HEADER
SCORED = ["anomaly_score", "anomaly_flag", "severity", "anomaly_reasons",
          "incident_id", "incident_score", "incident_kind"]
history = adtest.login_history
csv_text = adtest.csv_text

GOOD_ROWS = ["9001,2024-05-29T09:10:00Z,user1,10.0.1.7,NO,Web,512,success",
             "9002,2024-05-29T09:11:00Z,user2,10.0.2.9,NO,Mobile,300,success"]
GOOD = csv_text(GOOD_ROWS)

_tmp = None
MODEL = None


def setUpModule():
    global _tmp, MODEL
    _tmp = tempfile.TemporaryDirectory(prefix="adtest-score-")
    MODEL = os.path.join(_tmp.name, "m.model")
    r = adtest.run("ad-train", "--seed", "1", "-q", "-m", MODEL, input=csv_text(history(600)))
    if r.status != 0:
        raise RuntimeError(f"cannot train the test model: {r}")


def tearDownModule():
    _tmp.cleanup()


def model_bytes():
    with open(MODEL, "rb") as f:
        return f.read()


def patched_version(data, version):
    """The model with another format version and a CRC that matches again."""
    b = bytearray(data)
    b[8:12] = version.to_bytes(4, "little")
    b[-4:] = zlib.crc32(bytes(b[:-4])).to_bytes(4, "little")
    return bytes(b)


def flipped(data, at):
    b = bytearray(data)
    b[at] ^= 0x40
    return bytes(b)


def parse(text):
    return list(csv.reader(io.StringIO(text, newline="")))


# Usage: status 2, "Try 'ad-score --help'" on stderr, nothing on stdout.
USAGE_CASES = [
    ("no model", []),
    ("-m without a value", ["-m"]),
    ("unknown option", ["-m", "{M}", "--bogus"]),
    ("bad --on-error", ["-m", "{M}", "--on-error", "ignore"]),
    ("bad --threads", ["-m", "{M}", "--threads", "-1"]),
    ("--threads not a number", ["-m", "{M}", "--threads", "two"]),
    ("malformed --map", ["-m", "{M}", "--map", "user"]),
    ("unknown role in --map", ["-m", "{M}", "--map", "planet=user_id", "{T}/in.csv"]),
    ("--map to a missing column", ["-m", "{M}", "--map", "user=nobody", "{T}/in.csv"]),
    ("bad --assume-tz", ["-m", "{M}", "--assume-tz", "Mars", "{T}/in.csv"]),
    ("two input files", ["-m", "{M}", "{T}/in.csv", "{T}/in.csv"]),
]

# Bad input: (name, args, files {name: bytes}, expected status, stderr regexp).
# Every one must print exactly one line on stderr and leave -o output untouched.
BAD_INPUT = [
    ("ragged row", ["{T}/in.csv"], {"in.csv": GOOD + "9003,2024-05-29T09:12:00Z,user3\n"},
     adtest.DATA, r"^ad-score: \S*/in\.csv:4: ragged row: expected 8 fields as in the header, found 3$"),
    ("not a number in a numeric column", ["{T}/in.csv"],
     {"in.csv": GOOD + "9003,2024-05-29T09:12:00Z,user3,10.0.3.1,NO,Web,12kb,success\n"},
     adtest.DATA, r"^ad-score: \S*/in\.csv:4:7: not a number: '12kb' \(column 'data_size_kb'\)$"),
    ("bad timestamp", ["{T}/in.csv"],
     {"in.csv": GOOD + "9003,2024-02-30 25:00:00,user3,10.0.3.1,NO,Web,100,success\n"},
     adtest.DATA, r"^ad-score: \S*/in\.csv:4:2: bad timestamp '2024-02-30 25:00:00' \(column 'timestamp'\)$"),
    ("empty input", ["{T}/in.csv"], {"in.csv": ""},
     adtest.DATA, r"^ad-score: \S*/in\.csv: empty input"),
    ("header-only input", ["{T}/in.csv"], {"in.csv": HEADER + "\n"},
     adtest.DATA, r"^ad-score: \S*/in\.csv: no data rows: .*--allow-empty"),
    ("invalid UTF-8", ["{T}/in.csv"],
     {"in.csv": GOOD.encode() + b"9003,2024-05-29T09:12:00Z,user3,10.0.3.1,N\xc3O,Web,100,success\n"},
     adtest.DATA, r"^ad-score: \S*/in\.csv:4:5: invalid UTF-8 .*\(column 'country'\)$"),
    ("NUL byte", ["{T}/in.csv"],
     {"in.csv": GOOD.encode() + b"9003,2024-05-29T09:12:00Z,user3,10.0.3.1,NO,W\0eb,100,success\n"},
     adtest.DATA, r"^ad-score: \S*/in\.csv:4\b.*NUL"),
    ("unterminated quote", ["{T}/in.csv"],
     {"in.csv": GOOD + '9003,2024-05-29T09:12:00Z,user3,10.0.3.1,"NO,Web,100,success\n'},
     adtest.DATA, r"^ad-score: \S*/in\.csv:\d+\b.*unterminated quoted field"),
    ("a column the model needs is missing", ["{T}/in.csv"],
     {"in.csv": "event_id,timestamp,user_id,ip_address,country,device_type,status\n"
                "1,2024-05-29T09:10:00Z,user1,10.0.1.7,NO,Web,success\n"},
     adtest.DATA, r"^ad-score: \S*/in\.csv: column 'data_size_kb' is required by the model but missing"),
    ("missing input file", ["{T}/absent.csv"], {},
     adtest.IO, r"^ad-score: cannot open \S*/absent\.csv: No such file or directory$"),
    ("a directory as input", ["{T}"], {},
     adtest.IO, r"^ad-score: cannot read \S+: is a directory$"),
    ("empty model", ["-m", "{T}/bad.model", "{T}/in.csv"], {"bad.model": b"", "in.csv": GOOD},
     adtest.DATA, r"^ad-score: \S*/bad\.model: truncated model file \(0 bytes\)$"),
    ("truncated model", ["-m", "{T}/bad.model", "{T}/in.csv"],
     {"bad.model": lambda: model_bytes()[:len(model_bytes()) // 2], "in.csv": GOOD},
     adtest.DATA, r"^ad-score: \S*/bad\.model: truncated model file"),
    ("corrupted model", ["-m", "{T}/bad.model", "{T}/in.csv"],
     {"bad.model": lambda: flipped(model_bytes(), len(model_bytes()) // 3), "in.csv": GOOD},
     adtest.DATA, r"^ad-score: \S*/bad\.model: model file is corrupt \(checksum mismatch\)$"),
    ("model from a newer format", ["-m", "{T}/bad.model", "{T}/in.csv"],
     {"bad.model": lambda: patched_version(model_bytes(), 99), "in.csv": GOOD},
     adtest.DATA, r"^ad-score: \S*/bad\.model: model format version 99 is newer than this ad supports"),
    ("a CSV file as the model", ["-m", "{T}/in.csv", "{T}/in.csv"], {"in.csv": GOOD},
     adtest.DATA, r"^ad-score: \S*/in\.csv: not an ad model file"),
    ("missing model", ["-m", "{T}/absent.model", "{T}/in.csv"], {"in.csv": GOOD},
     adtest.IO, r"^ad-score: cannot open (model )?\S*/absent\.model: No such file or directory$"),
]


class Base(adtest.ToolRunner, adtest.TempDirTestCase):
    TOOL = TOOL

    def expand(self, args):
        return [a.replace("{M}", MODEL).replace("{T}", self.tmp) for a in args]



class UsageTest(adtest.ToolManners, Base):
    """--help, --version, the man page and usage errors (adtest.ToolManners)."""

    HELP_OPTIONS = ["-m,--model", "-o,--output", "--logins-only", "--allow-empty", "--model-info", "--map",
                    "--on-error", "--assume-tz", "--threads", "-q,--quiet", "--version"]
    USAGE_CASES = USAGE_CASES
    USAGE_INPUT = GOOD


class BadInputTest(Base):
    def setup_files(self, files):
        for name, content in files.items():
            self.write(name, content() if callable(content) else content)

    def test_each_bad_input(self):
        for name, args, files, status, pattern in BAD_INPUT:
            with self.subTest(name):
                self.setup_files(files)
                full = args if "-m" in args else ["-m", "{M}"] + args
                r = self.run_tool(full)
                self.assertStatus(r, status)
                self.assertOneLine(r, pattern)

    def test_bad_input_leaves_output_file_untouched(self):
        for name, args, files, status, pattern in BAD_INPUT:
            with self.subTest(name):
                self.setup_files(files)
                out = os.path.join(self.tmp, "out", "scored.csv")
                os.makedirs(os.path.dirname(out), exist_ok=True)
                for existing in (True, False):
                    if existing:
                        self.write("out/scored.csv", "the previous run's output\n")
                    elif os.path.exists(out):
                        os.unlink(out)
                    full = (args if "-m" in args else ["-m", "{M}"] + args) + ["-o", out]
                    r = self.run_tool(full)
                    self.assertStatus(r, status)
                    self.assertOneLine(r, pattern)
                    self.assertEqual(r.stdout, "")
                    if existing:
                        with open(out) as f:
                            self.assertEqual(f.read(), "the previous run's output\n")
                        self.assertEqual(os.listdir(os.path.dirname(out)), ["scored.csv"])
                    else:
                        self.assertEqual(os.listdir(os.path.dirname(out)), [])

    def test_dev_full_as_stdout(self):
        path = self.write("in.csv", csv_text(history(50, seed=9, start=5000)))
        with open("/dev/full", "wb") as full:
            p = subprocess.run([adtest.tool(TOOL), "-m", MODEL, path], stdout=full,
                               stderr=subprocess.PIPE, timeout=60)
        r = adtest.Result(p.returncode, "", p.stderr.decode())
        self.assertStatus(r, adtest.IO)
        self.assertOneLine(r, r"^ad-score: cannot write to standard output: No space left on device$")

    def test_dev_full_as_output_file(self):
        path = self.write("in.csv", GOOD)
        r = self.run_tool(["-m", "{M}", "-o", "/dev/full", path])
        self.assertStatus(r, adtest.IO)
        self.assertOneLine(r, r"^ad-score: /dev/full: not a regular file")

    def test_output_into_a_missing_directory(self):
        path = self.write("in.csv", GOOD)
        r = self.run_tool(["-m", "{M}", "-o", "{T}/no/such/dir/out.csv", path])
        self.assertStatus(r, adtest.IO)
        self.assertOneLine(r, r"^ad-score: cannot create a file in \S*/no/such/dir")

    def test_on_error_skip_counts_on_stderr(self):
        rows = [GOOD_ROWS[0],
                "9003,2024-05-29T09:12:00Z,user3",                                       # ragged
                "9004,2024-05-29T09:13:00Z,user4,10.0.4.1,NO,Web,12kb,success",          # bad number
                "9005,not a time,user5,10.0.5.1,NO,Web,100,success",                     # bad time
                GOOD_ROWS[1]]
        path = self.write("in.csv", csv_text(rows))
        r = self.run_tool(["-m", "{M}", "--on-error", "skip", path])
        self.assertStatus(r, adtest.OK)
        self.assertEqual(len(re.findall(r"^ad-score: warning: skipped: ", r.stderr, re.M)), 3, r.stderr)
        self.assertRegex(r.stderr, r"(?m)^ad-score: warning: skipped: \S*/in\.csv:3: ragged row")
        self.assertRegex(r.stderr, r"(?m)^ad-score: warning: skipped: \S*/in\.csv:4:7: not a number")
        self.assertRegex(r.stderr, r"(?m)^ad-score: warning: skipped: \S*/in\.csv:5:2: bad timestamp")
        self.assertRegex(r.stderr, r"(?m)^ad-score: warning: 3 rows with bad data skipped$")
        self.assertRegex(r.stderr, r"(?m)^ad-score: scored 2 of 5 rows, flagged \d+$")
        out = parse(r.stdout)
        self.assertEqual([row[0] for row in out[1:]], ["9001", "9004", "9005", "9002"])  # ragged row dropped
        for row in out[1:]:
            scored = row[0] in ("9001", "9002")
            self.assertEqual(row[8] != "", scored, row)
            self.assertEqual(row[10] != "", scored, row)

    def test_allow_empty(self):
        path = self.write("in.csv", HEADER + "\n")
        r = self.run_tool(["-m", "{M}", "--allow-empty", "-q", path])
        self.assertStatus(r, adtest.OK)
        self.assertEqual(r.stdout, HEADER + "," + ",".join(SCORED) + "\n")
        self.assertEqual(r.stderr, "")


class OutputTest(Base):
    def test_columns_kept_and_appended(self):
        rows = history(200, seed=3, start=7000)
        text = csv_text(rows)
        r = self.run_tool(["-m", "{M}", "-"], input=text)
        self.assertStatus(r, adtest.OK)
        self.assertRegex(r.stderr, r"^ad-score: scored 200 of 200 rows, flagged \d+\n$")
        inp, out = parse(text), parse(r.stdout)
        self.assertEqual(out[0], inp[0] + SCORED)
        self.assertEqual(len(out), len(inp))
        for a, b in zip(inp[1:], out[1:]):
            self.assertEqual(b[:len(a)], a)
            score, flag, severity, reasons = b[len(a):len(a) + 4]
            self.assertRegex(score, r"^(0|1)\.\d{6}$")
            self.assertIn(flag, ("0", "1"))
            self.assertRegex(severity, r"^\d{1,3}\.\d$")
            self.assertLessEqual(float(severity), 100.0)
            self.assertEqual(reasons == "", flag == "0", b)
            self.assertNotIn("\n", reasons)
        self.assertNotIn("\r", r.stdout)

    def test_stdin_dash_none_and_file_agree(self):
        text = csv_text(history(100, seed=4, start=8000))
        path = self.write("in.csv", text)
        by_file = self.run_tool(["-m", "{M}", "-q", path])
        by_dash = self.run_tool(["-m", "{M}", "-q", "-"], input=text)
        by_none = self.run_tool(["-m", "{M}", "-q"], input=text)
        for r in (by_file, by_dash, by_none):
            self.assertStatus(r, adtest.OK)
            self.assertEqual(r.stderr, "")
        self.assertEqual(by_dash.stdout, by_file.stdout)
        self.assertEqual(by_none.stdout, by_file.stdout)
        # -o writes the same bytes, and nothing to stdout.
        r = self.run_tool(["-m", "{M}", "-q", "-o", "{T}/out.csv", path])
        self.assertStatus(r, adtest.OK)
        self.assertEqual(r.stdout, "")
        with open(os.path.join(self.tmp, "out.csv")) as f:
            self.assertEqual(f.read(), by_file.stdout)
        # Errors name standard input as <stdin>.
        r = self.run_tool(["-m", "{M}"], input=GOOD + "1,2,3\n")
        self.assertStatus(r, adtest.DATA)
        self.assertOneLine(r, r"^ad-score: <stdin>:4: ragged row")

    def test_crlf_bom_and_quoted_newlines_pass_through_unchanged(self):
        header = HEADER + ",note"
        rows = [GOOD_ROWS[0] + ',"two\nlines, and ""quotes"""',
                GOOD_ROWS[1] + ",plain",
                '9003,2024-05-29T09:12:00Z,user3,10.0.3.1,NO,"Web",256,success,"  spaces, kept  "',
                '9004,2024-05-29T09:13:00Z,user4,10.0.4.1,NO,Web,128,success,ünïcödé ✓']
        text = "\ufeff" + "\r\n".join([header] + rows) + "\r\n"
        r = self.run_tool(["-m", "{M}", "-q"], input=text.encode("utf-8"))
        self.assertStatus(r, adtest.OK)
        self.assertEqual(r.stderr, "")
        inp = list(csv.reader(io.StringIO(text[1:], newline="")))
        out = parse(r.stdout)
        self.assertEqual(out[0], inp[0] + SCORED)
        self.assertEqual(len(out), 5)
        for a, b in zip(inp[1:], out[1:]):
            self.assertEqual(b[:len(a)], a)
            self.assertNotEqual(b[len(a)], "")
        self.assertFalse(r.stdout.startswith("\ufeff"))
        self.assertNotIn("\r", r.stdout)
        self.assertIn('"two\nlines, and ""quotes"""', r.stdout)

    def test_rescoring_replaces_the_columns_in_place(self):
        text = csv_text(history(100, seed=5, start=9000))
        once = self.run_tool(["-m", "{M}", "-q"], input=text)
        twice = self.run_tool(["-m", "{M}", "-q"], input=once.stdout)
        self.assertStatus(twice, adtest.OK)
        self.assertEqual(twice.stdout, once.stdout)

    def test_model_info(self):
        r = self.run_tool(["-m", "{M}", "--model-info"])
        self.assertStatus(r, adtest.OK)
        self.assertRegex(r.stdout, r"(?m)^forest: +100 trees, sample size 256, seed 1$")
        self.assertIn("data_size_kb", r.stdout)


PROTOTYPE_HEADER = ("user_id,timestamp,activity_type,ip_address,device_type,data_size_kb,encryption_method,"
                    "encryption_time_ms,response_time_ms,location,latency_ms,bandwidth_usage_mbps,"
                    "6g_network_status,adaptive_protocol_level")


def prototype_rows(n, seed):
    r = random.Random(seed)
    acts = ["login", "chat", "upload", "download"]
    rows = []
    for i in range(n):
        u = r.randrange(1, 51)
        rows.append(",".join([
            f"U{u:03d}", f"2025-01-{1 + i // 200 % 28:02d} {r.randrange(24):02d}:{r.randrange(60):02d}:00",
            r.choice(acts), f"192.168.{u}.{r.randrange(1, 255)}", r.choice(["Mobile", "Tablet", "Web"]),
            f"{r.uniform(10, 5000):.2f}", r.choice(["AES-256", "ChaCha20", "RSA-2048"]),
            f"{r.uniform(0.5, 20):.3f}", f"{r.uniform(5, 300):.1f}", r.choice(["AU", "US", "DE", "IN", "BR"]),
            f"{r.uniform(1, 50):.2f}", f"{r.uniform(10, 1000):.2f}", r.choice(["Active", "Inactive", "Degraded"]),
            str(r.randint(1, 5))]))
    return rows


class IncidentTest(Base):
    def test_flagged_rows_carry_incidents_and_an_attack_is_one(self):
        # A brute force on user3 from a foreign address: one incident, one id on every flagged row.
        attack = [f"{8000 + k},2024-05-29T03:{k:02d}:00Z,user3,203.0.113.9,RU,Web,512,failure" for k in range(30)]
        text = csv_text(GOOD_ROWS + attack)
        r = adtest.run(TOOL, "-m", MODEL, "-q", input=text)
        self.assertStatus(r, adtest.OK)
        out = parse(r.stdout)
        col = {name: i for i, name in enumerate(out[0])}
        ids = set()
        for row in out[1:]:
            flagged = row[col["anomaly_flag"]] == "1"
            self.assertEqual(row[col["incident_id"]] != "", flagged, row)
            self.assertEqual(row[col["incident_kind"]] != "", flagged, row)
            if flagged:
                self.assertRegex(row[col["incident_id"]], r"^I-20240529T\d{6}-[0-9a-f]{8}$")
                self.assertTrue(0 <= int(row[col["incident_score"]]) <= 100)
                if row[col["user_id"]] == "user3":
                    ids.add(row[col["incident_id"]])
        self.assertEqual(len(ids), 1)
        last = [row for row in out[1:] if row[col["user_id"]] == "user3"][-1]
        self.assertEqual(last[col["incident_kind"]], "brute_force")
        self.assertGreaterEqual(int(last[col["incident_score"]]), 40)


class LayoutTest(Base):
    def test_prototype_layout_trains_and_scores_unchanged(self):
        train_csv = self.write("train.csv", csv_text(prototype_rows(2000, 1), PROTOTYPE_HEADER))
        model = os.path.join(self.tmp, "proto.model")
        r = adtest.run("ad-train", "--seed", "3", "-m", model, train_csv)
        self.assertStatus(r, adtest.OK)
        self.assertRegex(r.stderr, r"learned from \d+ of 2000 rows \(\d+ not logins, 0 skipped\)")
        text = csv_text(prototype_rows(400, 2), PROTOTYPE_HEADER)
        r = adtest.run(TOOL, "-m", model, "-q", input=text)
        self.assertStatus(r, adtest.OK)
        inp, out = parse(text), parse(r.stdout)
        self.assertEqual(out[0], inp[0] + SCORED)
        self.assertEqual(len(out), len(inp))
        logins = 0
        for a, b in zip(inp[1:], out[1:]):
            self.assertEqual(b[:14], a)
            login = a[2] == "login"
            logins += login
            self.assertEqual([v != "" for v in b[14:17]], [login] * 3, b)
            if not login:
                self.assertEqual(b[17], "")
        self.assertGreater(logins, 50)
        r = adtest.run(TOOL, "-m", model, "--logins-only", input=text)
        self.assertStatus(r, adtest.OK)
        out = parse(r.stdout)
        self.assertEqual(len(out) - 1, logins)
        self.assertTrue(all(row[2] == "login" for row in out[1:]))
        self.assertRegex(r.stderr, rf"scored {logins} of 400 rows")


class DeterminismTest(Base):
    def test_same_seed_same_bytes_whatever_the_threads(self):
        train_csv = self.write("train.csv", csv_text(history(1500, seed=7)))
        score_csv = self.write("score.csv", csv_text(history(500, seed=8, start=20000)))
        outputs = []
        for threads in ("1", "2"):
            model = os.path.join(self.tmp, f"m{threads}.model")
            r = adtest.run("ad-train", "--seed", "42", "--threads", threads, "-q", "-m", model, train_csv)
            self.assertStatus(r, adtest.OK)
            with open(model, "rb") as f:
                model_data = f.read()
            r = self.run_tool(["-m", model, "--threads", threads, "-q", score_csv])
            self.assertStatus(r, adtest.OK)
            outputs.append((model_data, r.stdout))
        self.assertEqual(outputs[0][0], outputs[1][0])
        self.assertEqual(outputs[0][1], outputs[1][1])
        other = os.path.join(self.tmp, "other.model")
        adtest.run("ad-train", "--seed", "43", "-q", "-m", other, train_csv)
        with open(other, "rb") as f:
            self.assertNotEqual(f.read(), outputs[0][0])


class StreamTest(Base):
    """A live pipe: each login is scored as it arrives; a closed stdout is a quiet stop."""

    def setUp(self):
        super().setUp()
        self.proc = None

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc:
            for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                if f:
                    try:
                        f.close()
                    except OSError:
                        pass
        super().tearDown()

    def read_lines(self, want, timeout):
        """Reads stdout until `want` complete lines arrived or timeout; returns them."""
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while self.buffer.count(b"\n") < want:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            self.buffer += chunk
        return self.buffer.decode().splitlines()

    def test_each_login_is_scored_while_stdin_stays_open(self):
        self.buffer = b""
        self.proc = subprocess.Popen([adtest.tool(TOOL), "-m", MODEL], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.proc.stdin.write((HEADER + "\n" + GOOD_ROWS[0] + "\n").encode())
        self.proc.stdin.flush()
        started = time.monotonic()
        lines = self.read_lines(2, 2.0)
        self.assertEqual(len(lines), 2, f"no scored line within 2 s: {lines}")
        self.assertLess(time.monotonic() - started, 2.0)
        self.assertIsNone(self.proc.poll(), "ad-score must still be reading")
        self.assertEqual(lines[0], HEADER + "," + ",".join(SCORED))
        self.assertTrue(lines[1].startswith(GOOD_ROWS[0] + ","), lines[1])
        self.assertRegex(lines[1], r",(0|1)\.\d{6},[01],\d+\.\d,")
        # A second login arrives as promptly.
        self.proc.stdin.write((GOOD_ROWS[1] + "\n").encode())
        self.proc.stdin.flush()
        lines = self.read_lines(3, 2.0)
        self.assertEqual(len(lines), 3, f"the second login was not scored within 2 s: {lines}")
        self.assertTrue(lines[2].startswith(GOOD_ROWS[1] + ","))
        self.proc.stdin.close()
        self.assertEqual(self.proc.wait(timeout=10), 0)
        self.assertRegex(self.proc.stderr.read().decode(), r"^ad-score: scored 2 of 2 rows")

    def test_closed_stdout_is_a_quiet_success(self):
        path = self.write("in.csv", csv_text(history(20000, seed=10, start=30000)))
        self.proc = subprocess.Popen([adtest.tool(TOOL), "-m", MODEL, path], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        first = self.proc.stdout.readline()  # like `ad-score ... | head -1`
        self.assertTrue(first.startswith(HEADER.encode()))
        self.proc.stdout.close()
        status = self.proc.wait(timeout=60)
        self.assertEqual(status, 0)
        self.assertEqual(self.proc.stderr.read().decode(), "")


if __name__ == "__main__":
    unittest.main()
