"""Untrusted text through the tools: non-ASCII values in reasons, hostile bytes in errors.

ad-score quotes data values in anomaly_reasons, cut to a bounded length; the cut must
fall between characters, or ad-score writes invalid UTF-8 that ad-report (rightly)
refuses. Error messages quote data values too; a terminal escape or line break in a
value must reach stderr escaped, on one line.
"""
import os
import random
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import adtest  # noqa: E402

HEADER = "event_id,timestamp,user_id,ip_address,country,city,device_type,status"
# Long values whose characters take 2, 3 and 4 bytes, so that a cut at byte 60 would
# split one (each of these but the last).
LONG_CITIES = ["A" + "東京都" * 30, "Αθήνα-" * 20, "a🙂🙂" * 15, "Zürich-Ωμέγα-東京" * 8]
HOME_CITIES = ["Oslo", "Bergen", "Tromsø", "Zürich", "Göteborg"]
LONG_DEVICES = ["Ταμπλέτα-📱" * 10, "1" + "スマートフォン" * 15]


def history(n, seed=1):
    r = random.Random(seed)
    rows = []
    for i in range(n):
        u = r.randrange(12)
        rows.append(f"{i},2024-05-{1 + i // 100 % 28:02d}T{8 + u % 8:02d}:{r.randrange(60):02d}:00Z,"
                    f"user{u},10.0.{u}.{r.randrange(1, 250)},NO,{HOME_CITIES[u % len(HOME_CITIES)]},"
                    f"{['Mobile', 'Web', 'Tablet'][u % 3]},{'success' if r.random() < 0.95 else 'failure'}")
    return rows


def strangers():
    """Logins at the user's usual hour, failed, from the user's own network but a new city
    and a new device with long non-ASCII names, so that those names are quoted in the
    reasons (a network nobody uses would head the reasons instead)."""
    rows = []
    for u in range(12):
        city = LONG_CITIES[u % len(LONG_CITIES)]
        device = LONG_DEVICES[u % len(LONG_DEVICES)]
        rows.append(f"{9000 + u},2024-05-29T{8 + u % 8:02d}:{u:02d}:00Z,user{u},10.0.{u}.{u + 1},NO,{city},{device},failure")
    return rows


class NonAsciiReasonsTest(adtest.TempDirTestCase):
    def test_scored_output_is_valid_utf8_and_ad_report_reads_it(self):
        train = self.write("train.csv", adtest.csv_text(history(600), HEADER))
        model = os.path.join(self.tmp, "m.model")
        r = adtest.run("ad-train", "--seed", "1", "--contamination", "0.2", "-q", "-m", model, train)
        self.assertStatus(r, adtest.OK)
        score_in = self.write("new.csv", adtest.csv_text(history(50, seed=2) + strangers(), HEADER))
        p = subprocess.run([adtest.tool("ad-score"), "-q", "-m", model, score_in], capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        p.stdout.decode("utf-8")  # raises UnicodeDecodeError on invalid UTF-8
        text = p.stdout.decode("utf-8")
        self.assertIn("東京都", text.split("\n", 1)[1])
        reasons = [line for line in text.splitlines() if "..." in line]
        self.assertGreater(len(reasons), 0, "no value was long enough to be cut")
        scored = self.write("scored.csv", p.stdout)
        r = adtest.run("ad-report", "-q", "-o", os.path.join(self.tmp, "r.html"), scored)
        self.assertStatus(r, adtest.OK)
        self.assertEqual(r.stderr, "")


class HostileErrorTest(adtest.TempDirTestCase):
    BAD_TIME = "\x1b[31m2024-05-01\nT08:00:00Z\x1b[0m"

    def bad_input(self):
        rows = adtest.login_history(30)
        rows.append(f'9999,"{self.BAD_TIME}",user1,10.0.1.7,NO,Web,512,success')
        return self.write("in.csv", adtest.csv_text(rows))

    def assertEscapedOneLine(self, r, tool):
        self.assertStatus(r, adtest.DATA)
        self.assertNotIn("\x1b", r.stderr)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, repr(r))
        self.assertIn(r"bad timestamp '\x1b[31m2024-05-01\x0aT08:00:00Z\x1b[0m'", lines[0])
        self.assertTrue(lines[0].startswith(tool + ": "), lines[0])

    def test_ad_train_escapes_a_bad_timestamp(self):
        r = adtest.run("ad-train", "-m", os.path.join(self.tmp, "m.model"), self.bad_input())
        self.assertEscapedOneLine(r, "ad-train")

    def test_ad_score_escapes_a_bad_timestamp(self):
        model = os.path.join(self.tmp, "m.model")
        r = adtest.run("ad-train", "--seed", "1", "-q", "-m", model,
                       input=adtest.csv_text(adtest.login_history(200)))
        self.assertStatus(r, adtest.OK)
        r = adtest.run("ad-score", "-m", model, self.bad_input())
        self.assertEscapedOneLine(r, "ad-score")

    def test_ad_report_escapes_a_bad_score(self):
        bad = self.write("bad.csv", "user_id,anomaly_score,anomaly_flag,severity,anomaly_reasons\n"
                                    "u1,\"0.5\x1b]0;pwned\x07\n\u202e\",1,50,x\n")
        r = adtest.run("ad-report", "-o", os.path.join(self.tmp, "r.html"), bad)
        self.assertStatus(r, adtest.DATA)
        self.assertNotIn("\x1b", r.stderr)
        self.assertNotIn("\u202e", r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1, repr(r))
        self.assertIn(r"not '0.5\x1b]0;pwned\x07\x0a\u202e'", r.stderr)


if __name__ == "__main__":
    unittest.main()
