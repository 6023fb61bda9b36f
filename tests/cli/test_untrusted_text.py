"""Untrusted text through the tools: non-ASCII values in reasons.

ad-score quotes data values in anomaly_reasons, cut to a bounded length; the cut must
fall between characters, or ad-score writes invalid UTF-8 that ad-report (rightly)
refuses.
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
    """Logins at the user's usual hour, failed, from a new network, a new city and a new
    device with long non-ASCII names, so that those names are quoted in the reasons."""
    rows = []
    for u in range(12):
        city = LONG_CITIES[u % len(LONG_CITIES)]
        device = LONG_DEVICES[u % len(LONG_DEVICES)]
        rows.append(f"{9000 + u},2024-05-29T{8 + u % 8:02d}:{u:02d}:00Z,user{u},203.0.113.{u + 1},NO,{city},{device},failure")
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


if __name__ == "__main__":
    unittest.main()
