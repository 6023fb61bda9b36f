"""ad-mail against a real SMTP server: scripts/smtp-capture (aiosmtpd) on loopback.

Every test reads what the server received with Python's email package, a real MIME
parser, and checks the parts, the attachment's rows, the envelope and the headers.
"""
import csv
import email
import email.policy
import io
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import adtest  # noqa: E402

CAPTURE = os.path.join(adtest.SOURCE, "scripts", "smtp-capture")

RICH = ["event_id", "timestamp", "user_id", "ip_address", "country", "city", "latitude",
        "longitude", "device_type", "user_agent", "status",
        "anomaly_score", "anomaly_flag", "severity", "anomaly_reasons"]
PROTO = ["user_id", "timestamp", "activity_type", "ip_address", "device_type", "data_size_kb",
         "encryption_method", "encryption_time_ms", "response_time_ms", "location", "latency_ms",
         "bandwidth_usage_mbps", "6g_network_status", "adaptive_protocol_level",
         "anomaly_score", "anomaly_flag", "severity", "anomaly_reasons"]
NUMERIC = {"anomaly_score", "anomaly_flag", "severity"}


to_csv = adtest.to_csv


def rich(eid, user, flag, score="", severity="", reasons="", ip="10.0.0.1", country="NO",
         city="Oslo", ts="2025-01-01T04:02:00Z"):
    if flag == "":
        score = severity = reasons = ""
    return [eid, ts, user, ip, country, city, "59.91", "10.75", "Web", "Mozilla/5.0",
            "success", score, flag, severity, reasons]


def proto(user, ts, activity, flag, score="", severity="", reasons="", location="AU"):
    return [user, ts, activity, "192.168.1.7", "Mobile", "120", "AES", "3.1", "40", location,
            "12", "80.5", "active", "3", score, flag, severity, reasons]


class Mail:
    def __init__(self, raw, meta):
        self.raw, self.meta = raw, meta
        self.msg = email.message_from_bytes(raw, policy=email.policy.default)

    def structure(self):
        def walk(part):
            if part.is_multipart():
                return [part.get_content_type(), [walk(p) for p in part.iter_parts()]]
            return part.get_content_type()
        return walk(self.msg)

    def text(self):  # the decoded body, with the CRLF of the wire read as LF
        return self.msg.get_body(("plain",)).get_content().replace("\r\n", "\n")

    def html(self):
        return self.msg.get_body(("html",)).get_content().replace("\r\n", "\n")

    def attachment(self):
        parts = list(self.msg.iter_attachments())
        if not parts:
            return None, None
        (part,) = parts
        return part.get_filename(), list(csv.reader(io.StringIO(part.get_content(), newline="")))

    def header_block(self):
        return self.raw.split(b"\r\n\r\n", 1)[0]


class Server:
    """scripts/smtp-capture on a free loopback port, keeping messages in a directory."""

    def __init__(self, workdir, *args):
        self.dir = tempfile.mkdtemp(prefix="mailbox-", dir=workdir)
        port_file = os.path.join(self.dir, "port")
        self.log = open(os.path.join(workdir, f"capture-{os.path.basename(self.dir)}.log"), "w+")
        self.proc = subprocess.Popen([CAPTURE, "--dir", self.dir, "--port-file", port_file, *args],
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("smtp-capture did not start: " + self.output())
            time.sleep(0.05)
        with open(port_file) as f:
            self.port = int(f.read())
        os.unlink(port_file)
        self.url = f"smtp://127.0.0.1:{self.port}"

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def messages(self):
        out = []
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".eml"):
                base = os.path.join(self.dir, name[:-4])
                with open(base + ".eml", "rb") as f, open(base + ".json") as m:
                    out.append(Mail(f.read(), json.load(m)))
        return out

    def wait_for(self, n, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.messages()
            if len(got) >= n:
                return got
            time.sleep(0.05)
        return self.messages()

    def clear(self):
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def private_env(home):
    """A private HOME: no ~/.netrc or ~/.config/ad/mail.conf of the machine's user."""
    return {"HOME": home, "XDG_CONFIG_HOME": os.path.join(home, "cfg"),
            "XDG_STATE_HOME": os.path.join(home, "state"),
            "AD_SMTP_USER": "", "AD_SMTP_PASSWORD": "", "AD_MAIL_CONFIG": "",
            "AD_SMTP_URL": "", "AD_MAIL_FROM": "", "AD_MAIL_TO": ""}


def fill(args, smtp, tmp):
    return [a.replace("{SMTP}", smtp).replace("{T}", tmp) for a in args]


# Usage errors, with a flagged row on standard input: status 2, "Try 'ad-mail --help'",
# nothing written or sent. The name of a case is also what stderr must say.
# {SMTP} is the mail server's URL, {T} the test's directory (with in.csv in it).
GOOD_ARGS = ["--smtp", "{SMTP}", "--from", "a@example.com", "--to", "b@example.com"]
USAGE_CASES = [
    ("no sender", ["--smtp", "{SMTP}", "--to", "b@example.com"]),
    ("no recipients", ["--smtp", "{SMTP}", "--from", "a@example.com"]),
    ("no mail server", ["--from", "a@example.com", "--to", "b@example.com"]),
    ("control character", GOOD_ARGS + ["--to", "b@example.com\r\nBcc: evil@example.net"]),
    ("text after '>'", GOOD_ARGS + ["--to", "b@example.com, <c@example.com> d@example.com"]),
    ("not a valid host name", GOOD_ARGS + ["--from", "ad@exa mple.com"]),
    ("unsupported scheme", GOOD_ARGS + ["--smtp", "http://127.0.0.1"]),
    ("must not hold a user name", GOOD_ARGS + ["--smtp", "smtp://user:pw@127.0.0.1"]),
    ("give one", GOOD_ARGS + ["--dry-run", "-o", "{T}/x.eml"]),
    ("--window: expected seconds", GOOD_ARGS + ["--window", "0"]),
    ("--max-per-hour: expected a whole number", GOOD_ARGS + ["--max-per-hour", "lots"]),
    ("--flush-spool takes no FILE", GOOD_ARGS + ["--flush-spool", "{T}/in.csv"]),
    ("--map expects", GOOD_ARGS + ["--map", "nonsense"]),
    ("no-such-option", GOOD_ARGS + ["--no-such-option"]),
    ("on-error", GOOD_ARGS + ["--on-error", "ignore"]),
]
USAGE_TEXT = to_csv(RICH, [rich("e1", "alice", "1", "0.9", "99.0")])


class UsageTest(adtest.ToolManners, adtest.TempDirTestCase):
    """--help, --version, the man page and usage errors (adtest.ToolManners), with no server:
    {SMTP} is a closed port, so a case that got as far as sending would fail (and spool)."""

    TOOL = "ad-mail"
    HELP_OPTIONS = ["-q,--quiet", "--smtp", "--from", "--to", "--subject", "--top", "--state", "--window",
                    "--max-per-hour", "--spool", "--cacert", "--timeout", "--netrc", "--config",
                    "--insecure-no-tls", "--always", "--flush-spool", "--dry-run", "-o,--output", "--tee",
                    "--map", "--on-error", "--assume-tz", "--version"]
    USAGE_CASES = USAGE_CASES
    USAGE_INPUT = USAGE_TEXT

    def expand(self, args):
        return fill(args, f"smtp://127.0.0.1:{closed_port()}", self.tmp)

    def run_tool(self, args, **kw):
        kw.setdefault("input", USAGE_TEXT)
        kw.setdefault("env", private_env(self.tmp))
        kw.setdefault("timeout", 60)
        return super().run_tool(args, **kw)


class MailTestCase(adtest.TempDirTestCase):
    """One plain SMTP server for the class; a fresh mailbox, spool and HOME per test."""

    @classmethod
    def setUpClass(cls):
        cls._class_tmp = tempfile.TemporaryDirectory(prefix="adtest-mail-")
        cls.server = Server(cls._class_tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls._class_tmp.cleanup()

    def setUp(self):
        super().setUp()
        self.server.clear()
        self.spool = os.path.join(self.tmp, "spool")
        self.env = private_env(self.tmp)

    def mail(self, *args, input=None, url=None, env=None, base=True):
        full_env = dict(self.env)
        full_env.update(env or {})
        common = ["--smtp", url or self.server.url, "--from", "ad@example.com",
                  "--to", "soc@example.com, Ops Team <ops@example.org>",
                  "--spool", self.spool] if base else []
        return adtest.run("ad-mail", *common, *args, input=input, env=full_env, timeout=60)

    def spooled(self):
        if not os.path.isdir(self.spool):
            return []
        return sorted(os.path.join(self.spool, n) for n in os.listdir(self.spool) if n.endswith(".eml"))


class MessageTest(MailTestCase):
    def test_parts_rows_and_recipients(self):
        rows = [rich("e1", "alice", "0", "0.41", "40.2"),
                rich("e2", "bob", "1", "0.812345", "99.95",
                     "new country for user: RO (usual: NO); travel 2100 km in 25 min from Oslo",
                     ip="45.3.2.1", country="RO", city="Bucharest", ts="2025-01-01T05:00:00Z"),
                rich("e3", "carol", "1", "0.700000", "96.1", "38 failed logins from 45.3.2.1 in 10 min",
                     ts="2025-01-01T06:30:00Z"),
                rich("e4", "dave", "")]
        path = self.write("scored.csv", to_csv(RICH, rows))
        r = self.mail(path)
        self.assertStatus(r, adtest.OK)
        (m,) = self.server.wait_for(1)
        self.assertEqual(m.meta["mail_from"], "ad@example.com")
        self.assertEqual(m.meta["rcpt_tos"], ["soc@example.com", "ops@example.org"])
        self.assertIsNone(m.meta["tls"])  # loopback without STARTTLS on offer: clear text
        self.assertEqual(str(m.msg["To"]), "soc@example.com, Ops Team <ops@example.org>")
        self.assertEqual(m.msg["To"].addresses[1].display_name, "Ops Team")
        self.assertEqual(str(m.msg["From"]), "ad@example.com")
        self.assertEqual(m.msg["Subject"],
                         "[ad] 2 of 3 logins anomalous, highest severity 100.0 (critical)")
        self.assertEqual(m.msg["Auto-Submitted"], "auto-generated")
        self.assertEqual(m.structure(), ["multipart/mixed", [
            ["multipart/alternative", ["text/plain", "text/html"]], "text/csv"]])
        name, table = m.attachment()
        self.assertRegex(name, r"^ad-anomalies-\d{8}T\d{6}Z\.csv$")
        self.assertEqual(table, [RICH, rows[1], rows[2]])

        text = m.text()
        self.assertIn("2 of 3 logins scored were flagged", text)
        self.assertIn("2025-01-01T04:02:00Z to 2025-01-01T06:30:00Z", text)
        self.assertRegex(text, r"critical \(>= 99\.9\)\s+1\n  high \(99\.5 to 99\.9\)\s+0\n"
                              r"  medium \(99 to 99\.5\)\s+0\n  low \(< 99\)\s+1\n")
        for needle in ["bob", "Bucharest, RO", "45.3.2.1", "0.812", "100.0",
                       "travel 2100 km in 25 min from Oslo", "carol"]:
            self.assertIn(needle, text)
        self.assertLess(text.index("bob"), text.index("carol"))  # by score
        html = m.html()
        self.assertIn("<td>Bucharest, RO</td>", html)
        self.assertIn("new country for user: RO (usual: NO)", html)
        self.assertEqual(m.msg.defects, [])
        self.assertIn("sent '[ad] 2 of 3 logins", r.stderr)

    def test_prototype_layout_and_top_n(self):
        rows = [proto("u1", "2025-01-01 04:02:00", "login", "0", "0.3", "10.0")]
        for i in range(30):
            rows.append(proto(f"user{i:02d}", f"2025-01-01 05:{i:02d}:00", "login", "1",
                              f"0.{60 + i}", f"{70 + i}.0", f"reason {i}", location="US"))
        rows.append(proto("u2", "2025-01-01 06:00:00", "chat", ""))
        r = self.mail("--top", "5", "--subject", "[acme SOC]", input=to_csv(PROTO, rows))
        self.assertStatus(r, adtest.OK)
        (m,) = self.server.wait_for(1)
        self.assertEqual(m.msg["Subject"],
                         "[acme SOC] 30 of 31 logins anomalous, highest severity 99.0 (medium)")
        text = m.text()
        self.assertIn("Top 5 of 30 anomalies", text)
        self.assertIn("user29", text)
        self.assertNotIn("user24", text)  # sixth by score: attachment only
        self.assertIn("place:   US", text)
        self.assertIn("2025-01-01T04:02:00Z to 2025-01-01T05:29:00Z", text)
        _, table = m.attachment()
        self.assertEqual(len(table), 31)
        self.assertEqual(table[0], PROTO)
        self.assertEqual([row[0] for row in table[1:]], [f"user{i:02d}" for i in range(30)])

    def test_hostile_data_in_every_field(self):
        payloads = ["=cmd|' /C calc'!A0",
                    "x\r\nBcc: evil@data.example\r\nX-Injected: 1",
                    "<script>alert('pwned')</script><img src=x onerror=alert(1)>",
                    "Zürich 東京 ☃ \u202eevil"]
        rows = []
        for i, p in enumerate(payloads):
            row = [p if col not in NUMERIC else "" for col in RICH]
            row[RICH.index("anomaly_score")] = f"0.{90 + i}"
            row[RICH.index("anomaly_flag")] = "1"
            row[RICH.index("severity")] = f"{96 + i}.0"
            rows.append(row)
        r = self.mail("--subject", "SOC\r\nBcc: evil@cli.example",
                      "--from", "Zürich SOC <ad@example.com>", input=to_csv(RICH, rows))
        self.assertStatus(r, adtest.OK)
        (m,) = self.server.wait_for(1)

        # The envelope and the headers hold only what the command line gave.
        self.assertEqual(m.meta["rcpt_tos"], ["soc@example.com", "ops@example.org"])
        head = m.header_block()
        self.assertNotIn(b"data.example", head)  # no data in any header
        self.assertNotIn(b"\r\nbcc:", head.lower())
        names = [k.lower() for k in m.msg.keys()]
        self.assertEqual(sorted(names), sorted(["date", "from", "to", "subject", "message-id",
                                                "auto-submitted", "x-mailer", "mime-version",
                                                "content-type"]))
        self.assertEqual(m.msg["Subject"],
                         "SOC  Bcc: evil@cli.example 4 of 4 logins anomalous, "
                         "highest severity 99.0 (medium)")
        self.assertEqual(m.msg["From"].addresses[0].display_name, "Zürich SOC")
        self.assertEqual(m.msg["From"].addresses[0].addr_spec, "ad@example.com")
        for part in m.msg.walk():
            for k in part.keys():
                self.assertIn(k.lower(), names + ["content-transfer-encoding", "content-disposition"])

        # The wire format: ASCII only, every line within 998 octets, CRLF line ends.
        self.assertTrue(all(b < 128 for b in m.raw))
        for line in m.raw.split(b"\r\n"):
            self.assertLessEqual(len(line), 998)
            self.assertNotIn(b"\n", line)
            self.assertNotIn(b"\r", line)

        html = m.html()
        self.assertNotIn("<script", html.lower())
        self.assertNotIn("<img", html.lower())
        self.assertIn("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;", html)
        self.assertIn("Zürich 東京 ☃", html)
        self.assertNotIn("\u202e", html)
        text = m.text()
        self.assertIn("Zürich 東京 ☃", text)
        for line in text.splitlines():
            self.assertFalse(line.startswith("Bcc:") or line.startswith("X-Injected"), line)
        self.assertIn("x Bcc: evil@data.example X-Injected: 1", text)

        _, table = m.attachment()
        self.assertEqual(table[0], RICH)
        by_flag_order = {row[RICH.index("anomaly_score")]: row for row in table[1:]}
        for i, p in enumerate(payloads):
            got = by_flag_order[f"0.{90 + i}"]
            for col, value in zip(RICH, got):
                if col in NUMERIC:
                    continue
                if p.startswith("="):
                    self.assertEqual(value, "'" + p, col)
                else:
                    self.assertEqual(value, p.replace("\r\n", "\n"), col)


class AlertDisciplineTest(MailTestCase):
    def test_no_anomalies_no_mail_unless_always(self):
        csv_text = to_csv(RICH, [rich("e1", "alice", "0", "0.2", "10.0"),
                                 rich("e2", "bob", "0", "0.3", "20.0"), rich("e3", "carol", "")])
        r = self.mail(input=csv_text)
        self.assertStatus(r, adtest.OK)
        self.assertEqual(r.stderr.strip().count("\n"), 0)
        self.assertIn("no anomalies among 2 scored logins in <stdin>; no mail sent", r.stderr)
        r = self.mail("-q", input=csv_text)
        self.assertStatus(r, adtest.OK)
        self.assertEqual(r.stderr, "")
        time.sleep(0.3)
        self.assertEqual(self.server.messages(), [])

        r = self.mail("--always", input=csv_text)
        self.assertStatus(r, adtest.OK)
        (m,) = self.server.wait_for(1)
        self.assertEqual(m.msg["Subject"], "[ad] no anomalies in 2 logins")
        self.assertEqual(m.structure(), ["multipart/mixed", [
            ["multipart/alternative", ["text/plain", "text/html"]]]])

    def test_dedup_across_runs(self):
        a = self.write("a.csv", to_csv(RICH, [rich("e1", "alice", "1", "0.9", "99.0", "r1"),
                                              rich("e2", "bob", "1", "0.8", "97.0", "r2")]))
        b = self.write("b.csv", to_csv(RICH, [rich("e2", "bob", "1", "0.8", "97.0", "r2"),
                                              rich("e3", "carol", "1", "0.7", "96.0", "r3")]))
        state = os.path.join(self.tmp, "alerted.state")
        self.assertStatus(self.mail("--state", state, a), adtest.OK)
        self.assertStatus(self.mail("--state", state, b), adtest.OK)
        r = self.mail("--state", state, b)
        self.assertStatus(r, adtest.OK)
        self.assertIn("every flagged row (2) was alerted before", r.stderr)
        first, second = self.server.wait_for(2)
        time.sleep(0.3)
        self.assertEqual(len(self.server.messages()), 2)
        self.assertEqual([row[0] for row in first.attachment()[1][1:]], ["e1", "e2"])
        self.assertEqual([row[0] for row in second.attachment()[1][1:]], ["e3"])
        self.assertIn("1 flagged row was alerted before and left out", second.text())
        with open(state) as f:
            self.assertEqual(f.readline(), "# ad-mail state 1\n")
            self.assertEqual(len(f.readlines()), 3)

        # Without an id column the key is the row's content; a re-scored row is the same event.
        self.server.clear()
        p1 = to_csv(PROTO, [proto("u1", "2025-01-01 04:02:00", "login", "1", "0.9", "99.0", "x")])
        p2 = to_csv(PROTO, [proto("u1", "2025-01-01 04:02:00", "login", "1", "0.95", "99.5", "y")])
        self.assertStatus(self.mail("--state", state, input=p1), adtest.OK)
        r = self.mail("--state", state, input=p2)
        self.assertStatus(r, adtest.OK)
        self.assertIn("alerted before", r.stderr)
        self.assertEqual(len(self.server.wait_for(1)), 1)

        # A --state that is not a state file is refused, not overwritten.
        r = self.mail("--state", a, b)
        self.assertStatus(r, adtest.DATA)
        self.assertIn(f"{a}:1: not an ad-mail state file", r.stderr)
        with open(a) as f:
            self.assertTrue(f.read().startswith("event_id,"))

    def test_malformed_rows_are_skipped_and_reported(self):
        text = to_csv(RICH, [rich("e1", "alice", "1", "0.9", "99.0", "r1"),
                             rich("e2", "bob", "maybe", "0.8", "97.0", "r2"),
                             rich("e3", "carol", "1", "1.7", "96.0", "r3")])
        text += "e4,only,three\n" + to_csv(RICH, [rich("e5", "erin", "1", "0.7", "96.0")]).split("\n", 1)[1]
        r = self.mail(input=text)
        self.assertStatus(r, adtest.DATA)
        self.assertIn("<stdin>:3:13: anomaly_flag must be 0 or 1 (or the row's scored fields all empty), not 'maybe'", r.stderr)
        self.assertIn("<stdin>:4:12: anomaly_score must be a number from 0 to 1", r.stderr)
        self.assertIn("<stdin>:5: ragged row", r.stderr)
        self.assertIn("(3 rows with bad data skipped in all)", r.stderr.splitlines()[-1])
        self.assertEqual(len(re.findall(r"(?m)^ad-mail: warning: skipped: ", r.stderr)), 3, r.stderr)
        (m,) = self.server.wait_for(1)
        self.assertEqual([row[0] for row in m.attachment()[1][1:]], ["e1", "e5"])
        self.assertIn("3 malformed rows were skipped", m.text())

        # --on-error fail on a file: the first bad row stops the run; nothing is sent.
        self.server.clear()
        r = self.mail("--on-error", "fail", self.write("bad.csv", text))
        self.assertStatus(r, adtest.DATA)
        self.assertEqual(r.stderr.count("\n"), 1)
        time.sleep(0.3)
        self.assertEqual(self.server.messages(), [])
        # On a pipe, which cannot be read again, what was read before is still sent.
        r = self.mail("--on-error", "fail", input=text)
        self.assertStatus(r, adtest.DATA)
        self.assertIn("<stdin>:3:13: anomaly_flag must be", r.stderr.splitlines()[-1])
        (m,) = self.server.wait_for(1)
        self.assertEqual([row[0] for row in m.attachment()[1][1:]], ["e1"])


class DeliveryTest(MailTestCase):
    def test_server_down_spools_and_flush_delivers(self):
        text = to_csv(RICH, [rich("e1", "alice", "1", "0.9", "99.0", "r1")])
        state = os.path.join(self.tmp, "state")
        r = self.mail("--state", state, input=text, url=f"smtp://127.0.0.1:{closed_port()}")
        self.assertStatus(r, adtest.UNAVAILABLE)
        self.assertIn("Couldn't connect", r.stderr)
        self.assertIn("the alert waits in " + self.spool, r.stderr)
        (path,) = self.spooled()
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.spool).st_mode), 0o700)
        with open(path, "rb") as f:
            spooled = f.read()
        preview = email.message_from_bytes(spooled, policy=email.policy.default)
        self.assertEqual(preview["X-Ad-Envelope-To"], "<soc@example.com>, <ops@example.org>")
        # Spooled counts as alerted: a second run does not spool it again.
        r = self.mail("--state", state, input=text, url=f"smtp://127.0.0.1:{closed_port()}")
        self.assertStatus(r, adtest.OK)
        self.assertEqual(len(self.spooled()), 1)

        # A server that refuses the message: spooled too.
        refusing = Server(self.tmp, "--reject", "554")
        try:
            r = self.mail(input=to_csv(RICH, [rich("e9", "zed", "1", "0.9", "99.0")]), url=refusing.url)
        finally:
            refusing.stop()
        self.assertStatus(r, adtest.UNAVAILABLE)
        self.assertIn("554", r.stderr)
        self.assertEqual(len(self.spooled()), 2)

        r = self.mail("--flush-spool", base=False, env={"AD_SMTP_URL": self.server.url,
                                                        "AD_MAIL_SPOOL": self.spool})
        self.assertStatus(r, adtest.OK)
        self.assertIn("sent 2 spooled messages", r.stderr)
        self.assertEqual(self.spooled(), [])
        first, second = self.server.wait_for(2)
        self.assertEqual(first.raw, spooled.split(b"\r\n", 2)[2])  # exactly, minus the envelope
        self.assertEqual(first.meta["rcpt_tos"], ["soc@example.com", "ops@example.org"])
        self.assertEqual(second.attachment()[1][1][0], "e9")
        r = self.mail("--flush-spool", base=False, env={"AD_MAIL_SPOOL": self.spool})
        self.assertStatus(r, adtest.OK)
        self.assertIn("is empty", r.stderr)

        # The spool is flushed after any successful delivery, too.
        self.server.clear()
        self.mail(input=text, url=f"smtp://127.0.0.1:{closed_port()}")
        self.assertEqual(len(self.spooled()), 1)
        r = self.mail(input=to_csv(RICH, [rich("e7", "x", "1", "0.9", "99.0")]))
        self.assertStatus(r, adtest.OK)
        self.assertIn("also sent 1 spooled message", r.stderr)
        self.assertEqual(len(self.server.wait_for(2)), 2)
        self.assertEqual(self.spooled(), [])

    def test_a_silent_server_times_out_and_spools(self):
        with socket.socket() as listener:  # accepts connections, never says a word
            listener.bind(("127.0.0.1", 0))
            listener.listen(4)
            t0 = time.monotonic()
            r = self.mail("--timeout", "1", url=f"smtp://127.0.0.1:{listener.getsockname()[1]}",
                          input=to_csv(RICH, [rich("e1", "alice", "1", "0.9", "99.0")]))
            elapsed = time.monotonic() - t0
        self.assertStatus(r, adtest.UNAVAILABLE)
        self.assertIn("timed out", r.stderr)
        self.assertLess(elapsed, 10)
        self.assertEqual(len(self.spooled()), 1)

    def test_dry_run_and_output_send_nothing(self):
        text = to_csv(RICH, [rich("e1", "alice", "1", "0.9", "99.0", "r1")])
        r = self.mail("--dry-run", input=text, base=False,
                      env={"AD_MAIL_FROM": "ad@example.com", "AD_MAIL_TO": "soc@example.com"})
        self.assertStatus(r, adtest.OK)
        m = email.message_from_string(r.stdout, policy=email.policy.default)
        self.assertEqual(str(m["To"]), "soc@example.com")
        self.assertEqual(len(list(m.iter_attachments())), 1)
        out = os.path.join(self.tmp, "alert.eml")
        r = self.mail("-o", out, input=text)
        self.assertStatus(r, adtest.OK)
        with open(out, "rb") as f:
            self.assertEqual(Mail(f.read(), {}).attachment()[1][1][0], "e1")
        r = self.mail("-o", os.path.join(self.tmp, "no", "such", "dir.eml"), input=text)
        self.assertStatus(r, adtest.IO)
        time.sleep(0.3)
        self.assertEqual(self.server.messages(), [])
        self.assertEqual(self.spooled(), [])

    def test_the_attachment_is_bounded_and_says_what_it_left_out(self):
        rows = [rich("e%d" % i, "user%d" % i, "1", "0.%04d" % (9999 - i), "99.5", "r%d" % i,
                     ts="2025-01-01T%02d:%02d:00Z" % (i // 60 % 24, i % 60)) for i in range(3000)]
        r = self.mail("--max-attachment", "16K", input=to_csv(RICH, rows))
        self.assertStatus(r, adtest.OK)
        (m,) = self.server.wait_for(1)
        name, got = m.attachment()
        (part,) = list(m.msg.iter_attachments())
        self.assertLessEqual(len(part.get_content().encode()), 16 * 1024)
        self.assertEqual(got[0], RICH)
        kept = len(got) - 1
        self.assertGreater(kept, 50)
        self.assertEqual([row[0] for row in got[1:]], ["e%d" % i for i in range(kept)])
        self.assertTrue(all(len(row) == len(RICH) for row in got))  # cut between rows
        note = ("The first %d of 3000 flagged rows are attached as %s; %d rows were left out to "
                "keep the attachment within 16384 bytes (--max-attachment). Where ad-store keeps "
                "the scored rows, 'ad-store --export --since 2025-01-01T00:00:00Z' writes them all."
                % (kept, name, 3000 - kept))
        self.assertIn(note, " ".join(m.text().split()))
        self.assertIn("user0", m.text())                  # the top rows, by score, still shown
        self.assertLess(len(m.raw), 64 * 1024)              # the whole message stays small
        r = self.mail("--max-attachment", "1G", input="")
        self.assertStatus(r, adtest.USAGE)
        self.assertIn("--max-attachment: expected a size in bytes", r.stderr)

    def test_config_file_and_environment(self):
        conf = self.write("mail.conf", "# ad-mail\nsmtp = smtp://127.0.0.1:1\n"
                                       "from = conf@example.com\nto = conf-to@example.com\n"
                                       "subject = [conf]\n")
        text = to_csv(RICH, [rich("e1", "alice", "1", "0.9", "99.0", "r1")])
        r = self.mail("--smtp", self.server.url, "--to", "cli@example.com", input=text, base=False,
                      env={"AD_MAIL_CONFIG": conf, "AD_MAIL_FROM": "env@example.com"})
        self.assertStatus(r, adtest.OK)
        (m,) = self.server.wait_for(1)
        self.assertEqual(m.meta["mail_from"], "env@example.com")
        self.assertEqual(m.meta["rcpt_tos"], ["cli@example.com"])
        self.assertTrue(m.msg["Subject"].startswith("[conf] 1 of 1 login "))

    def test_usage_error_messages_and_bad_input(self):
        # The usage cases' other manners are UsageTest's; here, their messages, against a live server.
        self.write("in.csv", USAGE_TEXT)
        for message, args in USAGE_CASES:
            with self.subTest(message):
                r = self.mail(*fill(args, self.server.url, self.tmp), input=USAGE_TEXT, base=False)
                self.assertStatus(r, adtest.USAGE)
                self.assertIn(message, r.stderr)
        good = fill(GOOD_ARGS, self.server.url, self.tmp)
        r = self.mail(*good, input="user_id,anomaly_score\nx,1\n", base=False)
        self.assertStatus(r, adtest.DATA)
        self.assertIn("<stdin>:1: not scored CSV: no 'anomaly_flag', 'severity' and 'anomaly_reasons' columns", r.stderr)
        r = self.mail(*good, input="", base=False)
        self.assertStatus(r, adtest.DATA)
        r = self.mail(*good, os.path.join(self.tmp, "missing.csv"), base=False)
        self.assertStatus(r, adtest.IO)
        time.sleep(0.3)
        self.assertEqual(self.server.messages(), [])

    def test_tls_required_for_a_server_not_on_loopback(self):
        # ::ffff:127.0.0.1 reaches the loopback server but is not a loopback name, so ad-mail
        # treats it as remote: STARTTLS is required, and this server offers none.
        try:
            with socket.create_connection(("::ffff:127.0.0.1", self.server.port), timeout=5):
                pass
        except OSError:
            self.skipTest("no IPv4-mapped IPv6 on this machine")
        text = to_csv(RICH, [rich("e1", "alice", "1", "0.9", "99.0")])
        url = f"smtp://[::ffff:127.0.0.1]:{self.server.port}"
        r = self.mail(input=text, url=url)
        self.assertStatus(r, adtest.UNAVAILABLE)
        self.assertIn("does not offer STARTTLS", r.stderr)
        time.sleep(0.3)
        self.assertEqual(self.server.messages(), [])
        self.assertEqual(len(self.spooled()), 1)
        r = self.mail("--insecure-no-tls", input=text, url=url)
        self.assertStatus(r, adtest.OK)
        # Delivered, and the spooled copy of the first attempt with it.
        self.assertIn("also sent 1 spooled message", r.stderr)
        self.assertEqual(len(self.server.wait_for(2)), 2)


class TlsAuthTest(adtest.TempDirTestCase):
    """STARTTLS and smtps with a self-signed certificate made here, and AUTH."""

    @classmethod
    def setUpClass(cls):
        cls._class_tmp = tempfile.TemporaryDirectory(prefix="adtest-tls-")
        d = cls._class_tmp.name
        cls.cert, cls.key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-keyout", cls.key, "-out", cls.cert, "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True)
        cls.starttls = Server(d, "--starttls", cls.cert, cls.key, "--auth", "alice:s3cret pass")
        cls.smtps = Server(d, "--smtps", cls.cert, cls.key)

    @classmethod
    def tearDownClass(cls):
        cls.starttls.stop()
        cls.smtps.stop()
        cls._class_tmp.cleanup()

    def send(self, url, *args, env=None):
        full = {"HOME": self.tmp, "XDG_CONFIG_HOME": self.tmp, "XDG_STATE_HOME": self.tmp,
                "AD_SMTP_USER": "", "AD_SMTP_PASSWORD": "", "AD_MAIL_CONFIG": ""}
        full.update(env or {})
        text = to_csv(RICH, [rich("e1", "alice", "1", "0.9", "99.0")])
        return adtest.run("ad-mail", "--smtp", url, "--from", "ad@example.com", "--to",
                          "soc@example.com", "--spool", os.path.join(self.tmp, "spool"), *args,
                          input=text, env=full, timeout=60)

    def test_starttls_with_auth_from_environment_and_netrc(self):
        self.starttls.clear()
        creds = {"AD_SMTP_USER": "alice", "AD_SMTP_PASSWORD": "s3cret pass"}
        r = self.send(self.starttls.url, "--cacert", self.cert, env=creds)
        self.assertStatus(r, adtest.OK)
        (m,) = self.starttls.wait_for(1)
        self.assertRegex(m.meta["tls"], r"^TLSv1\.[23]$")
        self.assertEqual(m.meta["auth_user"], "alice")
        self.assertEqual(m.msg["Subject"], "[ad] 1 of 1 login anomalous, highest severity 99.0 (medium)")

        # ~/.netrc instead of the environment.
        with open(os.path.join(self.tmp, ".netrc"), "w") as f:
            f.write("machine 127.0.0.1 login alice password \"s3cret pass\"\n")
        os.chmod(os.path.join(self.tmp, ".netrc"), 0o600)
        r = self.send(self.starttls.url, "--cacert", self.cert)
        self.assertStatus(r, adtest.OK)
        self.assertEqual(self.starttls.wait_for(2)[1].meta["auth_user"], "alice")

    def test_bad_certificate_or_password_spools(self):
        self.starttls.clear()
        creds = {"AD_SMTP_USER": "alice", "AD_SMTP_PASSWORD": "s3cret pass"}
        r = self.send(self.starttls.url, env=creds)  # no --cacert: the self-signed cert fails
        self.assertStatus(r, adtest.UNAVAILABLE)
        self.assertIn("certificate", r.stderr)
        r = self.send(self.starttls.url, "--cacert", self.cert,
                      env={"AD_SMTP_USER": "alice", "AD_SMTP_PASSWORD": "wrong"})
        self.assertStatus(r, adtest.UNAVAILABLE)
        r = self.send(self.starttls.url, "--cacert", self.cert)  # no credentials at all
        self.assertStatus(r, adtest.UNAVAILABLE)
        self.assertIn("530", r.stderr)
        self.assertEqual(len(os.listdir(os.path.join(self.tmp, "spool"))), 3)
        time.sleep(0.3)
        self.assertEqual(self.starttls.messages(), [])
        r = adtest.run("ad-mail", "--flush-spool", "--smtp", self.starttls.url, "--cacert", self.cert,
                       "--spool", os.path.join(self.tmp, "spool"),
                       env={"HOME": self.tmp, "AD_MAIL_CONFIG": "", **creds})
        self.assertStatus(r, adtest.OK)
        self.assertEqual(len(self.starttls.wait_for(3)), 3)

    def test_smtps(self):
        self.smtps.clear()
        url = f"smtps://127.0.0.1:{self.smtps.port}"
        r = self.send(url, "--cacert", self.cert)
        self.assertStatus(r, adtest.OK)
        (m,) = self.smtps.wait_for(1)
        self.assertRegex(m.meta["tls"], r"^TLSv1\.[23]$")
        self.assertEqual(m.attachment()[1][1][0], "e1")
        r = self.send(url)
        self.assertStatus(r, adtest.UNAVAILABLE)


def finish(p, timeout=30):
    """Closes the input of a running ad-mail, waits for it; returns its stderr."""
    if not p.stdin.closed:
        p.stdin.close()
    p.wait(timeout)
    err = p.stderr.read()
    p.stderr.close()
    if p.stdout:
        p.stdout.close()
    return err


class StreamingTest(MailTestCase):
    def start(self, *args, url=None):
        env = dict(os.environ)
        env.update(self.env)
        p = subprocess.Popen(
            [adtest.tool("ad-mail"), "--smtp", url or self.server.url, "--from", "ad@example.com",
             "--to", "soc@example.com", "--spool", self.spool, *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.addCleanup(self.stop, p)  # a failed test must not leave ad-mail running
        return p

    @staticmethod
    def stop(p):
        if p.poll() is None:
            p.kill()
            p.wait()
        for f in (p.stdin, p.stdout, p.stderr):
            try:
                f.close()
            except (BrokenPipeError, ValueError):
                pass

    @staticmethod
    def line(row):
        return to_csv(RICH, [row]).split("\n", 1)[1].encode()

    def test_window_and_hourly_cap(self):
        p = self.start("--window", "1", "--max-per-hour", "2")
        try:
            p.stdin.write((",".join(RICH) + "\n").encode())
            p.stdin.write(self.line(rich("e1", "alice", "1", "0.9", "99.0", "r1")))
            p.stdin.write(self.line(rich("e2", "bob", "0", "0.1", "5.0")))
            p.stdin.flush()
            t0 = time.monotonic()
            # The window closes on time although no further line arrives.
            got = self.server.wait_for(1, timeout=10)
            self.assertEqual(len(got), 1)
            self.assertGreaterEqual(time.monotonic() - t0, 0.8)
            self.assertIsNone(p.poll())
            self.assertEqual(got[0].msg["Subject"],
                             "[ad] 1 of 2 logins anomalous, highest severity 99.0 (medium)")

            p.stdin.write(self.line(rich("e3", "carol", "1", "0.8", "97.0", "r3")))
            p.stdin.write(self.line(rich("e4", "dave", "1", "0.85", "98.0", "r4")))
            p.stdin.flush()
            got = self.server.wait_for(2, timeout=10)
            self.assertEqual(len(got), 2)
            self.assertEqual([r[0] for r in got[1].attachment()[1][1:]], ["e3", "e4"])

            # Two mails this hour: the cap holds the next windows back...
            p.stdin.write(self.line(rich("e5", "erin", "1", "0.7", "96.0", "r5")))
            p.stdin.flush()
            time.sleep(1.5)
            p.stdin.write(self.line(rich("e6", "frank", "1", "0.95", "99.5", "r6")))
            p.stdin.flush()
            time.sleep(1.5)
            self.assertEqual(len(self.server.messages()), 2)
            self.assertIsNone(p.poll())
        finally:
            err = finish(p)  # ...until the input ends: then the digest goes at once
        self.assertEqual(p.returncode, 0, err)
        got = self.server.wait_for(3)
        self.assertEqual(len(got), 3)
        digest = got[2]
        self.assertTrue(digest.msg["Subject"].startswith("[ad] digest: 2 of 2 logins anomalous"))
        self.assertEqual([r[0] for r in digest.attachment()[1][1:]], ["e5", "e6"])
        self.assertRegex(digest.text(), r"--max-per-hour 2\) held back \d+ alert windows? since")

    def test_signal_sends_what_is_held(self):
        p = self.start("--window", "600", "--tee")
        p.stdin.write((",".join(RICH) + "\n").encode())
        p.stdin.write(self.line(rich("e1", "alice", "1", "0.9", "99.0", "r1")))
        p.stdin.flush()
        self.assertEqual(p.stdout.readline().decode().split(",")[0], "event_id")  # --tee
        self.assertEqual(p.stdout.readline().decode().split(",")[0], "e1")  # the row was read
        time.sleep(0.2)
        self.assertEqual(self.server.messages(), [])
        p.send_signal(signal.SIGTERM)
        p.wait(30)
        err = finish(p)
        self.assertEqual(p.returncode, 0, err)
        self.assertIn(b"stopping on signal 15", err)
        (m,) = self.server.wait_for(1)
        self.assertEqual(m.attachment()[1][1][0], "e1")
        p.stdin.close()

    def test_a_stream_that_breaks_still_alerts_what_it_gave(self):
        p = self.start("--window", "600")
        p.stdin.write((",".join(RICH) + "\n").encode())
        p.stdin.write(self.line(rich("e1", "alice", "1", "0.9", "99.0", "r1")))
        try:
            p.stdin.write(b"x" * (17 << 20))  # a line too long to read, never ended
        except BrokenPipeError:
            pass
        try:
            p.stdin.close()
        except BrokenPipeError:
            pass
        p.wait(30)
        err = p.stderr.read().decode()
        p.stderr.close()
        p.stdout.close()
        self.assertEqual(p.returncode, adtest.DATA, err)
        self.assertIn("<stdin>:3: line of 16 MiB or more", err)  # read past, reported once
        (m,) = self.server.wait_for(1)
        self.assertEqual([r[0] for r in m.attachment()[1][1:]], ["e1"])

    def test_dedup_in_a_stream_and_server_down(self):
        state = os.path.join(self.tmp, "state")
        p = self.start("--state", state, "--window", "0.3", url=f"smtp://127.0.0.1:{closed_port()}")
        p.stdin.write((",".join(RICH) + "\n").encode())
        p.stdin.write(self.line(rich("e1", "alice", "1", "0.9", "99.0", "r1")))
        p.stdin.flush()
        time.sleep(1.0)
        p.stdin.write(self.line(rich("e1", "alice", "1", "0.9", "99.0", "r1")))  # again
        p.stdin.write(self.line(rich("e2", "bob", "1", "0.9", "99.0", "r2")))
        err = finish(p)
        self.assertEqual(p.returncode, adtest.UNAVAILABLE, err)
        self.assertIn(b"2 alerts wait in " + self.spool.encode(), err)
        spooled = self.spooled()
        self.assertEqual(len(spooled), 2)
        with open(spooled[1], "rb") as f:
            second = Mail(f.read(), {})
        self.assertEqual([r[0] for r in second.attachment()[1][1:]], ["e2"])


# Real ad-train and ad-score output: a history of ordinary logins, then a brute force on
# user3 from one foreign address at office hours. With the test model, its incident
# scores 65 (high) from the sixth failure on and stays there; a success after the
# failures adds 30 (95, critical).
# Two logins as their users usually log in (adtest.login_history): at their usual hour
# (user1 and user9 log in at 09), from their own network and device.
GOOD_ROWS = ["9001,2024-05-29T09:10:00Z,user1,10.0.1.7,NO,Web,512,success",
             "9002,2024-05-29T09:11:00Z,user9,10.0.9.9,NO,Web,300,success"]


def burst(first, last, status="failure"):
    return [f"{8000 + k},2024-05-29T10:{k:02d}:00Z,user3,203.0.113.9,RU,Web,512,{status}"
            for k in range(first, last)]


class IncidentTest(MailTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = os.path.join(cls._class_tmp.name, "m.model")
        r = adtest.run("ad-train", "--seed", "1", "-q", "-m", cls.model,
                       input=adtest.csv_text(adtest.login_history(600)))
        if r.status != 0:
            raise RuntimeError(f"cannot train the test model: {r}")

    def scored(self, name, rows):
        r = adtest.run("ad-score", "-m", self.model, "-q", input=adtest.csv_text(rows))
        self.assertStatus(r, adtest.OK)
        table = list(csv.reader(io.StringIO(r.stdout)))
        self.assertIn("incident_id", table[0])
        return self.write(name, r.stdout), table

    def burst_id(self, table):
        col = {n: i for i, n in enumerate(table[0])}
        ids = {row[col["incident_id"]] for row in table[1:] if row[col["user_id"]] == "user3"}
        self.assertEqual(len(ids), 1)
        return ids.pop(), col

    def test_one_mail_about_the_burst(self):
        path, table = self.scored("a.csv", GOOD_ROWS + burst(0, 12))
        bid, col = self.burst_id(table)
        flagged = [row for row in table[1:] if row[col["anomaly_flag"]] == "1"]
        r = self.mail(path)
        self.assertStatus(r, adtest.OK)
        (m,) = self.server.wait_for(1)
        self.assertRegex(m.msg["Subject"], r"^\[ad\] \d+ incidents? \(\d+ (critical|high)\): .*brute_force")
        text = m.text()
        self.assertEqual(text.count(bid), 1, text)  # the burst is listed once, not row by row
        self.assertIn("   users:    user3\n", text)
        self.assertIn("   sources:  203.0.113.9\n", text)
        self.assertIn("   events:   12\n", text)
        self.assertIn("   span:     2024-05-29T10:00:00Z to 2024-05-29T10:11:00Z\n", text)
        self.assertNotIn("anomalies, by score", text)  # incidents replace the top rows
        self.assertIn("Flagged by severity", text)
        self.assertLess(text.index(bid), text.index("Flagged by severity"))
        self.assertEqual(m.html().count(bid), 1)
        _, attached = m.attachment()
        self.assertEqual(attached[1:], flagged)  # still every flagged row

    def test_state_holds_a_growing_incident_until_its_band_rises(self):
        state = os.path.join(self.tmp, "mail.state")
        a, _ = self.scored("a.csv", GOOD_ROWS + burst(0, 12))
        b, table_b = self.scored("b.csv", GOOD_ROWS + burst(0, 20))
        c, _ = self.scored("c.csv", GOOD_ROWS + burst(0, 20) + burst(20, 21, "success"))
        bid, _ = self.burst_id(table_b)
        self.assertStatus(self.mail("--state", state, a), adtest.OK)
        self.assertEqual(len(self.server.wait_for(1)), 1)
        with open(state) as f:
            self.assertEqual(f.readline(), "# ad-mail state 2\n")

        # Eight more failures: the incident grows, its band (high) does not rise.
        r = self.mail("--state", state, b)
        self.assertStatus(r, adtest.OK)
        self.assertIn("8 flagged rows in " + b + " only extend 1 incident alerted before, "
                      "whose band did not rise; no mail sent", r.stderr)
        time.sleep(0.3)
        self.assertEqual(len(self.server.messages()), 1)

        # A success after the failures: critical, so it alerts again, with the new row.
        r = self.mail("--state", state, c)
        self.assertStatus(r, adtest.OK)
        first, second = self.server.wait_for(2)
        self.assertRegex(second.msg["Subject"], r"^\[ad\] 1 incident \(1 critical\): brute_force$")
        text = second.text()
        self.assertIn(bid, text)
        self.assertIn("re-alert: its band rose from high to critical", text)
        self.assertIn("   events:   1\n", text)
        self.assertEqual([row[0] for row in second.attachment()[1][1:]], ["8020"])

        # And once more: nothing new at all.
        r = self.mail("--state", state, c)
        self.assertIn("every flagged row (21) was alerted before", r.stderr)
        time.sleep(0.3)
        self.assertEqual(len(self.server.messages()), 2)

    def test_a_stream_alerts_an_incident_once_per_band(self):
        _, table = self.scored("c.csv", GOOD_ROWS + burst(0, 20) + burst(20, 21, "success"))
        lines = []  # one CSV line per row, quoted as needed: reasons may hold commas
        for row in table:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerow(row)
            lines.append(buf.getvalue())
        env = dict(os.environ)
        env.update(self.env)
        p = subprocess.Popen(
            [adtest.tool("ad-mail"), "--smtp", self.server.url, "--from", "ad@example.com",
             "--to", "soc@example.com", "--spool", self.spool, "--window", "0.3"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.addCleanup(StreamingTest.stop, p)
        windows = [lines[:1 + 2 + 12], lines[15:21], lines[21:]]  # header, good rows, burst...
        for i, chunk in enumerate(windows):
            p.stdin.write("".join(chunk).encode())
            p.stdin.flush()
            time.sleep(1.0)
            if i == 0:
                self.assertEqual(len(self.server.wait_for(1)), 1)
        err = finish(p).decode()
        self.assertEqual(p.returncode, adtest.OK, err)
        self.assertIn("6 flagged rows in this window only extend 1 incident alerted before", err)
        first, second = self.server.wait_for(2)
        self.assertEqual(len(self.server.messages()), 2, err)
        self.assertIn("(1 high)", first.msg["Subject"])
        self.assertIn("(1 critical)", second.msg["Subject"])


if __name__ == "__main__":
    unittest.main()
